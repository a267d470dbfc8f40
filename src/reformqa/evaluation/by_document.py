"""Evaluation per document: every measure over the questions about each document of a many-document corpus.

A question counts for each document its gold names (``docs``); questions that
name none (the seed's own set, and questions about documents the corpus does
not hold) are grouped as ``(any)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .metrics import Observed, Scores, summarize
from .questions import GoldQuestion

__all__ = ["ANY", "by_document", "render_by_document"]

ANY = "(any)"


def by_document(golds: Sequence[GoldQuestion], observed: dict[str, Observed], scores: Scores) -> dict[str, Any]:
    """Document id -> the summary of the questions about it, in order of first mention."""
    names = list(dict.fromkeys(d for g in golds for d in (g.docs or (ANY,))))
    return {name: summarize([g for g in golds if name in (g.docs or (ANY,))], observed, scores) for name in names}


def render_by_document(run: dict[str, Any], mode: str, fmt: Any, md_table: Any) -> list[str]:
    """The Markdown section: one row per document."""
    per = (run.get("by_document") or {}).get(mode)
    if not per or list(per) == [ANY]:
        return []
    rows = [[doc, str(s["questions"]), fmt(s["hit@1"]), fmt(s["hit@5"]), fmt(s["mrr@10"]), fmt(s["span_accuracy"]),
             f"{fmt(s['article_accuracy'])} (n={s['n_article_accuracy']})" if s["n_article_accuracy"] else "—",
             f"{s['n_abstained'] - s['wrong_abstentions']}/{s['n_unanswerable']}", str(s["wrong_abstentions"])]
            for doc, s in per.items()]
    header = ["document", "questions", "Hit@1", "Hit@5", "MRR@10", "span acc.", "article acc.", "unanswerable abstained", "answerable abstained"]
    return [f"## By document ({mode})", "",
            "Each question counts for every document its gold names; *article acc.*: article questions whose top citation is the "
            "article asked for.", "", *md_table(header, rows), ""]
