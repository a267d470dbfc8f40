"""English beside Chinese: every measure per language, and each English question against its Chinese twin.

A question's language is its ``lang`` field, else English for the ``english``
kind or a question in Latin script, else Chinese (traditional included). A
twin is the same question asked in the other language (the ``twin`` field of
the English one); pairs show whether English does as well as Chinese on the
very same questions, which the per-language means alone cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..normalize import cjk_ratio
from .metrics import Observed, Scores, summarize
from .questions import GoldQuestion

__all__ = ["LANGUAGES", "TWIN_MEASURES", "language_of", "by_language", "twin_pairs", "render_languages"]

LANGUAGES = ("zh", "en")
NAMES = {"zh": "Chinese", "en": "English"}
# Per pair: a measure counts as right at 1.0 (a list question must find every pilot).
TWIN_MEASURES = ("hit@1", "span_accuracy", "list_recall@10", "abstain_ok")


def language_of(gold: GoldQuestion) -> str:
    """The language a question is asked in: "en" or "zh"."""
    if gold.lang:
        return gold.lang
    return "en" if gold.kind == "english" or cjk_ratio(gold.question) < 0.2 else "zh"


def by_language(golds: Sequence[GoldQuestion], observed: dict[str, Observed], scores: Scores) -> dict[str, Any]:
    """Every summary measure over the questions of each language."""
    out = {}
    for lang in LANGUAGES:
        group = [g for g in golds if language_of(g) == lang]
        if group:
            out[lang] = summarize(group, observed, scores)
    return out


def twin_pairs(golds: Sequence[GoldQuestion], scores: Scores) -> dict[str, Any]:
    """For English questions whose twin was asked too: per measure, both right, English only, Chinese only, neither."""
    ids = {g.qid: g for g in golds}
    pairs = [(g, ids[g.twin]) for g in golds if language_of(g) == "en" and g.twin in ids]
    out: dict[str, Any] = {"pairs": len(pairs), "measures": {}}
    for measure in TWIN_MEASURES:
        counts = {"both": 0, "en_only": 0, "zh_only": 0, "neither": 0}
        differ = []
        for en, zh in pairs:
            if measure not in scores[en.qid] or measure not in scores[zh.qid]:
                continue
            right = (scores[en.qid][measure] >= 1.0, scores[zh.qid][measure] >= 1.0)
            counts[{(True, True): "both", (True, False): "en_only", (False, True): "zh_only", (False, False): "neither"}[right]] += 1
            if right[0] != right[1]:
                differ.append(f"{en.qid}/{zh.qid}")
        out["measures"][measure] = {**counts, "differ": differ}
    return out


def _fmt(value: Any, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_languages(run: dict[str, Any]) -> list[str]:
    """The report's section on English beside Chinese, as Markdown lines."""
    mode = "full" if "full" in run["modes"] else run["modes"][-1]
    langs = run.get("by_language", {}).get(mode)
    if not langs:
        return []
    rows = (("Hit@1", "hit@1", "n_hit@1"), ("Hit@5", "hit@5", None), ("MRR@10", "mrr@10", None), ("answer-span accuracy", "span_accuracy", "n_span_accuracy"),
            ("list recall@10", "list_recall@10", "n_list_recall@10"), ("abstention recall (unanswerable refused)", "abstention_recall", "n_unanswerable"),
            ("answerable questions abstained on", "wrong_abstentions", None))
    head = [f"{NAMES[lang]} ({langs[lang]['questions']})" for lang in langs]
    out = [f"## English beside Chinese ({mode})", "",
           "Each language's questions on their own; English questions reach the documents through the bridge's Chinese terms (answer/bridge.py).", "",
           "| measure | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]
    for label, key, count in rows:
        cells = [(str(s[key]) if key == "wrong_abstentions" else _fmt(s[key])) + (f" (n={s[count]})" if count and s[key] is not None else "")
                 for s in langs.values()]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    twins = run.get("twins", {}).get(mode)
    if twins and twins["pairs"]:
        out += ["", f"{twins['pairs']} English questions asked beside their Chinese twin (the same question in Chinese): right in both, "
                "in English only, in Chinese only, in neither (a list question is right when it finds every pilot).", "",
                "| measure | both | English only | Chinese only | neither | pairs that differ |", "|---|---|---|---|---|---|"]
        for measure, c in twins["measures"].items():
            if sum(c[k] for k in ("both", "en_only", "zh_only", "neither")):
                out.append(f"| {measure} | {c['both']} | {c['en_only']} | {c['zh_only']} | {c['neither']} | {', '.join(c['differ']) or '—'} |")
    return out + [""]
