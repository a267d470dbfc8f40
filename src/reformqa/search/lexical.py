"""Our BM25 as sparse vectors, so an engine that only multiplies sparse vectors (Milvus) ranks exactly as bm25s does.

bm25s (method "lucene", k1 1.5, b 0.75) scores a clause d for query tokens q
as the sum over q of idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl)). The
clause side of that product is stored as the clause's sparse vector; the query
side, idf(t) times the token's count in the query, is made per query from the
document frequencies kept here. The inner product is then the BM25 score.
Document frequencies and the clause count are exact after every build; the
average length is fixed when the collection is created (a full rebuild
refreshes it), so an incremental build rewrites only the clauses it changed.
Each token has a fixed dimension number, never reused, so there are no hash
collisions.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["K1", "B", "BM25Vectors"]

# bm25s.BM25()'s defaults, which the local backend uses.
K1, B = 1.5, 0.75


@dataclass(slots=True)
class BM25Vectors:
    """Token dimensions, document frequencies, clause count and average clause length of one lexical index."""

    dims: dict[str, int]
    df: dict[str, int]
    n: int
    avgdl: float
    next_dim: int = 0

    @classmethod
    def fit(cls, token_lists: Sequence[Sequence[str]], previous: BM25Vectors | None = None) -> BM25Vectors:
        """Statistics of a clause collection; dimensions and average length carried over from the previous build."""
        df: Counter[str] = Counter()
        for tokens in token_lists:
            df.update(set(tokens))
        dims = {t: d for t, d in (previous.dims if previous else {}).items() if t in df}
        next_dim = previous.next_dim if previous else 0
        for token in sorted(df):
            if token not in dims:
                dims[token], next_dim = next_dim, next_dim + 1
        lengths = sum(len(tokens) for tokens in token_lists)
        avgdl = previous.avgdl if previous and previous.avgdl > 0 else (lengths / len(token_lists) if token_lists else 1.0)
        return cls(dims, dict(df), len(token_lists), avgdl, next_dim)

    def clause_vector(self, tokens: Sequence[str]) -> dict[int, float]:
        """The clause side of BM25: tf / (tf + k1 * (1 - b + b * |d| / avgdl)) per token."""
        norm = K1 * (1 - B + B * len(tokens) / self.avgdl)
        return {self.dims[t]: tf / (tf + norm) for t, tf in Counter(tokens).items() if t in self.dims}

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def query_vector(self, tokens: Iterable[str]) -> dict[int, float]:
        """The query side: idf times the token's count; tokens the index lacks are dropped."""
        return {self.dims[t]: self.idf(t) * count for t, count in Counter(tokens).items() if t in self.dims}

    def to_json(self) -> str:
        return json.dumps({"n": self.n, "avgdl": self.avgdl, "next_dim": self.next_dim, "tokens": {t: [d, self.df[t]] for t, d in self.dims.items()}}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> BM25Vectors:
        data = json.loads(text)
        tokens = data["tokens"]
        return cls({t: int(v[0]) for t, v in tokens.items()}, {t: int(v[1]) for t, v in tokens.items()}, int(data["n"]), float(data["avgdl"]), int(data["next_dim"]))
