"""bm25s's saved index read and scored with numpy alone, so a question never imports bm25s.

bm25s precomputes each (token, clause) BM25 term and saves it as a sparse
matrix in CSC form (``data``, ``indices``, ``indptr``, one column a token);
its query-time score is the sum of the query tokens' columns. Importing bm25s
to do that costs 0.25 s of every start (it imports scipy.sparse and numba);
mapping its three arrays and reading its vocabulary takes a millisecond.
``get_scores`` adds the columns in the same order with ``np.add.at``, as
bm25s's numpy backend does, so the scores are the same floats.
bm25s itself still builds the index (search/build.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Postings"]

# Methods whose scores need bm25s's non-occurrence array; build.py writes "lucene", which does not.
_NEEDS_NONOCCURRENCE = ("bm25l", "bm25+")


class Postings:
    """A saved bm25s index: vocabulary, per-token postings and their precomputed BM25 terms."""

    def __init__(self, vocab_dict: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, num_docs: int):
        self.vocab_dict = vocab_dict
        # The attribute names and keys of bm25s.BM25, so either can stand in for the other.
        self.scores: dict[str, Any] = {"data": data, "indices": indices, "indptr": indptr, "num_docs": num_docs}

    @classmethod
    def load(cls, folder: Path) -> Postings:
        """Read the files bm25s.BM25.save wrote; raise ValueError on a method this reader cannot score."""
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if str(params.get("method", "lucene")).lower() in _NEEDS_NONOCCURRENCE:
            raise ValueError(f"BM25 method {params['method']!r} needs a non-occurrence array; this index was not built by reformqa")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        if not isinstance(vocab, dict):
            raise TypeError("vocab.index.json is not a mapping of tokens to ids")
        # Memory-mapped: a question reads only its tokens' columns. Reading all of them took 2.4 s of
        # opening a 1M-clause index (734 MiB; bench/), more than everything else the open does.
        data, indices, indptr = (np.load(folder / f"{name}.csc.index.npy", allow_pickle=False, mmap_mode="r") for name in ("data", "indices", "indptr"))
        return cls({str(k): int(v) for k, v in vocab.items()}, data, indices, indptr, int(params.get("num_docs", -1)))

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every clause for the query tokens (a token counts as often as it is given)."""
        ids = np.asarray([self.vocab_dict[t] for t in tokens if t in self.vocab_dict], dtype=np.int64)
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        scores = np.zeros(int(self.scores["num_docs"]), dtype=data.dtype)
        if not len(ids):
            return scores
        if int(ids.max()) >= len(indptr) - 1:
            raise ValueError(f"token id {int(ids.max())} is beyond the {len(indptr) - 1} columns of the BM25 index")
        # Column by column, in the query's order: each clause gets its terms added in the same order as one
        # np.add.at over the joined columns would add them (the same floats), without copying the columns
        # first (3 million postings a question at 1M synthetic clauses; bench/).
        for i in ids:
            start, end = int(indptr[i]), int(indptr[i + 1])
            np.add.at(scores, indices[start:end], data[start:end])
        return scores
