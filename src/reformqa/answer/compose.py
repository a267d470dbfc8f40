"""Composing the answer: quotes with citations, one per pilot for a list, or an honest no.

Nothing here writes text of its own: every quote is a slice of the source
document between two offsets; the only words of ours are the fixed messages
that say nothing was found and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..records import Answer, Citation, Hit
from ..search import Retriever
from .abstain import FEATURES, confidence, features, threshold, vetoed
from .bridge import Bridge
from .compare import DEFAULT_MIN_MATCH
from .items import with_items
from .lists import list_topic, topic_table
from .question import Query
from .quote import choose_quote
from .signals import Lexicon

__all__ = ["NOT_FOUND", "NEAREST", "compose"]

NOT_FOUND = "文件中没有找到与该问题直接相关的条款。"
_PILOTS_ASKED = re.compile(r"试点|地区|城市|省份|哪里|哪儿|\bpilots?\b|\bregions?\b|\bcities\b|\bwhere\b")
NEAREST = "以下是可能相关的条款，仅供参考。"


def _outside(query: Query) -> str:
    """Name the places asked about that no pilot covers, so the 'no' is explained."""
    if not query.other_places:
        return ""
    names = "、".join(p.title() if p.isascii() else p for p in query.other_places[:3])
    return f"问题提到的“{names}”不在文件所列的试点范围内。"


def _listed(
    retriever: Retriever, lexicon: Lexicon, query: Query, hits: Sequence[Hit], calibration: Mapping[str, Any], allowed: Sequence[str], bridge: Bridge | None
) -> list[Citation]:
    """The citations of a list answer, one a pilot."""
    if len(query.regions) > 1:  # 合肥和成都分别…: each region named, by its best clause
        best: dict[str, Hit] = {}
        for hit in hits:
            if hit.clause.region in query.regions:
                best.setdefault(hit.clause.region, hit)
        chosen = [best[r] for r in query.regions if r in best]
        return [Citation(0, h, *choose_quote(retriever, lexicon, query, h, retriever.embed(query.normalized))) for h in chosen]
    topic = list_topic(retriever, query)
    if not topic:
        return []
    table = topic_table(retriever, lexicon, topic, min_match=float(calibration.get("compare_min_match", DEFAULT_MIN_MATCH)), bridge=bridge)
    rows = [r for r in table.rows if r.mentioned and r.citation is not None and (not allowed or r.region in allowed)]
    rows.sort(key=lambda r: (-r.match, -r.score))
    return [r.citation for r in rows if r.citation is not None]


def _whole(hit: Hit) -> tuple[int, int]:
    clause = hit.clause
    return (clause.spans[0].start, clause.spans[-1].end) if clause.spans else (clause.start, clause.end)


def _scope_last(query: Query, hits: Sequence[Hit]) -> list[Hit]:
    """A scope sentence answers only where-and-which questions: for any other, a measure of its region comes first."""
    if query.scope or query.answer_kind == "count" or not hits or hits[0].clause.kind != "scope":
        return list(hits)
    region = hits[0].clause.region
    measure = next((i for i, h in enumerate(hits[:5]) if h.clause.region == region and h.clause.kind != "scope"), None)
    if measure is None:
        return list(hits)
    return [hits[measure], *(h for i, h in enumerate(hits) if i != measure)]


def compose(
    retriever: Retriever,
    lexicon: Lexicon,
    query: Query,
    hits: Sequence[Hit],
    *,
    k: int,
    calibration: Mapping[str, Any],
    regions: Sequence[str] = (),
    bridge: Bridge | None = None,
) -> Answer:
    """Turn ranked hits into an answer: quotes with citations, or say nothing matched.

    `regions` is the region filter the search was restricted to, if any: a list answer keeps to it.
    `bridge` puts an English list question's topic in the documents' words, as `reformqa compare` does.
    """
    qvec = retriever.embed(query.normalized)
    if query.bridged:  # an English question chooses its quote by its meaning and by the documents' words it was matched through
        qvec = qvec + retriever.embed(query.bridged)
        qvec = qvec / max(float(np.linalg.norm(qvec)), 1e-9)
    hits = _scope_last(query, hits)
    values = features(retriever, lexicon, query, hits, calibration)
    p = confidence(calibration, values)
    # Beside other documents, 哪些要求 asks for a document's items, not for pilots: a list of pilots
    # needs the pilots named or asked for (试点, 地区…), or a pilot's clause to answer best.
    about_pilots = not hits or hits[0].clause.region is not None or bool(_PILOTS_ASKED.search(query.normalized))
    list_question = bool(len(query.regions) > 1 or (query.list_intent and not query.regions and about_pilots))
    # Which places a named pilot takes in, answered by that pilot's own scope sentence: the scores cannot outweigh that.
    scope_answer = bool(hits) and values[FEATURES.index("scope_hit")] == 1.0
    answerable = bool(hits) and (scope_answer or p >= threshold(calibration, values)) and not vetoed(query, hits[:k])
    citations: list[Citation] = []
    family = 0
    if answerable and list_question:
        citations = _listed(retriever, lexicon, query, hits, calibration, regions, bridge)
        list_question = bool(citations)
    if not citations:
        cited, family = with_items(retriever, query, hits)
        # A lead-in's items come whole, each quoted whole: an answer listing them is not cut at k.
        citations = [
            Citation(0, hit, *(_whole(hit) if rank < family else choose_quote(retriever, lexicon, query, hit, qvec)))
            for rank, hit in enumerate(cited[: max(k, family)])
        ]
    citations = [Citation(rank, c.hit, c.quote_start, c.quote_end) for rank, c in enumerate(citations, 1)]
    return Answer(
        question=query.text,
        answerable=answerable,
        citations=tuple(citations),
        regions_asked=query.regions,
        list_question=list_question and answerable,
        confidence=p,
        message="" if answerable else NOT_FOUND + _outside(query) + NEAREST,
        features=dict(zip(FEATURES, values)),
        matched_terms=query.matched_terms,
        items=family if answerable and family > 1 else 0,
    )
