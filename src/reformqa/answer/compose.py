"""Composing the answer: quotes with citations, one per pilot for a list, or an honest no.

Nothing here writes text of its own: every quote is a slice of the source
document between two offsets; the only words of ours are the fixed messages
that say nothing was found and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..records import Answer, Citation, Hit
from ..search import Retriever
from .abstain import FEATURES, confidence, features, vetoed
from .lists import list_regions
from .question import Query, chinese_topic
from .quote import choose_quote
from .signals import Lexicon

__all__ = ["NOT_FOUND", "NEAREST", "compose"]

NOT_FOUND = "文件中没有找到与该问题直接相关的条款。"
NEAREST = "以下是可能相关的条款，仅供参考。"


def _outside(query: Query) -> str:
    """Name the places asked about that no pilot covers, so the 'no' is explained."""
    if not query.other_places or query.regions:
        return ""
    names = "、".join(p.title() if p.isascii() else p for p in query.other_places[:3])
    return f"问题提到的“{names}”不在文件所列的试点范围内。"


def compose(retriever: Retriever, lexicon: Lexicon, query: Query, hits: Sequence[Hit], *, k: int, calibration: Mapping[str, Any]) -> Answer:
    """Turn ranked hits into an answer: quotes with citations, or say nothing matched."""
    qvec = retriever.embed(query.normalized)
    if query.bridged:  # an English question chooses its quote by its meaning and by the documents' words it was matched through
        qvec = qvec + retriever.embed(query.bridged)
        qvec = qvec / max(float(np.linalg.norm(qvec)), 1e-9)
    values = features(retriever, lexicon, query, hits)
    p = confidence(calibration, values)
    list_question = bool(len(query.regions) > 1 or (query.list_intent and not query.regions))
    answerable = bool(hits) and p >= calibration["threshold"] and not vetoed(query, hits[:k])
    shown = list(hits[:k])
    if answerable and list_question:
        stored = retriever.stored
        # An English topic is listed in the documents' own words, which the answer names (matched_terms).
        topic = chinese_topic(query, stored.gazetteer, stored.tokenizer, stored.other_places)
        pool = [h for h in hits if not query.regions or h.clause.region in query.regions]
        listed = list_regions(retriever, lexicon, topic, pool, calibration)
        if listed:
            shown = listed
        else:
            list_question = False
    citations = []
    for rank, hit in enumerate(shown, 1):
        start, end = choose_quote(retriever, lexicon, query, hit, qvec)
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
        matched_terms=query.matched_terms,
    )
