"""Choosing the quote: the shortest run of a clause's sub-clauses that gives the answer asked for.

A question asks for a kind of answer (answer_types.ANSWER_KINDS): the figure,
the list of services, the condition, the actor. The quote is the run of one
to three adjacent sub-clauses that is about the question (its words, then its
meaning) *and* shows that kind of answer, so 开展哪些服务 quotes the services,
not the sub-clause that merely repeats 运营中心. A run never stops where the
text goes on to qualify it: a condition (…的, 在…前提下) takes its consequence,
and 但…, 不受…, …除外 stay with what they qualify. Quotes are offsets into the
source, never rewritten text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ..normalize import normalize
from ..records import Clause, Hit
from ..search import Retriever
from .answer_types import CONTENT_KINDS, answer_head, gives_kind, type_matches
from .question import Query
from .signals import Lexicon

__all__ = ["CONDITION_HEAD", "QUALIFIES", "choose_quote", "span_norm"]

_MAX_RUN = 3
_GIVES = 0.6  # a run that shows the kind of answer asked for beats one that only names the topic
_EXTRA = 0.2  # each further sub-clause must earn its place
# A sub-clause that opens like this belongs to the one before it: it qualifies or continues it.
QUALIFIES = re.compile(r"^(?:但|但是|不受|不得|不再|且|并且|并|或|或者|以及|及|其中|除|同时|也|均|应当|须|必须)|除外")
# A sub-clause that only states a condition (…的, 在…下, 对于…): its consequence follows.
CONDITION_HEAD = re.compile(r"(?:的|时|后|前|下|外)$|^(?:对于|对|凡|如|如果|若|经|属于|涉及|其中涉及)")


def _text(clause: Clause, i: int) -> str:
    span = clause.spans[i]
    return clause.text[span.start - clause.start : span.end - clause.start]


@lru_cache(maxsize=65536)
def span_norm(text: str) -> str:
    """A sub-clause's matching form: quotes and comparisons read the same sub-clauses again and again, normalised once."""
    return normalize(text)


def _echo(norm: str, question: str) -> float:
    """Share of a sub-clause's Chinese characters that the question already says."""
    chars = [c for c in norm if "\u4e00" <= c <= "\u9fff"]
    return sum(1 for c in chars if c in question) / len(chars) if chars else 1.0


def _run_score(norms: list[str], dense: np.ndarray, coverage: Callable[[str], float], query: Query, i: int, j: int, head: str | None) -> float:
    joined = "".join(norms[i : j + 1])
    score = coverage(joined) + 0.5 * float(dense[i : j + 1].max())
    if head is not None:
        if head in joined:
            score += _GIVES  # 依托哪个平台: the run that names a 平台
        if i == j and _echo(joined, query.normalized) > 0.9:
            score -= _EXTRA  # the question already says all of it: the answer lies beside it
    kind = query.answer_kind
    if kind in CONTENT_KINDS and any(gives_kind(kind, n) for n in norms[i : j + 1]):
        score += _GIVES
    if query.answer_type is not None and type_matches(query.answer_type, joined):
        score += 0.3  # the run that states the date, term or figure asked for
    return score - _EXTRA * (j - i)


def _complete(clause: Clause, norms: list[str], i: int, j: int, query: Query) -> tuple[int, int]:
    """Widen a run so that it does not stop mid-thought."""
    last = len(norms) - 1
    # A condition, however long, is quoted with what follows from it (…超过一年未组织实施转化的, 完成人可以…).
    while j < last and (QUALIFIES.search(norms[j + 1]) or CONDITION_HEAD.search(norms[j])):
        j += 1
    # A quote too short to stand alone takes the sub-clause that continues it.
    short = clause.spans[j].end - clause.spans[i].start < 8
    typed = query.answer_type not in (None, "number") and type_matches(query.answer_type, "".join(norms[i : j + 1]))
    if short and not typed and j < last:
        j += 1
    return i, j


def choose_quote(retriever: Retriever, lexicon: Lexicon, query: Query, hit: Hit, qvec: np.ndarray) -> tuple[int, int]:
    """Return the (start, end) source offsets of the quote taken from a hit's clause."""
    clause = hit.clause
    if clause.kind == "scope" or len(clause.spans) <= 1:
        last = clause.spans[-1].end if clause.spans else clause.end
        return clause.start, last
    norms = [span_norm(_text(clause, i)) for i in range(len(clause.spans))]
    raw = retriever.span_dense(clause, qvec)
    spread = float(raw.max() - raw.min()) if len(raw) else 0.0
    dense = (raw - raw.min()) / spread if spread > 0 else np.zeros(len(norms))
    best, best_score = (0, 0), -np.inf
    head = answer_head(query.normalized)
    coverage = lexicon.coverage_within(query.words, "".join(norms))
    for i in range(len(norms)):
        for j in range(i, min(i + _MAX_RUN, len(norms))):
            score = _run_score(norms, dense, coverage, query, i, j, head)
            if score > best_score + 1e-9:
                best, best_score = (i, j), score
    i, j = _complete(clause, norms, *best, query)
    return clause.spans[i].start, clause.spans[j].end
