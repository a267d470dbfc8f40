"""Composing the answer: quotes with citations, one per pilot for a list, or an honest no.

Nothing here writes text of its own: every quote is a slice of the source
document between two offsets; the only words of ours are the fixed messages
that say nothing was found and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..corpus import OWN_LINE_PLACES, SIGNATURE_PLACE
from ..lazy import LazyPattern
from ..normalize import normalize
from ..records import Answer, Citation, Hit
from ..search import Retriever
from .abstain import FEATURES, confidence, features, threshold, vetoed
from .answer_types import gives_kind, type_matches
from .compare import DEFAULT_MIN_MATCH
from .items import with_items
from .lists import list_topic, topic_query, topic_table
from .question import Query, analyse, needs_bridge
from .quote import choose_quote
from .signals import Lexicon

if TYPE_CHECKING:
    from .bridge import Bridge

__all__ = ["NEAREST", "NOT_FOUND", "compose", "embedded_later"]

NOT_FOUND = "文件中没有找到与该问题直接相关的条款。"
# Asking when or by whom a document was issued, not a date or an actor inside its text (什么时候前报送).
_ISSUED = LazyPattern(r"印发|发布|发文|出台|签发|颁布|下发|成文|落款|发的|出的|公布")
_PILOTS_ASKED = LazyPattern(r"试点|地区|城市|省份|哪里|哪儿|\bpilots?\b|\bregions?\b|\bcities\b|\bwhere\b")
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


def _own_lines_placed(query: Query, hits: Sequence[Hit]) -> list[Hit]:
    """A document's number, signature and date answer what they say and nothing else.

    哪年发布的, 文号是多少, 哪几个部门发的: the line that gives it comes first. 国办发〔2021〕26号对论文评价有什么
    要求 names the document by its number and asks about its text: its own lines come last.
    """
    own = [h for h in hits if h.clause.place in OWN_LINE_PLACES]
    rest = [h for h in hits if h.clause.place not in OWN_LINE_PLACES]
    if not own:
        return list(hits)
    if _asks_own_line(query):
        answering = [h for h in own if _gives_asked(query, h)]
        if answering:
            return answering[:1] + [h for h in hits if h is not answering[0]]
    return list(hits) if query.answer_kind in ("date", "actor") or query.answer_type in ("year", "date") else rest + own


def _asks_own_line(query: Query) -> bool:
    """Whether the question asks when, by whom or under which number a document was issued."""
    return _ISSUED.search(query.normalized) is not None or query.answer_type == "doc_number"


def _gives_asked(query: Query, hit: Hit) -> bool:
    text = normalize(hit.clause.text)
    if query.answer_type in ("year", "date", "doc_number"):
        return type_matches(query.answer_type, text)
    if query.answer_kind == "date":
        return gives_kind("date", text)
    return hit.clause.place == SIGNATURE_PLACE and query.answer_kind in ("actor", "count")  # 哪个部门发的, 哪几个部门发的


def _own_line(query: Query, hit: Hit) -> bool:
    """Whether the best clause is a document's line about itself that gives what was asked (2021年7月16日), the document
    being named or the only one the index holds."""
    clause = hit.clause
    named = clause.doc_id in query.documents.named or not query.documents.named
    return clause.place in OWN_LINE_PLACES and named and _asks_own_line(query) and _gives_asked(query, hit)


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


def read_question(retriever: Retriever, text: str, bridge_of: Callable[[], Bridge], *, ahead: bool = True) -> tuple[Bridge | None, Query]:
    """A checked question read for its answer: the English bridge if it needs one (opened by `bridge_of`), its Query.

    With `ahead`, what the answer will embed after the question starts on the other core (Retriever.prefetch).
    Project.ask runs this beside the question's own embedding (Retriever.embed_while).
    """
    bridge = bridge_of() if needs_bridge(normalize(text)) else None
    stored = retriever.stored
    query = analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places, bridge=bridge)
    if ahead:
        retriever.prefetch(embedded_later(retriever, query, bridge))
    return bridge, query


def embedded_later(retriever: Retriever, query: Query, bridge: Bridge | None = None) -> list[str]:
    """What an answer to this question will embed after the question: an English one's Chinese terms, a list's topic.

    Known once the question is read, so the search can embed them meanwhile (Retriever.prefetch). A question
    that may be a list gets its topic's vector ahead even if its hits then make it a single answer.
    """
    texts = [query.bridged] if query.bridged else []
    if query.list_intent and not query.regions and (topic := list_topic(retriever, query)):
        about, _ = topic_query(retriever, topic, bridge)
        texts += [] if about.latin else [about.normalized]
    return texts


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
    hits = _own_lines_placed(query, _scope_last(query, hits))
    values = features(retriever, lexicon, query, hits, calibration)
    p = confidence(calibration, values)
    # Beside other documents, 哪些要求 asks for a document's items, not for pilots: a list of pilots
    # needs the pilots named or asked for (试点, 地区…), or a pilot's clause to answer best.
    about_pilots = not hits or hits[0].clause.region is not None or bool(_PILOTS_ASKED.search(query.normalized))
    list_question = bool(len(query.regions) > 1 or (query.list_intent and not query.regions and about_pilots))
    # Which places a named pilot takes in, answered by that pilot's own scope sentence: the scores cannot outweigh that.
    scope_answer = bool(hits) and values[FEATURES.index("scope_hit")] == 1.0
    # Likewise a date or a number asked of a named document, answered by that document's own line (成文日期, 发文字号).
    own_line = bool(hits) and _own_line(query, hits[0])
    answerable = bool(hits) and (scope_answer or own_line or p >= threshold(calibration, values)) and not vetoed(query, hits[:k])
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
