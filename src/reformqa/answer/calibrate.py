"""Fitting the abstention model for one corpus, so that "no" is calibrated even without gold questions.

Three sources of examples: the dev split of the project's question sets (when
it has any), questions made from the corpus's own clauses (the documents
answer them), and the shipped out-of-domain questions (data/out_of_domain.txt:
Chinese, English and junk that no policy document answers). The out-of-domain
questions also measure the corpus's *profile*: what an unrelated question
scores on it, so the dense signal is read relative to this corpus. The fitted
weights, threshold and profile are stored in the index's calibration.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from ..normalize import normalize
from ..records import Clause
from ..search import Retriever
from .abstain import DEFAULT_CALIBRATION, FEATURES, features, has_words
from .bridge import Bridge
from .lists import POLICY_VERBS
from .question import Query, analyse, search_request
from .signals import Lexicon
from .synonyms import corpus_synonyms

__all__ = ["Example", "clause_questions", "corpus_profile", "fit_calibration", "logistic", "out_of_domain"]

_SEARCH_K = 30
# A wrong "no" costs a user the answer the documents hold; a wrong "yes" shows a clause that does not answer,
# quoted and cited so the user can see it. The cut refuses this share of the unanswerable, and answers all else.
REFUSE_SHARE = 0.92
_CLAUSE_QUESTIONS = 60
# Question frames for the questions made from clauses: how people ask about a measure.
_FRAMES = ("{a}是怎么规定的？", "关于{a}有什么要求", "{r}{a}怎么做", "{a}的具体内容是什么", "有没有{a}方面的规定？", "{r}在{a}上有什么举措")


@dataclass(frozen=True, slots=True)
class Example:
    """A question to fit on: whether the documents answer it, and for a list question the pilots to list."""

    question: str
    answerable: bool
    listed: frozenset[str] | None = None  # the pilots a list answer must name; None for other questions


def out_of_domain() -> list[str]:
    """The shipped questions that no policy document answers."""
    text = resources.files("reformqa.answer").joinpath("data/out_of_domain.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def clause_questions(retriever: Retriever, lexicon: Lexicon, limit: int = _CLAUSE_QUESTIONS) -> list[str]:
    """Questions the corpus answers, made from its own clauses: the rarer words of a sub-clause in a question frame."""
    clauses = [c for c in retriever.stored.clauses if c.kind != "scope" and c.spans]
    if not clauses:
        return []
    step = max(1, len(clauses) // limit)
    out = []
    for n, clause in enumerate(clauses[::step][:limit]):
        text = _longest_span(clause)
        terms = [t for t in dict.fromkeys(retriever.stored.tokenizer.terms(normalize(text))) if t not in POLICY_VERBS and not t.isascii()]
        if len(terms) < 2:
            continue
        # The two or three rarest words, in the order the clause says them.
        keep = set(sorted(terms, key=lambda t: -lexicon.weight(t))[: 2 + n % 2])
        topic = "".join(t for t in terms if t in keep)
        region = clause.region or ""
        out.append(_FRAMES[n % len(_FRAMES)].format(a=topic, r=region))
    return out


def _longest_span(clause: Clause) -> str:
    span = max(clause.spans, key=lambda s: s.end - s.start)
    return clause.text[span.start - clause.start : span.end - clause.start]


def _analyse(retriever: Retriever, question: str, bridge: Bridge | None = None) -> Query:
    stored = retriever.stored
    return analyse(question, stored.gazetteer, stored.tokenizer, stored.other_places, bridge=bridge)


def corpus_profile(retriever: Retriever, questions: Sequence[str]) -> dict[str, list[float]]:
    """Mean and spread of the best dense score that out-of-domain questions get on this corpus, by script."""
    return _profile(retriever, [_analyse(retriever, q) for q in questions if has_words(q)])


def _profile(retriever: Retriever, queries: Sequence[Query]) -> dict[str, list[float]]:
    scores: dict[str, list[float]] = {"zh": [], "en": []}
    for query in queries:
        dense = retriever.dense_scores(retriever.embed(query.normalized))
        scores["en" if query.latin else "zh"].append(float(np.nanmax(dense)) if np.isfinite(dense).any() else 0.0)
    default = DEFAULT_CALIBRATION["profile"]
    return {
        script: [round(float(np.mean(v)), 5), round(max(float(np.std(v)), 0.005), 5)] if len(v) >= 5 else list(default[script])
        for script, v in scores.items()
    }


def logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 4.0, steps: int = 4000, rate: float = 0.5, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Fit L2-regularised logistic regression; the last column of x is the bias."""
    mean = x[:, :-1].mean(axis=0)
    std = x[:, :-1].std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([(x[:, :-1] - mean) / std, np.ones((len(x), 1))])
    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ ((p - y) * sw) / sw.sum()
        grad[:-1] += l2 * w[:-1] / len(y)
        w -= rate * grad
    # Fold the standardisation back in, so the stored weights apply to raw features.
    raw = w[:-1] / std
    return np.append(raw, w[-1] - float(np.dot(raw, mean)))


