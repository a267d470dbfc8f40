"""Query vectors kept in an index folder, so a rebuild's calibration embeds only the questions it has not seen.

A build's calibration asks every dev question, the shipped out-of-domain set
and questions made from the clauses (answer/calibrate.py): some 500 query
embeddings, a fifth of the time of adding five documents to the seed project
(docs/bench.md, "Ingest"). The vectors it used are written beside the index
(``query_texts.json``: the embedder and the texts; ``query_vectors.npy``: one
float32 row a text), and the next incremental build of the same embedder
starts from them. An engine embeds each text on its own, so a remembered
vector is the one embedding the text again would give: calibration is the same.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .embed import Embedder
from .embed_pool import embed_queries

__all__ = ["QUERY_TEXTS", "QUERY_VECTORS", "RememberingEmbedder", "read_query_vectors", "write_query_vectors"]

QUERY_TEXTS = "query_texts.json"
QUERY_VECTORS = "query_vectors.npy"


def read_query_vectors(folder: Path, model_id: str) -> dict[str, np.ndarray]:
    """The query vectors an index folder remembers, by text; empty when absent, damaged or another embedder's."""
    try:
        meta = json.loads((folder / QUERY_TEXTS).read_text(encoding="utf-8"))
        vectors = np.load(folder / QUERY_VECTORS, allow_pickle=False)
    except (OSError, ValueError):  # absent or damaged: the questions are embedded again
        return {}
    texts = meta.get("texts") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or meta.get("embedder") != model_id or not isinstance(texts, list):
        return {}
    if vectors.ndim != 2 or vectors.dtype != np.float32 or len(vectors) != len(texts) or not all(isinstance(t, str) for t in texts):
        return {}
    return dict(zip(texts, vectors, strict=True))


def write_query_vectors(folder: Path, model_id: str, vectors: Mapping[str, np.ndarray], dim: int) -> None:
    """Write query vectors into an index folder being built (texts in the order given)."""
    texts = list(vectors)
    rows = np.array(list(vectors.values()), dtype=np.float32).reshape(len(texts), dim)
    (folder / QUERY_TEXTS).write_text(json.dumps({"embedder": model_id, "dim": dim, "texts": texts}, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    np.save(folder / QUERY_VECTORS, rows)


class RememberingEmbedder:
    """An embedder that answers the queries it knows from memory and records every query vector it gives.

    Passages go to the embedder it wraps, always.
    """

    def __init__(self, inner: Embedder, known: Mapping[str, np.ndarray] | None = None):
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.known = {t: v for t, v in (known or {}).items() if len(v) == inner.dim}
        self.used: dict[str, np.ndarray] = {}  # the query vectors given, in first-asked order
        self.embedded = 0  # query texts the inner embedder was asked for

    def prefetch(self, texts: Sequence[str], workers: int = 1) -> None:
        """Embed the queries it does not know yet in one batch, across `workers` processes (search/embed_pool.py)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, embed_queries(self.inner, missing, workers=workers), strict=True))
            self.embedded += len(missing)

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not query:
            return self.inner.embed(texts, query=False)
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.inner.embed(missing, query=True), strict=True))
            self.embedded += len(missing)
        for text in texts:
            self.used.setdefault(text, self.known[text])
        return np.array([self.known[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)
