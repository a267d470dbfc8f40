"""Named worker threads of the process, one thread each, made on first use: search work done beside a question's own."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["worker"]

_WORKERS: dict[str, ThreadPoolExecutor] = {}
_LOCK = threading.Lock()


def worker(name: str) -> ThreadPoolExecutor:
    """The process's one thread called ``reformqa-<name>`` (query vectors embedded ahead, BM25 scored ahead)."""
    with _LOCK:
        if name not in _WORKERS:
            _WORKERS[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"reformqa-{name}")
        return _WORKERS[name]
