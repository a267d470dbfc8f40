"""Query vectors embedded ahead: the same vectors, each text embedded once, failures said where the vector is used."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from fakes import FakeEmbedder

from reformqa.search.background import worker
from reformqa.search.query_vectors import QueryVectors


class _Gated(FakeEmbedder):
    """Embeds only when the gate opens, and counts each text it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.texts: list[str] = []

    def embed(self, texts, *, query):
        self.gate.wait(10)
        self.texts.extend(texts)
        return super().embed(texts, query=query)


def test_a_prefetched_vector_is_the_one_embedded_on_demand_and_is_embedded_once():
    gated = _Gated()
    vectors = QueryVectors(gated)
    vectors.prefetch(["经费包干制", "经费包干制", ""])
    gated.gate.set()
    ahead = vectors.get("经费包干制")
    assert np.array_equal(ahead, QueryVectors(FakeEmbedder()).get("经费包干制"))
    assert vectors.get("经费包干制") is ahead
    assert gated.texts == ["经费包干制"]  # duplicates and empty texts are not embedded; the wait took the prefetched one


def test_the_question_is_embedded_while_its_topic_is_embedded_ahead():
    gated = _Gated()
    vectors = QueryVectors(gated)
    vectors.prefetch(["首席科学家负责制"])  # held at the gate
    done = threading.Event()
    threading.Thread(target=lambda: (vectors.get("哪些试点实行首席科学家负责制"), done.set()), daemon=True).start()
    assert not done.wait(0.2)  # the fake holds both calls at its gate
    gated.gate.set()
    assert done.wait(10)
    worker("prefetch").submit(lambda: None).result(10)  # the one prefetch thread has finished the topic (it may end after the question)
    assert sorted(gated.texts) == sorted(["首席科学家负责制", "哪些试点实行首席科学家负责制"])


def test_a_failed_prefetch_fails_where_the_vector_is_asked_for_and_is_retried_later():
    class Failing(FakeEmbedder):
        fail = True

        def embed(self, texts, *, query):
            if self.fail:
                raise RuntimeError("engine down")
            return super().embed(texts, query=query)

    embedder = Failing()
    vectors = QueryVectors(embedder)
    vectors.prefetch(["科研助理"])
    with pytest.raises(RuntimeError, match="engine down"):
        vectors.get("科研助理")
    embedder.fail = False
    assert vectors.get("科研助理").shape == (embedder.dim,)


def test_the_cache_keeps_the_most_recent_512():
    vectors = QueryVectors(FakeEmbedder())
    for i in range(600):
        vectors.get(f"问题{i}")
    assert len(vectors.cache) == 512 and "问题0" not in vectors.cache and "问题599" in vectors.cache


def test_a_question_is_read_on_the_reading_thread_while_this_thread_embeds_it():
    gated = _Gated()
    vectors = QueryVectors(gated)
    threads: dict[str, str] = {}
    read_done = threading.Event()

    def embed(texts, *, query):
        threads["embed"] = threading.current_thread().name
        assert read_done.wait(10)  # the reading ran while the engine held the question: they overlap
        return FakeEmbedder.embed(gated, texts, query=query)

    gated.embed = embed  # type: ignore[method-assign]

    def read():
        threads["read"] = threading.current_thread().name
        read_done.set()
        return "读过"

    assert vectors.embed_while("科研经费包干制", read) == "读过"
    assert threads == {"embed": threading.current_thread().name, "read": "reformqa-read_0"}
    assert "科研经费包干制" in vectors.cache


def test_a_question_already_embedded_is_read_here():
    vectors = QueryVectors(FakeEmbedder())
    vectors.get("科研经费包干制")
    assert vectors.embed_while("科研经费包干制", lambda: threading.current_thread().name) == threading.current_thread().name


def test_a_failure_of_either_side_reaches_the_caller_and_leaves_nothing_running():
    class Failing(FakeEmbedder):
        def embed(self, texts, *, query):
            raise RuntimeError("engine down")

    finished = threading.Event()

    def slow_read():
        finished.wait(0.2)
        finished.set()
        return "读过"

    with pytest.raises(RuntimeError, match="engine down"):
        QueryVectors(Failing()).embed_while("科研助理", slow_read)
    assert finished.is_set()  # the reading had ended before the failure was raised

    def failing_read():
        raise ValueError("unreadable question")

    vectors = QueryVectors(FakeEmbedder())
    with pytest.raises(ValueError, match="unreadable question"):
        vectors.embed_while("科研助理", failing_read)
    assert "科研助理" in vectors.cache  # the vector embedded meanwhile is kept for the next question
