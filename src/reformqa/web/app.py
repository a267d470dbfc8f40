"""The web UI (Gradio): cited, verbatim answers, and a topic compared across the pilots, a person can check at a glance.

The handlers live in ``handlers.ChatService`` and know nothing of Gradio, so they
are tested directly; ``build_app`` lays them out as a ``gr.Blocks`` app (a
chat tab and a Compare tab) and ``launch`` starts it offline behind the server's limits (server.py): no
analytics, no web fonts, no share link, the queue the only way in, and ``/ask``
the one API endpoint.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from typing import Any

from ..contract import error_to_json
from ..settings import DEFAULT_TOP_K
from .handlers import ChatService, CompareReply, Exchange, Reply, Session, echo
from .limits import Limits, TrustedProxies
from .ratelimit import RateLimiter
from .render import compare_html, header_html, section_html, sources_html
from .server import start
from .texts import COPY_JS, CSS, EXAMPLES, TEXTS, TOPICS

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "EXAMPLES", "Exchange", "Limits", "Session", "Reply", "ChatService", "build_app", "launch"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
CONCURRENCY = 4  # answering takes ~30 ms: a few workers keep the queue moving
QUEUE_SIZE = 64  # beyond this, a request is told the queue is full instead of waiting
EXPORT_CACHE = (3600, 86400)  # Gradio's copies of the downloads: swept hourly, kept a day


def _import_gradio():
    # Set before Gradio is imported: it reads the variable at import time.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    # Gradio keeps 10,000 queue events for its monitoring dashboard and summarises them
    # after every event, monitoring off or not: server memory grew and throughput fell
    # by a third under load (bench/load.py, docs/reliability.md).
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000000")
    import gradio as gr

    return gr


def build_app(service: ChatService):
    """The Blocks app: a chat tab (chat, sources, options) and a Compare tab; `/ask` the only API endpoint."""
    gr = _import_gradio()
    t = TEXTS["zh"]
    private = {"api_visibility": "private"}  # the UI's own events: not API, not callable by clients

    def mode_choices(lang: str) -> list[tuple[str, str]]:
        return list(zip(TEXTS[lang]["modes"].split("|"), ("full", "hybrid", "dense", "bm25")))

    def region_choices(lang: str) -> list[tuple[str, str]]:
        return [(TEXTS[lang]["all"], "")] + [(name, name) for name in service.regions()]

    def doc_choices(lang: str) -> list[tuple[str, str]]:
        return [(TEXTS[lang]["all_docs"], "")] + service.documents()

    with gr.Blocks(title="政策条款问答 · reformqa", analytics_enabled=False, delete_cache=EXPORT_CACHE) as demo:
        session = gr.State(Session())
        shown_table = gr.State(None)  # the Compare tab's latest Comparison, to show it again in another language
        with gr.Row(elem_id="rq-top"):
            header = gr.HTML(header_html("zh"), elem_id="rq-title")
            lang = gr.Radio([("中文", "zh"), ("English", "en")], value="zh", show_label=False, container=False, scale=0, min_width=230, elem_id="rq-lang")
        with gr.Tabs(elem_id="rq-tabs"):
            with gr.Tab(t["tab_chat"], id="chat", elem_id="rq-chat-tab") as chat_tab:
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
                            # One document: nothing to choose, so the filter stays out of the way.
                            documents = doc_choices("zh")
                            doc = gr.Dropdown(documents, value="", label=t["doc"], visible=len(documents) > 2, elem_id="rq-doc")
                            mode = gr.Radio(mode_choices("zh"), value="full", label=t["mode"], elem_id="rq-mode")
            with gr.Tab(t["tab_compare"], id="compare", elem_id="rq-compare-tab") as compare_tab:
                with gr.Row(elem_id="rq-topic-row"):
                    topic = gr.Textbox(show_label=False, placeholder=t["topic_placeholder"], lines=1, max_lines=2, scale=5, elem_id="rq-topic")
                    compare_button = gr.Button(t["compare"], variant="primary", scale=0, min_width=96, elem_id="rq-compare-send")
                compare_notice = gr.HTML("", elem_id="rq-compare-notice")
                topics = gr.Dataset(components=[topic], samples=[[x] for x in TOPICS], label=t["topics"], samples_per_page=len(TOPICS), elem_id="rq-topics")
                with gr.Row(elem_id="rq-table-bar", equal_height=True):
                    coverage = gr.HTML("", elem_id="rq-coverage")
                    csv_button = gr.DownloadButton(t["download_csv"], interactive=False, size="sm", scale=0, min_width=120, elem_id="rq-csv")
                    md_button = gr.DownloadButton(t["download_md"], interactive=False, size="sm", scale=0, min_width=150, elem_id="rq-md")
                table = gr.HTML(compare_html(None, words=(), lang="zh"), elem_id="rq-compare")

        page = [session, chatbot, sources, carry, undo, notice, question]
        compare_page = [shown_table, coverage, table, compare_notice, topic, csv_button, md_button]

        def show(reply: Reply) -> list[Any]:
            undo_button = gr.update(visible=bool(reply.carry), value=TEXTS[reply.session.lang]["undo_carry"])
            return [reply.session, reply.messages, reply.sources, reply.carry, undo_button, reply.notice, reply.question]

        def show_table(reply: CompareReply) -> list[Any]:
            # A notice or a relabelling (no exports): the buttons keep the files they have.
            downloads = [gr.update()] * 2 if reply.exports is None else [gr.update(value=str(path), interactive=True) for path in reply.exports]
            return [reply.comparison, reply.coverage, reply.table, reply.notice, reply.topic, *downloads]

        limiter = RateLimiter.from_settings(service.project.settings)  # per session and per address: see ratelimit.py

        def on_ask(text: str, state: Session, region_name: str, mode_name: str, doc_id: str, request: Any = None) -> list[Any]:
            if refused := limiter.refusal(request, state.lang):  # too many questions: a notice instead of an answer
                return show(service.render(state, notice=refused, question=text, carry_line=False))
            return show(service.ask(text, state, region_name, mode_name, doc_id))

        def on_compare(text: str, previous: Any, lang_name: str, request: Any = None) -> list[Any]:
            if refused := limiter.refusal(request, lang_name):  # a comparison costs what a question costs
                return show_table(service.compare_view(previous, lang_name, notice=refused, topic=text))
            return show_table(service.compare(text, lang_name, previous))

        on_ask.__annotations__["request"] = gr.Request  # Gradio passes the request by annotation
        on_compare.__annotations__["request"] = gr.Request

        def on_undo(state: Session, region_name: str, mode_name: str, doc_id: str) -> list[Any]:
            return show(service.undo_carry(state, region_name, mode_name, doc_id))

        def on_like(state: Session, data) -> None:
            if service.like(state, data.index, data.liked):
                gr.Info("谢谢反馈 / Thanks for the feedback", duration=2)
            else:
                gr.Warning("反馈未能保存 / The feedback could not be saved", duration=4)

        on_like.__annotations__["data"] = gr.LikeData  # Gradio passes event data by annotation

        def on_lang(state: Session, lang_name: str, text: str, previous: Any, topic_text: str) -> list[Any]:
            tl = TEXTS[lang_name]
            shown = show(service.relabel(state, lang_name))
            shown[-1] = gr.update(value=text, placeholder=tl["placeholder"])  # keep what is being typed
            compared = show_table(service.compare_view(previous, lang_name))[:4]  # the downloads keep their files
            return shown + compared + [
                gr.update(value=topic_text, placeholder=tl["topic_placeholder"]),
                header_html(lang_name), section_html(tl["sources"]), gr.update(value=tl["send"]), gr.update(label=tl["examples"]),
                gr.update(label=tl["options"]), gr.update(label=tl["region"], choices=region_choices(lang_name)),
                gr.update(label=tl["doc"], choices=doc_choices(lang_name)), gr.update(label=tl["mode"], choices=mode_choices(lang_name)),
                gr.update(label=tl["tab_chat"]), gr.update(label=tl["tab_compare"]), gr.update(value=tl["compare"]), gr.update(label=tl["topics"]),
                gr.update(label=tl["download_csv"]), gr.update(label=tl["download_md"]),
            ]

        def on_load(lang_name: str) -> Any:
            # Documents added while the server runs (reformqa add) appear at the next page load.
            choices = doc_choices(lang_name)
            return gr.update(choices=choices, visible=len(choices) > 2)

        inputs = [question, session, region, mode, doc]
        question.submit(on_ask, inputs, page, **private)
        send.click(on_ask, inputs, page, **private)
        examples.click(lambda sample: sample[0], [examples], [question], **private).then(on_ask, inputs, page, **private)
        undo.click(on_undo, [session, region, mode, doc], page, **private)
        chatbot.clear(lambda state: show(service.clear(state)), [session], page, **private)  # the chat's own trash button
        chatbot.like(on_like, [session], None, **private)
        compare_inputs = [topic, shown_table, lang]
        topic.submit(on_compare, compare_inputs, compare_page, **private)
        compare_button.click(on_compare, compare_inputs, compare_page, **private)
        topics.click(lambda sample: sample[0], [topics], [topic], **private).then(on_compare, compare_inputs, compare_page, **private)
        relabelled = [header, sources_title, send, examples, options, region, doc, mode, chat_tab, compare_tab, compare_button, topics, csv_button, md_button]
        lang.change(on_lang, [session, lang, question, shown_table, topic], page + compare_page[:5] + relabelled, **private)
        demo.load(on_load, [lang], [doc], **private)

        def ask(question: str, k: int = DEFAULT_TOP_K, region: str = "", mode: str = "full", request: Any = None) -> dict:
            """Answer one question by quoting the clauses that answer it; the JSON contract of `reformqa ask --json`."""
            if refused := limiter.refusal(request, "en"):  # too many questions: the error object, not an answer
                return error_to_json(echo(question), refused)
            return service.ask_json(question, k, region, mode)

        ask.__annotations__["request"] = gr.Request  # not an API parameter: Gradio passes it
        gr.api(ask, api_name="ask")
    return demo


def _unknown_endpoint_error() -> type[Exception]:
    from gradio.route_utils import FnIndexInferError

    return FnIndexInferError


def _not_found(request: Any, exc: Exception) -> Any:
    from fastapi.responses import JSONResponse

    return JSONResponse({"detail": "Not Found"}, status_code=404)


def launch(
    demo: Any,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    password: str | None = None,
    quiet: bool = True,
    limits: Limits | None = None,
    trusted_proxies: str | None = None,
) -> str:
    """Start serving in a background thread behind the server's limits (server.py); return the local URL.

    ``trusted_proxies`` names the reverse proxies whose X-Forwarded-For is believed (REFORMQA_TRUSTED_PROXIES).
    """
    gr = _import_gradio()
    trusted = TrustedProxies(trusted_proxies)  # a malformed value stops the start with a message
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
    mount = dict(
        auth_message="请输入密码 / Enter the password" if password else None,
        show_error=False, enable_monitoring=False, mcp_server=False, ssr_mode=False, pwa=False, footer_links=["api"], run_history=False, max_file_size="1mb",
        theme=theme, css=CSS, js=COPY_JS,
        app_kwargs={
            "openapi_url": None, "docs_url": None, "redoc_url": None,  # FastAPI's own route list: not ours to publish
            # An unknown endpoint is a 404, not a 500 with a traceback in the log.
            "exception_handlers": {_unknown_endpoint_error(): _not_found},
        },
    )
    return start(demo, host=host, port=port, auth=auth, limits=limits or Limits(), trusted=trusted, mount=mount)
