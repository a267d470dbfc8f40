"""Hybrid retrieval over a search backend: dense and BM25 scores, fused, then boosted as the request asks.

Each hit keeps every signal that ranked it (dense, bm25, their normalised
forms, fused, boost) so an answer can be explained. Modes: ``bm25`` and
``dense`` alone, ``hybrid`` (fused), and ``full`` (fused, then the clauses of
the regions a question names ranked first, and the request's text boost).
The search knows nothing of questions or quotes: the answer layer turns a
question into a ``SearchRequest`` and reads the hits' signals. What the backend
stores and how it searches (search/backend.py) does not change the ranking.
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
from .backend import ClauseTable, SearchBackend, Where
from .embed import Embedder
from .fusion import DEFAULT_FUSION, MODES, fuse
from .local import LocalBackend
from .store import StoredIndex

__all__ = ["MODES", "CANDIDATES", "SPAN_WEIGHT", "SearchRequest", "Retriever", "Searchable"]

CANDIDATES = 200
# What a Retriever opens: an index folder as read (the local backend) or any backend.
Searchable = StoredIndex | SearchBackend
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


class Retriever:
    """Scores clauses for a request with every signal the backend holds."""

    def __init__(self, stored: Searchable, embedder: Embedder, fusion: dict[str, object] | None = None, span_weight: float = SPAN_WEIGHT):
        # An opened index folder is the local backend; any other backend comes ready.
        self.stored: SearchBackend = LocalBackend(stored) if isinstance(stored, StoredIndex) else stored
        self.span_weight = span_weight
        self.embedder = embedder
        self.fusion = {**DEFAULT_FUSION, **(fusion or self.stored.calibration.get("fusion", {}))}
        self._normal: dict[int, str] = {}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        clauses = self.stored.clauses
        self._positions = {(c.doc_id, c.clause_id): i for i, c in enumerate(clauses)}
        # Per-clause arrays, so a query's work grows with its candidates, not with the corpus
        # (bench/: at 1M clauses the per-clause Python loops took 700 ms a query).
        self.table = ClauseTable(clauses)
        self._is_scope = np.array([c.kind == "scope" for c in clauses], dtype=bool)
        n = max(len(clauses), 1)
        # Inverse document frequency from the lexical index's document frequencies.
        self.idf: dict[str, float] = {tok: math.log(1 + n / (1 + df)) for tok, df in self.stored.document_frequencies().items()}
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

    def span_dense(self, clause: Clause, vector: np.ndarray) -> np.ndarray:
        """Cosine of each of the clause's sub-clauses to a vector (zeros if the index holds none)."""
        vectors = self.stored.span_vectors(self.position(clause))
        if len(vectors) != len(clause.spans):
            return np.zeros(len(clause.spans))
        return np.asarray(vectors @ vector)

    def nearest_span(self, vector: np.ndarray) -> tuple[Clause, Span] | None:
        """The sub-clause closest to a vector across the whole index."""
        found = self.stored.nearest_span(vector)
        if found is None:
            return None
        clause = self.stored.clauses[found[0]]
        return clause, clause.spans[found[1]]

    def dense_scores(self, vector: np.ndarray, where: Where | None = None) -> np.ndarray:
        """Cosine of every clause to the question; NaN beyond the dense candidates."""
        scores = np.full(len(self.stored.clauses), np.nan, dtype=np.float32)
        found, cosines = self.stored.dense(vector, CANDIDATES, where)
        scores[found] = cosines
        if self.span_weight and len(found):
            best = self.stored.best_span(vector, found)
            has = ~np.isnan(best)
            scores[found[has]] = (1 - self.span_weight) * scores[found[has]] + self.span_weight * best[has]
        return scores

    def bm25_scores(self, tokens: Sequence[str], dense_found: np.ndarray, named: Sequence[str] = (), regions: Sequence[str] = ()) -> np.ndarray:
        """BM25 of the best clauses overall and within the regions named or asked for, and of the dense candidates; zero elsewhere."""
        scores = np.zeros(len(self.stored.clauses), dtype=np.float32)
        wheres: list[Where | None] = [None] + [Where(regions=tuple(r)) for r in (named, regions) if r]
        if len(dense_found):
            wheres.append(Where(positions=tuple(int(i) for i in dense_found)))
        found, values = self.stored.lexical(tokens, CANDIDATES, wheres)
        scores[found] = values
        return scores

    def search(self, request: SearchRequest, *, mode: str = "full", k: int = 10, regions: Sequence[str] = (), docs: Sequence[str] = ()) -> list[Hit]:
        """Rank clauses for the request; `regions` and `docs` restrict to those outright."""
        n = len(self.stored.clauses)
        if n == 0:
            return []
        dense = self.dense_scores(self.embed(request.text)) if mode != "bm25" else np.full(n, np.nan, np.float32)
        found = np.flatnonzero(~np.isnan(dense))
        lexical = self.bm25_scores(request.tokens, found, request.regions, regions) if mode != "dense" else np.zeros(n, np.float32)
        named = self.table.mask(Where(regions=request.regions)) if request.regions else None
        restriction = Where(docs=tuple(docs), regions=tuple(regions))
        allowed = self.table.mask(restriction)
        candidates = np.flatnonzero(allowed & (~np.isnan(dense) | (lexical > 0)))
        if len(candidates) == 0 and mode != "bm25" and (regions or docs):
            # None of the corpus-wide candidates is in the documents or regions asked for: search within them.
            dense = self.dense_scores(self.embed(request.text), restriction)
            candidates = np.flatnonzero(allowed & ~np.isnan(dense))
        if len(candidates) == 0:
            candidates = np.flatnonzero(allowed & ~np.isnan(dense)) if mode != "bm25" else np.flatnonzero(allowed)
        fused, dense_norm, lexical_norm = fuse(dense, lexical, candidates, mode=mode, lexical_signal=request.lexical, fusion=self.fusion)
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
