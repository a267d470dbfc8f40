"""Spoken Chinese in the documents' words: 赚了钱 is 收益, 卖出去 is 转让, 变成钱 is 资本化.

A colloquial question shares few words with the clause it is about, so its
lexical signals (search, the quote, whether the corpus holds its concepts at
all) read it as off-topic. data/spoken.tsv, one reviewed file, lists spoken
forms with the terms policy documents use for them. A form found in a question
stands for its preferred term wherever the documents' words count, and a text
holding any of the form's terms holds that concept (跨地区: 跨行政区域 or
跨省市); search is given the form and all its terms, for a corpus that writes
either.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["SPOKEN", "Spoken", "spoken_forms"]

SPOKEN = "spoken.tsv"


class Spoken:
    """The spoken forms of one table, matched longest first."""

    def __init__(self, table: dict[str, tuple[str, ...]]):
        self.table = table
        self._by_first: dict[str, list[str]] = {}  # first character -> the forms it starts, longest first
        for key in sorted(table, key=len, reverse=True):
            self._by_first.setdefault(key[0], []).append(key)
        self._alternatives: dict[str, tuple[str, ...]] | None = None

    def find(self, text: str) -> list[tuple[str, str]]:
        """(spoken form, preferred term) for each form the text holds, in the order of the text."""
        return list(self.read(text)[2])

    def rewrite(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The text with each spoken form replaced by its preferred term, and all its terms in order (for search)."""
        rewritten, terms, _ = self.read(text)
        return rewritten, terms

    def read(self, text: str) -> tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]:
        """In one pass: what rewrite gives, and what find gives."""
        terms: list[str] = []
        found: list[tuple[str, str]] = []
        out: list[str] = []
        i = 0
        while i < len(text):  # leftmost, then longest: what one alternation of all forms would match, without compiling it (5 ms)
            form = next((f for f in self._by_first.get(text[i], ()) if text.startswith(f, i)), None)
            if form is None:
                out.append(text[i])
                i += 1
                continue
            written = self.table[form]
            terms.extend(written)
            found.append((form, written[0]))
            out.append(" " + written[0] + " ")
            i += len(form)
        return "".join(out), tuple(terms), tuple(found)

    def alternatives(self, term: str) -> tuple[str, ...]:
        """The other terms a preferred term stands with (跨行政区域: 跨省市): one concept, written either way."""
        if self._alternatives is None:
            grouped: dict[str, dict[str, None]] = {}
            for terms in self.table.values():
                grouped.setdefault(terms[0], {}).update(dict.fromkeys(terms[1:]))
            self._alternatives = {first: tuple(t for t in rest if t != first) for first, rest in grouped.items()}
        return self._alternatives.get(term, ())


def _parse(text: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        form, sep, terms = line.partition("\t")
        found = tuple(t.strip() for t in terms.split("|") if t.strip())
        if not sep or not form.strip() or not found:
            raise ValueError(f"{SPOKEN} line {number}: expected 'spoken form<TAB>term|term', found {line!r}")
        table[form.strip()] = found
    return table


@lru_cache(maxsize=1)
def spoken_forms() -> Spoken:
    """The shipped table (data/spoken.tsv), read once."""
    return Spoken(_parse((Path(__file__).parent / "data" / SPOKEN).read_text(encoding="utf-8")))
