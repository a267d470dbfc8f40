"""The chat web UI (Gradio): cited, verbatim answers a person can check at a glance.

``ChatService`` holds the handlers and knows nothing of Gradio, so they are
tested directly; ``build_app`` lays them out as a ``gr.Blocks`` app and
``launch`` starts it offline: no analytics, no web fonts, no share link, the
queue the only way in, and ``/ask`` the one documented API endpoint.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .contract import answer_to_json, error_to_json
from .errors import ReformqaError
from .feedback import FEEDBACK_FOLDER, Feedback, FeedbackLog, index_version
from .followup import Carry, follow_up
from .ingest import read_document
from .project import Project
from .query import analyse
from .records import Answer, Clause
from .render import COPY_JS, CSS, TEXTS, Passage, answer_html, carry_html, header_html, notice_html, passage, question_html, section_html, sources_html
from .retrieve import MODES
from .settings import DEFAULT_TOP_K, MAX_QUESTION_CHARS

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "EXAMPLES", "Exchange", "Session", "Reply", "ChatService", "build_app", "launch"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
CONCURRENCY = 4  # answering takes ~30 ms: a few workers keep the queue moving
QUEUE_SIZE = 64  # beyond this, a request is told the queue is full instead of waiting
MAX_EXCHANGES = 100  # a conversation keeps its latest questions; older ones scroll away
EXAMPLES = (  # one of each kind of question the bot handles
    "无锡的科研经费怎么管理？",
    "合肥都市圈的科研人员可以获得多少比例的成果所有权？",
    "寿县属于哪个试点？",
    "深圳对科技成果转化收益分享有什么规定？",
    "哪些试点实行首席科学家负责制？",
    "Which pilots run a chief-scientist system?",
    "合肥都市圈的科研人員可以獲得多少比例的成果所有權？",
    "上海的人才政策是什么？",
)
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
    """Everything a handler changes on the page."""

    session: Session
    messages: list[dict[str, str]]
    sources: str
    carry: str  # the line saying what the last answer carried over ("" for none)
    notice: str  # a friendly message under the input ("" for none)
    question: str  # what the input box holds afterwards


class ChatService:
    """The UI's handlers over one project; thread-safe."""

    def __init__(self, project: Project, feedback: FeedbackLog | None = None):
        self.project = project
        self.feedback = feedback or FeedbackLog(project.settings.home / FEEDBACK_FOLDER)
        self._lock = threading.Lock()  # one question at a time through the retriever's caches
        self._passages: dict[tuple[str, str], Passage] = {}
        self._passages_of: Any = None  # the index the passages were computed for
        self._sections: dict[tuple[str, str], list[Clause]] = {}
        self._sources: dict[str, str | None] = {}

    @property
    def stored(self):
        return self.project.retriever().stored

    def regions(self) -> list[str]:
        """The pilots, in document order, for the region filter."""
        return [r.name for r in self.stored.regions]

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
        """The /ask endpoint: the JSON contract of `reformqa ask --json`, or its error object."""
        text = question if isinstance(question, str) else ""
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

    def _answer(self, question: str, region: str, mode: str) -> tuple[Answer, tuple[str, ...]]:
        with self._lock:
            answer = self.project.ask(question, region=region or None, mode=mode if mode in MODES else "full")
            stored = self.stored
            words = analyse(answer.question, stored.gazetteer, stored.tokenizer, stored.other_places).words
        return answer, tuple(words)

    def render(self, session: Session, *, carry_line: bool = True, notice: str = "", question: str = "") -> Reply:
        """The page for a session: every message, the latest answer's sources."""
        lang, passages = session.lang, self.passages(ex.answer for ex in session.exchanges)
        messages: list[dict[str, str]] = []
        for ex in session.exchanges:
            messages.append({"role": "user", "content": question_html(ex.typed)})
            messages.append({"role": "assistant", "content": answer_html(ex.answer, words=ex.words, passages=passages, lang=lang, carry=ex.carry)})
        last = session.exchanges[-1] if session.exchanges else None
        sources = sources_html(last.answer if last else None, words=last.words if last else (), passages=passages, lang=lang)
        carry = carry_html(last.carry, lang) if last and carry_line else ""
        return Reply(session, messages, sources, carry, notice_html(notice), question)

    def ask(self, question: str | None, session: Session, region: str = "", mode: str = "full", *, carry: bool = True) -> Reply:
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
            answer, words = self._answer(found.question if found else text.strip(), region, mode)
        except ReformqaError as exc:
            return self.render(session, notice=t["error"].format(message=exc), question=text, carry_line=False)
        except Exception:  # a bug of ours: the page says so politely, the log keeps the traceback
            log.exception("answering %r failed", text)
            return self.render(session, notice=t["internal"], question=text, carry_line=False)
        exchange = Exchange(text.strip(), found, answer, words, region or "", mode)
        return self.render(replace(session, exchanges=(session.exchanges + (exchange,))[-MAX_EXCHANGES:]))

    def undo_carry(self, session: Session, region: str = "", mode: str = "full") -> Reply:
        """Answer the last question again as typed, without what it carried over."""
        if not session.exchanges or session.exchanges[-1].carry is None:
            return self.render(session)
        last = session.exchanges[-1]
        return self.ask(last.typed, replace(session, exchanges=session.exchanges[:-1]), region, mode, carry=False)

    def like(self, session: Session, message_index: int | list[int] | tuple[int, ...], liked: bool | str) -> str:
        """Log a like or dislike of the answer at this chat position; its time, or "" if nothing was logged."""
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
        )
        try:
            self.feedback.append(record)
        except OSError:
            log.exception("could not write %s", self.feedback.path)
            return ""
        return record.time

    def clear(self, session: Session) -> Reply:
        """Start a new conversation, in the same language."""
        return self.render(Session(lang=session.lang))

    def relabel(self, session: Session, lang: str) -> Reply:
        """Show the conversation in another language."""
        return self.render(replace(session, lang=lang if lang in TEXTS else "zh"))


