"""The question set: real questions with gold answers that outlive chunking.

Gold is given as region names plus short verbatim spans, never clause ids, so
the set stays valid when the chunker changes. Format: eval/README.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["KINDS", "GoldQuestion", "GoldTopic", "load_questions", "load_topics"]

KINDS = ("factoid", "numeric", "scope", "paraphrase", "list", "english", "traditional", "colloquial", "unanswerable")


@dataclass(frozen=True, slots=True)
class GoldQuestion:
    """One question of the set with what a correct answer must show."""

    qid: str
    question: str
    kind: str
    split: str
    answerable: bool
    regions: tuple[str, ...]
    spans: tuple[str, ...]
    spans_by_region: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_list(self) -> bool:
        """A question whose answer must name several regions."""
        return bool(self.spans_by_region)


def load_questions(path: Path, split: str | None = None) -> list[GoldQuestion]:
    """Read a JSONL question set, optionally one split of it."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = GoldQuestion(
                qid=row["id"],
                question=row["question"],
                kind=row["kind"],
                split=row["split"],
                answerable=bool(row["answerable"]),
                regions=tuple(row.get("regions", [])),
                spans=tuple(row.get("spans", [])),
                spans_by_region={k: tuple(v) for k, v in row.get("spans_by_region", {}).items()},
            )
        except (ValueError, KeyError, TypeError) as exc:
            from .errors import ReformqaError

            raise ReformqaError(f"{path}:{number}: not a question record ({exc}); see eval/README.md for the format") from None
        if split is None or question.split == split:
            out.append(question)
    return out


@dataclass(frozen=True, slots=True)
class GoldTopic:
    """A comparison topic with the regions that mention it and their wording."""

    tid: str
    topic: str
    split: str
    mentioned: dict[str, tuple[str, ...]]


def load_topics(path: Path, split: str | None = None) -> list[GoldTopic]:
    """Read eval/compare_topics.jsonl, optionally one split of it."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            topic = GoldTopic(row["id"], row["topic"], row["split"], {k: tuple(v) for k, v in row["mentioned"].items()})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            from .errors import ReformqaError

            raise ReformqaError(f"{path}:{number}: not a topic record ({exc}); see eval/README.md for the format") from None
        if split is None or topic.split == split:
            out.append(topic)
    return out
