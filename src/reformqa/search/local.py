"""The default backend, ``local``: an opened index folder (FAISS, bm25s, spans.npy) searched in this process."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np

from .backend import ClauseTable, Where, distinct
from .background import worker
from .clauses import ClauseRecords
from .store import IVF_NPROBE, StoredIndex

__all__ = ["SCORE_AHEAD_FROM", "LocalBackend"]

_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
# BM25 scores need no vector: from this many clauses on, a question's are computed on a second thread while its
# vector is embedded and FAISS searched (bench/: at 1M clauses scoring was the largest stage, p95 36 ms; below
# 10,000 it is a fraction of a millisecond, less than handing it to a thread).
SCORE_AHEAD_FROM = 50_000


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
        # BM25 scores and the best k overall being computed ahead, and for which tokens and k.
        self._ahead: tuple[tuple[tuple[str, ...], int], Future[tuple[np.ndarray, np.ndarray]]] | None = None
        self._ahead_lock = threading.Lock()

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

    def score_ahead(self, tokens: Sequence[str], k: int) -> None:
        """On a large index, start scoring these tokens, and choosing the best k overall, on the BM25 thread;
        `lexical` for the same tokens and k takes the result."""
        known = tuple(t for t in tokens if t in self.index.bm25.vocab_dict)
        if known and len(self.clauses) >= SCORE_AHEAD_FROM:
            with self._ahead_lock:  # one slot: a concurrent question's tokens replace it, and that question scores its own
                self._ahead = ((known, k), worker("bm25").submit(self._score_and_choose, known, k))

    def _scores(self, known: Sequence[str]) -> np.ndarray:
        return np.asarray(self.index.bm25.get_scores(list(known)), dtype=np.float32)

    def _score_and_choose(self, known: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        scores = self._scores(known)
        return scores, self._best(scores, None, k)

    def _best(self, scores: np.ndarray, where: Where | None, k: int) -> np.ndarray:
        """Positions of the k best positive scores within a restriction (None: all), in no order."""
        # Within a restriction only its own positions are read: the same ascending array as a mask over every clause gives.
        admitted = None if where is None else self.table.select(where)
        positive = np.flatnonzero(scores > 0) if admitted is None else admitted[scores[admitted] > 0]
        return positive[np.argpartition(-scores[positive], k)[:k]] if len(positive) > k else positive

    def lexical(self, tokens: Sequence[str], k: int, wheres: Sequence[Where | None] = (None,)) -> tuple[np.ndarray, np.ndarray]:
        """bm25s scores every clause once (or scored them ahead); the best k within each restriction are kept."""
        known = tuple(t for t in tokens if t in self.index.bm25.vocab_dict)
        if not known or not wheres:
            return _EMPTY
        ahead = None
        with self._ahead_lock:
            if self._ahead is not None and self._ahead[0] == (known, k):
                ahead, self._ahead = self._ahead[1], None
        scores, overall = ahead.result() if ahead is not None else (self._scores(known), None)
        kept = [overall if where is None and overall is not None else self._best(scores, where, k) for where in wheres]
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
