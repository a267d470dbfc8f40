"""Answer-span accuracy by the kind of answer asked for (a figure, a date, a condition…), with every miss.

The question set labels each single-answer question with its `answer_kind`
(eval/README.md); this module groups the scored run by it and lists each
question whose primary quote misses, with the gold span beside what was quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .metrics import Observed, Scores
from .questions import GoldQuestion

__all__ = ["ANSWER_KIND_ORDER", "by_answer_kind", "render_answer_kinds"]

ANSWER_KIND_ORDER = ("figure", "duration", "date", "count", "enumeration", "condition", "actor", "yesno", "definition", "measure")


def by_answer_kind(golds: Sequence[GoldQuestion], observed: dict[str, Observed], scores: Scores) -> dict[str, dict[str, Any]]:
    """answer kind -> {questions, span_accuracy, abstained, misses: [question ids]} over answerable single-answer questions."""
    groups: dict[str, list[GoldQuestion]] = {}
    for gold in golds:
        if gold.answerable and not gold.is_list:
            groups.setdefault(gold.answer_kind or "measure", []).append(gold)
    order = [k for k in ANSWER_KIND_ORDER if k in groups] + sorted(set(groups) - set(ANSWER_KIND_ORDER))
    out = {}
    for kind in order:
        members = groups[kind]
        right = [g for g in members if scores[g.qid].get("span_accuracy") == 1.0]
        out[kind] = {
            "questions": len(members),
            "span_accuracy": len(right) / len(members),
            "abstained": sum(1 for g in members if not observed[g.qid].answered),
            "misses": [g.qid for g in members if g not in right],
        }
    return out


def render_answer_kinds(run: dict[str, Any], mode: str) -> list[str]:
    """The report section: span accuracy per answer kind, then every miss with its gold span and quote."""
    kinds = run.get("by_answer_kind", {}).get(mode)
    if not kinds:
        return []
    out = [f"## Answer-span accuracy by answer kind ({mode})", "",
           "Single-answer questions grouped by the kind of answer they ask for (`answer_kind` in the question set); "
           "a question is right when its primary quote comes from a gold region and contains a gold span or lies inside one.", "",
           "| answer kind | n | span acc. | abstained | misses |", "|---|---|---|---|---|"]
    for kind, s in kinds.items():
        out.append(f"| {kind} | {s['questions']} | {s['span_accuracy']:.3f} | {s['abstained']} | {len(s['misses'])} |")
    questions = {q["id"]: q for q in run["questions"]}
    missed = [(kind, questions[qid]) for kind, s in kinds.items() for qid in s["misses"] if qid in questions]
    out += ["", f"Every miss ({len(missed)}):", ""]
    for kind, q in missed:
        seen = q["modes"][mode]
        quote = f"「{seen['quotes'][0]}」" if seen["answered"] and seen["quotes"] else "abstained"
        region = seen["cited"][0][1] if seen["cited"] else None
        out.append(f"- **{q['id']}** {kind} · {q['kind']} · {q['question']} — gold 「{' / '.join(q['spans'])}」; "
                   f"quoted {quote}" + (f" ({region or '(document)'})" if seen["answered"] else ""))
    return out + [""]
