"""The feedback log: one JSON line per like or dislike, appended to a file in a fixed folder.

Nothing a person types can choose the file or break the format: the path is
the folder given at start plus a constant name, every record is one
``json.dumps`` line (newlines, quotes and Unicode line separators escaped),
and each record is written with a single ``write`` on an ``O_APPEND`` file
under a lock, so concurrent likes never interleave.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["FEEDBACK_FOLDER", "FEEDBACK_FILE", "Feedback", "FeedbackLog", "index_version"]

FEEDBACK_FOLDER = "feedback"  # under the project folder
FEEDBACK_FILE = "feedback.jsonl"
# json.dumps(ensure_ascii=False) leaves these as they are, and str.splitlines()
# splits on them: escaped, a record stays one line for every reader.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


@dataclass(frozen=True, slots=True)
class Feedback:
    """A person's verdict on one answer, with what is needed to find it again."""

    liked: bool
    question: str  # as typed
    asked: str  # as asked, after a follow-up carried the previous topic or region
    answerable: bool
    clause_ids: tuple[str, ...]  # the answer's citations, in rank order
    index: Mapping[str, str]  # index_version(): which index answered
    region: str = ""  # the region filter, if one was set
    mode: str = "full"
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))


def index_version(manifest: Mapping[str, Any]) -> dict[str, str]:
    """What identifies the index that answered: the corpus hash and the embedder."""
    return {"corpus_hash": str(manifest.get("corpus_hash", "")), "embedder": str(manifest.get("embedder", ""))}


class FeedbackLog:
    """Append-only JSONL file <folder>/feedback.jsonl."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / FEEDBACK_FILE
        self._lock = threading.Lock()

    @staticmethod
    def line(record: Feedback) -> bytes:
        """One record as one line of UTF-8 JSON."""
        text = json.dumps({**asdict(record), "clause_ids": list(record.clause_ids), "index": dict(record.index)}, ensure_ascii=False)
        for raw, escaped in _LINE_BREAKS.items():
            text = text.replace(raw, escaped)
        return (text + "\n").encode("utf-8")

    def append(self, record: Feedback) -> None:
        """Add one record at the end of the log."""
        data = self.line(record)
        self.folder.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a symlink planted at feedback.jsonl does not redirect the write.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        with self._lock:
            fd = os.open(self.path, flags, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """Every record so far (for tests and for whoever reviews the feedback)."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").split("\n") if line]
