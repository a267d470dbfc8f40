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
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from ..normalize import normalize
from ..records import Clause, Hit, Span
from .backend import ClauseTable, SearchBackend, Where, distinct
from .clauses import ClauseRecords, article_number
from .embed import Embedder
from .fusion import DEFAULT_FUSION, MODES, fuse
from .local import LocalBackend
from .query_vectors import QueryVectors
from .request import ARTICLE_BOOST, DETAIL_BOOST, DOC_BOOST, SearchRequest
from .store import StoredIndex

T = TypeVar("T")

__all__ = ["MODES", "CANDIDATES", "SPAN_WEIGHT", "SearchRequest", "Retriever", "Searchable"]

CANDIDATES = 200
# What a Retriever opens: an index folder as read (the local backend) or any backend.
Searchable = StoredIndex | SearchBackend
_WANTED = 2000  # at most this many named clauses a group are scored beyond the nearest (bench/: large corpora)
# A clause's dense score mixes its own cosine with its best sub-clause's: a short
# sub-clause that says exactly what was asked is not drowned by its long clause.
# eval/fusion_sweep.py: dense-only Hit@1 on dev 0.755 -> 0.830, full 0.943 -> 0.962.
SPAN_WEIGHT = 0.5


class Retriever:
    """Scores clauses for a request with every signal the backend holds."""

    def __init__(self, stored: Searchable, embedder: Embedder, fusion: dict[str, object] | None = None, span_weight: float = SPAN_WEIGHT):
        # An opened index folder is the local backend; any other backend comes ready.
        self.stored: SearchBackend = LocalBackend(stored) if isinstance(stored, StoredIndex) else stored
        self.span_weight = span_weight
        self.embedder = embedder
        self.fusion = {**DEFAULT_FUSION, **(fusion or self.stored.calibration.get("fusion", {}))}
        self._normal: dict[int, str] = {}
        self.vectors = QueryVectors(embedder)
        clauses = self.stored.clauses
        # Per-clause arrays, so a query's work grows with its candidates, not with the corpus
        # (bench/: at 1M clauses the per-clause Python loops took 700 ms a query).
        self.table = ClauseTable(clauses)
        self._positions: dict[tuple[str, str], int] | None = None
        self._articles: dict[int, np.ndarray] = {}
        if isinstance(clauses, ClauseRecords):  # an index folder: columns, no clause parsed (search/clauses.py)
            self._is_scope = self.table.kind_of == self.table.kind_code.get("scope", -2)
            self._article_of = clauses.article_of
        else:
            self._positions = {(c.doc_id, c.clause_id): i for i, c in enumerate(clauses)}
            self._is_scope = np.array([c.kind == "scope" for c in clauses], dtype=bool)
            self._article_of = np.array([article_number(c.article) for c in clauses], dtype=np.int32)
        n = max(len(clauses), 1)
        # Inverse document frequency from the lexical index's document frequencies.
        self.idf: dict[str, float] = {tok: math.log(1 + n / (1 + df)) for tok, df in self.stored.document_frequencies().items()}
        self.max_idf = math.log(1 + n)

    def position(self, clause: Clause) -> int:
        """Where a clause sits in the index (its row in every array)."""
        if self._positions is None:
            records = self.stored.clauses
            assert isinstance(records, ClauseRecords)
            return records.position(clause)
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
        return self.vectors.get(text)

    def embed_while(self, text: str, read: Callable[[], T]) -> T:
        """Embed a question's text while `read` runs beside it on another thread; `read`'s result (search/query_vectors.py)."""
        return self.vectors.embed_while(text, read)

    def prefetch(self, texts: Sequence[str]) -> None:
        """Embed, on a second thread, the texts this question will embed after its own (search/query_vectors.py)."""
        self.vectors.prefetch(texts)

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

    def dense_candidates(self, vector: np.ndarray, where: Where | None = None, extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Positions (ascending) and cosines of the dense candidates and of the `extra` positions asked for."""
        found, cosines = self.stored.dense(vector, CANDIDATES, where)
        cosines = np.asarray(cosines, dtype=np.float32)
        if extra is not None and len(extra := distinct(extra[~np.isin(extra, found)])):
            # The clauses a question names (an article, a pilot, a document), beyond the nearest: scored exactly.
            more, more_cosines = self.stored.dense(vector, len(extra), Where(positions=tuple(int(i) for i in extra)))
            found, cosines = np.concatenate([found, more]), np.concatenate([cosines, np.asarray(more_cosines, dtype=np.float32)])
        if self.span_weight and len(found):
            best = self.stored.best_span(vector, found)
            has = ~np.isnan(best)
            cosines[has] = (1 - self.span_weight) * cosines[has] + self.span_weight * best[has]
        order = np.argsort(found, kind="stable")
        found, cosines = found[order], cosines[order]
        kept = ~np.isnan(cosines)
        return found[kept].astype(np.int64), cosines[kept]

    def dense_scores(self, vector: np.ndarray, where: Where | None = None, extra: np.ndarray | None = None) -> np.ndarray:
        """Cosine of every clause to the question; NaN beyond the dense candidates and the `extra` positions asked for."""
        scores = np.full(len(self.stored.clauses), np.nan, dtype=np.float32)
        found, cosines = self.dense_candidates(vector, where, extra)
        scores[found] = cosines
        return scores

    def bm25_candidates(self, tokens: Sequence[str], dense_found: np.ndarray, named: Sequence[str] = (), regions: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Positions (ascending) and BM25 scores of the best clauses overall and within the regions named or asked for, and of the dense candidates."""
        wheres: list[Where | None] = [None] + [Where(regions=tuple(r)) for r in (named, regions) if r]
        if len(dense_found):
            wheres.append(Where(positions=tuple(int(i) for i in dense_found)))
        found, values = self.stored.lexical(tokens, CANDIDATES, wheres)
        return found.astype(np.int64), np.asarray(values, dtype=np.float32)

    def bm25_scores(self, tokens: Sequence[str], dense_found: np.ndarray, named: Sequence[str] = (), regions: Sequence[str] = ()) -> np.ndarray:
        """BM25 of the best clauses overall and within the regions named or asked for, and of the dense candidates; zero elsewhere."""
        scores = np.zeros(len(self.stored.clauses), dtype=np.float32)
        found, values = self.bm25_candidates(tokens, dense_found, named, regions)
        scores[found] = values
        return scores

    def _wanted(self, request: SearchRequest) -> np.ndarray:
        """Clauses a request names (pilots, documents, an article): scored even beyond the nearest CANDIDATES.

        With many documents, a named pilot's clauses can lie outside the nearest
        200 for an English question that shares no words with them.
        """
        groups = []
        if request.article:
            groups.append(self._article(request.article))
        if request.regions:
            groups.append(self.table.select(Where(regions=request.regions)))
        if request.docs or request.place_docs:
            groups.append(self.table.select(Where(docs=(*request.docs, *request.place_docs))))
        return distinct(np.concatenate([g[:_WANTED] for g in groups])) if groups else np.zeros(0, dtype=np.int64)

    def _article(self, number: int) -> np.ndarray:
        """Positions of the clauses of article `number` in any document, found once and kept."""
        found = self._articles.get(number)
        if found is None:
            found = self._articles[number] = np.flatnonzero(self._article_of == number)
        return found

    def _leaders_first(self, ranked: np.ndarray, request: SearchRequest) -> np.ndarray:
        """Each place the question names (北京: the pilot, and the 北京市 regulation) keeps its best clause near the top.

        Forty articles of a regulation would otherwise push the pilot's three clauses out of sight.
        Returns the new order as indices into `ranked`.
        """
        groups = [self.table.admits(Where(regions=(r,)), ranked) for r in request.regions]
        groups += [self.table.admits(Where(docs=(d,)), ranked) for d in request.place_docs]
        leaders = sorted({int(np.argmax(g)) for g in groups if g.any()})
        return np.concatenate([leaders, np.delete(np.arange(len(ranked)), leaders)]).astype(np.int64)

    def search(self, request: SearchRequest, *, mode: str = "full", k: int = 10, regions: Sequence[str] = (), docs: Sequence[str] = ()) -> list[Hit]:
        """Rank clauses for the request; `regions` and `docs` restrict to those outright.

        Every array below is over the candidates only (positions ascending), so a
        query's work grows with its candidates, not with the corpus (bench/: at 1M
        clauses, arrays over every clause cost 13 ms a query).
        """
        n = len(self.stored.clauses)
        if n == 0:
            return []
        wanted = self._wanted(request) if mode == "full" else None
        if mode not in ("dense", "bm25"):  # BM25 needs no vector: on a large index it is scored meanwhile
            self.stored.score_ahead(request.tokens, CANDIDATES)
        vector = self.embed(request.text) if mode != "bm25" else None
        none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        dense_at, dense_values = self.dense_candidates(vector, extra=wanted) if vector is not None else none
        lexical_at, lexical_values = self.bm25_candidates(request.tokens, dense_at, request.regions, regions) if mode != "dense" else none
        restriction = Where(docs=tuple(docs), regions=tuple(regions))
        candidates = distinct(np.concatenate([dense_at, lexical_at[lexical_values > 0]]))
        candidates = candidates[self.table.admits(restriction, candidates)]
        if len(candidates) == 0 and mode != "bm25" and (regions or docs):
            # None of the corpus-wide candidates is in the documents or regions asked for: search within them.
            dense_at, dense_values = self.dense_candidates(self.embed(request.text), restriction)
            candidates = dense_at[self.table.admits(restriction, dense_at)]
        if len(candidates) == 0:
            candidates = dense_at[self.table.admits(restriction, dense_at)] if mode != "bm25" else self.table.select(restriction)
        dense, lexical = _at(dense_at, dense_values, candidates, np.nan), _at(lexical_at, lexical_values, candidates, 0.0)
        fusion = self.fusion if request.dense_weight is None else {**self.fusion, "alpha": request.dense_weight}
        fused, dense_norm, lexical_norm = fuse(dense, lexical, mode=mode, lexical_signal=request.lexical, fusion=fusion)
        boost = np.zeros(len(candidates), dtype=np.float32)
        named = self.table.admits(Where(regions=request.regions), candidates) if request.regions else None
        if mode == "full" and named is not None:
            # "桐城属于哪个试点" is answered by the scope sentence that names it.
            boost[named] = 1.0 + (0.5 * self._is_scope[candidates[named]] if request.scope else 0.0)
        if mode == "full" and request.place_docs:
            # A place can name a pilot and a document's jurisdiction at once (北京): each ranks first, neither hides the other.
            boost[:] = np.maximum(boost, 1.0 * self.table.admits(Where(docs=request.place_docs), candidates))
        doc_boost = np.zeros(len(candidates), dtype=np.float32)
        if mode == "full" and (request.docs or request.article):
            in_docs = self.table.admits(Where(docs=request.docs), candidates)
            doc_boost[:] = DOC_BOOST * in_docs if request.docs else 0.0
            if request.article:
                asked = np.flatnonzero((self._article_of[candidates] == request.article) & in_docs)
                doc_boost[asked] += ARTICLE_BOOST
                if request.detail:
                    detailed = [j for j in asked if all(d in self.stored.clauses[int(candidates[j])].place for d in request.detail)]
                    doc_boost[np.asarray(detailed, dtype=np.int64)] += DETAIL_BOOST
        boost += doc_boost
        if mode == "full" and request.boost is not None:
            accepts = request.boost
            boost[np.asarray([j for j, i in enumerate(candidates) if accepts(self.stored.clauses[int(i)].text)], dtype=np.int64)] += request.boost_weight
        total = fused + boost
        ranked = np.lexsort((candidates, -total))  # indices into candidates, best first
        if mode == "full" and named is not None and request.place_docs:
            ranked = ranked[self._leaders_first(candidates[ranked], request)]
        order = ranked[:k]
        if request.pilot_pool:
            # However many clauses of other documents rank above them, every pilot's best clauses are there to list.
            order = np.concatenate([order, ranked[k:][self.table.region_of[candidates[ranked[k:]]] >= 0][:k]])
        if vector is not None and np.isnan(dense[order]).any():
            # A clause found by its words alone, beyond the dense candidates, still reports how close it is (its best
            # sub-clause's cosine): a top hit with no dense score would tell abstention nothing. The ranking stays.
            words_only = order[np.isnan(dense[order])]
            dense[words_only] = self.stored.best_span(vector, candidates[words_only])
        return [
            Hit(
                clause=self.stored.clauses[int(candidates[j])],
                score=float(total[j]),
                signals={
                    "dense": float(dense[j]) if not np.isnan(dense[j]) else 0.0,
                    "bm25": float(lexical[j]),
                    "dense_norm": float(dense_norm[j]),
                    "bm25_norm": float(lexical_norm[j]),
                    "fused": float(fused[j]),
                    "region_boost": float(boost[j] - doc_boost[j]),
                    "doc_boost": float(doc_boost[j]),
                },
            )
            for j in order
        ]


def _at(positions: np.ndarray, values: np.ndarray, wanted: np.ndarray, fill: float) -> np.ndarray:
    """The values at the wanted positions (`positions` ascending and distinct), `fill` where it has none."""
    out = np.full(len(wanted), fill, dtype=np.float32)
    if len(positions) and len(wanted):
        at = np.minimum(np.searchsorted(positions, wanted), len(positions) - 1)
        hit = positions[at] == wanted
        out[hit] = values[at[hit]]
    return out
