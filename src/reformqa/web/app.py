"""The web UI (Gradio): cited, verbatim answers, a topic compared across the pilots, and the whole document behind every citation.

The handlers live in ``handlers.ChatService`` and know nothing of Gradio, so they
are tested directly; ``build_app`` lays them out as a ``gr.Blocks`` app (a chat
tab, a Compare tab and a document viewer tab) and ``launch.launch`` starts it.
"""

from __future__ import annotations

from typing import Any

from ..contract import error_to_json
from ..settings import DEFAULT_TOP_K
from .cite import region_label
from .compare_render import compare_html
from .compare_service import CompareReply
from .conversation import ASK
from .handlers import ChatService, Exchange, Reply, Session, echo
from .launch import DEFAULT_HOST, DEFAULT_PORT, import_gradio, launch
from .limits import Limits
from .marks import Marker
from .ratelimit import RateLimiter
from .render import header_html, section_html, sources_html
from .texts import EXAMPLES, TEXTS, TOPICS
from .viewer import viewer_hint

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "EXAMPLES", "Exchange", "Limits", "Session", "Reply", "ChatService", "build_app", "launch"]

EXPORT_CACHE = (3600, 86400)  # Gradio's copies of the downloads: swept hourly, kept a day


def build_app(service: ChatService) -> Any:
    """The Blocks app: a chat tab (chat, sources, options), a Compare tab and a document tab; `/ask` the only API endpoint."""
    gr = import_gradio()
    t = TEXTS["zh"]
    private = {"api_visibility": "private"}  # the UI's own events: not API, not callable by clients

    def mode_choices(lang: str) -> list[tuple[str, str]]:
        return list(zip(TEXTS[lang]["modes"].split("|"), ("full", "hybrid", "dense", "bm25")))

    def region_choices(lang: str) -> list[tuple[str, str]]:
        return [(TEXTS[lang]["all"], "")] + [(region_label(name, TEXTS[lang]), name) for name in service.regions()]

    def doc_choices(lang: str) -> list[tuple[str, str]]:
        return [(TEXTS[lang]["all_docs"], "")] + service.documents()

    def samples(values: tuple[str, ...]) -> list[list[str]]:
        return [[v] for v in values]

    with gr.Blocks(title="政策条款问答 · reformqa", analytics_enabled=False, delete_cache=EXPORT_CACHE) as demo:
        session = gr.State(Session())
        shown_table = gr.State(None)  # the Compare tab's latest Comparison, to show it again in another language
        ahead = gr.State(())  # the latest answer's suggestions
        topic_now = gr.State("")  # the latest answer's topic, for 对比各试点
        with gr.Row(elem_id="rq-top"):
            header = gr.HTML(header_html("zh"), elem_id="rq-title")
            lang = gr.Radio([("中文", "zh"), ("English", "en")], value="zh", label=t["lang_label"], show_label=False, container=False, scale=0, min_width=200, elem_id="rq-lang")
        with gr.Tabs(elem_id="rq-tabs") as tabs:
            with gr.Tab(t["tab_chat"], id="chat", elem_id="rq-chat-tab") as chat_tab:
                with gr.Row(equal_height=False, elem_id="rq-main"):
                    with gr.Column(scale=3, min_width=300):
                        chatbot = gr.Chatbot(
                            label=t["chat"], show_label=False, elem_id="rq-chat", height=460, latex_delimiters=[], sanitize_html=True, buttons=[],
                            feedback_options=("Like", "Dislike"), layout="bubble", placeholder=None, autoscroll=True,
                        )
                        with gr.Row(elem_id="rq-answer-actions"):
                            compare_this = gr.Button(t["compare_this"], visible=False, size="sm", variant="secondary", scale=0, min_width=120, elem_id="rq-compare-this")
                        suggest = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[[""]], label=t["suggest"], type="index", visible=False, elem_id="rq-suggest")
                        with gr.Row(elem_id="rq-reason-row", visible=False) as reason_row:
                            reason = gr.Textbox(label=t["reason"], placeholder=t["reason_placeholder"], lines=1, max_lines=2, scale=4, elem_id="rq-reason")
                            reason_send = gr.Button(t["reason_send"], size="sm", scale=0, min_width=100, elem_id="rq-reason-send")
                        with gr.Row(elem_id="rq-carry-row", equal_height=True):
                            carry = gr.HTML("", visible=False, elem_id="rq-carry-bar")
                            undo = gr.Button(t["undo_carry"], visible=False, size="sm", variant="secondary", scale=0, min_width=150, elem_id="rq-undo")
                        with gr.Row(elem_id="rq-filter-row"):
                            region_chip = gr.Button("", visible=False, size="sm", variant="secondary", scale=0, min_width=60, elem_id="rq-region-chip")
                            doc_chip = gr.Button("", visible=False, size="sm", variant="secondary", scale=0, min_width=60, elem_id="rq-doc-chip")
                            warn = gr.HTML("", visible=False, elem_id="rq-warn")
                            drop = gr.Button(t["drop_filter"], visible=False, size="sm", variant="primary", scale=0, min_width=120, elem_id="rq-drop")
                        with gr.Row(elem_id="rq-input-row"):
                            question = gr.Textbox(label=t["question_label"], show_label=False, placeholder=t["placeholder"], lines=1, max_lines=4, scale=5, elem_id="rq-question", autofocus=True)
                            send = gr.Button(t["send"], variant="primary", scale=0, min_width=80, elem_id="rq-send")
                        notice = gr.HTML("", elem_id="rq-notice")
                        with gr.Row(elem_id="rq-clear-row"):
                            export = gr.DownloadButton(t["export_chat"], interactive=False, size="sm", scale=0, min_width=120, elem_id="rq-export")
                            clear = gr.Button(t["clear"], size="sm", variant="secondary", scale=0, min_width=90, elem_id="rq-clear")
                            clear_yes = gr.Button(t["clear_confirm"], visible=False, size="sm", variant="stop", scale=0, min_width=90, elem_id="rq-clear-yes")
                            clear_no = gr.Button(t["clear_cancel"], visible=False, size="sm", variant="secondary", scale=0, min_width=70, elem_id="rq-clear-no")
                    with gr.Column(scale=2, min_width=300):
                        sources_title = gr.HTML(section_html(t["sources"]), elem_id="rq-sources-title")
                        sources = gr.HTML(sources_html(None, marker=Marker(), passages={}, lang="zh"), elem_id="rq-sources")
                        with gr.Accordion(t["options"], open=False, elem_id="rq-options") as options:
                            region = gr.Dropdown(region_choices("zh"), value="", label=t["region"], elem_id="rq-region")
                            # One document: nothing to choose, so the filter stays out of the way.
                            documents = doc_choices("zh")
                            doc = gr.Dropdown(documents, value="", label=t["doc"], visible=len(documents) > 2, elem_id="rq-doc")
                            mode = gr.Radio(mode_choices("zh"), value="full", label=t["mode"], elem_id="rq-mode")
                examples = gr.Dataset(components=[question], samples=samples(EXAMPLES["zh"]), label=t["examples"], samples_per_page=10, elem_id="rq-examples")
            with gr.Tab(t["tab_compare"], id="compare", elem_id="rq-compare-tab") as compare_tab:
                with gr.Row(elem_id="rq-topic-row"):
                    topic = gr.Textbox(label=t["topic_label"], show_label=False, placeholder=t["topic_placeholder"], lines=1, max_lines=2, scale=5, elem_id="rq-topic")
                    compare_button = gr.Button(t["compare"], variant="primary", scale=0, min_width=80, elem_id="rq-compare-send")
                compare_notice = gr.HTML("", elem_id="rq-compare-notice")
                topics = gr.Dataset(components=[topic], samples=samples(TOPICS["zh"]), label=t["topics"], samples_per_page=10, elem_id="rq-topics")
                with gr.Row(elem_id="rq-table-bar", equal_height=True):
                    coverage = gr.HTML("", elem_id="rq-coverage")
                    csv_button = gr.DownloadButton(t["download_csv"], interactive=False, size="sm", scale=0, min_width=110, elem_id="rq-csv")
                    md_button = gr.DownloadButton(t["download_md"], interactive=False, size="sm", scale=0, min_width=130, elem_id="rq-md")
                table = gr.HTML(compare_html(None, marker=Marker(), lang="zh"), elem_id="rq-compare")
            with gr.Tab(t["tab_viewer"], id="viewer", elem_id="rq-viewer-tab") as viewer_tab:
                viewer = gr.HTML(viewer_hint("zh"), elem_id="rq-viewer")
        open_key = gr.Textbox("", show_label=False, container=False, elem_id="rq-open-key", elem_classes=["rq-hidden"])
        open_go = gr.Button("open", elem_id="rq-open-go", elem_classes=["rq-hidden"])

        page = [session, chatbot, sources, carry, undo, notice, question, warn, drop, suggest, ahead, compare_this, topic_now, export, reason_row]
        compare_page = [shown_table, coverage, table, compare_notice, topic, csv_button, md_button]

        def show(reply: Reply) -> list[Any]:
            tl = TEXTS[reply.session.lang]
            undo_button = gr.update(visible=bool(reply.carry), value=tl["undo_carry"])
            shown = [[s.label] for s in reply.suggestions]
            exported = service.export_chat(reply.session)
            return [
                reply.session, reply.messages, reply.sources, gr.update(value=reply.carry, visible=bool(reply.carry)), undo_button, reply.notice, reply.question,
                gr.update(value=reply.warn, visible=bool(reply.warn)), gr.update(visible=bool(reply.warn), value=tl["drop_filter"]),
                gr.update(samples=shown or [[""]], visible=bool(shown), label=tl["suggest"]), reply.suggestions,
                gr.update(visible=bool(reply.topic), value=tl["compare_this"]), reply.topic,
                gr.update(value=str(exported) if exported else None, interactive=exported is not None, label=tl["export_chat"]),
                gr.update(visible=False),
            ]

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

        def on_drop(state: Session, mode_name: str, doc_id: str) -> list[Any]:
            last = state.exchanges[-1] if state.exchanges else None
            if last is None:
                return show(service.render(state)) + [""]
            earlier = Session(state.exchanges[:-1], state.lang)
            return show(service.ask(last.typed, earlier, "", mode_name, doc_id)) + [""]

        def on_like(state: Session, data) -> Any:
            tl = TEXTS[state.lang]
            if service.like(state, data.index, data.liked):
                gr.Info(tl["thanks"], duration=2)
            else:
                gr.Warning(tl["not_saved"], duration=4)
            return gr.update(visible=data.liked is False or data.liked == "Dislike")

        on_like.__annotations__["data"] = gr.LikeData  # Gradio passes event data by annotation

        def on_reason(state: Session, text: str) -> list[Any]:
            tl = TEXTS[state.lang]
            if service.reason(state, text):
                gr.Info(tl["thanks"], duration=2)
            return [gr.update(visible=False), ""]

        def on_suggest(index: int, steps: tuple, state: Session, region_name: str, mode_name: str, doc_id: str, request: Any = None) -> list[Any]:
            if not isinstance(index, int) or not 0 <= index < len(steps):
                return [gr.update()] * (len(page) + 2)
            step = steps[index]
            if step.kind == ASK:
                return on_ask(step.payload, state, region_name, mode_name, doc_id, request) + [gr.update(), gr.update()]
            return [gr.update()] * len(page) + [service.open_source(step.payload, state.lang), gr.Tabs(selected="viewer")]

        on_suggest.__annotations__["request"] = gr.Request

        def on_region(region_name: str, doc_id: str, lang_name: str) -> list[Any]:
            tl = TEXTS[lang_name]
            docs = dict((d, label) for label, d in service.documents())
            return [
                gr.update(visible=bool(region_name), value=tl["filter_chip"].format(name=region_label(region_name, tl)) if region_name else ""),
                gr.update(visible=bool(doc_id), value=tl["doc_chip"].format(name=docs.get(doc_id, doc_id)) if doc_id else ""),
                gr.update(value="", visible=False), gr.update(visible=False),
            ]

        def on_lang(state: Session, lang_name: str, text: str, previous: Any, topic_text: str, region_name: str, doc_id: str) -> list[Any]:
            tl = TEXTS[lang_name]
            shown = show(service.relabel(state, lang_name))
            shown[6] = gr.update(value=text, placeholder=tl["placeholder"], label=tl["question_label"])  # keep what is being typed
            compared = show_table(service.compare_view(previous, lang_name))[:4]  # the downloads keep their files
            return shown + compared + [
                gr.update(value=topic_text, placeholder=tl["topic_placeholder"], label=tl["topic_label"]),
                header_html(lang_name), section_html(tl["sources"]), gr.update(value=tl["send"]),
                gr.update(label=tl["examples"], samples=samples(EXAMPLES[lang_name])),
                gr.update(label=tl["options"]), gr.update(label=tl["region"], choices=region_choices(lang_name)),
                gr.update(label=tl["doc"], choices=doc_choices(lang_name)), gr.update(label=tl["mode"], choices=mode_choices(lang_name)),
                gr.update(label=tl["tab_chat"]), gr.update(label=tl["tab_compare"]), gr.update(label=tl["tab_viewer"]), gr.update(value=tl["compare"]),
                gr.update(label=tl["topics"], samples=samples(TOPICS[lang_name])),
                gr.update(label=tl["download_csv"]), gr.update(label=tl["download_md"]), gr.update(value=tl["clear"]),
                gr.update(value=tl["clear_confirm"]), gr.update(value=tl["clear_cancel"]), gr.update(label=tl["reason"], placeholder=tl["reason_placeholder"]),
                gr.update(value=tl["reason_send"]), viewer_hint(lang_name), *on_region(region_name, doc_id, lang_name)[:2],
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
        chatbot.like(on_like, [session], [reason_row], **private)
        reason_send.click(on_reason, [session, reason], [reason_row, reason], **private)
        reason.submit(on_reason, [session, reason], [reason_row, reason], **private)
        confirming = [clear, clear_yes, clear_no, notice]
        clear.click(lambda s: [gr.update(visible=False), gr.update(visible=True), gr.update(visible=True), f'<div class="rq-notice" role="alert">{TEXTS[s.lang]["clear_ask"]}</div>'], [session], confirming, **private)
        clear_no.click(lambda: [gr.update(visible=True), gr.update(visible=False), gr.update(visible=False), ""], None, confirming, **private)
        clear_yes.click(lambda s: show(service.clear(s)), [session], page, **private).then(
            lambda: [gr.update(visible=True), gr.update(visible=False), gr.update(visible=False), ""], None, confirming, **private
        )
        filters = [region_chip, doc_chip, warn, drop]
        region.change(on_region, [region, doc, lang], filters, **private)
        doc.change(on_region, [region, doc, lang], filters, **private)
        region_chip.click(lambda: "", None, [region], **private)
        doc_chip.click(lambda: "", None, [doc], **private)
        drop.click(on_drop, [session, mode, doc], page + [region], **private)
        compare_inputs = [topic, shown_table, lang]
        topic.submit(on_compare, compare_inputs, compare_page, **private)
        compare_button.click(on_compare, compare_inputs, compare_page, **private)
        topics.click(lambda sample: sample[0], [topics], [topic], **private).then(on_compare, compare_inputs, compare_page, **private)
        compare_this.click(lambda text: [text, gr.Tabs(selected="compare")], [topic_now], [topic, tabs], **private).then(on_compare, compare_inputs, compare_page, **private)
        # The page script scrolls the opened clause into view (styles.PAGE_JS): no event runs in the browser only.
        suggest.click(on_suggest, [suggest, ahead, session, region, mode, doc], page + [viewer, tabs], **private)
        open_go.click(lambda key, s: [service.open_source(key, s.lang), gr.Tabs(selected="viewer")], [open_key, session], [viewer, tabs], **private)
        relabelled = [
            header, sources_title, send, examples, options, region, doc, mode, chat_tab, compare_tab, viewer_tab, compare_button, topics, csv_button, md_button,
            clear, clear_yes, clear_no, reason, reason_send, viewer, region_chip, doc_chip,
        ]
        lang.change(on_lang, [session, lang, question, shown_table, topic, region, doc], page + compare_page[:5] + relabelled, **private)
        demo.load(on_load, [lang], [doc], **private)

        def ask(question: str, k: int = DEFAULT_TOP_K, region: str = "", mode: str = "full", request: Any = None) -> dict:
            """Answer one question by quoting the clauses that answer it; the JSON contract of `reformqa ask --json`."""
            if refused := limiter.refusal(request, "en"):  # too many questions: the error object, not an answer
                return error_to_json(echo(question), refused)
            return service.ask_json(question, k, region, mode)

        ask.__annotations__["request"] = gr.Request  # not an API parameter: Gradio passes it
        gr.api(ask, api_name="ask")
    return demo
