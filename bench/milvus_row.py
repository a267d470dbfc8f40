"""The Milvus Lite row of the scale benchmark: the milvus backend's clause collection at N synthetic clauses, beside FAISS.

The collection is the one search/milvus.py creates (dense vectors indexed as
the backend chooses: FLAT below FLAT_BELOW clauses, IVF_FLAT with nlist
4*sqrt(N) and nprobe 256 above; our BM25 weights as sparse vectors, search/lexical.py),
filled with the same synthetic vectors and tokens as the FAISS and BM25 rows,
in a Milvus Lite file served from this process, queried through pymilvus as
the backend queries it: the 10 nearest (as the FAISS rows), the 200 dense
candidates of a question, and the 200 best lexical ones. Build time is create + insert + flush + load; memory is the
growth of this process's resident set while building (Milvus Lite runs in it)
and the size of the data folder on disk.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import Budget, rss_mib, stats

__all__ = ["milvus_lite"]

K = 10
CANDIDATES = 200  # reformqa.search.CANDIDATES: what the Retriever asks of a backend


def _folder_mib(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def _timed(budget: Budget, run) -> dict[str, float]:
    samples, i = [], 0
    while budget.more():
        t = time.perf_counter()
        run(i)
        samples.append(time.perf_counter() - t)
        i += 1
    return stats(samples)


def milvus_lite(x: np.ndarray, queries: np.ndarray, truth: np.ndarray, token_docs: list[list[int]], query_tokens: list[list[int]], args: dict[str, Any]) -> dict[str, Any]:
    """Build the clause collection on Milvus Lite, then time dense and lexical queries one at a time."""
    from reformqa.search.build import FLAT_BELOW
    from reformqa.search.lexical import BM25Vectors
    from reformqa.search.milvus import MilvusStore

    n, dim = x.shape
    tmp = Path(tempfile.mkdtemp(prefix="reformqa-bench-milvus-"))
    out: dict[str, Any] = {"n": n}
    try:
        lexicon = BM25Vectors.fit([[str(t) for t in doc] for doc in token_docs])
        import milvus_lite.server_manager  # noqa: F401  imported before measuring: the memory is the collection's and the server's
        import pymilvus  # noqa: F401

        gc.collect()
        before = rss_mib()
        t = time.perf_counter()
        store = MilvusStore(str(tmp / "milvus.db"), build_command="bench")
        name = "bench"
        indexes = store.create(name, dim, n, 0, FLAT_BELOW)
        out["connect_create_s"] = round(time.perf_counter() - t, 3)
        for start in range(0, n, 1000):
            rows = [{"key": str(i), "doc_id": "synthetic", "region": "", "kind": "measure", "text_key": "", "row_key": "", "record": "", "number": i,
                     "dense": x[i].tolist(), "lexical": lexicon.clause_vector([str(t) for t in token_docs[i]])} for i in range(start, min(n, start + 1000))]
            store.client.insert(name, rows)
        store.flush(name)
        store.load(name)
        out["build_s"] = round(time.perf_counter() - t, 3)
        gc.collect()
        out["memory_mib"] = round(rss_mib() - before, 1)
        out["disk_mib"] = _folder_mib(tmp)
        out["dense_index"] = indexes["clauses"]
        params = indexes["clauses"]["search"]

        # Milvus Lite loads or builds a segment's index on its first search: timed apart, as a replica's first question.
        t = time.perf_counter()
        store.search(name, "dense", queries[0].tolist(), K, params=params)
        out["first_dense_s"] = round(time.perf_counter() - t, 3)
        sparse = [lexicon.query_vector([str(t) for t in q]) for q in query_tokens]
        sparse = [q for q in sparse if q]
        t = time.perf_counter()
        store.search(name, "lexical", sparse[0], CANDIDATES)
        out["first_lexical_s"] = round(time.perf_counter() - t, 3)
        found = [[int(key) for key, _, _ in store.search(name, "dense", q.tolist(), K, params=params)] for q in queries[: min(len(queries), 200)]]
        out["recall_at_10"] = round(float(np.mean([len(set(f) & set(tr[:K].tolist())) / K for f, tr in zip(found, truth)])), 4)
        def budget() -> Budget:
            return Budget(args["n_latency"], args["latency_seconds"])

        out["latency"] = _timed(budget(), lambda i: store.search(name, "dense", queries[i % len(queries)].tolist(), K, params=params))  # as the FAISS rows
        out["dense_top200"] = _timed(budget(), lambda i: store.search(name, "dense", queries[i % len(queries)].tolist(), CANDIDATES, params=params))
        out["lexical_top200"] = _timed(budget(), lambda i: store.search(name, "lexical", sparse[i % len(sparse)], CANDIDATES))
        out["dense_plus_lexical_p50_ms"] = round(out["dense_top200"]["p50_ms"] + out["lexical_top200"]["p50_ms"], 3)
        out["dense_plus_lexical_p95_ms"] = round(out["dense_top200"]["p95_ms"] + out["lexical_top200"]["p95_ms"], 3)
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(str(tmp / "milvus.db"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
