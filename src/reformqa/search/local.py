"""The default backend, ``local``: an opened index folder (FAISS, bm25s, spans.npy) searched in this process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .backend import ClauseTable, Where, distinct
from .clauses import ClauseRecords
from .store import IVF_NPROBE, StoredIndex

__all__ = ["LocalBackend"]

_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


class LocalBackend:
    """Answers the backend's queries from the files of one index folder, read into memory (spans memory-mapped)."""

    name = "local"

    def __init__(self, index: StoredIndex):
        self.index = index
        self.path, self.manifest, self.clauses, self.regions = index.path, index.manifest, index.clauses, index.regions
        self.documents, self.tokenizer, self.gazetteer = index.documents, index.tokenizer, index.gazetteer
        self.calibration, self.other_places = index.calibration, index.other_places
        self.table = ClauseTable(index.clauses)
        clauses = index.clauses
        counts = clauses.span_counts if isinstance(clauses, ClauseRecords) else np.array([len(c.spans) for c in clauses], dtype=np.int64)
        self._span_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def dense(self, vector: np.ndarray, k: int, where: Where | None = None) -> tuple[np.ndarray, np.ndarray]:
        """FAISS's k nearest clauses, within the restriction if one is given."""
        import faiss

        n = len(self.clauses)
        params: Any = None
        if where is not None:
            admitted = self.table.select(where)
            if not len(admitted):
                return _EMPTY
            selector = faiss.IDSelectorBatch(admitted.astype(np.int64))
            ivf = faiss.try_extract_index_ivf(self.index.vectors) is not None  # the index itself says, whatever the manifest
            params = faiss.SearchParametersIVF() if ivf else faiss.SearchParameters()
            params.sel = selector
            if ivf:
                params.nprobe = IVF_NPROBE
            n = len(admitted)
        if n == 0:
            return _EMPTY
        query = vector.reshape(1, -1).astype(np.float32)
        if params is None:
            distances, ids = self.index.vectors.search(query, min(n, k))
        else:
            distances, ids = self.index.vectors.search(query, min(n, k), params=params)
        ok = ids[0] >= 0
        return ids[0][ok].astype(np.int64), distances[0][ok].astype(np.float32)

    def best_span(self, vector: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Sub-clause cosines for the given clauses only, read through per-clause row offsets."""
        best = np.full(len(positions), np.nan, dtype=np.float32)
        if not len(positions) or not self._span_start[-1]:
            return best
        lengths = self._span_start[positions + 1] - self._span_start[positions]
        has = lengths > 0
        if has.any():
            owners, lengths = positions[has], lengths[has]
            firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            rows = np.repeat(self._span_start[owners] - firsts, lengths) + np.arange(int(lengths.sum()))
            best[has] = np.maximum.reduceat(self.index.span_vectors[rows] @ vector, firsts)
        return best

    def span_vectors(self, position: int) -> np.ndarray:
        """Rows of spans.npy that hold one clause's sub-clause vectors."""
        return np.asarray(self.index.span_vectors[np.arange(self._span_start[position], self._span_start[position + 1])])

    def nearest_span(self, vector: np.ndarray) -> tuple[int, int] | None:
        """The row of spans.npy closest to the vector, as (clause position, sub-clause number)."""
        if not len(self.index.span_owner):
            return None
        row = int(np.argmax(self.index.span_vectors @ vector))
        position = int(self.index.span_owner[row])
        return position, row - int(self._span_start[position])

    def lexical(self, tokens: Sequence[str], k: int, wheres: Sequence[Where | None] = (None,)) -> tuple[np.ndarray, np.ndarray]:
        """bm25s scores every clause once; the best k within each restriction are kept."""
        bm25 = self.index.bm25
        known = [t for t in tokens if t in bm25.vocab_dict]
        if not known or not wheres:
            return _EMPTY
        scores = np.asarray(bm25.get_scores(known), dtype=np.float32)
        kept = []
        for where in wheres:
            # Within a restriction only its own positions are read: the same ascending array as a mask over every clause gives.
            admitted = None if where is None else self.table.select(where)
            positive = np.flatnonzero(scores > 0) if admitted is None else admitted[scores[admitted] > 0]
            if len(positive) > k:
                positive = positive[np.argpartition(-scores[positive], k)[:k]]
            kept.append(positive)
        chosen = distinct(np.concatenate(kept)).astype(np.int64)
        return chosen, scores[chosen]

    def postings(self, token: str) -> frozenset[int] | None:
        """Straight from BM25's inverted index: the token's posting list."""
        scores, i = self.index.bm25.scores, self.index.bm25.vocab_dict.get(token)
        if i is None or i + 1 >= len(scores["indptr"]):
            return None
        return frozenset(int(d) for d in scores["indices"][scores["indptr"][i] : scores["indptr"][i + 1]])

    def document_frequencies(self) -> Mapping[str, int]:
        """Straight from BM25's inverted index: the length of each token's posting list."""
        indptr = self.index.bm25.scores["indptr"]
        return {tok: int(indptr[i + 1] - indptr[i]) for tok, i in self.index.bm25.vocab_dict.items() if i + 1 < len(indptr)}
