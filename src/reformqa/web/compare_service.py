"""The Compare tab's handlers, without Gradio: a topic put to every pilot, shown as a table, exported as CSV and Markdown.

``CompareHandlers`` is mixed into ``handlers.ChatService``, which supplies the
project, the lock around the retriever and ``marker`` (what to mark in a quote).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..answer import Comparison, to_csv, to_markdown
from ..errors import ReformqaError
from ..settings import MAX_QUESTION_CHARS
from .compare_render import compare_html, coverage_html
from .marks import Marker
from .render import notice_html
from .texts import TEXTS

__all__ = ["MAX_EXPORTS", "CompareReply", "CompareHandlers"]

MAX_EXPORTS = 32  # export folders kept on disk; Gradio copies each into its cache as soon as it is returned
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CompareReply:
    """Everything a Compare handler changes on the page."""

    comparison: Comparison | None  # the table shown: the previous one when the topic could not be compared
    coverage: str  # the line on top: 5/10 个试点提及…
    table: str
    notice: str
    topic: str  # what the topic box holds afterwards
    exports: tuple[Path, Path] | None  # the new table as CSV and Markdown files; None: the downloads stay as they are


class CompareHandlers:
    """The Compare tab's handlers; mixed into ChatService."""

    project: Any
    _lock: threading.Lock
    marker: Callable[[str], Marker]  # supplied by ChatService

    def _exports_ready(self) -> None:
        self._export_lock = threading.Lock()
        self._export_root: Path | None = None
        self._exports: deque[Path] = deque()

    def compare_view(self, comparison: Comparison | None, lang: str = "zh", *, notice: str = "", topic: str = "") -> CompareReply:
        """The Compare tab for a table already made (or none): in another language, or with a notice."""
        lang = lang if lang in TEXTS else "zh"
        marker = Marker()
        if comparison is not None:
            with self._lock:
                marker = self.marker(comparison.pivot or comparison.topic)
        return CompareReply(comparison, coverage_html(comparison, lang), compare_html(comparison, marker=marker, lang=lang), notice_html(notice), topic, None)

    def compare(self, topic: str | None, lang: str = "zh", previous: Comparison | None = None) -> CompareReply:
        """Compare a topic across all regions; a topic that cannot be compared gets a notice, and the previous table stays."""
        t = TEXTS[lang if lang in TEXTS else "zh"]
        text = topic if isinstance(topic, str) else ""
        if not text.strip():
            return self.compare_view(previous, lang, notice=t["topic_empty"])
        if len(text.strip()) > MAX_QUESTION_CHARS:
            return self.compare_view(previous, lang, notice=t["topic_too_long"].format(n=len(text.strip()), max=MAX_QUESTION_CHARS), topic=text)
        try:
            with self._lock:
                comparison = self.project.compare(text)
            exports = self._export(comparison)
        except ReformqaError as exc:
            return self.compare_view(previous, lang, notice=t["compare_error"].format(message=exc), topic=text)
        except Exception:  # a bug of ours: a polite notice on the page, the traceback in the log
            log.exception("comparing %r failed", text)
            return self.compare_view(previous, lang, notice=t["compare_internal"], topic=text)
        return replace(self.compare_view(comparison, lang, topic=text), exports=exports)

    def export_folder(self) -> Path:
        """A fresh folder for one download; the oldest are removed beyond MAX_EXPORTS."""
        with self._export_lock:
            if self._export_root is None:
                self._export_root = Path(tempfile.mkdtemp(prefix="reformqa-exports-"))
                weakref.finalize(self, shutil.rmtree, self._export_root, True)
            folder = Path(tempfile.mkdtemp(dir=self._export_root))  # its own folder: two people, same topic, no clash
            self._exports.append(folder)
            while len(self._exports) > MAX_EXPORTS:
                shutil.rmtree(self._exports.popleft(), ignore_errors=True)
        return folder

    def _export(self, comparison: Comparison) -> tuple[Path, Path]:
        """Write the table as CSV (with a BOM, so spreadsheet programs read it as UTF-8) and Markdown."""
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in comparison.topic)[:40].strip("_") or "topic"
        folder = self.export_folder()
        csv_file, md_file = folder / f"compare-{stem}.csv", folder / f"compare-{stem}.md"
        csv_file.write_text(to_csv(comparison), encoding="utf-8-sig", newline="")
        md_file.write_text(to_markdown(comparison), encoding="utf-8")
        return csv_file, md_file
