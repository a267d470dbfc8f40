"""Chunking a document into clauses, the unit of citation, and their spans.

A clause is the text between ；/。 boundaries inside a section (the seed writes
half-width ``;``); a span is a sub-clause between ，/, boundaries, the smallest
part an answer quotes. Every offset points into the document's source text.
"""

from __future__ import annotations

from ..records import Clause, Document, Span
from .legal import read_layout
from .structure import region_of_heading, strip_span
from .version import CHUNKER_VERSION

__all__ = ["CHUNKER_VERSION", "REGION_SLUGS", "chunk"]

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
    """Cut a document into clauses with stable, readable ids, breadcrumbs and places."""
    text = document.text
    layout = read_layout(text)
    regions = region_of_heading([text[a:b] for a, b in layout.sections])
    clauses: list[Clause] = []
    counters: dict[str, int] = {}
    slugs: dict[str, str] = {}
    for passage in layout.passages:
        region = regions.get(passage.section) if passage.section else None
        if region is not None:
            slug = slugs.setdefault(region, REGION_SLUGS.get(region, f"region{len(slugs) + 1}"))
        else:
            slug = passage.base
        for c_start, c_end in _split(text, passage.start, passage.end, _CLAUSE_END):
            clause_text = text[c_start:c_end]
            kind = "scope" if clause_text.startswith("试点范围") else passage.kind
            counters[slug] = counters.get(slug, 0) + 1
            clauses.append(
                Clause(
                    clause_id=f"{slug}-{counters[slug]:02d}",
                    doc_id=document.doc_id,
                    doc_title=document.title,
                    region=region,
                    section=passage.headings[-1] if passage.headings else "preamble",
                    kind=kind,
                    start=c_start,
                    end=c_end,
                    text=clause_text,
                    spans=_spans(text, c_start, c_end),
                    breadcrumb=(document.title, *passage.headings),
                    article=passage.article,
                    place=passage.place,
                    doc_short_title=document.short_title,
                    context=passage.context,
                )
            )
    return clauses