def _balanced_accuracy(answered: np.ndarray, y: np.ndarray, sw: np.ndarray) -> float:
    pos, neg = y == 1, y == 0
    tpr = float((sw * (answered & pos)).sum() / max((sw * pos).sum(), 1e-9))
    tnr = float((sw * (~answered & neg)).sum() / max((sw * neg).sum(), 1e-9))
    return (tpr + tnr) / 2


def _best_threshold(p: np.ndarray, y: np.ndarray, sw: np.ndarray) -> float:
    """The lowest cut that still refuses REFUSE_SHARE of the unanswerable questions: the fewest wrong "no"s for that.

    Where no cut refuses that many, the cut with the best balanced accuracy; ties go to the middle of the best run.
    """
    cuts = np.round(np.arange(0.05, 0.96, 0.01), 2)
    neg = y == 0
    refused = np.array([float((sw * ((p < cut) & neg)).sum() / max((sw * neg).sum(), 1e-9)) for cut in cuts])
    enough = np.flatnonzero(refused >= REFUSE_SHARE)
    if len(enough):
        return float(cuts[enough[0]])
    scores = np.array([_balanced_accuracy(p >= cut, y, sw) for cut in cuts])
    best = np.flatnonzero(scores >= scores.max() - 1e-9)
    return float(cuts[best[len(best) // 2]])


def fit_calibration(
    retriever: Retriever, lexicon: Lexicon, examples: Sequence[Example], bridge: Bridge | None = None, prefetch: Callable[[Sequence[str]], None] | None = None
) -> dict[str, Any]:
    """Fit the abstention model on gold dev questions, the corpus's own clause questions and the shipped out-of-domain set.

    English questions are read through the bridge, as they are when asked. `prefetch`, when given, is called
    once with every text the fit will embed, before it embeds any (a build embeds them in one batch).
    """
    synonyms = corpus_synonyms(w for w in retriever.idf if not w.startswith("~"))
    lexicon = Lexicon(retriever.idf, retriever.max_idf, synonyms)
    foreign = out_of_domain()
    foreign_queries = [_analyse(retriever, q) for q in foreign if has_words(q)]
    made = clause_questions(retriever, lexicon)
    # Gold questions weigh most: they are how people really ask. Made and shipped
    # questions keep the model honest where no gold question reaches.
    rows: list[tuple[str, bool, float]] = [(e.question, e.answerable, 1.0) for e in examples]
    rows += [(q, True, 0.5) for q in made] + [(q, False, 0.5) for q in foreign if has_words(q)]
    # Each class weighs the same in all: a few gold "no"s are not drowned by many "yes"es.
    positives = sum(w for _, a, w in rows if a)
    negatives = sum(w for _, a, w in rows if not a)
    rows = [(q, a, w * (len(rows) / 2) / (positives if a else negatives)) for q, a, w in rows]
    queries = [_analyse(retriever, question, bridge) for question, _, _ in rows]
    if prefetch is not None:
        prefetch([q.normalized for q in foreign_queries] + [search_request(q, "full").text for q in queries])
    profile = _profile(retriever, foreign_queries)
    calibration: dict[str, Any] = {**DEFAULT_CALIBRATION, "profile": profile}
    x, y, sw = [], [], []
    for query, (_, answerable, weight) in zip(queries, rows, strict=True):
        hits = retriever.search(search_request(query, "full"), mode="full", k=_SEARCH_K)
        x.append(features(retriever, lexicon, query, hits, calibration))
        y.append(1.0 if answerable else 0.0)
        sw.append(weight)
    fitted_on = {"questions": len(examples), "answerable": sum(1 for e in examples if e.answerable), "clause_questions": len(made), "out_of_domain": len(rows) - len(examples) - len(made)}
    if len(set(y)) < 2:
        return {**calibration, "fitted_on": fitted_on, "synonyms": synonyms}
    xa, ya, swa = np.array(x, dtype=np.float64), np.array(y), np.array(sw)
    weights = logistic(xa, ya, sample_weight=swa)
    p = 1.0 / (1.0 + np.exp(-(xa @ weights)))
    # Questions that share no words with the corpus (English, until a bridge gives them
    # Chinese words) rest on the dense score alone: their cut is fitted on them alone.
    nolex = xa[:, FEATURES.index("no_lexical")] == 1
    cuts = {"threshold": _best_threshold(p[~nolex], ya[~nolex], swa[~nolex])}
    if len(set(ya[nolex])) == 2:
        cuts["threshold_nolex"] = _best_threshold(p[nolex], ya[nolex], swa[nolex])
    return {
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in weights],
        **cuts,
        "profile": profile,
        "fitted_on": fitted_on,
        "synonyms": synonyms,
    }
