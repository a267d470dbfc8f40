"""Fitting the answer thresholds on the question set's dev split.

Whether the documents answer a question is decided by a logistic model over
the signals in answer.FEATURES; how confidently a region must match to be
listed is a coverage threshold. Both are fitted here, on dev questions only,
and stored in the index's calibration.json.
"""

from __future__ import annotations

import numpy as np

from .answer import DEFAULT_CALIBRATION, FEATURES, features
from .query import analyse
from .questions import GoldQuestion
from .retrieve import Retriever

__all__ = ["fit_calibration", "logistic"]

_SEARCH_K = 30


def logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, steps: int = 4000, rate: float = 0.5) -> np.ndarray:
    """Fit L2-regularised logistic regression; the last column of x is the bias."""
    mean = x[:, :-1].mean(axis=0)
    std = x[:, :-1].std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([(x[:, :-1] - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) / len(y)
        grad[:-1] += l2 * w[:-1] / len(y)
        w -= rate * grad
    # Fold the standardisation back in, so the stored weights apply to raw features.
    raw = w[:-1] / std
    return np.append(raw, w[-1] - float(np.dot(raw, mean)))


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The cut with the best balanced accuracy; ties go to the middle of the plateau."""
    cuts = np.round(np.arange(0.05, 0.96, 0.01), 2)
    scores = []
    for cut in cuts:
        answered = p >= cut
        tpr = answered[y == 1].mean() if (y == 1).any() else 1.0
        tnr = (~answered[y == 0]).mean() if (y == 0).any() else 1.0
        scores.append(tpr + tnr)
    best = np.flatnonzero(np.isclose(scores, max(scores)))
    return float(cuts[best[len(best) // 2]])


def _list_threshold(samples: list[tuple[set[str], dict[str, float]]], default: float) -> float:
    """The coverage a region's best clause needs to be listed, by F1 over dev list questions."""
    if not samples:
        return default
    best_cut, best_f1 = default, -1.0
    for cut in np.round(np.arange(0.2, 0.96, 0.05), 2):
        tp = fp = fn = 0
        for gold, cov in samples:
            chosen = {r for r, c in cov.items() if c >= cut}
            tp += len(chosen & gold); fp += len(chosen - gold); fn += len(gold - chosen)
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        if f1 > best_f1 + 1e-9:
            best_cut, best_f1 = float(cut), f1
    return best_cut


def fit_calibration(retriever: Retriever, questions: list[GoldQuestion]) -> dict:
    """Fit abstention and list thresholds on the given (dev) questions."""
    stored = retriever.stored
    rows, labels, list_samples = [], [], []
    for gold in questions:
        query = analyse(gold.question, stored.gazetteer, stored.tokenizer, stored.other_places)
        hits = retriever.search(query, mode="full", k=_SEARCH_K)
        rows.append(features(retriever, query, hits))
        labels.append(1.0 if gold.answerable else 0.0)
        if gold.is_list and not query.latin:
            best: dict[str, float] = {}
            for hit in hits:
                if hit.clause.region and hit.clause.region not in best:
                    best[hit.clause.region] = retriever.coverage(query, retriever.clause_norm[retriever.position(hit.clause)])
            list_samples.append((set(gold.regions), best))
    y = np.array(labels)
    if len(set(labels)) < 2:
        return dict(DEFAULT_CALIBRATION)
    x = np.array(rows, dtype=np.float64)
    weights = logistic(x, y)
    p = 1.0 / (1.0 + np.exp(-(x @ weights)))
    return {
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in weights],
        "threshold": _best_threshold(p, y),
        "list_min_coverage": _list_threshold(list_samples, DEFAULT_CALIBRATION["list_min_coverage"]),
        "list_min_dense": DEFAULT_CALIBRATION["list_min_dense"],
        "fitted_on": {"questions": len(questions), "answerable": int(y.sum()), "list_questions": len(list_samples)},
    }
