"""Chunking a document into clauses, the unit of citation, and their spans.

A clause is the text between ；/。 boundaries inside a section (the seed writes
half-width ``;``); a span is a sub-clause between ，/, boundaries, the smallest
part an answer quotes. Every offset points into the document's source text.
"""

from __future__ import annotations

import re

from .records import Clause, Document, Span

__all__ = ["CHUNKER_VERSION", "REGION_SLUGS", "chunk", "section_headings", "region_of_heading"]

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


# Numbered headings of Chinese official documents, outermost first:
# 第一章 / 一、 / （一） / 1. / （1） / 第一条. (level, pattern, id letter)
_NUMBERED = (
    (1, re.compile(r"第([一二三四五六七八九十百零〇\d]+)章\s*"), "c"),
    (2, re.compile(r"([一二三四五六七八九十]+)、\s*"), "s"),
    (3, re.compile(r"[（(]([一二三四五六七八九十]+)[）)]\s*"), "s"),
    (4, re.compile(r"(\d{1,2})[.．、](?!\d)\s*"), "s"),
    (5, re.compile(r"[（(](\d{1,2})[）)]\s*"), "s"),
    (6, re.compile(r"第([一二三四五六七八九十百零〇\d]+)条\s*"), "a"),
)
_FIRST_SENTENCE = re.compile(r"[^。；;：:]{1,40}[。；;：:]")


def _numbered(line: str) -> tuple[int, re.Match[str], str] | None:
    for level, pattern, letter in _NUMBERED:
        match = pattern.match(line)
        if match:
            return level, match, letter
    return None


def _arabic(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    import cn2an

    return int(cn2an.cn2an(numeral.replace("〇", "零"), "smart"))


def section_headings(document: Document) -> list[tuple[int, int]]:
    """Return the (start, end) of each unnumbered section heading after the preamble."""
    text, seen_body, headings = document.text, False, []
    for start, end in _lines(text):
        line = text[start:end].strip().lstrip("\ufeff")
        if not line:
            continue
        if _is_heading(line) and not (seen_body and _numbered(line)):
            if seen_body:
                headings.append(_strip(text, start, end))
        else:
            seen_body = True
    return headings


def region_of_heading(headings: list[str]) -> dict[str, str]:
    """Name each section's region: the heading less the suffix most headings share.

    Most, not all: one odd heading (补充说明) must not cost every pilot its region;
    it simply gets none.
    """
    if len(headings) < 2:
        return {}
    suffixes = {h[-n:] for h in headings for n in range(2, len(h) - 1)}
    common = [s for s in suffixes if 3 * sum(h.endswith(s) for h in headings) >= 2 * len(headings) and sum(h.endswith(s) for h in headings) >= 2]
    if not common:
        return {}
    suffix = max(common, key=len)
    return {h: h[: -len(suffix)] for h in headings if h.endswith(suffix) and len(h) - len(suffix) >= 2}


class _Outline:
    """The stack of headings above the current line: breadcrumb and clause-id base."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str, int, str]] = []  # level, heading, number, letter

    def push(self, level: int, heading: str, number: int, letter: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, heading, number, letter))

    def reset(self, heading: str | None) -> None:
        self.stack = [] if heading is None else [(0, heading, 0, "")]

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(h for _, h, _, _ in self.stack)

    def base(self) -> str | None:
        numbered = [(n, letter) for level, _, n, letter in self.stack if level > 0]
        if not numbered:
            return None
        if numbered[-1][1] == "a":  # articles are numbered through the whole document
            return f"a{numbered[-1][0]}"
        return numbered[0][1] + ".".join(str(n) for n, _ in numbered)


def _heading_and_body(text: str, a: int, b: int, level: int, match: re.Match[str]) -> tuple[str, int]:
    """Split a numbered line into its heading and where its body starts."""
    line = text[a:b]
    if _is_heading(line):
        return line, b
    after = a + match.end()
    if level == 6:  # 第五条 本办法所称……: the article number is the heading
        return line[: match.end()].strip(), after
    first = _FIRST_SENTENCE.match(text, after)
    # "（一）赋予…所有权。试点单位可…": a short first sentence followed by more is the item's title;
    # "1. 概念验证中心应当开放服务;" alone is the item itself.
    if first and text[first.end() : b].strip():
        return text[a : first.end()].rstrip("。；;：:"), first.end()
    return line[: match.end()].strip(), after


def chunk(document: Document) -> list[Clause]:
    """Cut a document into clauses with stable, readable ids and breadcrumbs."""
    text = document.text
    heading_pos = section_headings(document)
    regions = region_of_heading([text[a:b] for a, b in heading_pos])
    heading_starts = {a: text[a:b] for a, b in heading_pos}

    clauses: list[Clause] = []
    counters: dict[str, int] = {}
    slugs: dict[str, str] = {}
    outline = _Outline()
    region: str | None = None
    seen_heading = False
    for start, end in _lines(text):
        line = text[start:end].strip().lstrip("\ufeff")
        if not line:
            continue
        a, b = _strip(text, start, end)
        if a in heading_starts:
            seen_heading = True
            region = regions.get(heading_starts[a])
            outline.reset(heading_starts[a])
            continue
        numbered = _numbered(line)
        if numbered is None and _is_heading(line):
            continue  # front matter: the headline and the title
        body_start = a
        if numbered is not None:
            level, match, letter = numbered
            heading, body_start = _heading_and_body(text, a, b, level, match)
            seen_heading = True
            outline.push(level, heading, _arabic(match.group(1)), letter)
            body_start, b = _strip(text, body_start, b)
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
