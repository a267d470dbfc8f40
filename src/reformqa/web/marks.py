"""What the UI marks in a quote: the question's whole words, and more strongly the part that answers (a figure, a bound).

Nothing here changes a quoted character. Text goes through ``escape``, which
turns HTML, Markdown and LaTeX syntax into character references, so a clause
or a question holding ``<script>``, ``**x**`` or ``$$x$$`` shows exactly
that. Words are found on the matching form of the text (``normalize``) and
mapped back onto the original characters, which are then wrapped, never
rewritten. A word is marked only where it stands as a word: 科研 is not
marked inside 科研院所, whose other half the question did not ask about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..normalize import fold, normalize

__all__ = ["Marker", "escape", "find_words", "figures", "marked"]

# Character references for everything HTML, Markdown, LaTeX or a template could read as syntax.
_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "*_`$[]~\\#|{}:@!^=+-'\"\r"}
_ESCAPES.update({ord("<"): "&lt;", ord(">"): "&gt;", ord("&"): "&amp;", ord("\n"): "&#10;"})
# A figure as policy texts state one, with the bound before it: 不低于70%, 10年, 百分之五十, 500万元.
_FIGURE = re.compile(
    r"(?:(?:不|最)?(?:低于|少于|超过|高于|多于)|至少|最高|最多|最长|原则上)?"
    r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+(?=[年个%％倍万亿元]|个?月))"
    r"(?:\s*(?:%|％|个百分点|年|个月|月|日|天|倍|万元|亿元|元|万|亿|人|家|项))"
    r"|百分之[一二三四五六七八九十百零]+"
)
_WORDLIKE = re.compile(r"\w")


def escape(text: str) -> str:
    """Text as HTML that shows every character literally, in HTML, Markdown and LaTeX alike.

    Safe inside attribute values too: both quote characters are references.
    """
    return text.translate(_ESCAPES)


def _alignment(text: str) -> tuple[str, list[int], list[int]]:
    """normalize(text), and for each of its characters the original span it stands for."""
    folded, origin = fold(text)
    norm = normalize(text)
    starts, ends = [0] * len(norm), [0] * len(norm)
    # 百分之七十 -> 70%: a rewritten run maps onto the whole original run.
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, folded, norm, autojunk=False).get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                starts[j], ends[j] = origin[i1 + j - j1], origin[i1 + j - j1] + 1
            else:
                starts[j] = origin[i1] if i1 < len(origin) else len(text)
                ends[j] = origin[i2 - 1] + 1 if i2 > i1 else starts[j]
    return norm, starts, ends


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _tokens(norm: str, cut: Callable[[str], Sequence[str]] | None) -> list[tuple[int, int]]:
    """(start, end) of each word of the normalised text, by the tokenizer's precise cut; punctuation splits too."""
    if cut is None:
        return []
    spans, at = [], 0
    for term in cut(norm):
        i = norm.find(term, at)
        if i >= 0:
            # 包干制+负面清单 is one dictionary word, but + ends a word as much as a space does.
            spans += [(i + m.start(), i + m.end()) for m in re.finditer(r"\w+", term)]
            at = i + len(term)
    return spans


def find_words(text: str, words: Iterable[str], cut: Callable[[str], Sequence[str]] | None = None) -> list[tuple[int, int]]:
    """Where the (normalised) words occur in the original text as whole words, merged, in order.

    With a tokenizer's precise cut, a match inside a longer word counts only when the
    question's words cover that word entirely (科研 + 经费 in 科研经费, not 科研 in 科研院所).
    """
    wanted = sorted({w for w in words if len(w) >= 2 or any(c.isdigit() for c in w)}, key=len, reverse=True)
    if not wanted or not text:
        return []
    norm, starts, ends = _alignment(text)
    found: list[tuple[int, int]] = []
    for word in wanted:
        at = norm.find(word)
        while at != -1:
            found.append((at, at + len(word)))
            at = norm.find(word, at + len(word))
    tokens = _tokens(norm, cut)
    if tokens:
        covered = _merge(found)
        kept = []
        for a, b in found:
            inside = [t for t in tokens if t[0] < b and a < t[1]]
            # Every word it touches is either its own edge or wholly covered by the question's words.
            if all((t[0] >= a and t[1] <= b) or any(c[0] <= t[0] and t[1] <= c[1] for c in covered) for t in inside):
                kept.append((a, b))
        found = kept
    return [(starts[a], ends[b - 1]) for a, b in _merge(found)]


def figures(text: str) -> list[tuple[int, int]]:
    """Where the text states a figure (不低于70%, 10年, 百分之五十): the part of a quote that answers 多少 or 多久."""
    return [(m.start(), m.end()) for m in _FIGURE.finditer(text) if _WORDLIKE.search(m.group(0))]


def marked(text: str, spans: Sequence[tuple[int, int]], strong: Sequence[tuple[int, int]] = ()) -> str:
    """Escaped text with the question's words in <mark class="rq-hit"> and the answering part in <mark class="rq-key">."""
    kinds = [""] * len(text)
    for start, end in spans:
        kinds[start:end] = ["rq-hit"] * (end - start)
    for start, end in strong:
        kinds[start:end] = ["rq-key"] * (end - start)
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and kinds[j] == kinds[i]:
            j += 1
        piece = escape(text[i:j])
        out.append(f'<mark class="{kinds[i]}">{piece}</mark>' if kinds[i] else piece)
        i = j
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Marker:
    """What to mark in the quotes of one answer: the question's words, as whole words, and the figures that answer."""

    words: tuple[str, ...] = ()
    cut: Callable[[str], Sequence[str]] | None = None  # the tokenizer's precise cut, for whole words
    answers: bool = True  # mark the answering part (not in the nearest clauses of a 未提及)

    def html(self, text: str) -> str:
        """The text, escaped, with its marks."""
        return marked(text, find_words(text, self.words, self.cut), figures(text) if self.answers else ())

    def quiet(self) -> Marker:
        """The same words, without the answering part: for clauses that do not answer."""
        return Marker(self.words, self.cut, answers=False)
