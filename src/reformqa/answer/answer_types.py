"""Answer types and kinds: what a question asks for, and whether a text can give it.

Two readings of the same question. The *type* is narrow and strict (a year,
a document number, a sum, an upper bound): a clause without one cannot
answer, and retrieval nudges up clauses that have one. The *kind* is the
shape of the answer a person expects — a figure with its comparator, a
duration, a date, a count, an enumeration, a condition, an actor, a yes/no
with its qualifier, a definition — and decides which part of a clause is the
quote. Both are read by rule from the normalised question; the text side of
each is a pattern a sub-clause either shows or not.
"""

from __future__ import annotations

from functools import lru_cache

from ..lazy import LazyPattern
from ..normalize import normalize

__all__ = [
    "ANSWER_HEAD",
    "ANSWER_KINDS",
    "ANSWER_TYPES",
    "CONTENT_KINDS",
    "NUMERIC",
    "SPECIFIC_TYPE_BOOST",
    "STRICT_TYPES",
    "TYPE_BOOST",
    "answer_head",
    "asked_kind",
    "asked_type",
    "gives_kind",
    "type_boost",
    "type_matches",
]

NUMERIC = LazyPattern(
    r"多少|多大|多高|几成|几年|多久|多长|比例|百分|期限|时间|何时|哪年|什么时候|(?<!哪)几个|几月|几号|日期"
    # Whole English words only: "ratio" is not in "registration", nor "term" in "intermediaries"; a share as a figure
    # ("what share", "share of"), not the verb ("share ownership").
    r"|\b(?:how (?:many|much|long)|percent|percentage|(?:what|which|a|the) share|share of|proportion|ratio|when|years?|date|term|deadline)\b"
)
# What kind of answer a question wants, and what text can give it. A question
# for a year or a document number is not answered by a clause without one.
ANSWER_TYPES: dict[str, tuple[LazyPattern, LazyPattern]] = {
    "year": (LazyPattern(r"哪一?年|年份|什么年|\bwhich year\b|\bwhat year\b"), LazyPattern(r"(?:19|20)\d\d")),
    "doc_number": (LazyPattern(r"文号|字号|第几号|\bdocument number\b"), LazyPattern(r"〔\d{4}〕|\[\d{4}\]|〔[^〕]{1,8}〕第?\d+号")),
    # Not 预算 or "funding": the text itself speaks of 预算+负面清单 and funding systems.
    "money": (LazyPattern(r"金额|多少元|多少资金|资金规模|多少亿|\bhow much money\b|\byuan\b|\brmb\b"), LazyPattern(r"\d+(?:\.\d+)?\s*(?:亿|万)?元")),
    "upper_bound": (LazyPattern(r"最高|上限|最多|至多|封顶|\bmaximum\b|\bat most\b|\bupper limit\b|\bcap\b"), LazyPattern(r"不超过|不高于|最高|上限|以内|至多")),
    "date": (LazyPattern(r"几月几[号日]|哪一?天|(?<!第)几号|日期|\bwhat date\b|\bwhich day\b|\bwhen\b"), LazyPattern(r"\d{1,2}月\d{1,2}日")),
    "duration": (LazyPattern(r"几年|多少年|多久|多长时间|期限|\bhow long\b|\bhow many years\b|\bterm\b|\bduration\b"), LazyPattern(r"\d+\s*(?:年|个月|天)(?!\d)")),
    "number": (NUMERIC, LazyPattern(r"\d")),
}
STRICT_TYPES = frozenset({"year", "doc_number", "money", "upper_bound"})
TYPE_BOOST = 0.1  # any figure, for 多少/比例
SPECIFIC_TYPE_BOOST = 0.3  # a date, a term in years, a year, a sum: few clauses state one

