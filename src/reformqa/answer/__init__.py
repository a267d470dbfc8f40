"""Answered: reading the question, answer types, quotes, abstention, lists, comparison and follow-ups."""

# Each name is imported from its module the first time it is used (PEP 562, reformqa/lazy.py): a Chinese
# question loads neither the English bridge nor the calibration, which builds and English questions load.

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .abstain import DEFAULT_CALIBRATION, FEATURES, confidence, features, has_words
    from .answer_types import ANSWER_KINDS, ANSWER_TYPES, STRICT_TYPES, asked_kind, gives_kind, type_matches
    from .bridge import Bridge, Bridged, build_bridge, open_bridge
    from .calibrate import Example, clause_questions, fit_calibration, out_of_domain
    from .compare import (
        DEFAULT_MIN_MATCH,
        Comparison,
        ComparisonRow,
        compare,
        fit_min_match,
        term_match,
        to_csv,
        to_json,
        to_markdown,
        word_match,
    )
    from .compose import NEAREST, NOT_FOUND, compose, embedded_later, read_question
    from .documents import NO_DOCUMENTS, DocumentsAsked, documents_named, number_pattern, read_documents
    from .followup import REGION, TOPIC, Carry, follow_up
    from .lists import POLICY_VERBS, list_topic, topic_query, topic_table
    from .question import Query, analyse, check_question, chinese_topic, needs_bridge, search_request, without_terms
    from .quote import choose_quote
    from .signals import Lexicon

_HOME = {
    "abstain": ("DEFAULT_CALIBRATION", "FEATURES", "confidence", "features", "has_words"),
    "answer_types": ("ANSWER_KINDS", "ANSWER_TYPES", "STRICT_TYPES", "asked_kind", "gives_kind", "type_matches"),
    "bridge": ("Bridge", "Bridged", "build_bridge", "open_bridge"),
    "calibrate": ("Example", "clause_questions", "fit_calibration", "out_of_domain"),
    "compare": (
        "DEFAULT_MIN_MATCH",
        "Comparison",
        "ComparisonRow",
        "compare",
        "fit_min_match",
        "term_match",
        "to_csv",
        "to_json",
        "to_markdown",
        "word_match",
    ),
    "compose": ("NEAREST", "NOT_FOUND", "compose", "embedded_later", "read_question"),
    "documents": ("NO_DOCUMENTS", "DocumentsAsked", "documents_named", "number_pattern", "read_documents"),
    "followup": ("REGION", "TOPIC", "Carry", "follow_up"),
    "lists": ("POLICY_VERBS", "list_topic", "topic_query", "topic_table"),
    "question": ("Query", "analyse", "check_question", "chinese_topic", "needs_bridge", "search_request", "without_terms"),
    "quote": ("choose_quote",),
    "signals": ("Lexicon",),
}

__all__ = [
    "ANSWER_KINDS",
    "ANSWER_TYPES",
    "DEFAULT_CALIBRATION",
    "DEFAULT_MIN_MATCH",
    "FEATURES",
    "NEAREST",
    "NOT_FOUND",
    "NO_DOCUMENTS",
    "POLICY_VERBS",
    "REGION",
    "STRICT_TYPES",
    "TOPIC",
    "Bridge",
    "Bridged",
    "Carry",
    "Comparison",
    "ComparisonRow",
    "DocumentsAsked",
    "Example",
    "Lexicon",
    "Query",
    "analyse",
    "asked_kind",
    "build_bridge",
    "check_question",
    "chinese_topic",
    "choose_quote",
    "clause_questions",
    "compare",
    "compose",
    "confidence",
    "documents_named",
    "embedded_later",
    "read_question",
    "features",
    "fit_calibration",
    "fit_min_match",
    "follow_up",
    "gives_kind",
    "has_words",
    "list_topic",
    "needs_bridge",
    "number_pattern",
    "open_bridge",
    "out_of_domain",
    "read_documents",
    "search_request",
    "term_match",
    "to_csv",
    "to_json",
    "to_markdown",
    "topic_query",
    "topic_table",
    "type_matches",
    "without_terms",
    "word_match",
]

__getattr__, __dir__ = lazy_names(__name__, _HOME)
