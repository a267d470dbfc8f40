"""Fusing the dense and lexical scores of the candidate clauses into one ranking score.

Both signals are scaled to [0, 1] over the candidates (dense min-max, BM25 by
its maximum) and mixed with weight alpha, or combined by reciprocal rank.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["MODES", "DEFAULT_FUSION", "fuse"]

# bm25 and dense alone; hybrid fuses them; full adds the boosts a question asks for.
MODES = ("bm25", "dense", "hybrid", "full")
# Chosen on the dev split by eval/fusion_sweep.py: weighted beat RRF; alpha 0.2-0.6 tie (docs/retrieval.md).
DEFAULT_FUSION: dict[str, object] = {"method": "weighted", "alpha": 0.5, "rrf_k": 60}


def fuse(dense: np.ndarray, lexical: np.ndarray, *, mode: str, lexical_signal: bool, fusion: Mapping[str, object]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (fused, dense_norm, lexical_norm) of the candidates whose dense (NaN: none) and lexical scores are given."""
    n = len(dense)
    dense_norm = np.zeros(n, np.float32)
    lexical_norm = np.zeros(n, np.float32)
    d = np.nan_to_num(dense, nan=np.nanmin(dense) if np.any(~np.isnan(dense)) else 0.0)
    if len(d) and d.max() > d.min():
        dense_norm[:] = (d - d.min()) / (d.max() - d.min())
    elif len(d):
        dense_norm[:] = 1.0
    b = lexical
    if len(b) and b.max() > 0:
        lexical_norm[:] = b / b.max()
    if mode == "dense":
        return dense_norm.copy(), dense_norm, lexical_norm
    if mode == "bm25":
        return lexical_norm.copy(), dense_norm, lexical_norm
    # A question that shares no words with the text (English): the dense signal decides.
    alpha = 1.0 if not lexical_signal else float(fusion["alpha"])  # type: ignore[arg-type]
    fused = np.zeros(n, np.float32)
    if fusion["method"] == "rrf":
        rrf_k = float(fusion["rrf_k"])  # type: ignore[arg-type]
        rank_d = np.empty(n)
        rank_d[np.argsort(-d, kind="stable")] = np.arange(1, len(d) + 1)
        rank_b = np.empty(n)
        rank_b[np.argsort(-b, kind="stable")] = np.arange(1, len(b) + 1)
        lexical_part = 1.0 / (rrf_k + rank_b) if lexical_signal else 0.0
        fused[:] = (1.0 / (rrf_k + rank_d) + lexical_part) * rrf_k / 2
    else:
        fused[:] = alpha * dense_norm + (1 - alpha) * lexical_norm
    return fused, dense_norm, lexical_norm
