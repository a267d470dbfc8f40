"""Hybrid retrieval over an opened index: dense and BM25 scores, fused, then boosted as the request asks.

Each hit keeps every signal that ranked it (dense, bm25, their normalised
forms, fused, boost) so an answer can be explained. Modes: ``bm25`` and
``dense`` alone, ``hybrid`` (fused), and ``full`` (fused, then the clauses of
the regions a question names ranked first, and the request's text boost).
The search knows nothing of questions or quotes: the answer layer turns a
question into a ``SearchRequest`` and reads the hits' signals.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..normalize import normalize
from ..records import Clause, Hit, Span
from .embed import Embedder
from .fusion import DEFAULT_FUSION, MODES, fuse
from .store import StoredIndex

__all__ = ["MODES", "CANDIDATES", "SPAN_WEIGHT", "SearchRequest", "Retriever"]

CANDIDATES = 200
_QUERY_CACHE = 512
# A clause's dense score mixes its own cosine with its best sub-clause's: a short
# sub-clause that says exactly what was asked is not drowned by its long clause.
# eval/fusion_sweep.py: dense-only Hit@1 on dev 0.755 -> 0.830, full 0.943 -> 0.962.
SPAN_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What the search needs of a question: the text to embed, the tokens to match, the boosts to apply."""

    text: str  # normalised; embedded as the query, and the key of the vector cache
    tokens: tuple[str, ...]  # BM25 tokens
    lexical: bool = True  # False when the question shares no script with the text: dense decides
    regions: tuple[str, ...] = ()  # regions named: their clauses rank first in mode full
    scope: bool = False  # with regions: their scope sentences rank above their measures
    boost: Callable[[str], bool] | None = None  # in mode full, clauses whose text this accepts gain boost_weight
    boost_weight: float = 0.0
    dense_weight: float | None = None  # the weighted fusion's alpha for this request; None: the index's


