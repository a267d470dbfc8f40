"""List answers (哪些试点…): the topic asked about, put to every pilot through the comparison table.

One mechanism for both faces: the chat's 哪些试点实行经费包干制 and
`reformqa compare 经费包干制` build the same table with the same matching, so
they name the same pilots. The chat strips the question's frame (哪些试点,
实行, 有没有…) to find the topic; an English topic is put in the documents'
own words by the bridge (bridge.py), and the table names them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..normalize import has_cjk
from ..search import Retriever
from .compare import POLICY_VERBS, Comparison, ComparisonRow, compare
from .question import Query, analyse, chinese_topic
from .signals import Lexicon

if TYPE_CHECKING:
    from .bridge import Bridge

__all__ = ["LIST_FRAME", "POLICY_VERBS", "list_topic", "topic_query", "topic_table"]

# The frame of a question across pilots: who is asked, not what about.
LIST_FRAME = frozenset(
    ["试点", "试点地区", "地区", "地方", "城市", "哪些", "哪个", "哪几", "哪几个", "哪里", "哪儿", "各个", "各", "所有", "全部", "分别", "都", "提到", "提及", "提出", "写", "写到", "说", "说到", "有", "在", "上", "中", "方面", "做法", "政策", "规定", "目前", "已经", "也", "还", "了", "过", "哪一个", "哪家", "几个", "一些", "什么", "怎么", "哪些地方", "区域", "试点城市"]
)
_ENGLISH_FRAME = frozenset(
    ["which", "what", "where", "pilot", "pilots", "region", "regions", "city", "cities", "area", "areas", "place", "places", "mention", "mentions", "mentioned", "say", "says", "said", "about", "do", "does", "did", "have", "has", "had", "run", "runs", "use", "uses", "using", "adopt", "adopts", "implement", "implements", "introduce", "introduces", "support", "supports", "allow", "allows", "try", "tries", "trial", "trials", "promote", "promotes", "explore", "explores", "the", "a", "an", "any", "of", "in", "on", "for", "with", "to", "there", "is", "are", "was", "were", "all", "each", "every", "list", "name"]
)


def list_topic(retriever: Retriever, query: Query) -> str:
    """The topic of a question across pilots: its words less the list frame, the policy verbs and the places."""
    if query.latin or query.bridged:  # English: the question less its frame, still in English
        words = [w for w in query.normalized.replace("?", " ").split() if w.strip(".,;:!") not in _ENGLISH_FRAME]
        return " ".join(words)
    terms = retriever.stored.tokenizer.terms(query.normalized)
    kept = [t for t in terms if t not in LIST_FRAME and t not in POLICY_VERBS and not any(t in r or r in t for r in query.region_terms)]
    return "".join(t for t in kept if has_cjk(t) or t[:1].isdigit())


def topic_query(retriever: Retriever, topic: str, bridge: Bridge | None = None) -> tuple[Query, float]:
    """A topic in the documents' words, and how much of it they hold (1.0 for a Chinese topic).

    An English word with no counterpart weighs as a two-character Chinese word would: "carbon trading"
    is half in the documents (交易), "licensing inventions to small and micro firms" mostly.
    """
    stored = retriever.stored
    query = analyse(topic, stored.gazetteer, stored.tokenizer, stored.other_places, bridge=bridge)
    if not query.bridged:
        return query, 1.0
    # As a Chinese topic drops them: "carry out lump-sum management" is about 包干制, however a pilot carries it out.
    terms = [t for t in query.bridged.split() if t not in POLICY_VERBS] or query.bridged.split()
    query = replace(query, bridged=" ".join(terms))
    known = sum(len(zh) for zh in dict.fromkeys(zh for _, zh in query.matched_terms if zh in terms))
    return chinese_topic(query, stored.gazetteer, stored.tokenizer, stored.other_places), known / (known + 2 * len(query.unmatched))


def topic_table(retriever: Retriever, lexicon: Lexicon, topic: str, *, min_match: float, bridge: Bridge | None = None) -> Comparison:
    """What each pilot says about a topic (Chinese or English): the one table lists and comparisons share."""
    query, known = topic_query(retriever, topic, bridge)
    if query.latin:  # English with no word the documents have ("football", "<b>x</b>"): no pilot mentions it
        return Comparison(topic, tuple(ComparisonRow(r.name, False, None, 0.0, 0.0) for r in retriever.stored.regions))
    if not query.bridged:
        return compare(retriever, query, min_match=min_match)
    # An English topic is compared in the documents' own words, which the table names; a topic
    # whose words are only partly in the documents matches only as far as they go.
    table = compare(retriever, query, min_match=min_match / known)
    terms = tuple(dict.fromkeys(zh for _, zh in query.matched_terms))
    return Comparison(topic, table.rows, "、".join(terms), query.matched_terms)
