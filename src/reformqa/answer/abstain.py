"""Whether to answer at all: the signals the decision is made on, and the fitted model that weighs them.

The model is a logistic regression over the signals in FEATURES, fitted on
the question set's dev split when the index is built (calibrate.py) and
stored with it; until then DEFAULT_CALIBRATION answers whatever matches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..records import Hit
from ..search import Retriever
from .answer_types import STRICT_TYPES, type_matches
from .question import Query
from .signals import Lexicon

__all__ = ["FEATURES", "DEFAULT_CALIBRATION", "features", "confidence", "vetoed"]

# Lexical coverage only means something for Chinese questions, dense scores run
# lower for English ones: each gets its own weight per language.
FEATURES = ("dense_top", "coverage_zh", "dense_en", "agree", "latin", "other_place", "region_named", "type_miss", "type_hit", "scope_hit", "unknown_words", "unknown_en", "bias")
# Used only until an index is calibrated: answer unless nothing matches at all.
DEFAULT_CALIBRATION: dict[str, Any] = {
    "weights": [0.0] * (len(FEATURES) - 1) + [1.0],
    "threshold": 0.5,
    "list_min_coverage": 0.5,
    "list_rel_coverage": 0.8,
    "list_dense_gap": 0.02,
}


def features(retriever: Retriever, lexicon: Lexicon, query: Query, hits: Sequence[Hit]) -> list[float]:
    """The signals abstention is decided on, in FEATURES order."""
    if not hits:
        return [0.0] * (len(FEATURES) - 1) + [1.0]
    top = hits[0]
    by_dense = sorted(hits, key=lambda h: -h.signals["dense"])[:3]
    by_bm25 = sorted(hits, key=lambda h: -h.signals["bm25"])[:3]
    agree = float(top.signals["bm25"] > 0 and any(h.clause is top.clause for h in by_dense) and any(h.clause is top.clause for h in by_bm25))
    cov = lexicon.coverage(query.words, retriever.clause_norm(top.clause))
    type_miss = float(not type_matches(query.answer_type, top.clause.text))
    # An English question keeps its own dense weight when the bridge gave it words (query.latin is then False).
    english = query.latin or bool(query.matched_terms)
    return [
        top.signals["dense"],
        0.0 if query.latin else cov,
        top.signals["dense"] if english else 0.0,
        agree,
        float(english),
        float(bool(query.other_places) and not query.regions),
        float(bool(query.regions)),
        type_miss,
        float(query.answer_type not in (None, "number") and type_matches(query.answer_type, top.clause.text)),
        float(query.scope and bool(query.regions) and top.clause.kind == "scope"),
        0.0 if english else lexicon.unknown_share(query.words),
        lexicon.unknown_share(query.words) if english else 0.0,  # an English word the bridge found nowhere says more
        1.0,
    ]


def confidence(calibration: Mapping[str, Any], values: Sequence[float]) -> float:
    """Probability, under the fitted model, that the documents answer the question."""
    z = float(np.dot(calibration["weights"], values))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def vetoed(query: Query, cited: Sequence[Hit]) -> bool:
    """A 'no' whatever the scores: the question asks for what no cited clause can give, or asks nothing."""
    # A year, a document number, a sum of money or an upper bound cannot be
    # quoted from clauses that contain none.
    strict_miss = query.answer_type in STRICT_TYPES and not any(type_matches(query.answer_type, h.clause.text) for h in cited)
    # Latin-script input with fewer than two real words ("**x**", "alert(1)") asks nothing
    # the e5 scores could judge: they sit near 0.8 for any string.
    no_words = query.latin and sum(1 for w in query.words if len(w) >= 3 and w.isalpha()) < 2
    return strict_miss or no_words