_ORGS = (
    r"企业|公司|高校|学校|院所|机构|单位|部门|政府|人员|团队|中心|平台|科学家|专家|发明人|设计人|完成人|国务院|委员会"
    r"|主管|联盟|主体|个人|基金|银行|医院|法人|组织|协会|园区|人才"
)
# Question side, then text side, in the order a question is read: the first kind
# whose question pattern matches is the kind asked for. Patterns run on normalised
# text (simplified, lower-case, Arabic numerals).
ANSWER_KINDS: dict[str, tuple[LazyPattern, LazyPattern]] = {
    "date": (
        LazyPattern(r"什么时候|何时|哪一?天|几月几[号日]|哪一?年|什么日期|日期|(?<!第)几号|哪月|起施行|施行时间|生效|截止|截至|\bwhen\b|\bwhat date\b|\bwhich (?:year|day|date)\b|\bdeadline\b|\bin force\b"),
        LazyPattern(r"(?:19|20)\d\d年|\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|末|初)|年底|年内|之日起|起施行|即日起|自[^,，;；。]{0,16}起|以前|前完成|届时"),
    ),
    "duration": (
        LazyPattern(r"多久|多长时间|多长期限|几年|多少年|几个月|多少天|几天|期限|年限|有效期|多长|\bhow long\b|\bhow many (?:years|months|days)\b|\bduration\b|\bterm\b|\bperiod\b"),
        LazyPattern(r"\d+\s*(?:年|个月|日|天|周)(?:内|以上|以内|以下|之内)?|长期|期限|有效期|届满|年限"),
    ),
    "count": (
        # Not 按份共有 (a form of ownership) nor 多少个人所得税 (how much income tax).
        # Nor 多少所有权 / 几所得 (所 of 所有权 is no count of institutions).
        LazyPattern(r"几(?:个|项|家|类|座|所(?!有|得)|种|条|位|名|批|次)|多少(?:个(?!人)|项|家|类|座|所(?!有|得)|种|条|位|名|批)|一共|总共|共有(?=几|多少)|共计|数量|\bhow many\b|\bnumber of\b"),
        LazyPattern(r"\d+\s*(?:个|项|家|类|条|座|所|批|种|位|名|次|市|县|区)|[一二两三四五六七八九十百]+(?:个|项|家|类|条|座|所|批|种|位|名|市)|、"),
    ),
    "figure": (
        LazyPattern(r"多少|多大(?!的?(?:作用|意义|影响|区别|变化|范围))|多高|比例|百分|几成|份额|比重|不低于|不少于|不超过|上限|下限|最高|最低|提高到|提高至|提取|\bhow much\b|\bpercent(?:age)?\b|\bshare\b|\bproportion\b|\bratio\b|\brate\b|\bat least\b|\bminimum\b|\bmaximum\b"),
        LazyPattern(r"\d+(?:\.\d+)?\s*%|\d+(?:\.\d+)?\s*(?:亿|万)?元|不低于|不少于|不超过|不高于|以上|以下|以内|至少|最高|最低|提高至|提高到|翻番|\d+\s*倍"),
    ),
    "condition": (
        LazyPattern(
            r"什么前提|什么情况|什么条件|何种情况|哪些情况|哪种情况|什么情形|哪些情形|前提是|条件是|满足什么|符合什么|具备什么|在什么|如果|的话"
            r"|\bunder what\b|\bin what (?:case|circumstances?)\b|\bconditions?\b|\bprovided\b|\bwhen can\b|\bif\b"
        ),
        LazyPattern(r"在[^,，;；。]{1,40}(?:前提|基础|条件|情况|范围)(?:下|上)|^(?:其中)?(?:涉及|对于|凡|如|如果|若|符合|经|除|依照|依法|按照)|的$|前提|条件|情形|之一的"),
    ),
    "actor": (
        LazyPattern(
            r"谁|哪些单位|哪个单位|哪类单位|什么单位|哪些机构|哪个机构|什么机构|哪类机构|哪个部门|哪些部门|什么部门|哪些主体|哪类主体|什么主体"
            r"|哪些企业|什么企业|哪类企业|哪些人|什么人|哪些高校|由哪|\bwho\b|\bwhom\b"
            r"|\bwhich (?:bodies|body|organi[sz]ations?|institutions?|units?|departments?|agenc(?:y|ies)|entities|companies|enterprises|universities)\b"
        ),
        LazyPattern(_ORGS),
    ),
    "enumeration": (
        LazyPattern(
            r"哪些|哪几|包括什么|包括哪|包含哪|有哪|都有|列举|几种方式|哪些方式|(?:什么|啥)(?:服务|领域)"
            r"|\bwhat (?:services|fields|areas|ways|measures|kinds|types|forms|methods|sectors)\b|\bwhich (?:services|fields|areas|ways|measures|sectors)\b"
        ),
        LazyPattern(r"、|等(?:[^,，;；。]{0,8})$|以及|和[^,，;；。]{1,12}等"),
    ),
    "yesno": (
        LazyPattern(r"是否|是不是|有没有|能不能|能否|可不可以|可否|会不会|要不要|需不需要|需要.{0,12}吗|吗$|吗\?|^(?:is|are|does|do|can|may|will|has|have|should|must)\b"),
        LazyPattern(r"."),
    ),
    "definition": (
        LazyPattern(r"是什么|指什么|什么意思|指的是|是啥|是个啥|啥是|啥意思|何谓|含义|定义|是怎么回事|\bwhat (?:is|are) (?:a |an |the )?[\w'-]+(?: [\w'-]+)?\?*$|\bwhat does [\w' -]+ mean\b|\bwhat's\b|\bmeaning\b|\bdefine\b|\bwhat is meant by\b"),
        LazyPattern(r"“[^”]+”|是指|指的是|即|称为|所称"),
    ),
}
# Kinds whose answer is content the question does not hold: the quote must show it.
CONTENT_KINDS = frozenset({"date", "duration", "count", "figure", "condition", "actor", "enumeration"})


