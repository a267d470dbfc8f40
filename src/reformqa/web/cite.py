"""Citations as people read them: a chip [n] that previews its quote, and a source card (short title, place, quote, match strength).

A card leads with what a reader cites: the document's short title (or the
pilot's name) and the place in it (第十二条第（三）项, or the pilot plan's
section). Clause ids and offsets stay in a details line. Every chip and card
carries the key the document viewer opens it by (``open_key``), hidden in the
markup because Gradio's sanitiser drops data-* attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..records import Answer, Citation, Clause
from .marks import Marker, escape
from .texts import REGION_NAMES

__all__ = ["Passage", "passage", "region_label", "title_of", "place_of", "open_key", "strength", "chip_html", "open_button", "copy_button", "card_html", "details_html"]

STRONG, FAIR = 0.75, 0.45  # match strength above which a source reads 强 / 中; below FAIR it reads 弱


@dataclass(frozen=True, slots=True)
class Passage:
    """A cited clause in its place: the source text of its section's neighbours around it."""

    before: str  # from the previous clause of the same section up to this clause
    after: str  # from the end of this clause to the end of the next one


def passage(source: str | None, clauses: list[Clause], clause: Clause) -> Passage:
    """The clause's neighbours before and after it, sliced from the document's source text."""
    if source is None or source[clause.start : clause.end] != clause.text:
        return Passage("", "")
    siblings = sorted((c for c in clauses if c.doc_id == clause.doc_id and c.section == clause.section), key=lambda c: c.start)
    at = next((i for i, c in enumerate(siblings) if c.clause_id == clause.clause_id), None)
    if at is None:
        return Passage("", "")
    before = source[siblings[at - 1].start : clause.start] if at > 0 else ""
    after = source[clause.end : siblings[at + 1].end] if at + 1 < len(siblings) else ""
    return Passage(before, after)


def region_label(name: str, t: Mapping[str, str]) -> str:
    """A pilot's name as the page shows it: in English, its English name with the document's own beside it."""
    english = REGION_NAMES.get(name)
    return t["region_label"].format(zh=name, en=english) if english else name


def title_of(clause: Clause, t: Mapping[str, str]) -> str:
    """What a reader calls the source: the pilot's name, else the document's short title, else its title."""
    if clause.region:
        return region_label(clause.region, t)
    return clause.doc_short_title or clause.doc_title


def place_of(clause: Clause, t: Mapping[str, str]) -> str:
    """Where in its document the clause stands: 第十二条第（三）项, else its section, else the document's opening text."""
    if clause.place:
        return clause.place
    if clause.article:
        return clause.article
    return clause.breadcrumb[-1] if len(clause.breadcrumb) > 1 else t["preamble"]


def open_key(citation: Citation) -> str:
    """What the viewer is opened by: document, clause and the quote's offsets."""
    clause = citation.hit.clause
    return f"{clause.doc_id}|{clause.clause_id}|{citation.quote_start}|{citation.quote_end}"


def strength(answer: Answer | None, citation: Citation) -> float:
    """How strongly a source matched, 0-1: the answer's confidence, scaled by the source's score against the best one."""
    confidence = answer.confidence if answer is not None else 1.0
    if answer is None or not answer.citations:
        return confidence
    top = max(c.hit.score for c in answer.citations) or 1.0
    share = max(0.0, min(1.0, citation.hit.score / top)) if top > 0 else 1.0
    value = confidence * (share if not answer.list_question else 1.0)
    return value if answer.answerable else min(value, FAIR - 0.01)


def _strength_html(value: float, t: Mapping[str, str]) -> str:
    word = t["strong"] if value >= STRONG else t["fair"] if value >= FAIR else t["weak"]
    level = "rq-s-strong" if value >= STRONG else "rq-s-fair" if value >= FAIR else "rq-s-weak"
    width = max(8, round(value * 100))
    return (
        f'<span class="rq-strength {level}"><span class="rq-bar" aria-hidden="true"><span style="width:{width}%"></span></span>'
        f"{escape(t['match'])}{escape(word)}</span>"
    )