class Retriever:
    """Scores clauses for a request with every signal the index holds."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, fusion: dict[str, object] | None = None, span_weight: float = SPAN_WEIGHT):
        self.stored = stored
        self.span_weight = span_weight
        self.embedder = embedder
        self.fusion = {**DEFAULT_FUSION, **(fusion or stored.calibration.get("fusion", {}))}
        self._normal: dict[int, str] = {}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._positions = {(c.doc_id, c.clause_id): i for i, c in enumerate(stored.clauses)}
        # Per-clause arrays, so a query's work grows with its candidates, not with the corpus
        # (bench/: at 1M clauses the per-clause Python loops took 700 ms a query).
        self._region_code = {name: i for i, name in enumerate(sorted({c.region for c in stored.clauses if c.region}))}
        self._region_of = np.array([self._region_code.get(c.region or "", -1) for c in stored.clauses], dtype=np.int32)
        self._doc_code = {name: i for i, name in enumerate(sorted({c.doc_id for c in stored.clauses}))}
        self._doc_of = np.array([self._doc_code[c.doc_id] for c in stored.clauses], dtype=np.int32)
        self._is_scope = np.array([c.kind == "scope" for c in stored.clauses], dtype=bool)
        counts = np.array([len(c.spans) for c in stored.clauses], dtype=np.int64)
        self._span_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        vocab = stored.bm25.vocab_dict
        indptr = stored.bm25.scores["indptr"]
        n = max(len(stored.clauses), 1)
        # Inverse document frequency straight from BM25's inverted index.
        self.idf: dict[str, float] = {tok: math.log(1 + n / (1 + int(indptr[i + 1] - indptr[i]))) for tok, i in vocab.items() if i + 1 < len(indptr)}
        self.max_idf = math.log(1 + n)

    def position(self, clause: Clause) -> int:
        """Where a clause sits in the index (its row in every array)."""
        return self._positions[(clause.doc_id, clause.clause_id)]

    def clause_norm(self, clause: Clause) -> str:
        """The clause's matching form, normalised on first use: opening a large index costs nothing."""
        position = self.position(clause)
        text = self._normal.get(position)
        if text is None:
            text = self._normal[position] = normalize(clause.text)
        return text

    def embed(self, text: str) -> np.ndarray:
        """A query's vector, cached: repeated questions cost nothing."""
        # One lock for cache and engine: the UI calls from several threads, and the
        # C engine's thread-safety is not documented.
        with self._lock:
            vector = self._cache.get(text)
            if vector is None:
                vector = self.embedder.embed([text], query=True)[0]
                self._cache[text] = vector
                if len(self._cache) > _QUERY_CACHE:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(text)
        return vector

    def _span_rows(self, position: int) -> np.ndarray:
        """Rows of spans.npy that hold one clause's sub-clause vectors."""
        return np.arange(self._span_start[position], self._span_start[position + 1])

    def span_dense(self, clause: Clause, vector: np.ndarray) -> np.ndarray:
        """Cosine of each of the clause's sub-clauses to a vector (zeros if the index holds none)."""
        rows = self._span_rows(self.position(clause))
        if len(rows) != len(clause.spans):
            return np.zeros(len(clause.spans))
        return np.asarray(self.stored.span_vectors[rows] @ vector)

    def nearest_span(self, vector: np.ndarray) -> tuple[Clause, Span] | None:
        """The sub-clause closest to a vector across the whole index."""
        stored = self.stored
        if not len(stored.span_owner):
            return None
        row = int(np.argmax(stored.span_vectors @ vector))
        position = int(stored.span_owner[row])
        clause = stored.clauses[position]
        return clause, clause.spans[row - int(self._span_start[position])]

    def dense_scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of every clause to the question; NaN beyond the FAISS candidates."""
        n = len(self.stored.clauses)
        scores = np.full(n, np.nan, dtype=np.float32)
        distances, ids = self.stored.vectors.search(vector.reshape(1, -1).astype(np.float32), min(n, CANDIDATES))
        ok = ids[0] >= 0
        found = ids[0][ok]
        scores[found] = distances[0][ok]
        if self.span_weight and len(found) and self._span_start[-1]:
            # Sub-clause cosines for the candidates only, read through per-clause row offsets.
            lengths = self._span_start[found + 1] - self._span_start[found]
            has, lengths = found[lengths > 0], lengths[lengths > 0]
            if len(has):
                firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
                rows = np.repeat(self._span_start[has] - firsts, lengths) + np.arange(int(lengths.sum()))
                best = np.maximum.reduceat(self.stored.span_vectors[rows] @ vector, firsts)
                scores[has] = (1 - self.span_weight) * scores[has] + self.span_weight * best
        return scores

    def bm25_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 of every clause; zero when no query token is in the vocabulary."""
        known = [t for t in tokens if t in self.stored.bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.stored.clauses), dtype=np.float32)
        return np.asarray(self.stored.bm25.get_scores(known), dtype=np.float32)

    def _top(self, lexical: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        positive = np.flatnonzero(lexical > 0 if mask is None else (lexical > 0) & mask)
        if len(positive) > CANDIDATES:
            positive = positive[np.argpartition(-lexical[positive], CANDIDATES)[:CANDIDATES]]
        return positive

    def _mask(self, codes: dict[str, int], of: np.ndarray, names: Sequence[str]) -> np.ndarray:
        return np.isin(of, [codes.get(name, -2) for name in names])

    def search(self, request: SearchRequest, *, mode: str = "full", k: int = 10, regions: Sequence[str] = (), docs: Sequence[str] = ()) -> list[Hit]:
        """Rank clauses for the request; `regions` and `docs` restrict to those outright."""
        n = len(self.stored.clauses)
        if n == 0:
            return []
        vector = self.embed(request.text) if mode != "bm25" else None
        dense = self.dense_scores(vector) if vector is not None else np.full(n, np.nan, np.float32)
        lexical = self.bm25_scores(request.tokens) if mode != "dense" else np.zeros(n, np.float32)
        named = self._mask(self._region_code, self._region_of, request.regions) if request.regions else None
        if np.count_nonzero(lexical) > CANDIDATES:
            # The best BM25 clauses overall and within the regions named, beside the dense ones.
            keep = [self._top(lexical), np.flatnonzero(~np.isnan(dense))]
            for mask in (named, self._mask(self._region_code, self._region_of, regions) if regions else None):
                if mask is not None:
                    keep.append(self._top(lexical, mask))
            kept = np.unique(np.concatenate(keep))
            trimmed = np.zeros_like(lexical)
            trimmed[kept] = lexical[kept]
            lexical = trimmed
        allowed = np.ones(n, dtype=bool)
        if regions:
            allowed &= self._mask(self._region_code, self._region_of, regions)
        if docs:
            allowed &= self._mask(self._doc_code, self._doc_of, docs)
        candidates = np.flatnonzero(allowed & (~np.isnan(dense) | (lexical > 0)))
        if len(candidates) == 0:
            candidates = np.flatnonzero(allowed & ~np.isnan(dense)) if mode != "bm25" else np.flatnonzero(allowed)
        fusion = self.fusion if request.dense_weight is None else {**self.fusion, "alpha": request.dense_weight}
        fused, dense_norm, lexical_norm = fuse(dense, lexical, candidates, mode=mode, lexical_signal=request.lexical, fusion=fusion)
        boost = np.zeros(n, dtype=np.float32)
        if mode == "full" and named is not None:
            inside = candidates[named[candidates]]
            # "桐城属于哪个试点" is answered by the scope sentence that names it.
            boost[inside] = 1.0 + (0.5 * self._is_scope[inside] if request.scope else 0.0)
        if mode == "full" and request.boost is not None:
            accepts = request.boost
            boost[[i for i in candidates if accepts(self.stored.clauses[i].text)]] += request.boost_weight
        total = fused + boost
        order = candidates[np.lexsort((candidates, -total[candidates]))][:k]
        if vector is not None:
            # A clause found by its words alone, beyond the FAISS candidates, still reports how close it is (its best
            # sub-clause's cosine): a top hit with no dense score would tell abstention nothing. The ranking stays.
            for i in order[np.isnan(dense[order])]:
                rows = self._span_rows(int(i))
                if len(rows):
                    dense[i] = float(np.max(self.stored.span_vectors[rows] @ vector))
        return [
            Hit(
                clause=self.stored.clauses[i],
                score=float(total[i]),
                signals={
                    "dense": float(dense[i]) if not np.isnan(dense[i]) else 0.0,
                    "bm25": float(lexical[i]),
                    "dense_norm": float(dense_norm[i]),
                    "bm25_norm": float(lexical_norm[i]),
                    "fused": float(fused[i]),
                    "region_boost": float(boost[i]),
                },
            )
            for i in order
        ]
