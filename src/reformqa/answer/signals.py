"""Answer-level lexical signals: how much of a question's wording a text carries, and how much no clause does.

Words weigh by rarity (the inverse document frequency of the search index's
BM25 vocabulary), so a clause that carries 包干制 counts for more than one
that carries 科研.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .spoken import spoken_forms

__all__ = ["Lexicon", "abbreviates"]


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _spelled_out(word: str, text: str, at: int, k: int) -> int:
    """Where the longer form ends whose k-th kept character is text[at], or -1; gaps tried longest first, as a greedy regex would."""
    if k == len(word) - 1:
        return at + 1
    for gap in (2, 1, 0):
        nxt = at + 1 + gap
        if nxt < len(text) and text[nxt] == word[k + 1] and all(_han(c) for c in text[at + 1 : nxt]):
            end = _spelled_out(word, text, nxt, k + 1)
            if end != -1:
                return end
    return -1


def abbreviates(word: str, text: str) -> bool:
    """Whether a short Chinese word stands in the text through a longer form it abbreviates (国企: 国有企业).

    Chinese shortens a term by keeping some of its characters in order: 国企 for 国有企业, 高校 for 高等学校,
    科研 for 科学研究. Each kept character is followed by at most two others, and the full form spans at most
    twice the short one. (A scan, not a regex per word: compiling those cost a first question 6 ms.)
    """
    if not 2 <= len(word) <= 4 or word[-1] not in text or not all(_han(c) for c in word):
        return False
    start = text.find(word[0])
    while start != -1:
        end = _spelled_out(word, text, start, 0)
        if end != -1 and end - start <= 2 * len(word):
            return True
        start = text.find(word[0], start + 1)
    return False


class Lexicon:
    """Word weights of one index, and the coverage signals built on them."""

    def __init__(self, idf: Mapping[str, float], max_idf: float, synonyms: Mapping[str, str] | None = None):
        self._idf = idf
        self._max_idf = max_idf
        self._synonyms = synonyms or {}  # word -> a corpus word with the same sense (answer.synonyms)
        self._by_first: dict[str, str] | None = None  # first character -> the corpus words it starts, joined
        self._forms: dict[str, tuple[str, ...]] = {}

    def weight(self, word: str) -> float:
        """How much a word says: rare words weigh more (unseen words the most)."""
        return self._idf.get(word, self._max_idf)

    def known(self, word: str) -> bool:
        """Whether any clause of the index holds the word."""
        return word in self._idf

    def coverage(self, words: Sequence[str], text_norm: str) -> float:
        """Share of the words (weighted by rarity) that the normalised text contains."""
        if not words:
            return 0.0
        total = sum(self.weight(w) for w in words)
        return sum(self.weight(w) for w in words if self._in_text(w, text_norm)) / total

    def coverage_within(self, words: Sequence[str], whole: str) -> Callable[[str], float]:
        """`coverage(words, part)` for the parts of one text: the words the whole cannot hold are not looked for again.

        A word is in a part as itself, as one of its forms, or abbreviated, and each of these needs every character
        of the word or of a form in the part, so in the whole. The same words are summed in the same order, so each
        part's share is coverage's to the last bit (a quote scores some thirty runs of one clause's sub-clauses).
        """
        if not words:
            return lambda part: 0.0
        total = sum(self.weight(w) for w in words)
        possible = [(w, self.weight(w)) for w in words if all(c in whole for c in w) or any(f in whole for f in self._forms_of(w))]
        return lambda part: sum(weight for w, weight in possible if self._in_text(w, part)) / total

    def _forms_of(self, word: str) -> tuple[str, ...]:
        """Its synonym and its other wordings (spoken.tsv), found once a word."""
        forms = self._forms.get(word)
        if forms is None:
            synonym = self._synonyms.get(word)
            forms = self._forms[word] = ((synonym,) if synonym else ()) + spoken_forms().alternatives(word)
        return forms

    def _in_text(self, word: str, text_norm: str) -> bool:
        if word in text_norm:
            return True
        return any(form in text_norm for form in self._forms_of(word)) or abbreviates(word, text_norm)

    def present(self, word: str) -> bool:
        """Whether the word occurs anywhere in the corpus: as a token, as adjacent character pairs, or through a synonym."""
        return self._occurs(word) or any(self._occurs(alt) for alt in spoken_forms().alternatives(word))

    def _occurs(self, word: str) -> bool:
        if word in self._idf or word in self._synonyms:
            return True
        # The index holds every character bigram of the text (~ab): a word jieba cut
        # differently in the clauses is still found when all its bigrams are there.
        pairs = [word[i : i + 2] for i in range(len(word) - 1)]
        return (bool(pairs) and all("~" + p in self._idf for p in pairs)) or abbreviates(word, self._starting(word[0]))

    def _starting(self, first: str) -> str:
        """The corpus words that begin with a character, one per line (for abbreviations)."""
        if self._by_first is None:
            groups: dict[str, list[str]] = {}
            for term in self._idf:
                if term[:1] != "~" and len(term) >= 3:
                    groups.setdefault(term[0], []).append(term)
            self._by_first = {ch: "\n".join(terms) for ch, terms in groups.items()}
        return self._by_first.get(first, "")

    def missing_share(self, words: Sequence[str]) -> float:
        """Share of the words (weighted by rarity) that occur nowhere in the corpus (0.0 for no words)."""
        if not words:
            return 0.0
        total = sum(self.weight(w) for w in words)
        return sum(self.weight(w) for w in words if not self.present(w)) / total

    def unknown_share(self, words: Sequence[str]) -> float:
        """Share of the words that no clause contains at all (1.0 for no words)."""
        if not words:
            return 1.0
        return sum(1 for w in words if w not in self._idf) / len(words)
