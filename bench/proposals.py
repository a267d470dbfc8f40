"""The core changes this benchmark recommends, written so that the benchmark can measure them.

Nothing here is imported by reformqa: each piece mirrors one change to
src/reformqa/ (named in its docstring) and is measured against the code as
shipped, on the same questions, with the answers compared.

1. ``other_places``: test ``place in text`` before the boundary regex
   (query.other_places; same result, most places never reach the regex).
2. ``CandidateRetriever``: search over the union of the FAISS candidates and
   the top BM25 candidates instead of every clause with a BM25 score above 0;
   sub-clause cosines only for those candidates, through per-clause row
   offsets (retrieve.Retriever; answer.choose_quote uses the offsets too).
3. ``AnswerCache``: Project.ask remembers its last answers, keyed by the
   question as asked and the options.
4. ``index_factory_for``: the FAISS index type chosen by corpus size (index.write_index).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import numpy as np
from reformqa.answer import choose_quote as _shipped_choose_quote
from reformqa.records import Hit
from reformqa.retrieve import CANDIDATES, Retriever

__all__ = ["other_places", "CandidateRetriever", "choose_quote", "AnswerCache", "index_factory_for"]


@lru_cache(maxsize=None)
def _latin_place(place: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z']){re.escape(place)}(?![a-z'])")


def other_places(normalized: str, places: list[str]) -> tuple[str, ...]:
    """query.other_places, but a place must occur as a substring before its boundary regex runs."""
    return tuple(p for p in places if p in normalized and (not p.isascii() or _latin_place(p).search(normalized)))


class CandidateRetriever(Retriever):
    """retrieve.Retriever whose per-query work grows with the candidates, not with the corpus.

    Written as overrides of the shipped methods, so that it follows the core:
    ``search`` remembers the query and the filters, ``dense_scores`` remembers
    the FAISS candidates and scores sub-clauses through row offsets, and
    ``bm25_scores`` keeps only the top CANDIDATES BM25 scores (overall, within
    the regions the question names, within the filter) plus those of the FAISS
    candidates: the shipped search's candidate set, ``~isnan(dense) | (lexical > 0)``,
    then holds at most a few hundred clauses, and its loops over candidates
    (region boost, answer-type nudge) stay short.
    """

    @classmethod
    def from_retriever(cls, base: Retriever, span_rows: Any = None, span_counts: np.ndarray | None = None) -> CandidateRetriever:
        """Share an opened Retriever's state (its per-clause normal forms, idf) and add the arrays below."""
        self = cls.__new__(cls)
        self.__dict__.update(base.__dict__)
        stored = self.stored
        names = sorted({c.region for c in stored.clauses if c.region is not None})
        self._region_code = {name: i for i, name in enumerate(names)}
        # What the change adds to Retriever.__init__: a region code per clause and span row offsets.
        self._region_of = np.array([self._region_code.get(c.region, -1) for c in stored.clauses], dtype=np.int32)
        counts = span_counts
        if counts is None:
            counts = np.bincount(stored.span_owner, minlength=len(stored.clauses)) if len(stored.span_owner) else np.zeros(len(stored.clauses), np.int64)
        self._span_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        # span_rows: the sub-clause vectors, any array-like indexable by a row array (np.load(..., mmap_mode="r") in the core).
        self._span_rows = stored.span_vectors if span_rows is None else span_rows
        self._asked: tuple = (None, ())
        self._dense_ids = np.zeros(0, np.int64)
        return self

    def span_rows(self, position: int) -> np.ndarray:
        """Row numbers of one clause's sub-clause vectors."""
        return np.arange(self._span_start[position], self._span_start[position + 1])

    def search(self, query, *, mode: str = "full", **options) -> list[Hit]:
        self._asked = (query if mode == "full" else None, tuple(options.get("regions", ()) or ()))
        self._dense_ids = np.zeros(0, np.int64)
        return super().search(query, mode=mode, **options)

    def _top_lexical(self, lexical: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        """Positions of the CANDIDATES best BM25 scores above 0 (among the masked clauses)."""
        positive = np.flatnonzero((lexical > 0) if mask is None else (lexical > 0) & mask)
        if len(positive) > CANDIDATES:
            positive = positive[np.argpartition(-lexical[positive], CANDIDATES)[:CANDIDATES]]
        return positive

    def bm25_scores(self, tokens) -> np.ndarray:
        lexical = super().bm25_scores(tokens)
        if np.count_nonzero(lexical) <= CANDIDATES:
            return lexical
        query, regions = self._asked
        keep = [self._dense_ids, self._top_lexical(lexical, None)]
        for names in ((query.regions if query is not None else ()), regions):
            if names:
                keep.append(self._top_lexical(lexical, np.isin(self._region_of, [self._region_code.get(r, -2) for r in names])))
        kept = np.unique(np.concatenate(keep))
        out = np.zeros_like(lexical)
        out[kept] = lexical[kept]
        return out

    def dense_scores(self, vector: np.ndarray) -> np.ndarray:
        n = len(self.stored.clauses)
        scores = np.full(n, np.nan, dtype=np.float32)
        distances, ids = self.stored.vectors.search(vector.reshape(1, -1).astype(np.float32), min(n, CANDIDATES))
        ok = ids[0] >= 0
        found = ids[0][ok]
        self._dense_ids = found
        scores[found] = distances[0][ok]
        if self.span_weight and len(found) and self._span_start[-1]:
            lengths = self._span_start[found + 1] - self._span_start[found]
            has = found[lengths > 0]
            lengths = lengths[lengths > 0]
            if len(has):
                starts = np.repeat(self._span_start[has] - np.cumsum(np.concatenate([[0], lengths[:-1]])), lengths)
                rows = starts + np.arange(int(lengths.sum()))
                cos = np.asarray(self._span_rows[rows], dtype=np.float32) @ vector
                best = np.maximum.reduceat(cos, np.concatenate([[0], np.cumsum(lengths)[:-1]]))
                scores[has] = (1 - self.span_weight) * scores[has] + self.span_weight * best
        return scores


class _OneClause:
    """A retriever seen through one clause: its sub-clause rows only, everything else delegated."""

    def __init__(self, retriever: CandidateRetriever, position: int):
        rows = retriever.span_rows(position)
        self._retriever = retriever
        self.stored = _StoredView(retriever.stored, np.full(len(rows), position, dtype=np.int64), np.asarray(retriever._span_rows[rows], dtype=np.float32))

    def __getattr__(self, name):
        return getattr(self._retriever, name)


class _StoredView:
    def __init__(self, stored, span_owner: np.ndarray, span_vectors: np.ndarray):
        self._stored, self.span_owner, self.span_vectors = stored, span_owner, span_vectors

    def __getattr__(self, name):
        return getattr(self._stored, name)


def choose_quote(retriever: Retriever, query, hit: Hit, qvec: np.ndarray) -> tuple[int, int]:
    """answer.choose_quote fed the clause's span rows through offsets instead of a scan of every span's owner."""
    # The core now reads a clause's rows through offsets itself (ported from this proposal).
    return _shipped_choose_quote(retriever, query, hit, qvec)


class AnswerCache:
    """Project.ask with its last `size` answers remembered (an Answer is immutable, so sharing it is safe)."""

    def __init__(self, project, size: int = 256):
        self.project, self.size = project, size
        self._answers: OrderedDict[tuple, Any] = OrderedDict()

    def ask(self, question: str, *, k: int = 3, region: str | None = None, mode: str = "full"):
        key = (question.strip(), k, region, mode)
        answer = self._answers.get(key)
        if answer is None:
            answer = self.project.ask(question, k=k, region=region, mode=mode)
            self._answers[key] = answer
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        else:
            self._answers.move_to_end(key)
        return answer


def index_factory_for(n_clauses: int, rule: dict[str, Any]) -> str:
    """The FAISS factory string the measured rule picks for a corpus of n_clauses."""
    return "Flat" if n_clauses < rule["flat_below"] else rule["above"]
