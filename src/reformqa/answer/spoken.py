"""Spoken Chinese in the documents' words: 赚了钱 is 收益, 卖出去 is 转让, 变成钱 is 资本化.

A colloquial question shares few words with the clause it is about, so its
lexical signals (search, the quote, whether the corpus holds its concepts at
all) read it as off-topic. data/spoken.tsv, one reviewed file, lists spoken
forms with the terms policy documents use for them. A form found in a question
stands for its terms wherever the documents' words count; search keeps the
form as well, for a corpus that writes it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["SPOKEN", "Spoken", "spoken_forms"]

SPOKEN = "spoken.tsv"


class Spoken:
    """The spoken forms of one table, matched longest first."""

    def __init__(self, table: dict[str, tuple[str, ...]]):
        self.table = table
        keys = sorted(table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def find(self, text: str) -> list[tuple[str, str]]:
        """(spoken form, preferred term) for each form the text holds, in the order of the text."""
        if self._pattern is None:
            return []
        return [(m.group(0), self.table[m.group(0)][0]) for m in self._pattern.finditer(text)]

    def rewrite(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The text with each spoken form replaced by its terms, and those terms in order."""
        if self._pattern is None:
            return text, ()
        terms: list[str] = []

        def replace(match: re.Match[str]) -> str:
            found = self.table[match.group(0)]
            terms.extend(found)
            return " " + " ".join(found) + " "

        return self._pattern.sub(replace, text), tuple(terms)


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
    return Spoken(_parse(resources.files(__package__).joinpath("data", SPOKEN).read_text(encoding="utf-8")))
