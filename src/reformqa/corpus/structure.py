"""Document structure: lines, numbered headings and the outline above each line.

Chinese official documents number their headings 第一章 / 一、 / （一） / 1. /
（1） / 第一条; unnumbered headings after the preamble name a plan's sections
(and, in the seed, its pilot regions). The outline gives every clause its
breadcrumb, its place and the base of its id; legal.py reads a whole document with them.
"""

from __future__ import annotations

import re

from ..normalize import arabic, chinese_numeral

__all__ = ["MAX_HEADING", "NUMERAL", "Outline", "arabic", "chinese_numeral", "heading_and_body", "is_heading", "numbered_heading", "region_of_heading", "strip_span", "text_lines"]

MAX_HEADING = 60
_SENTENCE_MARK = re.compile(r"[。；;，,]")


def text_lines(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each line's content, without its line break."""
    out: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\r\n]*", text):
        if match.start() == match.end() and out and out[-1][1] == match.start():
            continue
        out.append((match.start(), match.end()))
    return out


def is_heading(line: str) -> bool:
    return bool(line) and len(line) <= MAX_HEADING and not _SENTENCE_MARK.search(line)


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Numbered headings of Chinese official documents, outermost first:
# 第一章 / 一、 / （一） / 1. / （1） / 第一条. (level, pattern, id letter)
NUMERAL = "一二三四五六七八九十百零〇"
_NUMBERED = (
    (1, re.compile(r"第([一二三四五六七八九十百零〇\d]+)章\s*"), "c"),
    (2, re.compile(r"([一二三四五六七八九十]+)、\s*"), "s"),
    (3, re.compile(r"[（(]([一二三四五六七八九十]+)[）)]\s*"), "s"),
    (4, re.compile(r"(\d{1,2})[.．、](?!\d)\s*"), "s"),
    (5, re.compile(r"[（(](\d{1,2})[）)]\s*"), "s"),
    (6, re.compile(r"第([一二三四五六七八九十百零〇\d]+)条\s*"), "a"),
)
_FIRST_SENTENCE = re.compile(r"[^。；;：:]{1,40}[。；;：:]")


def numbered_heading(line: str) -> tuple[int, re.Match[str], str] | None:
    for level, pattern, letter in _NUMBERED:
        match = pattern.match(line)
        if match:
            return level, match, letter
    return None


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


class Outline:
    """The stack of headings above the current line: breadcrumb, place and clause-id base."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str, int, str, str]] = []  # level, heading, number, letter, marker (二、 （三）)

    def push(self, level: int, heading: str, number: int, letter: str, marker: str = "") -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, heading, number, letter, marker))

    def reset(self, heading: str | None) -> None:
        self.stack = [] if heading is None else [(0, heading, 0, "", "")]

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(h for _, h, _, _, _ in self.stack)

    @property
    def place(self) -> str:
        """The numbered headings' markers as a citation writes them: 二、（三）."""
        return "".join(m for *_, m in self.stack)

    def base(self) -> str | None:
        numbered = [(n, letter) for level, _, n, letter, _ in self.stack if level > 0]
        if not numbered:
            return None
        if numbered[-1][1] == "a":  # articles are numbered through the whole document
            return f"a{numbered[-1][0]}"
        return numbered[0][1] + ".".join(str(n) for n, _ in numbered)


def heading_and_body(text: str, a: int, b: int, level: int, match: re.Match[str]) -> tuple[str, int]:
    """Split a numbered line into its heading and where its body starts."""
    line = text[a:b]
    if is_heading(line):
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
