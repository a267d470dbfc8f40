"""Hybrid retrieval: dense and BM25 scores, fused, then made region-aware.

Each hit keeps every signal that ranked it (dense, bm25, their normalised
forms, fused, region boost) so an answer can be explained. Modes:
``bm25`` and ``dense`` alone, ``hybrid`` (fused), and ``full`` (fused, then
the clauses of the regions a question names ranked first).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .embed import Embedder
from .index import StoredIndex
from .normalize import normalize
from .query import Query, type_matches
from .records import Clause, Hit

__all__ = ["MODES", "DEFAULT_FUSION", "CANDIDATES", "SPAN_WEIGHT", "TYPE_BOOST", "Retriever"]

MODES = ("bm25", "dense", "hybrid", "full")
# Chosen on the dev split by eval/fusion_sweep.py: weighted beat RRF; alpha 0.2-0.6 tie (docs/retrieval.md).
DEFAULT_FUSION = {"method": "weighted", "alpha": 0.5, "rrf_k": 60}
CANDIDATES = 200
_QUERY_CACHE = 512
TYPE_BOOST = 0.1  # any figure, for 多少/比例
SPECIFIC_TYPE_BOOST = 0.3  # a date, a term in years, a year, a sum: few clauses state one
# A clause's dense score mixes its own cosine with its best sub-clause's: a short
# sub-clause that says exactly what was asked is not drowned by its long clause.
# eval/fusion_sweep.py: dense-only Hit@1 on dev 0.755 -> 0.830, full 0.943 -> 0.962.
SPAN_WEIGHT = 0.5


class Retriever:
    """Scores clauses for a query with every signal the index holds."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, fusion: dict | None = None, span_weight: float = SPAN_WEIGHT):
        self.stored = stored
        self.span_weight = span_weight
        self.embedder = embedder
        self.fusion = {**DEFAULT_FUSION, **(fusion or stored.calibration.get("fusion", {}))}
        self.clause_norm = [normalize(c.text) for c in stored.clauses]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._positions = {(c.doc_id, c.clause_id): i for i, c in enumerate(stored.clauses)}
        # Per-clause arrays, so a query's work grows with its candidates, not with the corpus
        # (bench/: at 1M clauses the per-clause Python loops took 700 ms a query).
        self._region_code = {name: i for i, name in enumerate(sorted({c.region for c in stored.clauses if c.region}))}
        self._region_of = np.array([self._region_code.get(c.region, -1) for c in stored.clauses], dtype=np.int32)
        self._doc_code = {name: i for i, name in enumerate(sorted({c.doc_id for c in stored.clauses}))}
        self._doc_of = np.array([self._doc_code[c.doc_id] for c in stored.clauses], dtype=np.int32)
        self._is_scope = np.array([c.kind == "scope" for c in stored.clauses], dtype=bool)
        counts = np.array([len(c.spans) for c in stored.clauses], dtype=np.int64)
        self._span_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        vocab = stored.bm25.vocab_dict
        indptr = stored.bm25.scores["indptr"]
        n = max(len(stored.clauses), 1)
        # Document frequency straight from BM25's inverted index: weights for coverage.
        self._idf = {tok: math.log(1 + n / (1 + int(indptr[i + 1] - indptr[i]))) for tok, i in vocab.items() if i + 1 < len(indptr)}
        self._max_idf = math.log(1 + n)

    def span_rows(self, position: int) -> np.ndarray:
        """Rows of spans.npy that hold one clause's sub-clause vectors."""
        return np.arange(self._span_start[position], self._span_start[position + 1])

    def _mask(self, codes: dict[str, int], of: np.ndarray, names: Sequence[str]) -> np.ndarray:
        return np.isin(of, [codes.get(name, -2) for name in names])

    def position(self, clause: Clause) -> int:
        """Where a clause sits in the index (its row in every array)."""
        return self._positions[(clause.doc_id, clause.clause_id)]

    def weight(self, word: str) -> float:
        """How much a word says: rare words weigh more (unseen words the most)."""
        return self._idf.get(word, self._max_idf)

    def embed_query(self, query: Query) -> np.ndarray:
        """The question's vector, cached: repeated questions cost nothing."""
        key = query.normalized
        # One lock for cache and engine: the UI calls from several threads, and the
        # C engine's thread-safety is not documented.
        with self._lock:
            vector = self._cache.get(key)
            if vector is None:
                vector = self.embedder.embed([query.normalized], query=True)[0]
                self._cache[key] = vector
                if len(self._cache) > _QUERY_CACHE:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(key)
        return vector

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

    def _top(self, lexical: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        positive = np.flatnonzero(lexical > 0 if mask is None else (lexical > 0) & mask)
        if len(positive) > CANDIDATES:
            positive = positive[np.argpartition(-lexical[positive], CANDIDATES)[:CANDIDATES]]
        return positive

    def bm25_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 of every clause; zero when no query token is in the vocabulary."""
        known = [t for t in tokens if t in self.stored.bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.stored.clauses), dtype=np.float32)
        return np.asarray(self.stored.bm25.get_scores(known), dtype=np.float32)

    def coverage(self, query: Query, text_norm: str) -> float:
        """Share of the question's content words (weighted by rarity) that the text contains."""
        if not query.words:
            return 0.0
        total = sum(self.weight(w) for w in query.words)
        return sum(self.weight(w) for w in query.words if w in text_norm) / total

    def unknown_share(self, query: Query) -> float:
        """Share of the question's content words that no clause contains at all."""
        if not query.words:
            return 1.0
        return sum(1 for w in query.words if w not in self._idf) / len(query.words)

    def search(self, query: Query, *, mode: str = "full", k: int = 10, regions: Sequence[str] = (), docs: Sequence[str] = ()) -> list[Hit]:
        """Rank clauses for the query; `regions` and `docs` restrict to those outright."""
        n = len(self.stored.clauses)
        if n == 0:
            return []
        dense = self.dense_scores(self.embed_query(query)) if mode != "bm25" else np.full(n, np.nan, np.float32)
        tokens = query.tokens
        if mode == "full" and query.regions and not query.scope:
            # The region boost already places the question; its place names would
            # only pull the scope sentence above the measure asked about.
            tokens = tuple(t for t in tokens if not any(t.lstrip("~") in term for term in query.region_terms))
        lexical = self.bm25_scores(tokens) if mode != "dense" else np.zeros(n, np.float32)
        named = self._mask(self._region_code, self._region_of, query.regions) if query.regions else None
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
        fused, dense_norm, lexical_norm = self._fuse(query, dense, lexical, candidates, mode)
        boost = np.zeros(n, dtype=np.float32)
        if mode == "full" and named is not None:
            inside = candidates[named[candidates]]
            # "桐城属于哪个试点" is answered by the scope sentence that names it.
            boost[inside] = 1.0 + (0.5 * self._is_scope[inside] if query.scope else 0.0)
        if mode == "full" and query.answer_type is not None:
            # "几年/多少比例" wants a clause that states a number: a small nudge, not a filter.
            nudge = TYPE_BOOST if query.answer_type == "number" else SPECIFIC_TYPE_BOOST
            boost[[i for i in candidates if type_matches(query, self.stored.clauses[i].text)]] += nudge
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

    def _fuse(self, query: Query, dense: np.ndarray, lexical: np.ndarray, candidates: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(dense)
        dense_norm = np.zeros(n, np.float32)
        lexical_norm = np.zeros(n, np.float32)
        d = np.nan_to_num(dense[candidates], nan=np.nanmin(dense[candidates]) if np.any(~np.isnan(dense[candidates])) else 0.0)
        if len(d) and d.max() > d.min():
            dense_norm[candidates] = (d - d.min()) / (d.max() - d.min())
        elif len(d):
            dense_norm[candidates] = 1.0
        b = lexical[candidates]
        if len(b) and b.max() > 0:
            lexical_norm[candidates] = b / b.max()
        if mode == "dense":
            return dense_norm.copy(), dense_norm, lexical_norm
        if mode == "bm25":
            return lexical_norm.copy(), dense_norm, lexical_norm
        # English questions share no words with the text: the dense signal decides.
        alpha = 1.0 if query.latin else float(self.fusion["alpha"])
        fused = np.zeros(n, np.float32)
        if self.fusion["method"] == "rrf":
            rrf_k = float(self.fusion["rrf_k"])
            rank_d = np.empty(len(candidates)); rank_d[np.argsort(-d, kind="stable")] = np.arange(1, len(d) + 1)
            rank_b = np.empty(len(candidates)); rank_b[np.argsort(-b, kind="stable")] = np.arange(1, len(b) + 1)
            lexical_part = 0.0 if query.latin else 1.0 / (rrf_k + rank_b)
            fused[candidates] = (1.0 / (rrf_k + rank_d) + lexical_part) * rrf_k / 2
        else:
            fused[candidates] = alpha * dense_norm[candidates] + (1 - alpha) * lexical_norm[candidates]
        return fused, dense_norm, lexical_norm
