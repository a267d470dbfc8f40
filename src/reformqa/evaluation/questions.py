"""The question set: real questions with gold answers that outlive chunking.

Gold is given as region names plus short verbatim spans, never clause ids, so
the set stays valid when the chunker changes. Format: eval/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

__all__ = ["KINDS", "GoldQuestion", "GoldTopic", "answerable_here", "load_questions", "load_topics", "question_files"]

T = TypeVar("T")
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
    docs: tuple[str, ...] = ()  # the documents (doc ids = file stems) the answer lies in; () for any
    article: str = ""  # 第十二条: the article the top citation must carry, for questions that ask by article
    answer_kind: str = ""  # the kind of answer asked for (figure, date, condition…); "" for list and unanswerable questions
    lang: str = ""  # "en" or "zh"; "" reads it from the question (language_of)
    twin: str = ""  # the id of the same question in the other language

    @property
    def is_list(self) -> bool:
        """A question whose answer must name several regions."""
        return bool(self.spans_by_region)


def _records(path: Path, what: str, parse: Callable[[dict], T], split: str | None) -> list[T]:
    """Parse each non-blank JSONL line of path; a bad line names its number and the format doc."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = parse(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            from ..errors import ReformqaError

            raise ReformqaError(f"{path}:{number}: not a {what} record ({exc}); see eval/README.md for the format") from None
        if split is None or record.split == split:  # type: ignore[attr-defined]
            out.append(record)
    return out


def _question(row: dict) -> GoldQuestion:
    return GoldQuestion(
        qid=row["id"],
        question=row["question"],
        kind=row["kind"],
        split=row["split"],
        answerable=bool(row["answerable"]),
        regions=tuple(row.get("regions", [])),
        spans=tuple(row.get("spans", [])),
        spans_by_region={k: tuple(v) for k, v in row.get("spans_by_region", {}).items()},
        docs=tuple(row.get("docs", [])),
        article=row.get("article", ""),
        answer_kind=row.get("answer_kind", ""),
        lang=row.get("lang", ""),
        twin=row.get("twin", ""),
    )


def load_questions(path: Path, split: str | None = None) -> list[GoldQuestion]:
    """Read a JSONL question set, optionally one split of it."""
    return _records(path, "question", _question, split)


def question_files(eval_dir: Path) -> list[Path]:
    """Every question set of a project: eval/questions.jsonl (the seed's) and eval/questions_*.jsonl (other documents)."""
    return sorted(eval_dir.glob("questions*.jsonl"))


def answerable_here(gold: GoldQuestion, doc_ids: set[str], texts: Iterable[str] | None = None) -> bool:
    """Whether the index holds every document the question's answer lies in.

    With the documents' texts: also whether one of them holds a gold span, so the seed's
    questions (which name no document) are not asked of, or fitted on, a corpus without the seed.
    """
    if not set(gold.docs) <= doc_ids:
        return False
    if texts is None or not gold.answerable:
        return True
    spans = [s for s in (*gold.spans, *(s for v in gold.spans_by_region.values() for s in v)) if s]
    return not spans or any(s in text for text in texts for s in spans)


@dataclass(frozen=True, slots=True)
class GoldTopic:
    """A comparison topic with the regions that mention it and their wording."""

    tid: str
    topic: str
    split: str
    mentioned: dict[str, tuple[str, ...]]
    lang: str = ""
    twin: str = ""  # for an English topic, the id of its Chinese twin


def load_topics(path: Path, split: str | None = None) -> list[GoldTopic]:
    """Read eval/compare_topics.jsonl, optionally one split of it."""
    return _records(path, "topic", lambda row: GoldTopic(row["id"], row["topic"], row["split"], {k: tuple(v) for k, v in row["mentioned"].items()},
                                                            row.get("lang", ""), row.get("twin", "")), split)
