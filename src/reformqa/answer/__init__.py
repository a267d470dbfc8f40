"""Answered: reading the question, answer types, quotes, abstention, lists, comparison and follow-ups."""

from .abstain import DEFAULT_CALIBRATION, FEATURES, confidence, features
from .answer_types import ANSWER_TYPES, STRICT_TYPES, type_matches
from .calibrate import Example, fit_calibration
from .compare import (
    DEFAULT_MIN_MATCH,
    Comparison,
    ComparisonRow,
    compare,
    fit_min_match,
    pivot_terms,
    term_match,
    to_csv,
    to_json,
    to_markdown,
    word_match,
)
from .compose import NEAREST, NOT_FOUND, compose
from .documents import NO_DOCUMENTS, DocumentsAsked, number_pattern, read_documents
from .followup import REGION, TOPIC, Carry, follow_up
from .lists import POLICY_VERBS, list_regions
from .question import Query, analyse, check_question, search_request
from .quote import choose_quote
from .signals import Lexicon

__all__ = [
    "ANSWER_TYPES",
    "DEFAULT_CALIBRATION",
    "DEFAULT_MIN_MATCH",
    "FEATURES",
    "NEAREST",
    "NO_DOCUMENTS",
    "NOT_FOUND",
    "POLICY_VERBS",
    "REGION",
    "STRICT_TYPES",
    "TOPIC",
    "Carry",
    "Comparison",
    "ComparisonRow",
    "DocumentsAsked",
    "Example",
    "Lexicon",
    "Query",
    "analyse",
    "check_question",
    "choose_quote",
    "compare",
    "compose",
    "confidence",
    "features",
    "fit_calibration",
    "fit_min_match",
    "follow_up",
    "list_regions",
    "number_pattern",
    "pivot_terms",
    "read_documents",
    "search_request",
    "term_match",
    "to_csv",
    "to_json",
    "to_markdown",
    "type_matches",
    "word_match",
]
