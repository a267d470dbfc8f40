"""Choosing the quote: the sub-clause of a cited clause that answers the question.

Shared words weigh first, meaning second, and a sub-clause that states the
figure, date or term asked for is preferred; a quote too short to stand alone
takes the sub-clause that continues it.
"""

from __future__ import annotations

import math

import numpy as np

from ..normalize import normalize
from ..records import Clause, Hit
from ..search import Retriever
from .answer_types import type_matches
from .question import Query
from .signals import Lexicon

__all__ = ["choose_quote"]

_CONTINUES = ("或", "并", "且", "其中", "以及", "及")


def _span_text(clause: Clause, start: int, end: int) -> str:
    return clause.text[start - clause.start : end - clause.start]


def choose_quote(retriever: Retriever, lexicon: Lexicon, query: Query, hit: Hit, qvec: np.ndarray) -> tuple[int, int]:
    """Return the (start, end) source offsets of the quote taken from a hit's clause."""
    clause = hit.clause
    if clause.kind == "scope" or len(clause.spans) <= 1:
        last = clause.spans[-1].end if clause.spans else clause.end
        return clause.start, last
    dense = retriever.span_dense(clause, qvec)
    spread = float(dense.max() - dense.min()) if len(dense) else 0.0
    best, best_score = 0, -math.inf
    for i, span in enumerate(clause.spans):
        text = _span_text(clause, span.start, span.end)
        score = lexicon.coverage(query.words, normalize(text))
        score += 0.5 * (float(dense[i] - dense.min()) / spread if spread > 0 else 0.0)
        if query.answer_type is not None and type_matches(query.answer_type, text):
            score += 0.3  # the sub-clause that states the date, term or figure asked for
        if score > best_score:
            best, best_score = i, score
    start, end = clause.spans[best].start, clause.spans[best].end
    following = clause.spans[best + 1] if best + 1 < len(clause.spans) else None
    if following is not None:
        next_text = _span_text(clause, following.start, following.end)
        typed = query.answer_type not in (None, "number") and type_matches(query.answer_type, _span_text(clause, start, end))
        # Laws write "where X, Y" as X的，Y and a proviso as ，但…: a condition is not an answer without what follows it.
        condition = _span_text(clause, start, end).endswith("的") or next_text.startswith("但")
        if next_text.startswith(_CONTINUES) or condition or (end - start < 8 and not typed):
            end = following.end
    return start, end
