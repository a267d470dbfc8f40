"""A document's body read as its readers cite it: 编/章/节, 第X条 with its 款 and （一）项, or sections 一、（一）1.（1）.

Laws and regulations number their articles through the whole text; inside an
article every new paragraph is a 款 and every （一） line an item (项) of the
paragraph that introduces it, so 第四十五条（一） sits under 第四十五条 and
never outlives it. Notices and opinions nest numbered sections instead, often
run in (`一、标题。正文…`). The result is a list of passages, each with its
breadcrumb, its place (第十二条第三款第（三）项, 二、（三）) and its clause-id base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .matter import ANNOUNCED, ANNOUNCEMENT, CLOSING, DATE_LINE, NOTE, NUMBER, SIGNATURE, Matter, read_matter, squeeze
from .parts import DATE_PLACE, NUMBER_PLACE, SIGNATURE_PLACE
from .structure import NUMERAL, Outline, arabic, chinese_numeral, heading_and_body, is_heading, numbered_heading

__all__ = ["Passage", "Layout", "read_layout", "section_headings"]

_N = f"[{NUMERAL}\\d]+"
_DIVISION = re.compile(rf"第({_N})([编章节])\s*")
_ARTICLE = re.compile(rf"第({_N})条(?:之([{NUMERAL}]+))?")
_ITEM = re.compile(rf"[（(]([{NUMERAL}]+)[）)]\s*")
_SUBITEM = re.compile(r"(\d{1,2})[.．、](?!\d)\s*")
_DIVISION_LEVEL = {"编": (1, "b"), "章": (2, "c"), "节": (3, "c")}
_ARTICLE_LEVEL = 4
# A document's lines about itself, under the names GB/T 9704 gives them (parts.py).
# role -> (place, clause-id base)
_OWN_LINES = {NUMBER: (NUMBER_PLACE, "number"), SIGNATURE: (SIGNATURE_PLACE, "signed"), DATE_LINE: (DATE_PLACE, "dated")}
# Numbered headings of notices (structure.numbered_heading's levels) nest below the divisions:
# 第X章 2, 一、 5, （一） 6, 1. 7, （1） 8, and a lone 第X条 deepest.
_NUMBERED_LEVEL = {1: 2, 2: 5, 3: 6, 4: 7, 5: 8, 6: 9}
_NUMBERED_COUNTS = {1: "chapters", 2: "parts", 3: "items", 6: "articles"}
_NOT_AFTER_ARTICLE = "第款项的所规中、，之"


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of quotable text and where it sits: what chunking cuts into clauses."""

    start: int
    end: int
    headings: tuple[str, ...]  # below the title: 第二章 成果权益 › 第十二条
    base: str  # clause-id base: a12, s2.1, preamble, announce, note, end, p
    kind: str  # "preamble" before the structure starts, else "measure"
    article: str = ""  # 第十二条 inside an article
    place: str = ""  # 第十二条第三款第（三）项, 二、（三）
    section: str = ""  # the unnumbered section heading above it (a pilot's plan in the seed)
    context: str = ""  # an item's introducing paragraph (…下列标准…：)


@dataclass(frozen=True, slots=True)
class Layout:
    """A document read: its front and back matter, its passages and what its structure counts."""

    matter: Matter
    passages: tuple[Passage, ...]
    articled: bool
    sections: tuple[tuple[int, int], ...]  # spans of the unnumbered section headings
    counts: dict[str, int] = field(default_factory=dict)  # books, chapters, sections, articles, items, parts


@dataclass
class _Article:
    """The article being read: its number, heading and the paragraph and item the reader is at."""

    key: int
    heading: str
    base: str
    paragraph: int = 0
    item: str = ""
    sub: str = ""
    units: list[tuple[int, int, int, str, str, tuple[str, ...]]] = field(default_factory=list)  # start, end, 款, 项, 目, headings


def _display(number: str, unit: str, rest: str) -> str:
    rest = squeeze(rest)
    return f"第{number}{unit} {rest}" if rest else f"第{number}{unit}"


def _article_start(line: str, last: int) -> re.Match[str] | None:
    """A line that opens an article: 第十二条 followed by a blank, or the next number in sequence."""
    match = _ARTICLE.match(line)
    if not match:
        return None
    number = arabic(match.group(1))
    rest = line[match.end() :]
    if (not rest or rest[0].isspace()) and number > last:
        return match
    return match if number == last + 1 and rest[0] not in _NOT_AFTER_ARTICLE else None


def _place(article: _Article, paragraph: int, item: str, sub: str) -> str:
    paragraphs = max((u[2] for u in article.units), default=0)
    place = article.heading
    if paragraph and paragraphs > 1:
        place += f"第{chinese_numeral(paragraph)}款"
    if item:
        place += f"第{item}项"
    if sub:
        place += f"第{sub}目"
    return place


def _is_articled(lines: list[str]) -> bool:
    starts = [m for m in (_ARTICLE.match(line) for line in lines) if m and (len(m.string) == m.end() or m.string[m.end()].isspace())]
    return len(starts) >= 2 or any(arabic(m.group(1)) == 1 for m in starts)


