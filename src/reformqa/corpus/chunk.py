"""Chunking a document into clauses, the unit of citation, and their spans.

A clause is the text between ；/。 boundaries inside a section (the seed writes
half-width ``;``); a span is a sub-clause between ，/, boundaries, the smallest
part an answer quotes. Every offset points into the document's source text.
"""

from __future__ import annotations

from ..records import Clause, Document, Span
from .structure import (
    Outline,
    arabic,
    heading_and_body,
    is_heading,
    numbered_heading,
    region_of_heading,
    section_headings,
    strip_span,
    text_lines,
)

__all__ = ["CHUNKER_VERSION", "REGION_SLUGS", "chunk"]

CHUNKER_VERSION = 2
# Readable ids for the seed's ten pilots; other regions get a numbered id.
REGION_SLUGS = {
    "北京城市副中心": "beijing",
    "苏南重点城市": "sunan",
    "杭甬温": "hangyongwen",
    "合肥都市圈": "hefei",
    "福厦泉": "fuxiaquan",
    "郑州市": "zhengzhou",
    "长株潭": "changzhutan",
    "粤港澳大湾区内地九市": "gba",
    "重庆市": "chongqing",
    "成都市": "chengdu",
}
_CLAUSE_END = "。；;"
_SPAN_END = "，,：:"
_OPEN, _CLOSE = "“(（《「‘", "”)）》」’"


def _split(text: str, start: int, end: int, marks: str) -> list[tuple[int, int]]:
    """Split text[start:end] after each mark that is not inside quotes or brackets."""
    pieces, depth, begin = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in marks and depth == 0:
            pieces.append((begin, i + 1))
            begin = i + 1
    pieces.append((begin, end))
    return [strip_span(text, a, b) for a, b in pieces if text[a:b].strip()]


def _spans(text: str, start: int, end: int) -> tuple[Span, ...]:
    spans = []
    for a, b in _split(text, start, end, _SPAN_END):
        while b > a and text[b - 1] in _SPAN_END + _CLAUSE_END:
            b -= 1  # a quote ends before its trailing punctuation
        if b > a:
            spans.append(Span(a, b))
    return tuple(spans)


def chunk(document: Document) -> list[Clause]:
    """Cut a document into clauses with stable, readable ids and breadcrumbs."""
    text = document.text
    heading_pos = section_headings(document)
    regions = region_of_heading([text[a:b] for a, b in heading_pos])
    heading_starts = {a: text[a:b] for a, b in heading_pos}

    clauses: list[Clause] = []
    counters: dict[str, int] = {}
    slugs: dict[str, str] = {}
    outline = Outline()
    region: str | None = None
    seen_heading = False
    for start, end in text_lines(text):
        line = text[start:end].strip().lstrip("\ufeff")
        if not line:
            continue
        a, b = strip_span(text, start, end)
        if a in heading_starts:
            seen_heading = True
            region = regions.get(heading_starts[a])
            outline.reset(heading_starts[a])
            continue
        numbered = numbered_heading(line)
        if numbered is None and is_heading(line):
            continue  # front matter: the headline and the title
        body_start = a
        if numbered is not None:
            level, match, letter = numbered
            heading, body_start = heading_and_body(text, a, b, level, match)
            seen_heading = True
            outline.push(level, heading, arabic(match.group(1)), letter)
            body_start, b = strip_span(text, body_start, b)
            if body_start >= b:
                continue
        for c_start, c_end in _split(text, body_start, b, _CLAUSE_END):
            clause_text = text[c_start:c_end]
            if region is not None:
                slug = slugs.setdefault(region, REGION_SLUGS.get(region, f"region{len(slugs) + 1}"))
            else:
                slug = outline.base() or ("preamble" if not seen_heading else "p")
            if clause_text.startswith("试点范围"):
                kind = "scope"
            else:
                kind = "preamble" if not seen_heading else "measure"
            counters[slug] = counters.get(slug, 0) + 1
            clauses.append(
                Clause(
                    clause_id=f"{slug}-{counters[slug]:02d}",
                    doc_id=document.doc_id,
                    doc_title=document.title,
                    region=region,
                    section=outline.headings[-1] if outline.headings else "preamble",
                    kind=kind,
                    start=c_start,
                    end=c_end,
                    text=clause_text,
                    spans=_spans(text, c_start, c_end),
                    breadcrumb=(document.title, *outline.headings),
                )
            )
    return clauses
