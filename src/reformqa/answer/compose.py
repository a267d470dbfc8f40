"""Composing the answer: quotes with citations, one per pilot for a list, or an honest no.

Nothing here writes text of its own: every quote is a slice of the source
document between two offsets; the only words of ours are the fixed messages
that say nothing was found and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..records import Answer, Citation, Hit
from ..search import Retriever
from .abstain import FEATURES, confidence, features, vetoed
from .compare import pivot_terms
from .lists import list_regions
from .question import Query, analyse, search_request
from .quote import choose_quote
from .signals import Lexicon

__all__ = ["NOT_FOUND", "NEAREST", "compose"]

NOT_FOUND = "文件中没有找到与该问题直接相关的条款。"
_PILOTS_ASKED = re.compile(r"试点|地区|城市|省份|哪里|哪儿|\bpilots?\b|\bregions?\b|\bcities\b|\bwhere\b")
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
    values = features(retriever, lexicon, query, hits)
    p = confidence(calibration, values)
    # Beside other documents, 哪些要求 asks for a document's items, not for pilots: a list of pilots
    # needs the pilots named or asked for (试点, 地区…), or a pilot's clause to answer best.
    about_pilots = not hits or hits[0].clause.region is not None or bool(_PILOTS_ASKED.search(query.normalized))
    list_question = bool(len(query.regions) > 1 or (query.list_intent and not query.regions and about_pilots))
    answerable = bool(hits) and p >= calibration["threshold"] and not vetoed(query, hits[:k])
    shown = list(hits[:k])
    via = ""
    if answerable and list_question:
        topic, pool = query, [h for h in hits if not query.regions or h.clause.region in query.regions]
        if query.latin:
            # English shares no words with the text: list through the document's own
            # words for the topic (those of its closest sub-clause), and say which.
            stored = retriever.stored
            via = pivot_terms(retriever, lexicon, query)
            topic = analyse(via, stored.gazetteer, stored.tokenizer, stored.other_places)
            pool = retriever.search(search_request(topic, "full"), mode="full", k=len(hits) or 30)
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
        message=(f"按文件用语“{via}”匹配。" if via and list_question and answerable else "") if answerable else NOT_FOUND + _outside(query) + NEAREST,
        features=dict(zip(FEATURES, values)),
    )
