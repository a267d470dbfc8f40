"""Reading a question: its matching form, language, regions and intent.

Everything here is rule-based and explainable: the regions a question names
come from the gazetteer, a list question is recognised by its question words
(哪些/哪个试点, which pilots), and a place outside every pilot is noticed so
the bot can say the documents do not cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidQuestion
from .normalize import cjk_ratio, normalize
from .regions import Gazetteer
from .tokenize import Tokenizer

__all__ = ["ANSWER_TYPES", "STRICT_TYPES", "Query", "analyse", "check_question", "other_places", "type_matches"]

_LIST = re.compile(
    r"哪些|哪个|哪一个|哪几|哪里|哪儿|哪一些|各个?试点|各地|各个地区|所有试点|几个试点|几个地区|有几个|分别"
    r"|\bwhich\b|\bwhat (?:pilots?|regions?|cities|areas)\b|\bwhere\b|\bfor each\b|\ball (?:the )?pilots\b"
)
_NUMERIC = re.compile(
    r"多少|几成|几年|多久|多长|比例|百分|期限|时间|何时|哪年|什么时候|(?<!哪)几个|几月|几号|日期"
    r"|how (?:many|much|long)|percent|percentage|share|proportion|ratio|when|years?|date|term|deadline"
)
# "无锡属于哪个试点" asks for a scope sentence, not a measure.
_SCOPE = re.compile(r"属于|归属|范围|包括|包含|涵盖|覆盖|辖区|哪个试点|哪一个试点|\bpart of\b|\bbelong|\bcover|\binclude|\bscope\b")
# What kind of answer a question wants, and what text can give it. A question
# for a year or a document number is not answered by a clause without one.
ANSWER_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "year": (re.compile(r"哪一?年|年份|什么年|\bwhich year\b|\bwhat year\b"), re.compile(r"(?:19|20)\d\d")),
    "doc_number": (re.compile(r"文号|字号|\bdocument number\b"), re.compile(r"〔\d{4}〕|\[\d{4}\]")),
    # Not 预算 or "funding": the text itself speaks of 预算+负面清单 and funding systems.
    "money": (re.compile(r"金额|多少元|多少资金|资金规模|多少亿|\bhow much money\b|\byuan\b|\brmb\b"), re.compile(r"\d+(?:\.\d+)?\s*(?:亿|万)?元")),
    "upper_bound": (re.compile(r"最高|上限|最多|至多|封顶|\bmaximum\b|\bat most\b|\bupper limit\b|\bcap\b"), re.compile(r"不超过|不高于|最高|上限|以内|至多")),
    "date": (re.compile(r"几月几[号日]|哪一?天|几号|日期|\bwhat date\b|\bwhich day\b|\bwhen\b"), re.compile(r"\d{1,2}月\d{1,2}日")),
    "duration": (re.compile(r"几年|多少年|多久|多长时间|期限|\bhow long\b|\bhow many years\b|\bterm\b|\bduration\b"), re.compile(r"\d+\s*(?:年|个月|天)(?!\d)")),
    "number": (_NUMERIC, re.compile(r"\d")),
}
STRICT_TYPES = frozenset({"year", "doc_number", "money", "upper_bound"})
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


def other_places(normalized: str, places: list[str]) -> tuple[str, ...]:
    """Places from the national list (already minus the pilots') that the text names."""
    found = []
    for place in places:
        if place not in normalized:  # most places never reach the boundary check
            continue
        if place.isascii():
            if re.search(rf"(?<![a-z']){re.escape(place)}(?![a-z'])", normalized):
                found.append(place)
        elif place in normalized:
            found.append(place)
    return tuple(found)


def analyse(question: str, gazetteer: Gazetteer, tokenizer: Tokenizer, places: list[str]) -> Query:
    """Read a checked question into a Query."""
    normalized = normalize(question)
    named = gazetteer.find(normalized)
    region_terms = tuple(term for _, term in named)
    words = tuple(w for w in tokenizer.words(normalized) if not any(w in t or t in w for t in region_terms))
    others = other_places(normalized, places)
    # 芜湖 belongs to a pilot although 芜湖市 is not wholly in it: the gazetteer wins.
    others = tuple(p for p in others if not any(p in t or t in p for t in region_terms))
    return Query(
        text=question,
        normalized=normalized,
        latin=cjk_ratio(normalized) < 0.2,
        regions=tuple(region for region, _ in named),
        region_terms=region_terms,
        other_places=others,
        list_intent=bool(_LIST.search(normalized)),
        numeric=bool(_NUMERIC.search(normalized)),
        answer_type=next((name for name, (asks, _) in ANSWER_TYPES.items() if asks.search(normalized)), None),
        scope=bool(_SCOPE.search(normalized)),
        words=words,
        tokens=tuple(tokenizer(normalized)),
    )


def type_matches(query: Query, text: str) -> bool:
    """Whether a text can give the kind of answer the question asks for."""
    if query.answer_type is None:
        return True
    return ANSWER_TYPES[query.answer_type][1].search(text) is not None
