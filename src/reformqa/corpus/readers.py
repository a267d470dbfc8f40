"""Turning each file format into the plain text that offsets and quotes refer to.

Plain text and Markdown are used exactly as stored. HTML (e.g. saved from
gov.cn), Word (.docx) and PDF are reduced to one line per paragraph; that
extracted text is kept with the index, so every quote is still a verbatim
slice of the text a citation points into.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from ..errors import MissingDependency, SeedError
from ..lazy import LazyPattern

__all__ = ["READERS", "SUFFIXES", "extract_text"]

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "title", "td"}
_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "select", "button"}
# gov.cn and most CMSs wrap the document body in one of these.
_CONTENT_HINT = LazyPattern(r"pages_content|trs_editor|article|content|zoom|main", re.IGNORECASE)
_BLANKS = LazyPattern(r"[ \t\u3000\xa0]+")


class _HTMLText(HTMLParser):
    """Collect text by block, remembering which blocks look like the main content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False
        self._current: list[str] = []
        self._content_depth: list[int] = []
        self.content_lines: list[str] = []
        self._depth = 0

    def _flush(self) -> None:
        line = _BLANKS.sub(" ", "".join(self._current)).strip()
        if line:
            self.lines.append(line)
            if self._content_depth:
                self.content_lines.append(line)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._depth += 1
        if tag in _SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK:
            self._flush()
        marks = " ".join(v or "" for k, v in attrs if k in ("id", "class"))
        if tag in ("div", "article", "section", "td") and _CONTENT_HINT.search(marks):
            self._content_depth.append(self._depth)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in _BLOCK:
            self._flush()
        if self._content_depth and self._content_depth[-1] == self._depth:
            self._content_depth.pop()
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._current.append(data)


def _html(path: Path) -> str:
    raw = path.read_bytes()
    match = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
    encoding = match.group(1).decode() if match else "utf-8"
    try:
        markup = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise SeedError(f"{path.name}: cannot decode the page as {encoding}") from None
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    lines = parser.content_lines if len("".join(parser.content_lines)) > 200 else parser.lines
    # A page title is "正文标题_栏目_网站": keep it only when the body does not give the title.
    title = re.split(r"[_|｜]| - ", _BLANKS.sub(" ", parser.title).strip())[0].strip()
    if title and title not in lines[:5]:
        lines = [title, *lines]
    return "\n".join(lines) + "\n"


def _docx(path: Path) -> str:
    try:
        import docx
    except ImportError as exc:
        raise MissingDependency("reading .docx needs python-docx: pip install python-docx") from exc
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise SeedError(f"{path.name}: not a readable Word document ({type(exc).__name__})") from None
    lines = [_BLANKS.sub(" ", p.text).strip() for p in document.paragraphs]
    return "\n".join(line for line in lines if line) + "\n"


def _pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError as exc:
        raise MissingDependency("reading .pdf needs pypdf: pip install pypdf") from exc
    try:
        pages = [page.extract_text() or "" for page in PdfReader(str(path)).pages]
    except Exception as exc:  # pypdf raises several kinds for a damaged file
        raise SeedError(f"{path.name}: not a readable PDF ({type(exc).__name__})") from None
    lines = [_BLANKS.sub(" ", _RADICALS.sub(_unradical, line)).strip() for page in pages for line in page.splitlines()]
    return _join_wrapped([line for line in lines if line]) + "\n"


# PDF fonts often map ideographs to look-alike Kangxi radicals (⽰ U+2F70 for 示):
# extracted text must read, and match, as the characters printed on the page.
_RADICALS = LazyPattern(r"[\u2e80-\u2eff\u2f00-\u2fdf]")


# CJK Radicals Supplement forms have no NFKC mapping; these are the ones PDFs use.
_SUPPLEMENT = dict(zip("⺠⻓⻔⻢⻛⻜⻝⻋⻅⻆⻉⻩⻬⻮⻰⻳⻚⻥⻦⻧⻨⻙⻣⻤⻄⺟⺩⺬⻘⻊⻏", "民长门马风飞食车见角贝黄齐齿龙龟页鱼鸟卤麦韦骨鬼西母王示青足邑"))


def _unradical(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _SUPPLEMENT.get(ch) or unicodedata.normalize("NFKC", ch)


def _join_wrapped(lines: list[str]) -> str:
    """PDF lines break where the page does: rejoin a line that does not end a sentence or start a heading."""
    heading = re.compile(r"^(第[一二三四五六七八九十百零〇\d]+[章条节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])")
    out: list[str] = []
    for line in lines:
        if out and not heading.match(line) and not re.search(r"[。；;：:！？!?]$", out[-1]) and len(out[-1]) >= 20:
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path.name}: not UTF-8 (byte {exc.start}); convert it, e.g. iconv -f GB18030 -t UTF-8") from None


READERS = {".txt": _text, ".md": _text, ".html": _html, ".htm": _html, ".docx": _docx, ".pdf": _pdf}
SUFFIXES = tuple(READERS)


def extract_text(path: Path) -> str:
    """The text of a supported file; raise SeedError for anything unreadable."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SeedError(f"{path.name}: unsupported file type; reformqa reads {', '.join(SUFFIXES)}")
    return reader(path)
