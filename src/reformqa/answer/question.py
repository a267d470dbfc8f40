"""Reading a question: its matching form, language, regions and intent.

Everything here is rule-based and explainable: the regions a question names
come from the gazetteer, a list question is recognised by its question words
(哪些/哪个试点, which pilots), and a place outside every pilot is noticed so
the bot can say the documents do not cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus import Gazetteer, places_named
from ..errors import InvalidQuestion
from ..normalize import cjk_ratio, normalize
from ..search import SearchRequest, Tokenizer
from .answer_types import NUMERIC, asked_kind, asked_type, type_boost, type_matches
from .documents import NO_DOCUMENTS, DocumentsAsked, read_documents

__all__ = ["Query", "analyse", "check_question", "search_request"]

_LIST = re.compile(
    r"哪些|哪个|哪一个|哪几|哪里|哪儿|哪一些|各个?试点|各地|各个地区|所有试点|几个试点|几个地区|有几个|分别"
    r"|\bwhich\b|\bwhat (?:pilots?|regions?|cities|areas)\b|\bwhere\b|\bfor each\b|\ball (?:the )?pilots\b"
)
# "无锡属于哪个试点" asks for a scope sentence, not a measure.
_SCOPE = re.compile(r"属于|归属|范围|包括|包含|涵盖|覆盖|辖区|哪个试点|哪一个试点|\bpart of\b|\bbelong|\bcover|\binclude|\bscope\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Query:
    """A question as asked, and what the rules read from it."""

    text: str
    normalized: str
    latin: bool  # no Chinese: lexical signals say nothing
    regions: tuple[str, ...]
    region_terms: tuple[str, ...]
    other_places: tuple[str, ...]  # places named that no pilot covers
    list_intent: bool
    numeric: bool
    answer_type: str | None  # the first of ANSWER_TYPES the question asks for
    scope: bool
    words: tuple[str, ...]  # content words, region names left out
    tokens: tuple[str, ...]  # BM25 tokens
    answer_kind: str | None = None  # the shape of answer asked for (answer_types.ANSWER_KINDS); None: what is done about X
    documents: DocumentsAsked = NO_DOCUMENTS  # the documents, places' documents and article it names (documents.py)


def check_question(question: object, max_chars: int) -> str:
    """Return the question stripped, or raise InvalidQuestion with a friendly reason."""
    if not isinstance(question, str):
        raise InvalidQuestion("a question must be text")
    text = _CONTROL.sub(" ", question).strip()
    if not text:
        raise InvalidQuestion("the question is empty: ask about a pilot region's policy, e.g. 合肥都市圈对科研人员赋权的比例是多少？")
    if len(text) > max_chars:
        raise InvalidQuestion(f"the question has {len(text):,} characters; keep it under {max_chars} (one question at a time)")
    return text


def analyse(question: str, gazetteer: Gazetteer, tokenizer: Tokenizer, places: list[str]) -> Query:
    """Read a checked question into a Query."""
    normalized = normalize(question)
    asked = read_documents(normalized, gazetteer)
    # 北京 inside 北京市促进科技成果转化条例 names the document, not the pilot; its title's words are not the topic.
    named = gazetteer.find(asked.masked)
    region_terms = tuple(term for _, term in named)
    masked_words = tokenizer.words(asked.masked)
    # A question that is all reference (What does Article 45 of the law say?) keeps its own words.
    # A place name, or one with its unit (合肥市), is not a content word; a term that holds one (“浙江拍”) is.
    words = tuple(
        w
        for w in (masked_words if len(masked_words) >= 2 else tokenizer.words(normalized))
        if not any(w in t or w in (t + "市", t + "省", t + "县", t + "区") for t in region_terms)
    )
    others = places_named(normalized, places)
    # 芜湖 belongs to a pilot although 芜湖市 is not wholly in it: the gazetteer wins.
    others = tuple(p for p in others if not any(p in t or t in p for t in region_terms))
    if others:  # 江苏扬州, 北京海淀区: the place named wins over the province that holds both it and a pilot
        named = [(region, term) for region, term in named if not gazetteer.weak(term)]
        region_terms = tuple(term for _, term in named)
    return Query(
        text=question,
        normalized=normalized,
        latin=cjk_ratio(normalized) < 0.2,
        regions=tuple(region for region, _ in named),
        region_terms=region_terms,
        other_places=others,
        list_intent=bool(_LIST.search(normalized)),
        numeric=bool(NUMERIC.search(normalized)),
        answer_type=asked_type(normalized),
        scope=bool(_SCOPE.search(normalized)),
        words=words,
        tokens=tuple(tokenizer(normalized)),
        answer_kind=asked_kind(normalized),
        documents=asked,
    )


def search_request(query: Query, mode: str) -> SearchRequest:
    """What the search stage is asked for this question in a retrieval mode."""
    tokens = query.tokens
    if mode == "full" and query.regions and not query.scope:
        # The region boost already places the question; its place names would
        # only pull the scope sentence above the measure asked about.
        tokens = tuple(t for t in tokens if not any(t.lstrip("~") in term for term in query.region_terms))
    answer_type = query.answer_type
    return SearchRequest(
        text=query.normalized,
        tokens=tokens,
        lexical=not query.latin,
        regions=query.regions,
        scope=query.scope,
        boost=None if answer_type is None else (lambda text: type_matches(answer_type, text)),
        boost_weight=type_boost(answer_type),
        docs=query.documents.named,
        place_docs=query.documents.places,
        article=query.documents.article,
        detail=query.documents.detail,
        pilot_pool=query.list_intent and not query.regions,
    )
