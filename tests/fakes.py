"""Test doubles for the embedder seam: no model, no download, same answer every run."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

__all__ = ["FakeEmbedder", "FailingEmbedder"]


class FakeEmbedder:
    """Hashes character bigrams into a small vector, so texts that share bigrams point the same way.

    Python's own hash() is salted per process; blake2b keeps vectors identical across runs.
    The query flag is ignored: queries and passages share one space.
    """

    model_id = "fake:hash"
    dim = 32

    def __init__(self) -> None:
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        grams = [text[i : i + 2] for i in range(len(text) - 1)] or [text]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vector[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:  # empty text, or bigrams that cancel out: still a unit vector
            vector[0], norm = 1.0, 1.0
        return vector / norm

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts]).astype(np.float32)


class FailingEmbedder(FakeEmbedder):
    """A FakeEmbedder that raises on its n-th batch, to interrupt a build half-way."""

    def __init__(self, fail_on_call: int = 3) -> None:
        super().__init__()
        self.fail_on_call = fail_on_call

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if self.calls + 1 >= self.fail_on_call:
            self.calls += 1
            raise RuntimeError("embedder crashed mid-build (test double)")
        return super().embed(texts, query=query)