def _import_gradio():
    # Set before Gradio is imported: it reads the variable at import time.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr

    return gr


def build_app(service: ChatService):
    """The Blocks app: chat column, sources panel, options; `/ask` the only API endpoint."""
    gr = _import_gradio()
    t = TEXTS["zh"]
    private = {"api_visibility": "private"}  # the UI's own events: not API, not callable by clients

    def mode_choices(lang: str) -> list[tuple[str, str]]:
        return list(zip(TEXTS[lang]["modes"].split("|"), ("full", "hybrid", "dense", "bm25")))

    def region_choices(lang: str) -> list[tuple[str, str]]:
        return [(TEXTS[lang]["all"], "")] + [(name, name) for name in service.regions()]

    with gr.Blocks(title="政策条款问答 · reformqa", analytics_enabled=False) as demo:
        session = gr.State(Session())
        with gr.Row(elem_id="rq-top"):
            header = gr.HTML(header_html("zh"), elem_id="rq-title")
            lang = gr.Radio([("中文", "zh"), ("English", "en")], value="zh", show_label=False, container=False, scale=0, min_width=230, elem_id="rq-lang")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label=t["chat"], show_label=False, elem_id="rq-chat", height=460, latex_delimiters=[], sanitize_html=True, buttons=[],
                    feedback_options=("Like", "Dislike"), layout="bubble", placeholder=None, autoscroll=True,
                )
                with gr.Row(elem_id="rq-carry-row", equal_height=True):
                    carry = gr.HTML("", elem_id="rq-carry-bar")
                    undo = gr.Button(t["undo_carry"], visible=False, size="sm", variant="secondary", scale=0, min_width=150, elem_id="rq-undo")
                with gr.Row(elem_id="rq-input-row"):
                    question = gr.Textbox(show_label=False, placeholder=t["placeholder"], lines=1, max_lines=4, scale=5, elem_id="rq-question", autofocus=True)
                    send = gr.Button(t["send"], variant="primary", scale=0, min_width=96, elem_id="rq-send")
                notice = gr.HTML("", elem_id="rq-notice")
                examples = gr.Dataset(components=[question], samples=[[q] for q in EXAMPLES], label=t["examples"], samples_per_page=len(EXAMPLES), elem_id="rq-examples")
            with gr.Column(scale=2, min_width=340):
                sources_title = gr.HTML(section_html(t["sources"]), elem_id="rq-sources-title")
                sources = gr.HTML(sources_html(None, words=(), passages={}, lang="zh"), elem_id="rq-sources")
                with gr.Accordion(t["options"], open=False, elem_id="rq-options") as options:
                    region = gr.Dropdown(region_choices("zh"), value="", label=t["region"], elem_id="rq-region")
                    mode = gr.Radio(mode_choices("zh"), value="full", label=t["mode"], elem_id="rq-mode")

        page = [session, chatbot, sources, carry, undo, notice, question]

        def show(reply: Reply) -> list[Any]:
            undo_button = gr.update(visible=bool(reply.carry), value=TEXTS[reply.session.lang]["undo_carry"])
            return [reply.session, reply.messages, reply.sources, reply.carry, undo_button, reply.notice, reply.question]

        def on_ask(text: str, state: Session, region_name: str, mode_name: str) -> list[Any]:
            return show(service.ask(text, state, region_name, mode_name))

        def on_undo(state: Session, region_name: str, mode_name: str) -> list[Any]:
            return show(service.undo_carry(state, region_name, mode_name))

        def on_like(state: Session, data) -> None:
            if service.like(state, data.index, data.liked):
                gr.Info("谢谢反馈 / Thanks for the feedback", duration=2)
            else:
                gr.Warning("反馈未能保存 / The feedback could not be saved", duration=4)

        on_like.__annotations__["data"] = gr.LikeData  # Gradio passes event data by annotation

        def on_lang(state: Session, lang_name: str, text: str) -> list[Any]:
            tl = TEXTS[lang_name]
            shown = show(service.relabel(state, lang_name))
            shown[-1] = gr.update(value=text, placeholder=tl["placeholder"])  # keep what is being typed
            return shown + [
                header_html(lang_name), section_html(tl["sources"]), gr.update(value=tl["send"]), gr.update(label=tl["examples"]),
                gr.update(label=tl["options"]), gr.update(label=tl["region"], choices=region_choices(lang_name)),
                gr.update(label=tl["mode"], choices=mode_choices(lang_name)),
            ]

        inputs = [question, session, region, mode]
        question.submit(on_ask, inputs, page, **private)
        send.click(on_ask, inputs, page, **private)
        examples.click(lambda sample: sample[0], [examples], [question], **private).then(on_ask, inputs, page, **private)
        undo.click(on_undo, [session, region, mode], page, **private)
        chatbot.clear(lambda state: show(service.clear(state)), [session], page, **private)  # the chat's own trash button
        chatbot.like(on_like, [session], None, **private)
        lang.change(on_lang, [session, lang, question], page + [header, sources_title, send, examples, options, region, mode], **private)

        def ask(question: str, k: int = DEFAULT_TOP_K, region: str = "", mode: str = "full") -> dict:
            """Answer one question by quoting the clauses that answer it; the JSON contract of `reformqa ask --json`."""
            return service.ask_json(question, k, region, mode)

        gr.api(ask, api_name="ask")
    return demo


