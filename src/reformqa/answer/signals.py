"""Answer-level lexical signals: how much of a question's wording a text carries, and how much no clause does.

Words weigh by rarity (the inverse document frequency of the search index's
BM25 vocabulary), so a clause that carries 包干制 counts for more than one
that carries 科研.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["Lexicon"]


class Lexicon:
    """Word weights of one index, and the coverage signals built on them."""

    def __init__(self, idf: Mapping[str, float], max_idf: float, synonyms: Mapping[str, str] | None = None):
        self._idf = idf
        self._max_idf = max_idf
        self._synonyms = synonyms or {}  # word -> a corpus word with the same sense (answer.synonyms)

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
        return sum(self.weight(w) for w in words if w in text_norm) / total

    def present(self, word: str) -> bool:
        """Whether the word occurs anywhere in the corpus: as a token, as adjacent character pairs, or through a synonym."""
        if word in self._idf or word in self._synonyms:
            return True
        # The index holds every character bigram of the text (~ab): a word jieba cut
        # differently in the clauses is still found when all its bigrams are there.
        pairs = [word[i : i + 2] for i in range(len(word) - 1)]
        return bool(pairs) and all("~" + p in self._idf for p in pairs)

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
