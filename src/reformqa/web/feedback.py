"""The feedback log: one JSON line per like or dislike, appended to a file in a fixed folder.

Nothing a person types can choose the file or break the format: the path is
the folder given at start plus a constant name, every record is one
``json.dumps`` line (newlines, quotes and Unicode line separators escaped),
and each record is appended to an ``O_APPEND`` file under a lock (a thread
lock and ``flock``, for other processes), so concurrent likes never interleave.

A full disk cuts a write short: the fragment is cut off again and the like is
reported as not saved. A fragment an older writer left behind (or a crash) is
ended with a newline before the next record, and ``read`` returns every whole
record around it, counting the fragments in ``damaged``; no earlier record is lost.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["FEEDBACK_FOLDER", "FEEDBACK_FILE", "MAX_RATED", "Feedback", "FeedbackLog", "Ratings", "index_version"]

FEEDBACK_FOLDER = "feedback"  # under the project folder
FEEDBACK_FILE = "feedback.jsonl"
MAX_RATED = 100_000  # answers whose feedback is remembered, to refuse a replay: about 10 MB
log = logging.getLogger(__name__)
# json.dumps(ensure_ascii=False) leaves these as they are, and str.splitlines()
# splits on them: escaped, a record stays one line for every reader.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
_START = b'{"liked": '  # every record begins so (asdict keeps field order): where a glued record starts


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
        self.damaged = 0  # fragments the last read() skipped

    @staticmethod
    def line(record: Feedback) -> bytes:
        """One record as one line of UTF-8 JSON."""
        text = json.dumps({**asdict(record), "clause_ids": list(record.clause_ids), "index": dict(record.index)}, ensure_ascii=False)
        for raw, escaped in _LINE_BREAKS.items():
            text = text.replace(raw, escaped)
        return (text + "\n").encode("utf-8")

    def append(self, record: Feedback) -> None:
        """Add one record at the end of the log, whole or not at all; OSError if it could not be saved."""
        data = self.line(record)
        self.folder.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a symlink planted at feedback.jsonl does not redirect the write.
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        with self._lock:
            fd = os.open(self.path, flags, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data  # a fragment ends the log: the record starts a line of its own
                self._write_whole(fd, data, size)
            finally:
                os.close(fd)  # closing also releases the flock

    def _write_whole(self, fd: int, data: bytes, size: int) -> None:
        view = memoryview(data)
        try:
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError(errno.ENOSPC, "no space left for the feedback record")
                view = view[written:]
        except OSError:
            os.ftruncate(fd, size)  # the disk filled part-way: cut the fragment off, so nothing is glued to it
            raise

    def read(self) -> list[dict[str, Any]]:
        """Every whole record so far, in order; fragments of cut-short writes are skipped and counted in ``damaged``."""
        self.damaged = 0
        if not self.path.exists():
            return []
        records = []
        for raw in self.path.read_bytes().split(b"\n"):
            if not raw.strip():
                continue
            record = _parse(raw)
            if record is None:  # a fragment, perhaps with a whole record glued after it
                self.damaged += 1
                starts = [i for i in range(1, len(raw)) if raw.startswith(_START, i)]
                record = next((found for i in starts if (found := _parse(raw[i:])) is not None), None)
            if record is not None:
                records.append(record)
        return records


class Ratings:
    """One record per answer shown: the first like or dislike is logged, a replay gets its time and writes nothing."""

    def __init__(self, feedback: FeedbackLog, capacity: int = MAX_RATED):
        self.feedback = feedback
        self.capacity = capacity
        self._rated: OrderedDict[str, str] = OrderedDict()  # answer as shown -> the time its record was logged
        self._lock = threading.Lock()

    def record(self, shown: str, record: Feedback) -> str:
        """Log ``record`` for the answer ``shown`` unless it was rated already; its time, or "" if it could not be saved."""
        with self._lock:
            if shown in self._rated:
                return self._rated[shown]
            try:
                self.feedback.append(record)
            except OSError as exc:
                log.error("could not save feedback in %s: %s", self.feedback.path, exc)
                return ""
            self._rated[shown] = record.time
            while len(self._rated) > self.capacity:
                self._rated.popitem(last=False)
        return record.time


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return record if isinstance(record, dict) else None
