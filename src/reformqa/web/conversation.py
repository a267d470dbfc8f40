"""What comes after an answer: follow-up suggestions by rule, its topic for 对比各试点, and the conversation as Markdown.

Suggestions are rules, not guesses: the same question about the next pilots
(the place named swapped for another pilot's name), and the clause that follows
the cited one in its section (opened in the document viewer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..answer import Query, without_terms
from ..normalize import normalize
from ..records import Answer, Clause
from .cite import place_of, title_of
from .texts import REGION_NAMES, TEXTS

__all__ = ["ASK", "OPEN", "Suggestion", "suggestions", "topic_of", "chat_markdown"]

ASK, OPEN = "ask", "open"
SNIPPET = 18  # characters of the next clause shown in its suggestion
# What a question asks, not what it asks about: dropped to leave the topic (无锡的科研经费怎么管理 -> 科研经费管理).
_ASKING = frozenset(
    "怎么 怎样 如何 什么 哪些 哪个 有没有 是否 多少 多久 可以 能否 能不能 有 是 的 了 对 在 吗 呢 么 规定 要求 获得 实行 哪 几 不低于 不少于 不超过 最高 最多".split()
)
_ENGLISH_ASKING = re.compile(r"\b(how|what|which|is|are|does|do|the|in|of|about|say|says|managed|there|a|an|can|get|pilots?|runs?|have|has)\b|[?.,!]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One next step offered under an answer: a question to ask, or a clause to open."""

    label: str
    kind: str  # ASK or OPEN
    payload: str  # the question, or the viewer's key


def _swap(text: str, terms: Sequence[str], name: str, lang: str) -> str:
    """The question with the place it names swapped for another pilot's name."""
    for term in sorted(terms, key=len, reverse=True):
        if term and term in text:
            return text.replace(term, name if lang == "zh" or not re.search(r"[A-Za-z]", text) else REGION_NAMES.get(name, name), 1)
    return ""


def suggestions(answer: Answer, query: Query, regions: Sequence[str], sections: Mapping[tuple[str, str], list[Clause]], lang: str) -> tuple[Suggestion, ...]:
    """Two or three next steps after an answer: the same topic in other pilots, the clause after the cited one."""
    t = TEXTS[lang]
    out: list[Suggestion] = []
    if len(query.regions) == 1 and not answer.list_question:
        at = regions.index(query.regions[0]) if query.regions[0] in regions else -1
        for name in [*regions[at + 1 :], *regions[: max(at, 0)]][:2]:
            swapped = _swap(query.text, query.region_terms, name, lang)
            if swapped and swapped != query.text:
                out.append(Suggestion(swapped, ASK, swapped))
    if answer.answerable and answer.citations:
        cited = answer.citations[0].hit.clause
        siblings = sorted(sections.get((cited.doc_id, cited.section), []), key=lambda c: c.start)
        ids = [c.clause_id for c in siblings]
        if cited.clause_id in ids and ids.index(cited.clause_id) + 1 < len(siblings):
            after = siblings[ids.index(cited.clause_id) + 1]
            snippet = after.text.strip()[:SNIPPET] + ("…" if len(after.text.strip()) > SNIPPET else "")
            label = f"{t['next_clause']}{title_of(after, t)} · {snippet}"
            out.append(Suggestion(label, OPEN, f"{after.doc_id}|{after.clause_id}|{after.start}|{after.start}"))
    return tuple(out[:3])


def topic_of(asked: str, query: Query, cut: Callable[[str], Sequence[str]] | None, names: Sequence[str] = ()) -> str:
    """What a question is about, for 对比各试点: the question less its places (``names``: the pilots' other names) and its asking words."""
    # The question less the documents it names (《北京市促进科技成果转化条例》 is not a topic).
    masked = getattr(query.documents, "masked", "")
    text = masked if isinstance(masked, str) and masked.strip() else asked
    text = without_terms(text, (*query.region_terms, *query.other_places, *query.regions, "试点"))
    if re.search(r"[\u4e00-\u9fff]", text):
        words = cut(normalize(text)) if cut is not None else text.split()
        return "".join(w for w in words if w not in _ASKING and re.search(r"\w", w)).strip()
    for name in sorted((n for n in names if re.search(r"[A-Za-z]", n)), key=len, reverse=True):  # Wuxi, Hefei Metropolitan Area
        text = re.sub(rf"\b{re.escape(name)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(_ENGLISH_ASKING.sub(" ", text).split())


def chat_markdown(exchanges: Sequence[Any], lang: str) -> str:
    """The conversation as Markdown: each question, its quotes verbatim, and each quote's full citation."""
    t = TEXTS[lang]
    lines = [f"# {t['export_title']}", ""]
    for ex in exchanges:
        answer: Answer = ex.answer
        lines += [f"## {t['export_q']}：{_md(ex.typed)}", ""]
        if ex.asked != ex.typed:
            lines += [f"*{_md(ex.asked)}*", ""]
        if not answer.answerable:
            lines += [_md(answer.message), ""]
        for c in answer.citations:
            clause = c.hit.clause
            place = f"{title_of(clause, t)} · {place_of(clause, t)}"
            lines.append(f"> {_md(c.quote)}".replace("\n", "\n> "))
            lines.append("")
            cited = clause.cited_as or f"《{clause.doc_title}》"
            lines += [f"[{c.rank}] {_md(place)} —— {_md(cited)}（{clause.doc_id} · {clause.clause_id} · {c.quote_start}–{c.quote_end}）", ""]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Text that Markdown shows literally."""
    return re.sub(r"([\\`*_{}\[\]<>#|~$!])", r"\\\1", text)
