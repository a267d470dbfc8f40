"""Answers: the shortest span that answers, citations, lists, or an honest no.

Nothing here writes text of its own: every quote is a slice of the source
document between two offsets. Whether to answer at all is decided by a small
logistic model over several signals, fitted on the question set's dev split
and stored with the index (see calibrate.py).
"""

from __future__ import annotations

import math
from dataclasses import replace
import re

import numpy as np

from .normalize import normalize
from .compare import pivot_terms
from .query import STRICT_TYPES, Query, analyse, type_matches
from .records import Answer, Citation, Clause, Hit
from .retrieve import Retriever

__all__ = ["POLICY_VERBS", "NOT_FOUND", "FEATURES", "DEFAULT_CALIBRATION", "features", "choose_quote", "list_regions", "compose"]

NOT_FOUND = "文件中没有找到与该问题直接相关的条款。"
NEAREST = "以下是可能相关的条款，仅供参考。"
# Lexical coverage only means something for Chinese questions, dense scores run
# lower for English ones: each gets its own weight per language.
FEATURES = ("dense_top", "coverage_zh", "dense_en", "agree", "latin", "other_place", "region_named", "type_miss", "type_hit", "scope_hit", "unknown_words", "bias")
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
    rows = retriever.span_rows(retriever.position(clause))
    dense = retriever.stored.span_vectors[rows] @ qvec if len(rows) == len(clause.spans) else np.zeros(len(clause.spans))
    spread = float(dense.max() - dense.min()) if len(dense) else 0.0
    best, best_score = 0, -math.inf
    for i, span in enumerate(clause.spans):
        text = _span_text_norm(clause, span.start, span.end)
        score = retriever.coverage(query, text)
        score += 0.5 * (float(dense[i] - dense.min()) / spread if spread > 0 else 0.0)
        if query.answer_type is not None and type_matches(query, clause.text[span.start - clause.start : span.end - clause.start]):
            score += 0.3  # the sub-clause that states the date, term or figure asked for
        if score > best_score:
            best, best_score = i, score
    start, end = clause.spans[best].start, clause.spans[best].end
    following = clause.spans[best + 1] if best + 1 < len(clause.spans) else None
    if following is not None:
        next_text = clause.text[following.start - clause.start : following.end - clause.start]
        typed = query.answer_type not in (None, "number") and type_matches(query, clause.text[start - clause.start : end - clause.start])
        if next_text.startswith(_CONTINUES) or (end - start < 8 and not typed):
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
        float(query.answer_type not in (None, "number") and type_matches(query, top.clause.text)),
        float(query.scope and bool(query.regions) and top.clause.kind == "scope"),
        retriever.unknown_share(query),
        1.0,
    ]


def confidence(calibration: dict, values: list[float]) -> float:
    """Probability, under the fitted model, that the documents answer the question."""
    z = float(np.dot(calibration["weights"], values))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


# How a measure is carried out, not what it is about: 哪些试点推行包干制 asks about 包干制,
# and a pilot that writes 探索实施经费包干制 practises it as much as one that writes 推行.
POLICY_VERBS = frozenset(
    "推行 推广 实施 实行 施行 试行 探索 开展 支持 推动 鼓励 涉及 方案 举措 采用 采取 提出 建立 建设 完善 优化 深化 加强 加快 有序 允许 改革 措施 管理".split()
)


def list_regions(retriever: Retriever, query: Query, hits: list[Hit], calibration: dict) -> list[Hit]:
    """One hit per region whose best clause matches the topic confidently."""
    if query.latin:  # no shared words: a region is listed when it is nearly as close as the best
        best: dict[str | None, Hit] = {}
        for hit in hits:
            best.setdefault(hit.clause.region, hit)
        candidates = [h for r, h in best.items() if r is not None]
        if not candidates:
            return []
        top = max(h.signals["dense"] for h in candidates)
        return [h for h in candidates if h.signals["dense"] >= top - calibration["list_dense_gap"]]
    topic = replace(query, words=tuple(w for w in query.words if w not in POLICY_VERBS) or query.words)
    scored: dict[str, tuple[float, Hit]] = {}
    for hit in hits:
        if hit.clause.region is None:
            continue
        cov = retriever.coverage(topic, retriever.clause_norm[retriever.position(hit.clause)])
        if hit.clause.region not in scored or cov > scored[hit.clause.region][0]:
            scored[hit.clause.region] = (cov, hit)
    if not scored:
        return []
    floor = max(calibration["list_min_coverage"], calibration["list_rel_coverage"] * max(c for c, _ in scored.values()))
    chosen = [(c, h) for c, h in scored.values() if c >= floor]
    return [h for _, h in sorted(chosen, key=lambda item: (-item[0], -item[1].score))]


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
    # Latin-script input with fewer than two real words ("**x**", "alert(1)") asks nothing
    # the e5 scores could judge: they sit near 0.8 for any string.
    no_words = query.latin and sum(1 for w in query.words if len(w) >= 3 and w.isalpha()) < 2
    answerable = bool(hits) and p >= calibration["threshold"] and not strict_miss and not no_words
    shown = hits[:k]
    via = ""
    if answerable and list_question:
        topic, pool = query, [h for h in hits if not query.regions or h.clause.region in query.regions]
        if query.latin:
            # English shares no words with the text: list through the document's own
            # words for the topic (those of its closest sub-clause), and say which.
            via = pivot_terms(retriever, query)
            topic = analyse(via, retriever.stored.gazetteer, retriever.stored.tokenizer, retriever.stored.other_places)
            pool = retriever.search(topic, mode="full", k=len(hits) or 30)
        listed = list_regions(retriever, topic, pool, calibration)
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
        message=(f"按文件用语“{via}”匹配。" if via and list_question and answerable else "") if answerable else NOT_FOUND + _outside(query) + NEAREST,
        features=dict(zip(FEATURES, values)),
    )
