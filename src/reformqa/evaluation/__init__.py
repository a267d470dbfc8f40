"""Measured: the question sets, runs through `Project.ask`, metrics, significance tests, reports and charts."""

from .compare_report import render_comparison, write_comparison
from .languages import LANGUAGES, by_language, language_of, render_languages, twin_pairs
from .metrics import (
    EVAL_K,
    MAX_P,
    Observed,
    clause_key,
    failures,
    relevant_clauses,
    score_questions,
    span_correct,
    summarize,
    threshold_sweep,
)
from .questions import KINDS, GoldQuestion, GoldTopic, answerable_here, load_questions, load_topics, question_files
from .report import ReportFiles, render_markdown, render_summary, write_report
from .runs import RUN_FORMAT, Asker, ask_questions, assemble_run, evaluate_questions, load_run, save_run
from .significance import compare_modes, compare_runs
from .topics import evaluate_topics, render_topics

__all__ = [
    "EVAL_K",
    "KINDS",
    "LANGUAGES",
    "MAX_P",
    "RUN_FORMAT",
    "Asker",
    "GoldQuestion",
    "GoldTopic",
    "Observed",
    "ReportFiles",
    "answerable_here",
    "by_language",
    "ask_questions",
    "assemble_run",
    "clause_key",
    "compare_modes",
    "compare_runs",
    "evaluate_questions",
    "evaluate_topics",
    "failures",
    "language_of",
    "load_questions",
    "load_run",
    "load_topics",
    "question_files",
    "relevant_clauses",
    "render_comparison",
    "render_languages",
    "render_markdown",
    "render_summary",
    "render_topics",
    "save_run",
    "score_questions",
    "span_correct",
    "summarize",
    "threshold_sweep",
    "twin_pairs",
    "write_comparison",
    "write_report",
]