def read_layout(text: str) -> Layout:
    """Read a document's structure: every quotable passage with its breadcrumb and place."""
    matter = read_matter(text)
    spans, roles = matter.lines, matter.roles
    lines = [text[a:b].lstrip("\ufeff") for a, b in spans]
    body = [i for i in range(len(lines)) if i not in roles or roles[i] == CLOSING]
    articled = _is_articled([lines[i] for i in body])
    passages: list[Passage] = []
    counts = dict.fromkeys(("books", "chapters", "sections", "articles", "items", "parts"), 0)
    sections: list[tuple[int, int]] = []
    outline, section, seen_heading = Outline(), "", False
    article: _Article | None = None
    articles: list[_Article] = []
    last_article = 0
    announcement = next((lines[i] for i in matter.indices(ANNOUNCEMENT)), "")

    def emit(start: int, end: int, base: str | None = None, kind: str | None = None, headings: tuple[str, ...] | None = None) -> None:
        if start >= end:
            return
        heads = outline.headings if headings is None else headings
        default_base = outline.base() or ("preamble" if not seen_heading else "p")
        passages.append(Passage(start, end, heads, base or default_base, kind or ("measure" if seen_heading else "preamble"), place=outline.place, section=section))

    for i, (a, b) in enumerate(spans):
        role = roles.get(i)
        line = lines[i]
        start = b - len(line)
        if role == ANNOUNCED:
            emit(start, b, "announce", "preamble", (announcement,) if announcement else ())
            continue
        if role == NOTE:
            emit(start, b, "note", "preamble", ())
            continue
        if role in _OWN_LINES:
            # 国办发〔2021〕26号, the issuer's signature, 2021年7月16日: what a document says of itself, quotable
            # (哪天印发的, 文号是多少, 哪几个部门发的), named as the standard for official documents names them.
            name, base = _OWN_LINES[role]
            passages.append(Passage(start, b, (name,), base, "preamble", place=name))
            continue
        if role == CLOSING:
            article = None
            outline.reset(None)
            emit(start, b, "end", "measure", ())
            continue
        if role is not None:
            continue
        division = _DIVISION.match(line)
        if division and is_heading(line) and len(line) <= 40:
            level, letter = _DIVISION_LEVEL[division.group(2)]
            counts[{"编": "books", "章": "chapters", "节": "sections"}[division.group(2)]] += 1
            outline.push(level, _display(division.group(1), division.group(2), line[division.end() :]), arabic(division.group(1)), letter)
            article, seen_heading = None, True
            continue
        if articled:
            opened = _article_start(line, last_article)
            if opened:
                last_article = arabic(opened.group(1))
                heading = squeeze(opened.group(0))
                base = f"a{last_article}" + (f".{arabic(opened.group(2))}" if opened.group(2) else "")
                article = _Article(last_article, heading, base)
                articles.append(article)
                counts["articles"] += 1
                outline.push(_ARTICLE_LEVEL, heading, last_article, "a")
                seen_heading = True
                body_start = start + opened.end()
                while body_start < b and text[body_start].isspace():
                    body_start += 1
                if body_start < b:
                    article.paragraph = 1
                    article.units.append((body_start, b, 1, "", "", outline.headings))
                continue
            if article is not None:
                item, sub = _ITEM.match(line), _SUBITEM.match(line)
                if item and article.paragraph:
                    article.item, article.sub = "（" + item.group(1) + "）", ""
                    counts["items"] += 1
                    body_start = start + item.end()
                elif sub and article.item:
                    article.sub, body_start = sub.group(1), start + sub.end()
                else:
                    article.paragraph, article.item, article.sub, body_start = article.paragraph + 1, "", "", start
                article.units.append((body_start, b, article.paragraph, article.item, article.sub, outline.headings))
                continue
            emit(start, b)
            continue
        numbered = numbered_heading(line)
        if numbered is not None:
            level, match, letter = numbered
            heading, body_start = heading_and_body(text, start, b, level, match)
            rest = text[body_start:b].strip()
            following = next((lines[j] for j in range(i + 1, len(lines)) if j not in roles), "")
            # "（二）基本原则。" over unnumbered paragraphs is a heading, not an item.
            if rest and len(rest) <= 16 and rest.endswith("。") and not re.search(r"[，,、；;：:]", rest[:-1]) and following and numbered_heading(following) is None:
                heading, body_start = heading.rstrip() + rest[:-1], b
            marker = squeeze(match.group(0))
            if level in _NUMBERED_COUNTS:
                counts[_NUMBERED_COUNTS[level]] += 1
            outline.push(_NUMBERED_LEVEL[level], heading, arabic(match.group(1)), letter, marker)
            seen_heading = True
            emit(body_start + (len(text[body_start:b]) - len(text[body_start:b].lstrip())), b)
            continue
        if is_heading(line) and not line.endswith(("：", ":")):
            outline.reset(line)
            section, seen_heading = line, True
            sections.append((start, b))
            continue
        emit(start, b)

    for art in articles:
        leads = {u[2]: text[u[0] : u[1]] for u in art.units if not u[3]}
        for u_start, u_end, paragraph, in_item, in_sub, heads in art.units:
            # Articles are read only in articled documents, which have no unnumbered sections.
            lead = leads.get(paragraph, "") if in_item else ""
            passages.append(Passage(u_start, u_end, heads, art.base, "measure", art.heading, _place(art, paragraph, in_item, in_sub), context=lead))
    passages.sort(key=lambda p: p.start)
    return Layout(matter, tuple(passages), articled, tuple(sections), counts)


def section_headings(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each unnumbered section heading (in the seed, one per pilot's plan)."""
    return list(read_layout(text).sections)
