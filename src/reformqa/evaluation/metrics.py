"""Scoring one mode's answers: relevant clauses, ranking metrics (ranx), span accuracy, abstention, failures.

A clause is relevant to a question when it lies in one of the question's gold
regions (document-level text when the question names none) and contains one of
its gold spans; a list question uses each region's own spans.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import MissingDependency
from ..records import Clause
from .questions import GoldQuestion

__all__ = [
    "EVAL_K", "MAX_P", "RANKED", "COMPARED", "PAIRED", "INSTALL", "Observed", "Relevant", "Scores", "require", "clause_key", "ranking",
    "relevant_clauses", "span_correct", "article_correct", "score_questions", "failures", "summarize", "threshold_sweep", "kind_measure",
]

EVAL_K = 10  # every question is asked with k=10: ranking metrics look at ten citations
MAX_P = 0.05
# Our names -> ranx's. ranx's "hits" counts relevant clauses; "hit_rate" is the 0/1 Hit@k.
RANKED = {
    "hit@1": "hit_rate@1", "hit@3": "hit_rate@3", "hit@5": "hit_rate@5", "hit@10": "hit_rate@10", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10",
}
COMPARED = ("hit@1", "mrr@10", "ndcg@10")
PAIRED = (*RANKED, "list_recall@10", "span_accuracy", "abstain_ok")
INSTALL = "pip install 'reformqa[eval]'"
Relevant = dict[str, dict[str, "str | None"]]  # question id -> clause key -> region of each relevant clause
Scores = dict[str, dict[str, float]]  # question id -> metric -> value


def require(module: str) -> Any:
    """Import an optional evaluation dependency, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(f"reformqa eval needs {module.split('.')[0]}, which is not installed ({exc}). Run: {INSTALL}") from None


def clause_key(doc_id: str, clause_id: str) -> str:
    """A clause's id across documents: what qrels and runs name."""
    return f"{doc_id}:{clause_id}"


@dataclass(frozen=True, slots=True)
class Observed:
    """What `ask` returned for one question in one mode, as far as scoring needs it."""

    answered: bool
    list_answer: bool
    confidence: float
    cited: tuple[tuple[str, str | None], ...]  # (clause key, region) in rank order
    quotes: tuple[str, ...]
    latency_ms: float
    articles: tuple[str, ...] = ()  # each citation's 第X条 ("" outside articles), in rank order

    @classmethod
    def from_json(cls, answer: dict[str, Any], latency_ms: float = 0.0) -> Observed:
        """Read the answer JSON contract (what `ask --json` prints)."""
        cites = answer["citations"]
        return cls(
            answered=bool(answer["answerable"]),
            list_answer=bool(answer.get("list_question")),
            confidence=float(answer.get("confidence", 0.0)),
            cited=tuple((clause_key(c["doc"], c["clause_id"]), c["region"]) for c in cites),
            quotes=tuple(c["quote"] for c in cites),
            latency_ms=latency_ms,
            articles=tuple(c.get("article", "") for c in cites),
        )

    @property
    def primary_quote(self) -> str | None:
        """The quote a person reads as the answer; None when the bot abstained."""
        return self.quotes[0] if self.answered and self.quotes else None


def relevant_clauses(gold: GoldQuestion, clauses: Sequence[Clause]) -> dict[str, str | None]:
    """Clause key -> region of every clause that answers the question (none for unanswerable ones)."""
    if not gold.answerable:
        return {}
    wanted: dict[str | None, tuple[str, ...]] = {r: s for r, s in gold.spans_by_region.items()} if gold.is_list else {r: gold.spans for r in (gold.regions or (None,))}
    return {
        clause_key(c.doc_id, c.clause_id): c.region
        for c in clauses
        if c.region in wanted and (not gold.docs or c.doc_id in gold.docs) and any(s in c.text for s in wanted[c.region])
    }


def span_correct(gold: GoldQuestion, seen: Observed) -> bool:
    """The primary quote comes from a gold region and contains a gold span, or lies inside one."""
    quote = seen.primary_quote
    if quote is None or not quote:
        return False
    allowed: set[str | None] = set(gold.regions) or {None}
    in_docs = not gold.docs or seen.cited[0][0].split(":", 1)[0] in gold.docs
    return seen.cited[0][1] in allowed and in_docs and any(s in quote or quote in s for s in gold.spans)


