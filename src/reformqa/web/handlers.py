"""The web UI's handlers, without Gradio: a conversation of cited answers, and the cross-region table.

``ChatService`` turns what a person typed into the HTML the page shows
(``Reply`` for the chat, ``CompareReply`` for the Compare tab), checks the
input the way the CLI does, and answers a mistake with a friendly notice,
never a traceback. ``app`` lays these handlers out; tests call them directly.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..answer import Carry, Query, analyse, follow_up
from ..contract import answer_to_json, error_to_json
from ..corpus import read_document
from ..errors import ReformqaError
from ..project import Project
from ..records import Answer, Clause
from ..search import MODES
from ..settings import DEFAULT_TOP_K, MAX_QUESTION_CHARS
from .compare_service import MAX_EXPORTS, CompareHandlers, CompareReply
from .conversation import Suggestion, chat_markdown, suggestions, topic_of
from .feedback import FEEDBACK_FOLDER, Feedback, FeedbackLog, Ratings, index_version
from .marks import Marker
from .render import Passage, answer_html, carry_html, filter_html, notice_html, passage, question_html, sources_html
from .texts import REGION_NAMES, TEXTS
from .viewer import document_html, parse_key, viewer_hint

__all__ = ["ECHO_CHARS", "MAX_EXCHANGES", "MAX_EXPORTS", "Exchange", "Session", "Reply", "CompareReply", "ChatService", "echo"]

MAX_EXCHANGES = 100  # a conversation keeps its latest questions; older ones scroll away
ECHO_CHARS = 100  # an error object repeats at most this much of a question it refused
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One question and its answer, as the conversation keeps them."""

    typed: str
    carry: Carry | None
    answer: Answer
    words: tuple[str, ...]  # the question's content words, for highlighting
    region: str
    mode: str
    doc: str = ""  # the document filter, a doc_id ("" for all documents)
    elsewhere: tuple[str, ...] = ()  # places the question names that the region filter leaves out
    shown: str = field(default_factory=lambda: uuid.uuid4().hex)  # this answer as shown once: feedback is taken once per showing

    @property
    def asked(self) -> str:
        return self.carry.question if self.carry else self.typed


@dataclass(frozen=True, slots=True)
class Session:
    """One person's conversation: what was asked, in which language it is shown."""

    exchanges: tuple[Exchange, ...] = ()
    lang: str = "zh"


@dataclass(frozen=True, slots=True)
class Reply:
    """Everything a chat handler changes on the page."""

    session: Session
    messages: list[dict[str, str]]
    sources: str
    carry: str  # the line saying what the last answer carried over ("" for none)
    notice: str  # a friendly message under the input ("" for none)
    question: str  # what the input box holds afterwards
    warn: str = ""  # the question names a place the region filter leaves out ("" for none)
    suggestions: tuple[Suggestion, ...] = ()  # what to ask or open next, by rule
    topic: str = ""  # the latest answer's topic, for 对比各试点 ("" for none)


