"""Answer types: the kind of answer a question asks for, and whether a text can give it.

A question for a year or a document number is not answered by a clause
without one; a question for a term in years prefers the clause that states it.
"""

from __future__ import annotations

import re

__all__ = ["ANSWER_TYPES", "STRICT_TYPES", "TYPE_BOOST", "SPECIFIC_TYPE_BOOST", "NUMERIC", "asked_type", "type_boost", "type_matches"]

NUMERIC = re.compile(
    r"多少|几成|几年|多久|多长|比例|百分|期限|时间|何时|哪年|什么时候|(?<!哪)几个|几月|几号|日期"
    # Whole English words only: "ratio" is not in "registration", nor "term" in "intermediaries"; a share as a figure
    # ("what share", "share of"), not the verb ("share ownership").
    r"|\b(?:how (?:many|much|long)|percent|percentage|(?:what|which|a|the) share|share of|proportion|ratio|when|years?|date|term|deadline)\b"
)
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
    "number": (NUMERIC, re.compile(r"\d")),
}
STRICT_TYPES = frozenset({"year", "doc_number", "money", "upper_bound"})
TYPE_BOOST = 0.1  # any figure, for 多少/比例
SPECIFIC_TYPE_BOOST = 0.3  # a date, a term in years, a year, a sum: few clauses state one


def asked_type(normalized: str) -> str | None:
    """The first answer type the question asks for, or None."""
    return next((name for name, (asks, _) in ANSWER_TYPES.items() if asks.search(normalized)), None)


def type_matches(answer_type: str | None, text: str) -> bool:
    """Whether a text can give the kind of answer asked for (always, when none is asked)."""
    if answer_type is None:
        return True
    return ANSWER_TYPES[answer_type][1].search(text) is not None


def type_boost(answer_type: str | None) -> float:
    """How much a clause that can give the asked-for type is nudged up in the ranking."""
    if answer_type is None:
        return 0.0
    return TYPE_BOOST if answer_type == "number" else SPECIFIC_TYPE_BOOST
