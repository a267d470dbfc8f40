"""List answers (哪些试点…): the topic asked about, put to every pilot through the comparison table.

One mechanism for both faces: the chat's 哪些试点实行经费包干制 and
`reformqa compare 经费包干制` build the same table with the same matching, so
they name the same pilots. The chat strips the question's frame (哪些试点,
实行, 有没有…) to find the topic; an English topic goes through the
document's own words for it (compare.pivot_terms) until a bridge gives it
Chinese words of its own.
"""

from __future__ import annotations

from ..normalize import has_cjk
from ..search import Retriever
from .compare import Comparison, ComparisonRow, compare, pivot_terms
from .question import Query, analyse
from .signals import Lexicon

__all__ = ["POLICY_VERBS", "LIST_FRAME", "list_topic", "topic_table"]

# How a measure is carried out, not what it is about: 哪些试点推行包干制 asks about 包干制,
# and a pilot that writes 探索实施经费包干制 practises it as much as one that writes 推行.
POLICY_VERBS = frozenset(
    "推行 推广 实施 实行 施行 试行 探索 开展 支持 推动 鼓励 涉及 方案 举措 采用 采取 提出 建立 建设 完善 优化 深化 加强 加快 有序 允许 改革 措施 管理".split()
)
# The frame of a question across pilots: who is asked, not what about.
LIST_FRAME = frozenset(
    "试点 试点地区 地区 地方 城市 哪些 哪个 哪几 哪几个 哪里 哪儿 各个 各 所有 全部 分别 都 提到 提及 提出 写 写到 说 说到 有 在 上 中 方面 做法 政策 规定 "
    "目前 已经 也 还 了 过 哪一个 哪家 几个 一些 什么 怎么 哪些地方 区域 试点城市".split()
)
_ENGLISH_FRAME = frozenset(
    "which what where pilot pilots region regions city cities area areas place places mention mentions mentioned say says said about do does did "
    "have has had run runs use uses using adopt adopts implement implements introduce introduces support supports allow allows try tries "
    "trial trials promote promotes explore explores the a an any of in on for with to there is are was were all each every list name".split()
)


def list_topic(retriever: Retriever, query: Query) -> str:
    """The topic of a question across pilots: its words less the list frame, the policy verbs and the places."""
    if query.latin:
        words = [w for w in query.normalized.replace("?", " ").split() if w.strip(".,;:!") not in _ENGLISH_FRAME]
        return " ".join(words)
    terms = retriever.stored.tokenizer.terms(query.normalized)
    kept = [t for t in terms if t not in LIST_FRAME and t not in POLICY_VERBS and not any(t in r or r in t for r in query.region_terms)]
    return "".join(t for t in kept if has_cjk(t) or t[:1].isdigit())


def topic_table(retriever: Retriever, lexicon: Lexicon, topic: str, *, min_match: float) -> Comparison:
    """What each pilot says about a topic (Chinese or English): the one table lists and comparisons share."""
    stored = retriever.stored
    query = analyse(topic, stored.gazetteer, stored.tokenizer, stored.other_places)
    if not query.latin:
        return compare(retriever, query, min_match=min_match)
    # An English topic shares no characters with the text: compare through the
    # document's own words for it, and say which words those were.
    # Fewer than two real words ("football", "<b>x</b>") name no topic to pivot on.
    if sum(1 for w in query.words if len(w) >= 3 and w.isalpha()) < 2:
        return Comparison(topic, tuple(ComparisonRow(r.name, False, None, 0.0, 0.0) for r in stored.regions))
    pivot = pivot_terms(retriever, lexicon, query)
    table = compare(retriever, analyse(pivot, stored.gazetteer, stored.tokenizer, stored.other_places), min_match=min_match)
    return Comparison(topic, table.rows, pivot)