# 哪个平台, 什么模式, 哪些服务: the noun after the question word names what the answer is.
ANSWER_HEAD = LazyPattern(r"(?:哪个|哪些|哪类|哪种|哪几种|哪几个|哪一个|哪家|什么样的|什么|啥)([\u4e00-\u9fff]{2})")
_NOT_HEADS = frozenset(["时候", "意思", "地方", "情况", "前提", "条件", "规定", "要求", "政策", "内容", "方面", "试点", "地区", "城市", "东西", "样子"])


def answer_head(normalized: str) -> str | None:
    """The noun a question asks for (平台 in 依托哪个平台), when it names one."""
    match = ANSWER_HEAD.search(normalized)
    if match is None or match.group(1) in _NOT_HEADS:
        return None
    return match.group(1)


def asked_type(normalized: str) -> str | None:
    """The first answer type the question asks for, or None."""
    return next((name for name, (asks, _) in ANSWER_TYPES.items() if asks.search(normalized)), None)


# Laws write their figures in words (百分之五十, 三至五年, 一九九六年): read them as digits too.
_WORD_NUMERALS = LazyPattern(r"[零〇一二两三四五六七八九十百千万]")


@lru_cache(maxsize=8192)
def _as_digits(text: str) -> str:
    return normalize(text) if _WORD_NUMERALS.search(text) else text


def type_matches(answer_type: str | None, text: str) -> bool:
    """Whether a text can give the kind of answer asked for (always, when none is asked)."""
    if answer_type is None:
        return True
    pattern = ANSWER_TYPES[answer_type][1]
    return pattern.search(text) is not None or pattern.search(_as_digits(text)) is not None


def type_boost(answer_type: str | None) -> float:
    """How much a clause that can give the asked-for type is nudged up in the ranking."""
    if answer_type is None:
        return 0.0
    return TYPE_BOOST if answer_type == "number" else SPECIFIC_TYPE_BOOST


# Question words. Without one, 有没有/是否/吗 asks yes or no (有没有比例限制); with one, the word says what is asked.
_CONTACT = LazyPattern(r"电话|号码|手机|传真|邮编|邮箱|网址|\b(?:phone|telephone|fax|e-?mail|postcode|website)\b")
_ASKS = LazyPattern(r"多少|多久|多长|几|哪|什么|啥|谁|怎么|怎样|如何|何|\b(?:how|what|which|who|when|where)\b")


def asked_kind(normalized: str) -> str | None:
    """The kind of answer a question asks for (ANSWER_KINDS), or None for a plain 'what is done about X'."""
    if _CONTACT.search(normalized):
        return None  # 联系电话是多少: a fact to look up, not a figure
    if ANSWER_KINDS["yesno"][0].search(normalized) and not _ASKS.search(normalized):
        return "yesno"  # 有没有比例限制: yes or no, with its qualifier, not a figure
    return next((name for name, (asks, _) in ANSWER_KINDS.items() if asks.search(normalized)), None)


def gives_kind(kind: str | None, text_norm: str) -> bool:
    """Whether a normalised text (a sub-clause, usually) shows the kind of answer asked for."""
    if kind is None:
        return True
    return ANSWER_KINDS[kind][1].search(text_norm) is not None
