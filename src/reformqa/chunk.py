"""Chunking a document into clauses, the unit of citation, and their spans.

A clause is the text between ；/。 boundaries inside a section (the seed writes
half-width ``;``); a span is a sub-clause between ，/, boundaries, the smallest
part an answer quotes. Every offset points into the document's source text.
"""

from __future__ import annotations

import os
import re

from .records import Clause, Document, Span

__all__ = ["CHUNKER_VERSION", "REGION_SLUGS", "chunk", "section_headings", "region_of_heading"]

CHUNKER_VERSION = 1
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
_SENTENCE_MARK = re.compile(r"[。；;，,]")
_MAX_HEADING = 60


def _lines(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each line's content, without its line break."""
    out = []
    for match in re.finditer(r"[^\r\n]*", text):
        if match.start() == match.end() and out and out[-1][1] == match.start():
            continue
        out.append((match.start(), match.end()))
    return out


def _is_heading(line: str) -> bool:
    return bool(line) and len(line) <= _MAX_HEADING and not _SENTENCE_MARK.search(line)


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
    return [_strip(text, a, b) for a, b in pieces if text[a:b].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _spans(text: str, start: int, end: int) -> tuple[Span, ...]:
    spans = []
    for a, b in _split(text, start, end, _SPAN_END):
        while b > a and text[b - 1] in _SPAN_END + _CLAUSE_END:
            b -= 1  # a quote ends before its trailing punctuation
        if b > a:
            spans.append(Span(a, b))
    return tuple(spans)


def section_headings(document: Document) -> list[tuple[int, int]]:
    """Return the (start, end) of each section heading after the preamble."""
    text, seen_body, headings = document.text, False, []
    for start, end in _lines(text):
        line = text[start:end].strip().lstrip("\ufeff")
        if not line:
            continue
        if _is_heading(line):
            if seen_body:
                headings.append(_strip(text, start, end))
        else:
            seen_body = True
    return headings


def region_of_heading(headings: list[str]) -> dict[str, str]:
    """Name each section's region: the heading less the suffix all headings share."""
    if len(headings) < 2:
        return {}
    suffix = os.path.commonprefix([h[::-1] for h in headings])[::-1]
    if len(suffix) < 2:
        return {}
    return {h: h[: -len(suffix)] for h in headings if len(h) - len(suffix) >= 2}


def chunk(document: Document) -> list[Clause]:
    """Cut a document into clauses with stable, readable ids."""
    text = document.text
    heading_pos = section_headings(document)
    heading_text = [text[a:b] for a, b in heading_pos]
    regions = region_of_heading(heading_text)
    heading_starts = {a: text[a:b] for a, b in heading_pos}

    clauses: list[Clause] = []
    counters: dict[str, int] = {}
    slugs: dict[str, str] = {}
    section, region = "preamble", None
    for start, end in _lines(text):
        line = text[start:end].strip().lstrip("\ufeff")
        if not line:
            continue
        a, b = _strip(text, start, end)
        if a in heading_starts:
            section = heading_starts[a]
            region = regions.get(section, section)
            continue
        if _is_heading(line):
            continue  # front matter: the headline and the title
        for c_start, c_end in _split(text, a, b, _CLAUSE_END):
            clause_text = text[c_start:c_end]
            kind = "preamble" if region is None else ("scope" if clause_text.startswith("试点范围") else "measure")
            if region is None:
                slug = "preamble"
            else:
                slug = slugs.setdefault(region, REGION_SLUGS.get(region, f"region{len(slugs) + 1}"))
            counters[slug] = counters.get(slug, 0) + 1
            clauses.append(
                Clause(
                    clause_id=f"{slug}-{counters[slug]:02d}",
                    doc_id=document.doc_id,
                    doc_title=document.title,
                    region=region,
                    section=section,
                    kind=kind,
                    start=c_start,
                    end=c_end,
                    text=clause_text,
                    spans=_spans(text, c_start, c_end),
                )
            )
    return clauses
