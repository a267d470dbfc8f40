"""Scoring the comparison table: 提及/未提及 cells against the gold topics.

Each topic of eval/compare_topics.jsonl lists the pilots that mention it;
every other pilot is gold 未提及. A cell is a (topic, region) verdict; the
measures are precision and recall of 提及 cells, overall, per topic and per
region, and how many topics reach 0.9 on both (issue 5 asks for eight).
"""

from __future__ import annotations

from typing import Any

from .questions import GoldTopic

__all__ = ["TOPIC_TARGET", "evaluate_topics", "render_topics"]

TOPIC_TARGET = 0.9


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return round(precision, 3), round(recall, 3)


def evaluate_topics(project: Any, topics: list[GoldTopic]) -> dict[str, Any]:
    """Fill the table for every topic and score its cells."""
    rows: list[dict[str, Any]] = []
    per_region: dict[str, list[int]] = {}
    totals = [0, 0, 0]
    for topic in topics:
        table = project.compare(topic.topic)
        said, gold = set(table.mentioned), set(topic.mentioned)
        counts = (len(said & gold), len(said - gold), len(gold - said))
        for i, n in enumerate(counts):
            totals[i] += n
        for row in table.rows:
            region = per_region.setdefault(row.region, [0, 0, 0])
            region[0] += int(row.mentioned and row.region in gold)
            region[1] += int(row.mentioned and row.region not in gold)
            region[2] += int((not row.mentioned) and row.region in gold)
        precision, recall = _pr(*counts)
        rows.append({"id": topic.tid, "topic": topic.topic, "split": topic.split, "precision": precision, "recall": recall,
                     "extra": sorted(said - gold), "missing": sorted(gold - said), "said": sorted(said), "lang": topic.lang, "twin": topic.twin})
    precision, recall = _pr(*totals)
    # An English topic against its Chinese twin: do both list the same pilots?
    said_by_id = {row["id"]: row["said"] for row in rows}
    paired = [row for row in rows if row["twin"] in said_by_id]
    return {
        "english_twins": {"topics": len(paired), "same": sum(1 for row in paired if row["said"] == said_by_id[row["twin"]]),
                          "differ": [row["id"] for row in paired if row["said"] != said_by_id[row["twin"]]]},
        "topics": rows,
        "overall": {"precision": precision, "recall": recall, "cells": sum(len(project.retriever().stored.regions) for _ in topics)},
        "regions": {r: dict(zip(("precision", "recall"), _pr(*c))) for r, c in per_region.items()},
        "topics_meeting_target": sum(1 for r in rows if r["precision"] >= TOPIC_TARGET and r["recall"] >= TOPIC_TARGET),
    }


def render_topics(result: dict[str, Any]) -> list[str]:
    """The report's section on the comparison table, as Markdown lines."""
    overall = result["overall"]
    out = ["## Comparison table (提及/未提及 cells)", "",
           f"{len(result['topics'])} topics from `eval/compare_topics.jsonl`, {overall['cells']} cells: precision {overall['precision']:.3f}, "
           f"recall {overall['recall']:.3f} of 提及 cells; {result['topics_meeting_target']} topics reach {TOPIC_TARGET} on both "
           f"(issue 5 asks for at least eight).", "",
           "| topic | split | precision | recall | extra | missing |", "|---|---|---|---|---|---|"]
    for row in result["topics"]:
        out.append(f"| {row['topic']} | {row['split']} | {row['precision']:.2f} | {row['recall']:.2f} | {'、'.join(row['extra']) or '—'} | {'、'.join(row['missing']) or '—'} |")
    if twins := result.get("english_twins", {}).get("topics"):
        differ = result["english_twins"]["differ"]
        out += ["", f"English topics that list the same pilots as their Chinese twin: {result['english_twins']['same']} of {twins}"
                + (f" (they differ: {', '.join(differ)})." if differ else ".")]
    out += ["", "| region | precision | recall |", "|---|---|---|"]
    for region, pr in result["regions"].items():
        out.append(f"| {region} | {pr['precision']:.2f} | {pr['recall']:.2f} |")
    return out + [""]
