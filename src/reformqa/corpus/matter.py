"""Front and back matter of an official document: what surrounds the text that is cited.

Above the text: a news headline, an announcement (…公告, its number, body,
signature and date), the title, passage notes (（…通过）, 1996年5月15日…通过),
the document number, an issuer line and a 目录. Below it: the signature, the
date, 来源 and 此件公开 lines. Attachments and contacts (附件：, 联系人：) are
text at the document's level. None of these lines is ever a heading; the
announcement's body, the passage notes and the closing lines are quotable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .structure import strip_span, text_lines

__all__ = [
    "ANNOUNCEMENT", "CLOSING", "DATE_LINE", "NOTE", "NUMBER", "SIGNATURE", "SOURCE", "TITLE", "TOC", "HEADLINE", "ANNOUNCED",
    "Matter", "nonblank_lines", "read_matter", "is_number_line", "squeeze",
]

# Line roles. ANNOUNCED is the announcement's own text (quotable); CLOSING lines are quotable too.
HEADLINE, ANNOUNCEMENT, ANNOUNCED, NUMBER, TITLE, NOTE, SIGNATURE, DATE_LINE, TOC, SOURCE, CLOSING = (
    "headline", "announcement", "announced", "number", "title", "note", "signature", "date", "toc", "source", "closing",
)
_SENTENCE = re.compile(r"[。；;，,？?！!]")
_NUMBER = re.compile(
    r"^[（(]?\s*[\u4e00-\u9fff]{0,16}\s*(?:[〔\[［【(（][^〕\]］】)）]{1,8}[〕\]］】)）]\s*第?\s*\d+\s*号|令?\s*第\s*\d+\s*号)\s*[）)]?$"
)
_DATE = r"(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日"
_DATE_ONLY = re.compile(rf"^{_DATE}$")
_ACTS = "通过|修正|修订|公布|发布|批准|施行|印发"
_NOTE = re.compile(rf"^[（(](?=.*{_DATE}).*(?:{_ACTS}).*[）)]$|^{_DATE}.{{0,150}}(?:{_ACTS})[）)]?$")
_ANNOUNCEMENT = re.compile(r"^(?!.*关于)[\u4e00-\u9fff]{2,40}(?:公告|通告|令)$")
_SOURCE = re.compile(r"^(?:来源|信息来源|文章来源|稿源|责任编辑)\s*[:：]|^[（(]此件.{0,12}[）)]$")
_CLOSING = re.compile(r"^(?:附件|附表)\s*[\d一二三四五六七八九十]*\s*[:：]|联系人\s*[:：]|联系电话\s*[:：]|^抄送\s*[:：]")
_ISSUER = re.compile(r"(?:人民政府|办公厅|办公室|委员会|部|局|厅|院|委|署|会)$")
_TITLE_HINT = re.compile(r"关于.+(?:批复|通知|意见|方案|办法|决定|规定|细则|规划|纲要)$")
_NAMED = re.compile(r"《([^》]{2,80})》")


def squeeze(line: str) -> str:
    """A line without its blanks: 目　　录 -> 目录, 第一章　总　　则 -> 第一章总则."""
    return re.sub(r"\s+", "", line)


def is_number_line(line: str) -> bool:
    """Whether a line is a document number and nothing else: 国科发资〔2020〕132号, （〔十五届〕第19号）."""
    return bool(_NUMBER.match(line.strip()))


def _headlike(line: str, limit: int = 100) -> bool:
    return bool(line) and len(line) <= limit and not _SENTENCE.search(line)


@dataclass(frozen=True, slots=True)
class Matter:
    """Each non-blank line's span, and the role of every line that is not the document's own text."""

    lines: tuple[tuple[int, int], ...]  # stripped (start, end) of every non-blank line
    roles: dict[int, str]  # line index -> role, for front and back matter and closing lines
    title: int | None  # index of the title line
    toc: tuple[int, ...]  # 目录 entries, skipped

    def text(self, source: str, index: int) -> str:
        a, b = self.lines[index]
        return source[a:b]

    def indices(self, role: str) -> list[int]:
        return [i for i, r in sorted(self.roles.items()) if r == role]


def nonblank_lines(text: str) -> tuple[tuple[int, int], ...]:
    """The stripped span of every line with content (a byte-order mark is not content)."""
    out = []
    for start, end in text_lines(text):
        a, b = strip_span(text, start, end)
        if a < b:
            out.append((a, b))
    return tuple(out)


def _front_line(line: str) -> str | None:
    """The role of a line that may follow the title: a note, a number, an issuer, a date."""
    if _NOTE.match(line) and len(line) <= 200:
        return NOTE
    if is_number_line(line):
        return NUMBER
    if _DATE_ONLY.match(line):
        return DATE_LINE
    if _headlike(line, 40) and _ISSUER.search(line) and not re.match(r"^第[一二三四五六七八九十百零〇\d]+[编章节条]", line):
        return SIGNATURE
    return None


def _announcement(lines: list[str], i: int, roles: dict[int, str]) -> int | None:
    """Read an announcement that opens at line i; return the index of the title it announces, if any."""
    named: set[str] = set()
    last_date = None
    for j in range(i + 1, min(len(lines), i + 15)):
        line = lines[j]
        if squeeze(line) in named:
            return j
        role = NUMBER if is_number_line(line) else DATE_LINE if _DATE_ONLY.match(line) else None
        if role is None and _SENTENCE.search(line):
            named |= {squeeze(n) for n in _NAMED.findall(line)}
            role = ANNOUNCED
        elif role is None and last_date is not None and _headlike(line):
            return j  # the first heading-like line after the announcement's date is the title
        roles[j] = role or SIGNATURE
        if role == DATE_LINE:
            last_date = j
    for j in [k for k in roles if k > i]:
        del roles[j]
    return None


def _title(lines: list[str], roles: dict[int, str]) -> int | None:
    """Find the title among the heading-like lines that open the document."""
    i = 0
    while i < min(len(lines), 3) and ("|" in lines[i] or "｜" in lines[i]) and i + 1 < len(lines):
        roles[i] = HEADLINE
        i += 1
    if i < len(lines) and _ANNOUNCEMENT.match(lines[i]) and i + 1 < len(lines):
        roles[i] = ANNOUNCEMENT
        found = _announcement(lines, i, roles)
        if found is not None:
            return found
        del roles[i]
    leading = []
    for j in range(i, min(len(lines), i + 6)):
        if not _headlike(lines[j]):
            break
        if _front_line(lines[j]) is None:
            leading.append(j)
    hinted = [j for j in leading if _TITLE_HINT.search(lines[j])]
    chosen = hinted or leading
    return chosen[0] if chosen else None


def _toc(lines: list[str], i: int) -> tuple[int, ...]:
    """The entries of a 目录 that opens at line i: up to the line that repeats the first entry."""
    entries: list[int] = []
    for j in range(i + 1, len(lines)):
        if entries and squeeze(lines[j]) == squeeze(lines[entries[0]]):
            return tuple(entries)
        if not _headlike(lines[j]):
            break
        entries.append(j)
    return ()  # no repeat: the lines after 目录 are the text itself


def read_matter(text: str) -> Matter:
    """Find the title and give every line around the text its role."""
    spans = nonblank_lines(text)
    lines = [text[a:b].lstrip("\ufeff") for a, b in spans]
    roles: dict[int, str] = {}
    title = _title(lines, roles)
    if title is not None:
        roles[title] = TITLE
    toc: tuple[int, ...] = ()
    j = (title + 1) if title is not None else max(roles, default=-1) + 1
    while j < len(lines):
        role = _front_line(lines[j])
        if role is None and squeeze(lines[j]) == "目录":
            toc = _toc(lines, j)
            roles.update({k: TOC for k in (j, *toc)})
            j += len(toc) + 1
            continue
        if role is None:
            break
        roles[j] = role
        j += 1
    body = j
    # From the end up: 来源 and 此件公开 lines, the date, and the signature lines just above it.
    k, dated = len(lines) - 1, None
    while k >= body:
        line = lines[k]
        if _SOURCE.match(line):
            roles[k] = SOURCE
        elif _DATE_ONLY.match(line):
            roles[k], dated = DATE_LINE, k
        elif dated is not None and dated - k <= 3 and _headlike(line, 40) and not _CLOSING.search(line) and "：" not in line:
            roles[k] = SIGNATURE
        else:
            break
        k -= 1
    for k in range(body, len(lines)):
        if k in roles:
            continue
        if _CLOSING.search(lines[k]) and _headlike(lines[k], 160):
            roles[k] = CLOSING
        elif is_number_line(lines[k]):
            roles[k] = NUMBER
    return Matter(spans, roles, title, toc)
