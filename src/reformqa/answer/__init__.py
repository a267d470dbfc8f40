"""Answered: reading the question, answer types, quotes, abstention, lists, comparison and follow-ups."""

from .abstain import DEFAULT_CALIBRATION, FEATURES, confidence, features
from .answer_types import ANSWER_TYPES, STRICT_TYPES, type_matches
from .bridge import Bridge, Bridged, build_bridge, open_bridge
from .calibrate import Example, fit_calibration
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
from .followup import REGION, TOPIC, Carry, follow_up
from .lists import POLICY_VERBS, list_regions
from .question import Query, analyse, check_question, chinese_topic, search_request
from .quote import choose_quote
from .signals import Lexicon

__all__ = [
    "ANSWER_TYPES",
    "Bridge",
    "Bridged",
    "DEFAULT_CALIBRATION",
    "DEFAULT_MIN_MATCH",
    "FEATURES",
    "NEAREST",
    "NOT_FOUND",
    "POLICY_VERBS",
    "REGION",
    "STRICT_TYPES",
    "TOPIC",
    "Carry",
    "Comparison",
    "ComparisonRow",
    "Example",
    "Lexicon",
    "Query",
    "analyse",
    "build_bridge",
    "check_question",
    "chinese_topic",
    "choose_quote",
    "compare",
    "compose",
    "confidence",
    "features",
    "fit_calibration",
    "fit_min_match",
    "follow_up",
    "list_regions",
    "open_bridge",
    "search_request",
    "term_match",
    "to_csv",
    "to_json",
    "to_markdown",
    "type_matches",
    "word_match",
]
