"""The document viewer: a whole document, readable, its headings set apart, the cited clause highlighted where it stands.

The text shown is the document's own, character for character: clauses are
cut from it by their offsets, and what lies between them (titles, chapter and
section headings) is shown as headings when it is a short line. The cited
clause carries ``rq-vcited`` (the page scrolls it into view) and its quote a
``<mark>``; a line on top gives its position in the document's outline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..records import Clause
from .cite import place_of, title_of
from .marks import escape
from .texts import TEXTS

__all__ = ["HEADING_CHARS", "Opened", "parse_key", "document_html", "viewer_hint"]

HEADING_CHARS = 60  # a line between clauses up to this long reads as a heading


@dataclass(frozen=True, slots=True)
class Opened:
    """What the viewer was asked to show: a clause of a document and the quote in it."""

    doc_id: str
    clause_id: str
    quote_start: int
    quote_end: int


def parse_key(key: object) -> Opened | None:
    """The viewer key a chip carries (doc|clause|start|end), or None for anything else."""
    if not isinstance(key, str) or len(key) > 400:
        return None
    parts = key.strip().split("|")
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return Opened(parts[0], parts[1], int(parts[2]), int(parts[3]))


def _between(text: str) -> str:
    """What lies between two clauses: short lines as headings, longer ones as the document's text."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        kind = "rq-vhead" if len(stripped) <= HEADING_CHARS else "rq-vtext"
        out.append(f'<div class="{kind}">{escape(line)}</div>')
    return "".join(out)


def document_html(source: str, clauses: Sequence[Clause], opened: Opened, lang: str) -> str:
    """The whole document with the opened clause highlighted and its quote marked."""
    t = TEXTS[lang]
    ordered = sorted((c for c in clauses if c.doc_id == opened.doc_id and source[c.start : c.end] == c.text), key=lambda c: c.start)
    cited = next((c for c in ordered if c.clause_id == opened.clause_id), None)
    if cited is None:
        return viewer_hint(lang, t["viewer_missing"])
    qs = min(max(opened.quote_start, cited.start), cited.end)
    qe = min(max(opened.quote_end, qs), cited.end)
    body, at = [], 0
    for clause in ordered:
        if clause.start < at:  # overlapping cuts: the text is shown once
            continue
        body.append(_between(source[at : clause.start]))
        if clause is cited:
            a, b = qs - clause.start, qe - clause.start
            text = escape(clause.text[:a]) + f'<mark class="rq-span">{escape(clause.text[a:b])}</mark>' + escape(clause.text[b:])
            body.append(f'<div class="rq-vclause rq-vcited" id="rq-cited" tabindex="-1">{text}</div>')
        else:
            body.append(f'<div class="rq-vclause">{escape(clause.text)}</div>')
        at = clause.end
    body.append(_between(source[at:]))
    trail = list(cited.breadcrumb) or [cited.doc_title]
    if cited.place:  # 第四十五条 › 第四十五条第一款第（二）项 reads as 第四十五条第一款第（二）项
        trail = [*trail[:-1], cited.place] if cited.place.startswith(trail[-1]) else [*trail, cited.place]
    outline = " › ".join(trail)
    head = (
        f'<div class="rq-vhead-bar"><div class="rq-vtitle">{escape(title_of(cited, t))} · {escape(place_of(cited, t))}</div>'
        f'<div class="rq-voutline"><span class="rq-meta">{escape(t["outline"])}</span>{escape(outline)}</div></div>'
    )
    label = escape(f"{t['tab_viewer']}：{cited.doc_title}")
    return f'<div class="rq-viewer rq-doc-open" tabindex="0" role="region" aria-label="{label}">{head}<div class="rq-vdoc" lang="zh">{"".join(body)}</div></div>'


def viewer_hint(lang: str, message: str = "") -> str:
    """The viewer before a citation is opened, or when it cannot be."""
    t = TEXTS[lang]
    return f'<div class="rq-viewer"><div class="rq-hint">{escape(message or t["viewer_empty"])}</div></div>'