class ChatService(CompareHandlers):
    """The UI's handlers over one project; thread-safe."""

    def __init__(self, project: Project, feedback: FeedbackLog | None = None):
        self.project = project
        self.feedback = feedback or FeedbackLog(project.settings.home / FEEDBACK_FOLDER)
        self._lock = threading.Lock()  # one question at a time through the retriever's caches
        self._passages: dict[tuple[str, str], Passage] = {}
        self._passages_of: Any = None  # the index the passages were computed for
        self._sections: dict[tuple[str, str], list[Clause]] = {}
        self._sources: dict[str, str | None] = {}
        self._exports_ready()
        self.ratings = Ratings(self.feedback)  # one record per answer shown

    @property
    def stored(self):
        return self.project.retriever().stored

    def regions(self) -> list[str]:
        """The pilots, in document order, for the region filter."""
        return [r.name for r in self.stored.regions]

    def _place_names(self) -> tuple[str, ...]:
        """Every name a pilot goes by (its places, aliases, English name), to leave out of a topic."""
        names = [n for r in self.stored.regions for n in (r.name, *r.places, *r.aliases)]
        return tuple(names) + tuple(REGION_NAMES.values())

    def documents(self) -> list[tuple[str, str]]:
        """(label, doc_id) of each indexed document, for the document filter; a shared title gets its file name."""
        documents = list((getattr(self.stored, "documents", None) or {}).values())
        titles = [d.title for d in documents]
        return [(d.title if d.title and titles.count(d.title) == 1 else f"{d.title or d.doc_id}（{Path(d.path).name}）", d.doc_id) for d in documents]

    def passages(self, answers: Iterable[Answer]) -> dict[tuple[str, str], Passage]:
        """The cited clauses' neighbours in their sections, by (doc_id, clause_id)."""
        cited = [c.hit.clause for answer in answers for c in answer.citations]
        if not cited:
            return {}
        stored = self.stored
        if self._passages_of is not stored:  # a new index: forget what the old one said
            self._sections = {}
            for clause in stored.clauses:
                self._sections.setdefault((clause.doc_id, clause.section), []).append(clause)
            self._sources, self._passages, self._passages_of = {}, {}, stored
        for clause in cited:
            key = (clause.doc_id, clause.clause_id)
            if key not in self._passages:
                if clause.doc_id not in self._sources:
                    self._sources[clause.doc_id] = self._source(stored, clause.doc_id)
                self._passages[key] = passage(self._sources[clause.doc_id], self._sections.get((clause.doc_id, clause.section), [clause]), clause)
        return self._passages

    def _source(self, stored: Any, doc_id: str) -> str | None:
        """A document's text: from the index when it keeps it, else read from seeds/; None if unreadable."""
        kept = getattr(stored, "documents", None)
        if isinstance(kept, Mapping) and hasattr(kept.get(doc_id), "text"):
            return kept[doc_id].text
        seeds = self.project.settings.seeds_dir
        for doc in stored.manifest.get("documents", []):
            if doc.get("doc_id") == doc_id:
                try:
                    return read_document(seeds / doc["path"], seeds).text
                except (OSError, ReformqaError, KeyError, ValueError):
                    return None  # the clause is still shown, only without its neighbours
        return None

    def ask_json(self, question: str, k: int = DEFAULT_TOP_K, region: str = "", mode: str = "full") -> dict[str, Any]:
        """The /ask endpoint: the JSON contract of `reformqa ask --json`, or its error object (echoing a prefix of a long question)."""
        text = echo(question)
        try:
            with self._lock:
                return answer_to_json(self.project.ask(question, k=int(k), region=region or None, mode=mode or "full"))
        except ReformqaError as exc:
            return error_to_json(text, str(exc))
        except (TypeError, ValueError):
            return error_to_json(text, f"k must be a whole number between 1 and 50, not {k!r}")
        except Exception:  # a bug of ours: the caller gets a clear object, the log keeps the traceback
            log.exception("/ask failed for %r", text)
            return error_to_json(text, "internal error; the server log has the details")

    def _query(self, text: str) -> Query:
        stored = self.stored
        return analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places)

    def marker(self, text: str, extra: Iterable[str] = ()) -> Marker:
        """What to mark in the quotes answering ``text``: its words (and ``extra``), as whole words."""
        cut = getattr(self.stored.tokenizer, "terms", None)
        return Marker(tuple(self._query(text).words) + tuple(extra), cut)

    def _answer(self, question: str, region: str, mode: str, doc: str) -> tuple[Answer, tuple[str, ...], tuple[str, ...]]:
        with self._lock:
            answer = self.project.ask(question, region=region or None, mode=mode if mode in MODES else "full", doc=doc or None)
            query = self._query(answer.question)
            elsewhere = tuple(dict.fromkeys(r for r in (*query.regions, *query.other_places) if r != region)) if region else ()
            # An English question is marked in the quotes by the documents' terms it was matched through.
            return answer, tuple(query.words) + tuple(zh for _, zh in answer.matched_terms), elsewhere

    def render(self, session: Session, *, carry_line: bool = True, notice: str = "", question: str = "") -> Reply:
        """The page for a session: every message, the latest answer's sources."""
        lang, passages = session.lang, self.passages(ex.answer for ex in session.exchanges)
        cut = getattr(self.stored.tokenizer, "terms", None)
        messages: list[dict[str, str]] = []
        for ex in session.exchanges:
            messages.append({"role": "user", "content": question_html(ex.typed)})
            messages.append({"role": "assistant", "content": answer_html(ex.answer, marker=Marker(ex.words, cut), lang=lang, carry=ex.carry)})
        last = session.exchanges[-1] if session.exchanges else None
        if last is None:
            return Reply(session, messages, sources_html(None, marker=Marker(), passages=passages, lang=lang), "", notice_html(notice), question)
        sources = sources_html(last.answer, marker=Marker(last.words, cut), passages=passages, lang=lang)
        carry = carry_html(last.carry, lang) if carry_line else ""
        stored = self.stored
        with self._lock:
            query = self._query(last.asked)
        ahead = suggestions(last.answer, query, [r.name for r in stored.regions], self._sections, lang)
        return Reply(
            session, messages, sources, carry, notice_html(notice), question,
            warn=filter_html(last.region, last.elsewhere, lang), suggestions=ahead, topic=topic_of(last.asked, query, cut, self._place_names()),
        )

    def ask(self, question: str | None, session: Session, region: str = "", mode: str = "full", doc: str = "", *, carry: bool = True) -> Reply:
        """Answer a chat question; a question that cannot be asked gets a friendly notice instead."""
        t = TEXTS[session.lang]
        text = question if isinstance(question, str) else ""
        if not text.strip():
            return self.render(session, notice=t["empty"], carry_line=False)
        if len(text.strip()) > MAX_QUESTION_CHARS:
            return self.render(session, notice=t["too_long"].format(n=len(text.strip()), max=MAX_QUESTION_CHARS), question=text, carry_line=False)
        try:
            previous = session.exchanges[-1].asked if session.exchanges else None
            found = follow_up(text, previous, self.stored.gazetteer, self.stored.other_places) if carry else None
            if found is not None and len(found.question) > MAX_QUESTION_CHARS:
                found = None
            answer, words, elsewhere = self._answer(found.question if found else text.strip(), region, mode, doc)
        except ReformqaError as exc:
            return self.render(session, notice=t["error"].format(message=exc), question=text, carry_line=False)
        except Exception:  # a bug of ours: the page says so politely, the log keeps the traceback
            log.exception("answering %r failed", text)
            return self.render(session, notice=t["internal"], question=text, carry_line=False)
        exchange = Exchange(text.strip(), found, answer, words, region or "", mode, doc or "", elsewhere)
        return self.render(replace(session, exchanges=(session.exchanges + (exchange,))[-MAX_EXCHANGES:]))

    def undo_carry(self, session: Session, region: str = "", mode: str = "full", doc: str = "") -> Reply:
        """Answer the last question again as typed, without what it carried over."""
        if not session.exchanges or session.exchanges[-1].carry is None:
            return self.render(session)
        last = session.exchanges[-1]
        return self.ask(last.typed, replace(session, exchanges=session.exchanges[:-1]), region, mode, doc, carry=False)

    def like(self, session: Session, message_index: int | list[int] | tuple[int, ...], liked: bool | str, reason: str = "") -> str:
        """Log a like or dislike of the answer at this chat position, one line per answer shown; its time, or "" if it could not be saved.

        A changed mind, or a 👎's reason, replaces the answer's line; the same verdict sent again writes nothing.
        """
        index = message_index[0] if isinstance(message_index, (list, tuple)) else message_index
        if not isinstance(index, int) or not 0 <= index // 2 < len(session.exchanges):
            return ""
        ex = session.exchanges[index // 2]
        record = Feedback(
            liked=liked is True or liked == "Like",
            question=ex.typed,
            asked=ex.asked,
            answerable=ex.answer.answerable,
            clause_ids=tuple(c.hit.clause.clause_id for c in ex.answer.citations),
            index=index_version(self.stored.manifest),
            region=ex.region,
            mode=ex.mode,
            reason=reason if isinstance(reason, str) else "",
        )
        return self.ratings.record(ex.shown, record)

    def reason(self, session: Session, reason: str) -> str:
        """Add a reason to the latest 👎 of this conversation; its time, or "" if there is none or it could not be saved."""
        for at in range(len(session.exchanges) - 1, -1, -1):
            rated = self.ratings.rated(session.exchanges[at].shown)
            if rated is not None and not rated.liked:
                return self.like(session, 2 * at + 1, False, reason)
        return ""

    def open_source(self, key: object, lang: str = "zh") -> str:
        """The document viewer at a citation (the key a chip carries): the whole document, the clause highlighted."""
        lang = lang if lang in TEXTS else "zh"
        opened = parse_key(key)
        if opened is None:
            return viewer_hint(lang, TEXTS[lang]["viewer_missing"])
        stored = self.stored
        if opened.doc_id not in self._sources:
            self._sources[opened.doc_id] = self._source(stored, opened.doc_id)
        source = self._sources[opened.doc_id]
        if source is None:
            return viewer_hint(lang, TEXTS[lang]["viewer_missing"])
        return document_html(source, [c for c in stored.clauses if c.doc_id == opened.doc_id], opened, lang)

    def export_chat(self, session: Session) -> Path | None:
        """The conversation as a Markdown file (question, quotes, full citations); None when there is nothing to export."""
        if not session.exchanges:
            return None
        path = self.export_folder() / "reformqa-chat.md"
        path.write_text(chat_markdown(session.exchanges, session.lang), encoding="utf-8")
        return path

    def clear(self, session: Session) -> Reply:
        """Start a new conversation, in the same language."""
        return self.render(Session(lang=session.lang))

    def relabel(self, session: Session, lang: str) -> Reply:
        """Show the conversation in another language."""
        return self.render(replace(session, lang=lang if lang in TEXTS else "zh"))


def echo(question: object) -> str:
    """What an error object repeats of a question: all of it up to the length limit, else its first ECHO_CHARS characters."""
    text = question if isinstance(question, str) else ""
    return text if len(text) <= MAX_QUESTION_CHARS else text[:ECHO_CHARS] + "…"