def copy_button(text: str, t: Mapping[str, str]) -> str:
    """A button copying ``text`` (the quote with its citation); the text rides along hidden."""
    label = escape(t["copy"])
    return f'<button type="button" class="rq-copy" aria-label="{label}"><span class="rq-copy-label">{label}</span><span class="rq-copy-src">{escape(text)}</span></button>'


def open_button(citation: Citation, t: Mapping[str, str]) -> str:
    """A button opening the document viewer at this citation."""
    return f'<button type="button" class="rq-open" aria-label="{escape(t["open_doc"])}">{escape(t["open_doc"])}<span class="rq-open-src">{escape(open_key(citation))}</span></button>'


def chip_html(citation: Citation, t: Mapping[str, str]) -> str:
    """The [n] chip: hover or focus previews the quote and its place, a click opens the source."""
    clause = citation.hit.clause
    where = f"{title_of(clause, t)} · {place_of(clause, t)}"
    quote = citation.quote if len(citation.quote) <= 120 else citation.quote[:120] + "…"
    label = t["chip_label"].format(n=citation.rank, where=where)
    return (
        # The sanitiser of chat messages drops aria-label: the accessible name rides in a visually hidden span.
        f'<button type="button" class="rq-chip rq-open" aria-label="{escape(label)}">[{citation.rank}]<span class="rq-sr">{escape(label)}</span>'
        f'<span class="rq-tip" role="tooltip"><b>{escape(where)}</b><br>「{escape(quote)}」</span>'
        f'<span class="rq-open-src">{escape(open_key(citation))}</span></button>'
    )


def details_html(citation: Citation, passages: Mapping[tuple[str, str], Passage], t: Mapping[str, str]) -> str:
    """The clause in its place (its section's neighbours, the quote marked), then ids and offsets, folded away."""
    clause = citation.hit.clause
    around = passages.get((clause.doc_id, clause.clause_id), Passage("", ""))
    a, b = citation.quote_start - clause.start, citation.quote_end - clause.start
    body = escape(clause.text[:a]) + f'<mark class="rq-span">{escape(clause.text[a:b])}</mark>' + escape(clause.text[b:])
    ids = " · ".join((f"《{clause.doc_title}》", clause.clause_id, t["chars"].format(start=clause.start, end=clause.end), t["quote_at"].format(start=citation.quote_start, end=citation.quote_end)))
    return (
        f'<details class="rq-cite"><summary>{escape(t["details"])}</summary>'
        f'<div class="rq-context"><span class="rq-near">{escape(around.before)}</span><span class="rq-clause">{body}</span>'
        f'<span class="rq-near">{escape(around.after)}</span></div><div class="rq-meta">{escape(ids)}</div></details>'
    )


def card_html(answer: Answer | None, citation: Citation, marker: Marker, passages: Mapping[tuple[str, str], Passage], t: Mapping[str, str]) -> str:
    """A source card: [n], title and place, how strongly it matched, the quote, then open / copy and the details."""
    clause = citation.hit.clause
    title, place = title_of(clause, t), place_of(clause, t)
    copy = f"「{citation.quote}」 —— {clause.cited_as or title + ' ' + place}"
    return (
        f'<div class="rq-card" id="rq-src-{citation.rank}"><div class="rq-card-head"><span class="rq-num">[{citation.rank}]</span> '
        f'<span class="rq-title">{escape(title)}</span><span class="rq-place">{escape(place)}</span>{_strength_html(strength(answer, citation), t)}</div>'
        f'<div class="rq-card-quote rq-text">{marker.html(citation.quote)}</div>'
        f'<div class="rq-card-actions">{open_button(citation, t)}{copy_button(copy, t)}</div>'
        f"{details_html(citation, passages, t)}</div>"
    )
