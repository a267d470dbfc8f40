"""Fitting the answer thresholds on the question set's dev split.

Whether the documents answer a question is decided by a logistic model over
the signals in answer.FEATURES; how confidently a region must match to be
listed is a coverage threshold. Both are fitted here, on dev questions only,
and stored in the index's calibration.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..records import Hit
from ..search import Retriever
from .abstain import DEFAULT_CALIBRATION, FEATURES, features
from .bridge import Bridge
from .lists import list_regions
from .question import Query, analyse, search_request
from .signals import Lexicon

__all__ = ["Example", "fit_calibration", "logistic"]

_SEARCH_K = 30


@dataclass(frozen=True, slots=True)
class Example:
    """A question to fit on: whether the documents answer it, and for a list question the pilots to list."""

    question: str
    answerable: bool
    listed: frozenset[str] | None = None  # the pilots a list answer must name; None for other questions


def logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 4.0, steps: int = 4000, rate: float = 0.5) -> np.ndarray:
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


def _macro_f1(answered: np.ndarray, y: np.ndarray) -> float:
    scores = []
    for predicted, actual in ((answered, y == 1), (~answered, y == 0)):
        tp = float((predicted & actual).sum())
        scores.append(2 * tp / max(float(predicted.sum() + actual.sum()), 1.0))
    return sum(scores) / 2


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The cut with the best macro-F1 of answering and abstaining; ties go to the lowest."""
    cuts = np.round(np.arange(0.05, 0.96, 0.01), 2)
    scores = [_macro_f1(p >= cut, y) for cut in cuts]
    return float(cuts[int(np.argmax(scores))])


def _list_params(retriever: Retriever, lexicon: Lexicon, samples: list[tuple[Query, list[Hit], frozenset[str]]]) -> dict[str, float]:
    """The list thresholds with the best region F1 over dev list questions (ties: the first)."""
    grid = {
        "list_min_coverage": np.round(np.arange(0.3, 0.91, 0.1), 2),
        "list_rel_coverage": np.round(np.arange(0.5, 1.01, 0.1), 2),
        "list_dense_gap": np.round(np.arange(0.005, 0.061, 0.005), 3),
    }
    chosen = {k: DEFAULT_CALIBRATION[k] for k in grid}
    for name, values in grid.items():  # one at a time: the three act on disjoint questions
        best_f1 = -1.0
        for value in values:
            params = {**DEFAULT_CALIBRATION, **chosen, name: float(value)}
            tp = fp = fn = 0
            for query, hits, gold in samples:
                got = {h.clause.region for h in list_regions(retriever, lexicon, query, hits, params)}
                tp += len(got & gold); fp += len(got - gold); fn += len(gold - got)
            f1 = 2 * tp / max(2 * tp + fp + fn, 1)
            if f1 > best_f1 + 1e-9:
                best_f1, chosen[name] = f1, float(value)
    return chosen


def fit_calibration(retriever: Retriever, lexicon: Lexicon, examples: Sequence[Example], bridge: Bridge | None = None) -> dict[str, Any]:
    """Fit abstention and list thresholds on the given (dev) questions (English ones through the bridge, as asked)."""
    stored = retriever.stored
    rows, labels, list_samples = [], [], []
    for example in examples:
        query = analyse(example.question, stored.gazetteer, stored.tokenizer, stored.other_places, bridge=bridge)
        hits = retriever.search(search_request(query, "full"), mode="full", k=_SEARCH_K)
        rows.append(features(retriever, lexicon, query, hits))
        labels.append(1.0 if example.answerable else 0.0)
        if example.listed is not None:
            list_samples.append((query, hits, example.listed))
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
        **_list_params(retriever, lexicon, list_samples),
        "fitted_on": {"questions": len(examples), "answerable": int(y.sum()), "list_questions": len(list_samples)},
    }