def article_correct(gold: GoldQuestion, seen: Observed) -> bool:
    """The top citation is the article asked for (第十二条), in one of the question's documents."""
    if not seen.cited or not seen.articles:
        return False
    return seen.articles[0] == gold.article and (not gold.docs or seen.cited[0][0].split(":", 1)[0] in gold.docs)


def ranking(cited: Sequence[tuple[str, str | None]], name: Callable[[str, str | None], str] = lambda key, _: key) -> dict[str, float]:
    """A ranx run entry: the first EVAL_K citations, scored so that rank order is kept."""
    out: dict[str, float] = {}
    for rank, (key, region) in enumerate(cited[:EVAL_K], 1):
        out.setdefault(name(key, region), 1.0 / rank)
    return out


def _ranx_scores(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]], metrics: list[str]) -> Scores:
    """Per-question ranx scores, metric -> question -> score."""
    ranx = require("ranx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's type-safety notes while it compiles ranx's metrics
        # A question with no citation still needs an entry: one clause no qrels name.
        ranx_run = ranx.Run({q: r or {"~none": 0.0} for q, r in run.items()})
        ranx.evaluate(ranx.Qrels(qrels), ranx_run, metrics)
    return {m: {q: float(s) for q, s in ranx_run.scores[m].items()} for m in metrics}


def score_questions(golds: Sequence[GoldQuestion], relevant: Relevant, observed: dict[str, Observed]) -> Scores:
    """Per-question scores of one mode: question id -> metric -> value (only the metrics that apply)."""
    scores: Scores = {g.qid: {"abstain_ok": float(observed[g.qid].answered == g.answerable)} for g in golds}
    ranked = [g for g in golds if relevant[g.qid]]
    if ranked:
        qrels = {g.qid: dict.fromkeys(relevant[g.qid], 1) for g in ranked}
        per = _ranx_scores(qrels, {g.qid: ranking(observed[g.qid].cited) for g in ranked}, list(RANKED.values()))
        for g in ranked:
            scores[g.qid].update({ours: per[theirs][g.qid] for ours, theirs in RANKED.items()})
    lists = [g for g in ranked if g.is_list]
    if lists:
        # Region recall: a region counts when one of its relevant clauses is cited.
        def region_run(g: GoldQuestion) -> dict[str, float]:
            return ranking(observed[g.qid].cited, lambda key, region: str(region) if key in relevant[g.qid] else "~" + key)

        per = _ranx_scores({g.qid: dict.fromkeys(g.regions, 1) for g in lists}, {g.qid: region_run(g) for g in lists}, ["recall@10"])
        for g in lists:
            scores[g.qid]["list_recall@10"] = per["recall@10"][g.qid]
            seen = observed[g.qid]
            if seen.answered and seen.list_answer:
                listed = {region for _, region in seen.cited}
                found = {relevant[g.qid][key] for key, _ in seen.cited if key in relevant[g.qid]}
                scores[g.qid]["list_precision"] = len(found) / len(listed)
    for g in golds:
        if g.answerable and not g.is_list:
            scores[g.qid]["span_accuracy"] = float(span_correct(g, observed[g.qid]))
        if g.answerable and g.article:
            scores[g.qid]["article_accuracy"] = float(article_correct(g, observed[g.qid]))
    return scores


def failures(gold: GoldQuestion, seen: Observed, scores: dict[str, float], relevant: dict[str, str | None], threshold: float) -> list[str]:
    """Why a question counts as failed in one mode; empty when it is right."""
    if not gold.answerable:
        return [f"answered (confidence {seen.confidence:.2f}) instead of abstaining"] if seen.answered else []
    out = []
    if not seen.answered:
        low = seen.confidence < threshold
        why = f"confidence {seen.confidence:.2f} < threshold {threshold:.2f}" if low else "answer type in no cited clause"
        out.append(f"abstained ({why})")
    first = next((rank for rank, (key, _) in enumerate(seen.cited[:EVAL_K], 1) if key in relevant), None)
    if not relevant:
        out.append("no clause holds a gold span (gold problem)")
    elif gold.is_list:
        found = {relevant[key] for key, _ in seen.cited[:EVAL_K] if key in relevant}
        if missing := [r for r in gold.regions if r not in found]:
            out.append("missing regions: " + "、".join(missing))
        if seen.answered and seen.list_answer and (extra := sorted({str(r) for _, r in seen.cited} - set(gold.regions))):
            out.append("extra regions: " + "、".join(extra))
        if seen.answered and not seen.list_answer:
            out.append("answered with one clause, not a list")
    elif first != 1:
        out.append(f"top clause not relevant; first relevant at rank {first}" if first else f"no relevant clause in the top {EVAL_K}")
    elif seen.answered and not scores.get("span_accuracy"):
        out.append("primary quote misses the gold span")
    if gold.article and not scores.get("article_accuracy"):
        out.append(f"top citation is {seen.articles[0] if seen.articles and seen.articles[0] else 'no article'}, not {gold.article}")
    return out


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def summarize(golds: Sequence[GoldQuestion], observed: dict[str, Observed], scores: Scores) -> dict[str, Any]:
    """Aggregate one mode's per-question scores over a group of questions."""
    out: dict[str, Any] = {"questions": len(golds)}
    for metric in (*RANKED, "list_recall@10", "list_precision", "span_accuracy", "article_accuracy"):
        values = [scores[g.qid][metric] for g in golds if metric in scores[g.qid]]
        out[metric], out["n_" + metric] = _mean(values), len(values)
    seen = [observed[g.qid] for g in golds]
    out["quote_chars"] = _mean([float(len(s.quotes[0])) for s in seen if s.answered and s.quotes])
    unanswerable = [g for g in golds if not g.answerable]
    abstained = [g for g in golds if not observed[g.qid].answered]
    right = sum(1 for g in abstained if not g.answerable)
    out["abstention_precision"] = right / len(abstained) if abstained else None
    out["abstention_recall"] = right / len(unanswerable) if unanswerable else None
    out["n_unanswerable"], out["n_abstained"] = len(unanswerable), len(abstained)
    out["wrong_abstentions"] = sum(1 for g in abstained if g.answerable)
    latency = [s.latency_ms for s in seen]
    out["latency_p50_ms"] = float(np.percentile(latency, 50)) if latency else None
    out["latency_p95_ms"] = float(np.percentile(latency, 95)) if latency else None
    return out


def threshold_sweep(golds: Sequence[GoldQuestion], observed: dict[str, Observed], scores: Scores, calibrated: float) -> dict[str, Any]:
    """Abstention precision/recall and answered accuracy as the confidence threshold moves.

    A question abstained on although its confidence clears the calibrated
    threshold was vetoed by its answer type: it stays abstained at every cut.
    """
    conf = np.array([observed[g.qid].confidence for g in golds])
    answered = np.array([observed[g.qid].answered for g in golds], dtype=bool)
    vetoed = ~answered & (conf >= calibrated)
    gold = np.array([g.answerable for g in golds], dtype=bool)
    right = np.array([scores[g.qid].get("hit@1", 0.0) == 1.0 for g in golds], dtype=bool) & gold
    sweep: dict[str, Any] = {"calibrated": calibrated, "thresholds": []}
    sweep.update({key: [] for key in ("abstention_precision", "abstention_recall", "answered_accuracy", "answered_share")})
    for cut in np.round(np.arange(0.0, 1.0001, 0.01), 2):
        says = (conf >= cut) & ~vetoed
        abstains = ~says
        hits = int((abstains & ~gold).sum())
        sweep["thresholds"].append(float(cut))
        sweep["abstention_precision"].append(hits / int(abstains.sum()) if abstains.any() else None)
        sweep["abstention_recall"].append(hits / int((~gold).sum()) if (~gold).any() else None)
        sweep["answered_accuracy"].append(int((says & right).sum()) / int(says.sum()) if says.any() else None)
        sweep["answered_share"].append(float(says.mean()) if len(says) else None)
    return sweep


def kind_measure(stats: dict[str, Any], kind: str) -> float | None:
    """The one number that says how a kind went: Hit@1, or abstention recall for unanswerable questions."""
    return stats.get("abstention_recall") if kind == "unanswerable" else stats.get("hit@1")
