"""Answers as safe HTML for the chat: the quote that answers, its chips, a line when the match is weak, and the source cards.

Every character of a quote goes through ``marks.escape``; the marks wrap the
original characters and never rewrite them (marks.py). Citations are drawn
by cite.py: a chip [n] beside each quote, a card for each source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from ..answer import REGION, Carry
from ..records import Answer, Clause
from .cite import Passage, card_html, chip_html, copy_button, passage, place_of, region_label, title_of
from .marks import Marker, escape, find_words
from .texts import MESSAGES, TEXTS

__all__ = [
    "LOW_CONFIDENCE", "Marker", "Passage", "escape", "find_words", "passage", "region_label", "message_text", "answer_html", "sources_html",
    "question_html", "notice_html", "carry_html", "header_html", "section_html", "filter_html",
]

LOW_CONFIDENCE = 0.8  # an answer below this confidence says, above its quote, that the match is weak


def message_text(message: str, lang: str) -> str:
    """The answer's fixed sentences in the page's language (the Chinese ones as they are)."""
    if lang == "zh":
        return message
    for chinese, english in MESSAGES:
        message = re.sub(chinese, english.replace("、", ", "), message)
    return message.strip()


def _matched(answer_terms: Sequence[tuple[str, str]], t: Mapping[str, str]) -> str:
    """One line naming the documents' terms an English question was matched through."""
    if not answer_terms:
        return ""
    terms = t["term_sep"].join(dict.fromkeys(zh for _, zh in answer_terms))
    return f'<div class="rq-carry rq-via">{escape(t["matched"].format(terms=terms))}</div>'


def carry_html(carry: Carry | None, lang: str) -> str:
    """One line saying what a follow-up took from the previous question."""
    if carry is None:
        return ""
    t = TEXTS[lang]
    line = t["carry_region" if carry.kind == REGION else "carry_topic"].format(carried=carry.carried, question=carry.question)
    return f'<div class="rq-carry">↪ {escape(line)}</div>'


def _quote(answer: Answer, rank: int, marker: Marker, t: Mapping[str, str]) -> str:
    citation = answer.citations[rank]
    clause = citation.hit.clause
    copy = f"「{citation.quote}」 —— [{citation.rank}] {title_of(clause, t)} {place_of(clause, t)}"
    return f'<span class="rq-text">{marker.html(citation.quote)}</span>{chip_html(citation, t)}{copy_button(copy, t)}'


def _numbered(answer: Answer, n: int, label_class: str, label: Callable[[Clause], str], marker: Marker, t: Mapping[str, str]) -> str:
    """The first n citations as a numbered list, each labelled (its pilot, or its place in the article) and quoted."""
    rows = (
        f'<li><span class="{label_class} rq-colon">{escape(label(answer.citations[i].hit.clause))}</span>{_quote(answer, i, marker, t)}</li>'
        for i in range(min(n, len(answer.citations)))
    )
    return f'<ol class="rq-list">{"".join(rows)}</ol>'


def answer_html(answer: Answer, *, marker: Marker, lang: str, carry: Carry | None = None, **_: object) -> str:
    """The chat message: the quote(s) that answer with their chips, then where each source stands (its quote is in the cards)."""
    t = TEXTS[lang]
    parts = ['<div class="rq-answer">', carry_html(carry, lang), _matched(answer.matched_terms, t)]
    if not answer.answerable:
        quiet = Marker()  # the nearest clauses do not answer: nothing in them is marked as if it did
        parts.append(f'<div class="rq-none">{escape(message_text(answer.message, lang))}</div>')
        parts.append(f'<div class="rq-lead">{escape(t["nearest"])}</div><ul class="rq-list rq-dim">')
        parts += [f"<li>{_quote(answer, i, quiet, t)}</li>" for i in range(len(answer.citations))]
        parts.append("</ul>")
    else:
        if answer.confidence < LOW_CONFIDENCE:
            parts.append(f'<div class="rq-doubt" role="note">{escape(t["low_confidence"])}</div>')
        if answer.list_question:
            parts.append(f'<div class="rq-lead">{escape(t["list_lead"].format(n=len(answer.citations)))}</div>')
            parts.append(_numbered(answer, len(answer.citations), "rq-region", lambda c: title_of(c, t), marker, t))
        elif answer.items > 1:  # a lead-in's items: each quoted, in the text's order, with its place (第（一）项)
            lead = answer.citations[0].hit.clause.context.rstrip().rsplit("。", 1)[-1]  # the source's own sentence
            if lead:
                parts.append(f'<div class="rq-lead">{escape(lead)}</div>')
            parts.append(_numbered(answer, answer.items, "rq-place", lambda c: place_of(c, t), marker, t))
        elif answer.citations:
            parts.append(f'<div class="rq-quote">{_quote(answer, 0, marker, t)}</div>')
    if answer.citations:
        rows = "".join(
            f'<li>{chip_html(c, t)}<span class="rq-title">{escape(title_of(c.hit.clause, t))}</span> · <span class="rq-place">{escape(place_of(c.hit.clause, t))}</span></li>'
            for c in answer.citations
        )
        parts.append(f'<div class="rq-cites"><span class="rq-cites-label">{escape(t["sources"])}</span><ul>{rows}</ul></div>')
    parts.append("</div>")
    return "".join(parts)


def sources_html(answer: Answer | None, *, marker: Marker, passages: Mapping[tuple[str, str], Passage], lang: str) -> str:
    """The sources panel: a card for each citation of the latest answer."""
    t = TEXTS[lang]
    if answer is None or not answer.citations:
        return f'<div class="rq-sources"><div class="rq-hint">{escape(t["sources_empty"])}</div></div>'
    shown = marker if answer.answerable else Marker()
    lead = "" if answer.answerable else f'<div class="rq-lead">{escape(t["nearest"])}</div>'
    return f'<div class="rq-sources">{lead}{"".join(card_html(answer, c, shown, passages, t) for c in answer.citations)}</div>'


def question_html(text: str) -> str:
    """A person's question as the chat shows it: literally."""
    return f'<div class="rq-asked">{escape(text)}</div>'


def notice_html(message: str) -> str:
    """A friendly message under the input (an empty or over-long question, an error)."""
    return f'<div class="rq-notice" role="alert">{escape(message)}</div>' if message else ""


def filter_html(region: str, other: Sequence[str], lang: str) -> str:
    """The warning under the input when the question names a place other than the filtered pilot."""
    if not region or not other:
        return ""
    t = TEXTS[lang]
    names = t["term_sep"].join(region_label(name, t) for name in other)
    return f'<div class="rq-filter-warn" role="status">{escape(t["filter_warn"].format(asked=names, region=region_label(region, t)))}</div>'


def header_html(lang: str) -> str:
    """The page title and what the bot promises."""
    t = TEXTS[lang]
    return f'<div class="rq-header"><h1>{escape(t["title"])}</h1><p>{escape(t["subtitle"])}</p></div>'


def section_html(title: str) -> str:
    """A panel heading."""
    return f'<h2 class="rq-section">{escape(title)}</h2>'
