"""Answers: the shortest span that answers, citations, lists, or an honest no.

Nothing here writes text of its own: every quote is a slice of the source
document between two offsets. Whether to answer at all is decided by a small
logistic model over several signals, fitted on the question set's dev split
and stored with the index (see calibrate.py).
"""

from __future__ import annotations

import math
import re

import numpy as np

from .normalize import normalize
from .query import STRICT_TYPES, Query, type_matches
from .records import Answer, Citation, Clause, Hit
from .retrieve import Retriever

__all__ = ["NOT_FOUND", "FEATURES", "DEFAULT_CALIBRATION", "features", "choose_quote", "list_regions", "compose"]

NOT_FOUND = "文件中没有找到与该问题直接相关的条款。"
NEAREST = "以下是可能相关的条款，仅供参考。"
# Lexical coverage only means something for Chinese questions, dense scores run
# lower for English ones: each gets its own weight per language.
FEATURES = ("dense_top", "coverage_zh", "dense_en", "agree", "latin", "other_place", "region_named", "type_miss", "scope_hit", "unknown_words", "bias")
# Used only until an index is calibrated: answer unless nothing matches at all.
DEFAULT_CALIBRATION = {
    "weights": [0.0] * (len(FEATURES) - 1) + [1.0],
    "threshold": 0.5,
    "list_min_coverage": 0.5,
    "list_rel_coverage": 0.8,
    "list_dense_gap": 0.02,
}
_DIGIT = re.compile(r"\d")
_CONTINUES = ("或", "并", "且", "其中", "以及", "及")


def _span_text_norm(clause: Clause, start: int, end: int) -> str:
    return normalize(clause.text[start - clause.start : end - clause.start])


def choose_quote(retriever: Retriever, query: Query, hit: Hit, qvec: np.ndarray) -> tuple[int, int]:
    """Pick the sub-clause that answers best: shared words first, meaning second."""
    clause = hit.clause
    if clause.kind == "scope" or len(clause.spans) <= 1:
        last = clause.spans[-1].end if clause.spans else clause.end
        return clause.start, last
    owner = retriever.stored.span_owner
    rows = np.flatnonzero(owner == retriever.position(clause))
    dense = retriever.stored.span_vectors[rows] @ qvec if len(rows) == len(clause.spans) else np.zeros(len(clause.spans))
    spread = float(dense.max() - dense.min()) if len(dense) else 0.0
    best, best_score = 0, -math.inf
    for i, span in enumerate(clause.spans):
        text = _span_text_norm(clause, span.start, span.end)
        score = retriever.coverage(query, text)
        score += 0.5 * (float(dense[i] - dense.min()) / spread if spread > 0 else 0.0)
        if query.numeric and _DIGIT.search(text):
            score += 0.3
        if score > best_score:
            best, best_score = i, score
    start, end = clause.spans[best].start, clause.spans[best].end
    following = clause.spans[best + 1] if best + 1 < len(clause.spans) else None
    if following is not None:
        next_text = clause.text[following.start - clause.start : following.end - clause.start]
        if next_text.startswith(_CONTINUES) or end - start < 8:
            end = following.end
    return start, end


def features(retriever: Retriever, query: Query, hits: list[Hit]) -> list[float]:
    """The signals abstention is decided on, in FEATURES order."""
    if not hits:
        return [0.0] * (len(FEATURES) - 1) + [1.0]
    top = hits[0]
    by_dense = sorted(hits, key=lambda h: -h.signals["dense"])[:3]
    by_bm25 = sorted(hits, key=lambda h: -h.signals["bm25"])[:3]
    agree = float(top.signals["bm25"] > 0 and any(h.clause is top.clause for h in by_dense) and any(h.clause is top.clause for h in by_bm25))
    cov = retriever.coverage(query, retriever.clause_norm[retriever.position(top.clause)])
    type_miss = float(not type_matches(query, top.clause.text))
    return [
        top.signals["dense"],
        0.0 if query.latin else cov,
        top.signals["dense"] if query.latin else 0.0,
        agree,
        float(query.latin),
        float(bool(query.other_places) and not query.regions),
        float(bool(query.regions)),
        type_miss,
        float(query.scope and bool(query.regions) and top.clause.kind == "scope"),
        retriever.unknown_share(query),
        1.0,
    ]


def confidence(calibration: dict, values: list[float]) -> float:
    """Probability, under the fitted model, that the documents answer the question."""
    z = float(np.dot(calibration["weights"], values))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def list_regions(retriever: Retriever, query: Query, hits: list[Hit], calibration: dict) -> list[Hit]:
    """One hit per region whose best clause matches the topic confidently."""
    best: dict[str | None, Hit] = {}
    for hit in hits:
        best.setdefault(hit.clause.region, hit)
    candidates = [h for r, h in best.items() if r is not None]
    if not candidates:
        return []
    if query.latin:  # no shared words: a region is listed when it is nearly as close as the best
        top = max(h.signals["dense"] for h in candidates)
        return [h for h in candidates if h.signals["dense"] >= top - calibration["list_dense_gap"]]
    cov = {id(h): retriever.coverage(query, retriever.clause_norm[retriever.position(h.clause)]) for h in candidates}
    floor = max(calibration["list_min_coverage"], calibration["list_rel_coverage"] * max(cov.values()))
    return [h for h in candidates if cov[id(h)] >= floor]


def _outside(query: Query) -> str:
    """Name the places asked about that no pilot covers, so the 'no' is explained."""
    if not query.other_places or query.regions:
        return ""
    names = '、'.join(p.title() if p.isascii() else p for p in query.other_places[:3])
    return f"问题提到的“{names}”不在文件所列的试点范围内。"


def compose(retriever: Retriever, query: Query, hits: list[Hit], *, k: int, calibration: dict) -> Answer:
    """Turn ranked hits into an answer: quotes with citations, or say nothing matched."""
    qvec = retriever.embed_query(query)
    values = features(retriever, query, hits)
    p = confidence(calibration, values)
    list_question = bool(len(query.regions) > 1 or (query.list_intent and not query.regions))
    # A year, a document number, a sum of money or an upper bound cannot be
    # quoted from clauses that contain none: that is a "no", whatever the scores.
    strict_miss = query.answer_type in STRICT_TYPES and not any(type_matches(query, h.clause.text) for h in hits[:k])
    answerable = bool(hits) and p >= calibration["threshold"] and not strict_miss
    shown = hits[:k]
    if answerable and list_question:
        pool = [h for h in hits if not query.regions or h.clause.region in query.regions]
        listed = list_regions(retriever, query, pool, calibration)
        if listed:
            shown = listed
        else:
            list_question = False
    citations = []
    for rank, hit in enumerate(shown, 1):
        start, end = choose_quote(retriever, query, hit, qvec)
        citations.append(Citation(rank=rank, hit=hit, quote_start=start, quote_end=end))
    return Answer(
        question=query.text,
        answerable=answerable,
        citations=tuple(citations),
        regions_asked=query.regions,
        list_question=list_question and answerable,
        confidence=p,
        message="" if answerable else NOT_FOUND + _outside(query) + NEAREST,
        features=dict(zip(FEATURES, values)),
    )
