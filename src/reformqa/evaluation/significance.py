"""Paired significance tests: the full pipeline against other modes, and two saved runs.

ranx's paired t-test gives the p-value; because it overstates the evidence for
0/1 scores when only a few questions differ, every row also carries the exact
sign test over the questions that differ and the smallest difference the test
could detect with 80% power.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ReformqaError
from .metrics import COMPARED, MAX_P, PAIRED, RANKED, Observed, Relevant, Scores, ranking, require
from .questions import GoldQuestion

__all__ = ["compare_modes", "compare_runs"]

# Smallest difference a paired test detects with 80% power at two-sided alpha 0.05.
_MDE_Z = 1.96 + 0.84


def _paired_p(x: np.ndarray, y: np.ndarray) -> float:
    """The p-value of ranx's two-sided paired t-test, the test ranx.compare runs; 1 when nothing differs."""
    if len(x) < 2 or not np.any(x != y):
        return 1.0
    stats = require("ranx.statistical_tests")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, _ = stats.paired_student_t_test(x, y, MAX_P)
    return 1.0 if np.isnan(p) else float(p)


def _row(x: np.ndarray, y: np.ndarray, p: float, **names: str) -> dict[str, Any]:
    """One line of a comparison: means, p, wins/ties/losses of x over y, the detectable difference.

    The t-test is anti-conservative for 0/1 scores when few questions differ, so the
    exact sign test over the questions that differ (scipy's binomtest) comes along.
    """
    wins, losses = int((x > y).sum()), int((x < y).sum())
    sign_p = float(require("scipy.stats").binomtest(wins, wins + losses).pvalue) if wins + losses else 1.0
    mde = float(_MDE_Z * np.std(x - y, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")
    return {
        **names, "questions": len(x), "a_score": float(x.mean()), "b_score": float(y.mean()), "p_value": p,
        "significant": p <= MAX_P and bool(np.any(x != y)), "sign_p": sign_p, "mde": mde,
        "wins": wins, "ties": len(x) - wins - losses, "losses": losses,
    }


def compare_modes(golds: Sequence[GoldQuestion], relevant: Relevant, observed: dict[str, dict[str, Observed]],
                  scores: dict[str, Scores]) -> list[dict[str, Any]]:
    """Paired tests (ranx.compare) of the reference mode (full) against every other mode."""
    ranx = require("ranx")
    modes = list(observed)
    reference = "full" if "full" in modes else modes[-1]
    ranked = [g for g in golds if relevant[g.qid]]
    if not ranked or len(modes) < 2:
        return []
    qrels = ranx.Qrels({g.qid: dict.fromkeys(relevant[g.qid], 1) for g in ranked})
    rows = []
    for other in (m for m in modes if m != reference):
        runs = [ranx.Run({g.qid: ranking(observed[m][g.qid].cited) or {"~none": 0.0} for g in ranked}, name=m) for m in (reference, other)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = ranx.compare(qrels, runs, metrics=[RANKED[m] for m in COMPARED], stat_test="student", max_p=MAX_P).to_dict()
        for metric in COMPARED:
            x = np.array([scores[reference][g.qid][metric] for g in ranked])
            y = np.array([scores[other][g.qid][metric] for g in ranked])
            p = float(report[reference]["comparisons"][other][RANKED[metric]])
            rows.append(_row(x, y, 1.0 if np.isnan(p) else p, a=reference, b=other, metric=metric))
    return rows


def compare_runs(a: dict[str, Any], b: dict[str, Any], mode_a: str | None = None, mode_b: str | None = None) -> dict[str, Any]:
    """Two saved runs side by side: paired tests on the per-question scores they saved."""
    if mode_a or mode_b:
        pairs = [(str(mode_a or mode_b), str(mode_b or mode_a))]
    else:
        pairs = [(m, m) for m in a["modes"] if m in b["modes"]]
    for ma, mb in pairs:
        for run, mode in ((a, ma), (b, mb)):
            if mode not in run["modes"]:
                raise ReformqaError(f"run {run['name']!r} has no mode {mode!r}; it has {', '.join(run['modes'])}")
    qa = {q["id"]: q for q in a["questions"]}
    qb = {q["id"]: q for q in b["questions"]}
    common = [qid for qid in qa if qid in qb and qa[qid]["question"] == qb[qid]["question"]]
    rows = []
    for ma, mb in pairs:
        for metric in PAIRED:
            ids = [q for q in common if metric in qa[q]["modes"][ma]["scores"] and metric in qb[q]["modes"][mb]["scores"]]
            if ids:
                x = np.array([qa[q]["modes"][ma]["scores"][metric] for q in ids], dtype=float)
                y = np.array([qb[q]["modes"][mb]["scores"][metric] for q in ids], dtype=float)
                rows.append(_row(x, y, _paired_p(x, y), mode_a=ma, mode_b=mb, metric=metric))
    aggregates = {f"{ma}|{mb}": {"a": a["summary"][ma], "b": b["summary"][mb]} for ma, mb in pairs}
    return {"a": a["name"], "b": b["name"], "pairs": pairs, "paired_questions": len(common), "rows": rows, "aggregates": aggregates}
