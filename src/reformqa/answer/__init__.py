"""Answered: reading the question, answer types, quotes, abstention, lists, comparison and follow-ups."""

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
from .compose import NEAREST, NOT_FOUND, compose
from .documents import NO_DOCUMENTS, DocumentsAsked, documents_named, number_pattern, read_documents
from .followup import REGION, TOPIC, Carry, follow_up
from .lists import POLICY_VERBS, list_topic, topic_query, topic_table
from .question import Query, analyse, check_question, chinese_topic, search_request, without_terms
from .quote import choose_quote
from .signals import Lexicon

__all__ = [
    "ANSWER_KINDS",
    "ANSWER_TYPES",
    "Bridge",
    "Bridged",
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
    "asked_kind",
    "build_bridge",
    "check_question",
    "chinese_topic",
    "clause_questions",
    "choose_quote",
    "compare",
    "compose",
    "documents_named",
    "confidence",
    "features",
    "fit_calibration",
    "fit_min_match",
    "follow_up",
    "gives_kind",
    "has_words",
    "list_topic",
    "out_of_domain",
    "number_pattern",
    "read_documents",
    "open_bridge",
    "search_request",
    "without_terms",
    "term_match",
    "topic_query",
    "topic_table",
    "to_csv",
    "to_json",
    "to_markdown",
    "type_matches",
    "word_match",
]