def launch(demo: Any, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, password: str | None = None, quiet: bool = True) -> str:
    """Start serving in a background thread; return the local URL."""
    gr = _import_gradio()
    auth: Callable[[str, str], bool] | None = None
    if password:
        # Any user name; the password compared in constant time.
        def auth(user: str, given: str) -> bool:
            return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE, api_open=False)
    theme = gr.themes.Base(
        font=[gr.themes.Font("Noto Sans CJK SC"), gr.themes.Font("PingFang SC"), gr.themes.Font("Microsoft YaHei"), "system-ui", "sans-serif"],
        font_mono=["ui-monospace", gr.themes.Font("Noto Sans Mono CJK SC"), "monospace"],
    )
    _, url, _ = demo.launch(
        server_name=host, server_port=port, auth=auth, auth_message="请输入密码 / Enter the password" if password else None,
        share=False, prevent_thread_lock=True, quiet=quiet, show_error=False, enable_monitoring=False, mcp_server=False,
        ssr_mode=False, pwa=False, footer_links=["api"], run_history=False, max_file_size="1mb",
        theme=theme, css=CSS, js=COPY_JS,
        app_kwargs={"openapi_url": None, "docs_url": None, "redoc_url": None},  # FastAPI's own route list: not ours to publish
    )
    return url
