"""A lead-in and its items: 科技成果持有者可以采用下列方式…： is answered by the 项 that follow it.

A law's article often says what it lists in one sentence ending in a colon
(对下列…, 按照下列标准…：) and lists it in numbered items, each a clause of
its own. Cited alone, the lead-in promises an answer it does not give, and an
item alone gives one of several. So when the best clause is either, the answer
cites the family in the text's order: for a question asking which ones or how
many (哪些方式, 哪几类, 几种), the items themselves; for another question the
lead-in answers, the lead-in, then its items. An item that answers a question
about itself stands alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lazy import LazyPattern
from ..records import Clause, Hit
from ..search import Retriever
from .question import Query

__all__ = ["MAX_ITEMS", "with_items"]

MAX_ITEMS = 12  # an article lists more than this rarely; a longer list is cut, in order
_LISTING_KINDS = frozenset({"enumeration", "count"})
_REACH = 40  # how far from an item its lead-in may sit (rows of the index)
_NOUN = LazyPattern(r"下列([\u4e00-\u9fff]{2})")  # 下列原则, 下列方式, 下列工作: what the items are


def _is_lead(clause: Clause) -> bool:
    return clause.text.rstrip().endswith(("：", ":"))


def _introduced_by(item: Clause, lead: Clause) -> bool:
    return bool(item.context) and item.doc_id == lead.doc_id and item.context.rstrip().endswith(lead.text.strip())


def _family(retriever: Retriever, clause: Clause) -> tuple[Clause, list[Clause]] | None:
    """The lead-in a clause is or belongs to, and its items in order; None when it is neither."""
    if not _is_lead(clause) and not clause.context:
        return None
    records = retriever.stored.clauses
    at = retriever.position(clause)
    lead = clause
    if not _is_lead(clause):
        lead = next(
            (c for c in (records[i] for i in range(at - 1, max(-1, at - _REACH), -1)) if _is_lead(c) and _introduced_by(clause, c)), clause
        )
        if lead is clause:
            return None
        at = retriever.position(lead)
    items: list[Clause] = []
    for i in range(at + 1, min(len(records), at + 1 + _REACH)):
        following = records[i]
        if not _introduced_by(following, lead):
            break
        items.append(following)
    return (lead, items) if items else None


def _asks_for_items(query: Query, lead: Clause) -> bool:
    """哪些方式, 几种, or the lead-in's own noun (下列原则 -> 按什么原则): the question asks for the items."""
    if query.answer_kind in _LISTING_KINDS:
        return True
    noun = _NOUN.search(lead.text)
    return noun is not None and noun.group(1) in query.normalized


def with_items(retriever: Retriever, query: Query, hits: Sequence[Hit]) -> tuple[list[Hit], int]:
    """The hits, with the best one's lead-in and items cited together in the text's order; and how many lead the list.

    The items are marked in the second value so the answer quotes each whole and shows them all.
    """
    if not hits:
        return list(hits), 0
    found = _family(retriever, hits[0].clause)
    if found is None:
        return list(hits), 0
    lead, items = found
    top = hits[0]
    if _asks_for_items(query, lead):
        family = items[:MAX_ITEMS]
    elif top.clause is lead:
        family = [lead, *items[: MAX_ITEMS - 1]]
    else:
        return list(hits), 0  # one item answering a question about itself (无新的发明创造的, 权益归谁) stands alone
    ranked = {(h.clause.doc_id, h.clause.clause_id): h for h in hits}

    def hit(clause: Clause) -> Hit:
        # An item found through its lead-in carries the best hit's scores, marked as brought by the structure.
        return ranked.get((clause.doc_id, clause.clause_id)) or Hit(clause, top.score, {**top.signals, "lead_in": 1.0})

    keys = {(c.doc_id, c.clause_id) for c in (lead, *family)}  # the items say what their lead-in promised
    return [hit(c) for c in family] + [h for h in hits if (h.clause.doc_id, h.clause.clause_id) not in keys], len(family)
