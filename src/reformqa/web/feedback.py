"""The feedback log: one JSON line per answer rated, in a file in a fixed folder; a changed mind updates that line.

Nothing a person types can choose the file or break the format: the path is
the folder given at start plus a constant name, every record is one
``json.dumps`` line (newlines, quotes and Unicode line separators escaped),
and each record is appended to an ``O_APPEND`` file under a lock (a thread
lock and ``flock``, for other processes), so concurrent likes never interleave.
A changed mind, or a 👎's reason, replaces the answer's line: the log is written
anew beside the old one and renamed over it under the same locks.

A full disk cuts a write short: the fragment is cut off again and the like is
reported as not saved. A fragment an older writer left behind (or a crash) is
ended with a newline before the next record, and ``read`` returns every whole
record around it, counting the fragments in ``damaged``; no earlier record is lost.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["FEEDBACK_FOLDER", "FEEDBACK_FILE", "MAX_RATED", "MAX_REASON", "Feedback", "FeedbackLog", "Ratings", "index_version"]

FEEDBACK_FOLDER = "feedback"  # under the project folder
FEEDBACK_FILE = "feedback.jsonl"
MAX_REASON = 200  # characters of a 👎 reason kept
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
    answer: str = ""  # the answer as shown (Exchange.shown): a second verdict on it replaces the first
    reason: str = ""  # why a 👎, in the person's words (at most MAX_REASON characters)
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

    @contextlib.contextmanager
    def _locked(self) -> Iterator[int]:
        """The log, open and locked against other threads and processes: the file now at the path, not one a rename replaced."""
        self.folder.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a symlink planted at feedback.jsonl does not redirect the write.
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        with self._lock:
            while True:
                fd = os.open(self.path, flags, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    current = os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    current = False
                if current:
                    break
                os.close(fd)  # ``replace`` renamed a new log over this one while we waited: lock that one
            try:
                yield fd
            finally:
                os.close(fd)  # closing also releases the flock

    def append(self, record: Feedback) -> None:
        """Add one record at the end of the log, whole or not at all; OSError if it could not be saved."""
        data = self.line(record)
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a fragment ends the log: the record starts a line of its own
            self._write_whole(fd, data, size)

    def replace(self, record: Feedback) -> None:
        """Put ``record`` in place of the line of the same answer (appended if there is none); OSError if not saved.

        The new log is written beside the old one and renamed over it while the old one is
        locked: a reader sees the old log or the new one, never half of each.
        """
        data = self.line(record)
        with self._locked() as fd:
            lines = os.pread(fd, os.fstat(fd).st_size, 0).split(b"\n")
            kept = [raw for raw in lines if raw.strip() and (_parse(raw) or {}).get("answer") != record.answer]
            temporary = self.path.with_name(f".{FEEDBACK_FILE}.{os.getpid()}.tmp")
            with open(temporary, "wb") as out:
                out.write(b"".join(raw + b"\n" for raw in kept) + data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)

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
    """One record per answer shown: the first verdict is appended, a changed mind or a reason replaces it, a replay writes nothing."""

    def __init__(self, feedback: FeedbackLog, capacity: int = MAX_RATED):
        self.feedback = feedback
        self.capacity = capacity
        self._rated: OrderedDict[str, Feedback] = OrderedDict()  # answer as shown -> its record as logged
        self._lock = threading.Lock()

    def record(self, shown: str, record: Feedback) -> str:
        """Log ``record`` for the answer ``shown``, replacing its earlier verdict; its time, or "" if it could not be saved."""
        record = replace(record, answer=shown, reason=record.reason.strip()[:MAX_REASON])
        with self._lock:
            before = self._rated.get(shown)
            if before is not None and (before.liked, before.reason) == (record.liked, record.reason):
                return before.time  # the same verdict sent again: nothing to write
            try:
                if before is None:
                    self.feedback.append(record)
                else:
                    self.feedback.replace(record)
            except OSError as exc:
                log.error("could not save feedback in %s: %s", self.feedback.path, exc)
                return ""
            self._rated[shown] = record
            self._rated.move_to_end(shown)
            while len(self._rated) > self.capacity:
                self._rated.popitem(last=False)
        return record.time

    def rated(self, shown: str) -> Feedback | None:
        """The record logged for this answer, if any."""
        with self._lock:
            return self._rated.get(shown)


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return record if isinstance(record, dict) else None
