"""Answers as safe HTML for the chat UI: every character of a quote escaped, matched words marked.

Nothing here changes a quoted character. Text goes through ``escape``, which
turns HTML, Markdown and LaTeX syntax into character references, so a clause
or a question holding ``<script>``, ``**x**`` or ``$$x$$`` shows exactly
that. Matched words are found on the matching form of the text and mapped
back onto the original characters, which are then wrapped, never rewritten.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .followup import REGION, Carry
from .normalize import normalize, to_simplified
from .records import Answer, Citation, Clause

__all__ = ["LANGS", "TEXTS", "CSS", "COPY_JS", "header_html", "section_html", "Passage", "escape", "find_words", "passage", "answer_html", "sources_html", "question_html", "notice_html", "carry_html"]

LANGS = ("zh", "en")
TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "政策条款问答", "subtitle": "只引用文件原文，逐条注明出处；文件没有写的，直接说没有。",
        "chat": "对话", "placeholder": "例如：无锡的科研经费怎么管理？（Enter 发送）", "send": "提问",
        "examples": "示例问题", "options": "选项", "region": "限定试点", "all": "全部", "mode": "检索方式",
        "sources": "来源", "sources_empty": "提问后，这里列出每条引文在原文中的位置。", "undo_carry": "不沿用，按原问题回答",
        "copy": "复制", "preamble": "文件正文", "list_lead": "{n} 个试点有相关条款：", "nearest": "可能相关的条款：",
        "chars": "原文第 {start}–{end} 字", "quote_at": "引文第 {start}–{end} 字",
        "carry_topic": "沿用上一问的话题「{carried}」，改问：{question}", "carry_region": "沿用上一问的地区「{carried}」，实际提问：{question}",
        "empty": "请输入一个问题，例如：合肥都市圈的科研人员可以获得多少比例的成果所有权？",
        "too_long": "问题有 {n} 个字，请控制在 {max} 字以内，一次问一个问题。", "error": "无法回答：{message}",
        "internal": "出了点问题，没能回答这个问题。请换个说法再试一次。", "not_found_gloss": "",
        "modes": "完整（推荐）|混合|语义|关键词",
    },
    "en": {
        "title": "Policy clause Q&A", "subtitle": "Quotes the documents word for word, with a citation for every quote; says so when they are silent.",
        "chat": "Chat", "placeholder": "e.g. How is research funding managed in Wuxi? (Enter to send)", "send": "Ask",
        "examples": "Example questions", "options": "Options", "region": "Pilot", "all": "All", "mode": "Retrieval",
        "sources": "Sources", "sources_empty": "After a question, each quote is shown here in its place in the document.", "undo_carry": "Don't carry it over",
        "copy": "Copy", "preamble": "Document text", "list_lead": "{n} pilots have a matching clause:", "nearest": "Possibly related clauses:",
        "chars": "characters {start}–{end}", "quote_at": "quote at {start}–{end}",
        "carry_topic": "Carried over the previous topic “{carried}”; asked: {question}", "carry_region": "Carried over the previous place “{carried}”; asked: {question}",
        "empty": "Please type a question, e.g. What share of ownership can researchers in the Hefei metropolitan area get?",
        "too_long": "The question has {n} characters; please keep it under {max}, one question at a time.", "error": "Cannot answer: {message}",
        "internal": "Something went wrong and this question was not answered. Please try again or rephrase it.",
        "not_found_gloss": "Not in the documents: no clause answers this question directly.",
        "modes": "Full (recommended)|Hybrid|Dense|BM25",
    },
}
# Character references for everything HTML, Markdown, LaTeX or a template could read as syntax.
_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "*_`$[]~\\#|{}:@!^=+-'\"\r"}
_ESCAPES.update({ord("<"): "&lt;", ord(">"): "&gt;", ord("&"): "&amp;", ord("\n"): "&#10;"})


def escape(text: str) -> str:
    """Text as HTML that shows every character literally, in HTML, Markdown and LaTeX alike.

    Safe inside attribute values too: both quote characters are references.
    """
    return text.translate(_ESCAPES)


def _alignment(text: str) -> tuple[str, list[int], list[int]]:
    """normalize(text), and for each of its characters the original span it stands for."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).lower():
            chars.append(out)
            origin.append(i)
    folded = "".join(chars)
    simplified = to_simplified(folded)
    folded = simplified if len(simplified) == len(folded) else folded
    norm = normalize(text)
    starts, ends = [0] * len(norm), [0] * len(norm)
    # 百分之七十 -> 70%: a rewritten run maps onto the whole original run.
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, folded, norm, autojunk=False).get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                starts[j], ends[j] = origin[i1 + j - j1], origin[i1 + j - j1] + 1
            else:
                starts[j] = origin[i1] if i1 < len(origin) else len(text)
                ends[j] = origin[i2 - 1] + 1 if i2 > i1 else starts[j]
    return norm, starts, ends


def find_words(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where the (normalised) words occur in the original text, merged, in order."""
    wanted = sorted({w for w in words if len(w) >= 2 or any(c.isdigit() for c in w)}, key=len, reverse=True)
    if not wanted or not text:
        return []
    norm, starts, ends = _alignment(text)
    spans: list[tuple[int, int]] = []
    for word in wanted:
        at = norm.find(word)
        while at != -1:
            spans.append((starts[at], ends[at + len(word) - 1]))
            at = norm.find(word, at + len(word))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: Sequence[tuple[int, int]], cls: str = "rq-hit") -> str:
    """Escaped text with each span wrapped in <mark>."""
    out, last = [], 0
    for start, end in spans:
        out += [escape(text[last:start]), f'<mark class="{cls}">', escape(text[start:end]), "</mark>"]
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Passage:
    """A cited clause in its place: the source text of its section's neighbours around it."""

    before: str  # from the previous clause of the same section up to this clause
    after: str  # from the end of this clause to the end of the next one


def passage(source: str | None, clauses: Sequence[Clause], clause: Clause) -> Passage:
    """The clause's neighbours before and after it, sliced from the document's source text."""
    if source is None or source[clause.start : clause.end] != clause.text:
        return Passage("", "")
    siblings = sorted((c for c in clauses if c.doc_id == clause.doc_id and c.section == clause.section), key=lambda c: c.start)
    at = next((i for i, c in enumerate(siblings) if c.clause_id == clause.clause_id), None)
    if at is None:
        return Passage("", "")
    before = source[siblings[at - 1].start : clause.start] if at > 0 else ""
    after = source[clause.end : siblings[at + 1].end] if at + 1 < len(siblings) else ""
    return Passage(before, after)


def _where(citation: Citation, t: Mapping[str, str]) -> str:
    clause = citation.hit.clause
    return f"{clause.region or t['preamble']} · 《{clause.doc_title}》 · {clause.clause_id}"


def _copy_button(text: str, t: Mapping[str, str]) -> str:
    # The text to copy rides along hidden: Gradio's sanitiser drops data-* attributes.
    return f'<button type="button" class="rq-copy" title="{escape(t["copy"])}"><span class="rq-copy-label">{escape(t["copy"])}</span><span class="rq-copy-src">{escape(text)}</span></button>'


def _quote(citation: Citation, words: Sequence[str], t: Mapping[str, str]) -> str:
    quote = citation.quote
    copy = f"「{quote}」 —— [{citation.rank}] {_where(citation, t)}"
    return (
        f'<span class="rq-text">{_marked(quote, find_words(quote, words))}</span>'
        f'<sup class="rq-ref">[{citation.rank}]</sup>{_copy_button(copy, t)}'
    )


def _context(citation: Citation, passages: Mapping[tuple[str, str], Passage], t: Mapping[str, str]) -> str:
    clause = citation.hit.clause
    around = passages.get((clause.doc_id, clause.clause_id), Passage("", ""))
    a, b = citation.quote_start - clause.start, citation.quote_end - clause.start
    body = escape(clause.text[:a]) + f'<mark class="rq-span">{escape(clause.text[a:b])}</mark>' + escape(clause.text[b:])
    where = f"《{clause.doc_title}》 · " + t["chars"].format(start=clause.start, end=clause.end) + " · " + t["quote_at"].format(start=citation.quote_start, end=citation.quote_end)
    return (
        f'<div class="rq-context"><span class="rq-near">{escape(around.before)}</span><span class="rq-clause">{body}</span>'
        f'<span class="rq-near">{escape(around.after)}</span></div><div class="rq-meta">{escape(where)}</div>'
    )


def _citation(citation: Citation, passages: Mapping[tuple[str, str], Passage], t: Mapping[str, str], *, open_: bool = False) -> str:
    clause = citation.hit.clause
    return (
        f'<details class="rq-cite"{" open" if open_ else ""}><summary><span class="rq-num">[{citation.rank}]</span> '
        f'<span class="rq-region">{escape(clause.region or t["preamble"])}</span> · <span class="rq-id">{escape(clause.clause_id)}</span> · '
        f'<span class="rq-doc" title="{escape(clause.doc_title)}">《{escape(clause.doc_title)}》</span></summary>{_context(citation, passages, t)}</details>'
    )


def carry_html(carry: Carry | None, lang: str) -> str:
    """One line saying what a follow-up took from the previous question."""
    if carry is None:
        return ""
    t = TEXTS[lang]
    line = t["carry_region" if carry.kind == REGION else "carry_topic"].format(carried=carry.carried, question=carry.question)
    return f'<div class="rq-carry">↪ {escape(line)}</div>'


def answer_html(answer: Answer, *, words: Sequence[str], passages: Mapping[tuple[str, str], Passage], lang: str, carry: Carry | None = None) -> str:
    """The chat message: the quote(s) with matched words marked, then the citations."""
    t = TEXTS[lang]
    parts = ['<div class="rq-answer">', carry_html(carry, lang)]
    if not answer.answerable:
        gloss = f'<div class="rq-none">{escape(t["not_found_gloss"])}</div>' if t["not_found_gloss"] else ""
        parts.append(f'{gloss}<div class="rq-none">{escape(answer.message)}</div><ul class="rq-list rq-dim">')
        parts += [f"<li>{_quote(c, words, t)}</li>" for c in answer.citations]
        parts.append("</ul>")
    elif answer.list_question:
        parts.append(f'<div class="rq-lead">{escape(t["list_lead"].format(n=len(answer.citations)))}</div><ol class="rq-list">')
        parts += [f'<li><span class="rq-region rq-colon">{escape(c.hit.clause.region or t["preamble"])}</span>{_quote(c, words, t)}</li>' for c in answer.citations]
        parts.append("</ol>")
    elif answer.citations:
        parts.append(f'<div class="rq-quote">{_quote(answer.citations[0], words, t)}</div>')
    parts.append('<div class="rq-cites">' + "".join(_citation(c, passages, t) for c in answer.citations) + "</div></div>")
    return "".join(parts)


def sources_html(answer: Answer | None, *, words: Sequence[str], passages: Mapping[tuple[str, str], Passage], lang: str) -> str:
    """The sources panel: each citation of the latest answer, the first one open in its place."""
    t = TEXTS[lang]
    if answer is None or not answer.citations:
        return f'<div class="rq-sources"><div class="rq-hint">{escape(t["sources_empty"])}</div></div>'
    cards = []
    for c in answer.citations:
        lead = t["nearest"] if not answer.answerable and c.rank == 1 else ""
        cards.append(
            (f'<div class="rq-lead">{escape(lead)}</div>' if lead else "")
            + f'<div class="rq-card"><div class="rq-card-quote">{_quote(c, words, t)}</div>'
            + _citation(c, passages, t, open_=c.rank == 1)
            + "</div>"
        )
    return f'<div class="rq-sources">{"".join(cards)}</div>'


def question_html(text: str) -> str:
    """A person's question as the chat shows it: literally."""
    return f'<div class="rq-asked">{escape(text)}</div>'


def notice_html(message: str) -> str:
    """A friendly message under the input (an empty or over-long question, an error)."""
    return f'<div class="rq-notice" role="alert">{escape(message)}</div>' if message else ""


def header_html(lang: str) -> str:
    """The page title and what the bot promises."""
    t = TEXTS[lang]
    return f'<div class="rq-header"><h1>{escape(t["title"])}</h1><p>{escape(t["subtitle"])}</p></div>'


def section_html(title: str) -> str:
    """A panel heading."""
    return f'<div class="rq-section">{escape(title)}</div>'


# System font stacks only: nothing is fetched from a font CDN.
CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#rq-top { align-items: center; }
.rq-header h1 { font-size: 1.45rem; margin: 0 0 2px 0; font-weight: 650; }
.rq-header p { margin: 0; color: var(--body-text-color-subdued); font-size: 0.92rem; }
#rq-lang { flex-grow: 0; }
#rq-lang .wrap { flex-wrap: nowrap; gap: 6px; justify-content: flex-end; }
.rq-answer, .rq-sources, .rq-asked { overflow-wrap: anywhere; word-break: normal; line-height: 1.7; }
.rq-text, .rq-asked, .rq-context { white-space: pre-wrap; }
.rq-quote { border-left: 3px solid var(--color-accent); background: var(--background-fill-secondary); padding: 6px 10px; border-radius: 4px; font-size: 1.04em; }
.rq-answer mark.rq-hit, .rq-sources mark.rq-hit { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.rq-context mark.rq-span { background: #fef3c7; color: inherit; text-decoration: underline 2px #d97706; text-underline-offset: 3px; }
.rq-ref { color: var(--color-accent); font-weight: 600; margin: 0 2px; }
.rq-copy { font-size: 0.75rem; line-height: 1.2; padding: 1px 7px; margin-left: 6px; border: 1px solid var(--border-color-primary); border-radius: 4px; background: var(--background-fill-primary); color: var(--body-text-color-subdued); cursor: pointer; vertical-align: middle; }
.rq-copy-src { display: none; }
.rq-copy:hover { color: var(--body-text-color); border-color: var(--color-accent); }
.rq-list { margin: 4px 0 4px 1.2em; padding: 0; }
.rq-list li { margin: 4px 0; }
.rq-list .rq-region { margin-right: 2px; }
.rq-region { font-weight: 600; }
.rq-colon::after { content: "："; }
.rq-doc { display: inline-block; max-width: 15em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
.rq-id { font-family: var(--font-mono); font-size: 0.92em; }
.rq-dim .rq-text { color: var(--body-text-color-subdued); }
.rq-none { font-weight: 600; margin-bottom: 4px; }
.rq-lead { font-weight: 600; margin: 2px 0; }
.rq-cites { margin-top: 8px; border-top: 1px solid var(--border-color-primary); padding-top: 4px; font-size: 0.9em; }
details.rq-cite { margin: 3px 0; }
details.rq-cite > summary { cursor: pointer; color: var(--body-text-color-subdued); }
details.rq-cite[open] > summary { color: var(--body-text-color); }
.rq-num { font-weight: 650; color: var(--color-accent); }
.rq-context { margin: 4px 0 2px 0; padding: 6px 10px; background: var(--background-fill-secondary); border-radius: 4px; }
.rq-near { color: var(--body-text-color-subdued); opacity: 0.9; }
.rq-clause { color: var(--body-text-color); }
.rq-meta { font-size: 0.8em; color: var(--body-text-color-subdued); }
.rq-carry { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.rq-notice { color: #b45309; font-size: 0.92em; padding: 2px 4px; }
.rq-section { font-weight: 650; font-size: 1.05rem; margin: 2px 0 4px 0; }
.rq-card { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; background: var(--background-fill-primary); }
.rq-card-quote { margin-bottom: 2px; }
.rq-hint { color: var(--body-text-color-subdued); font-size: 0.92em; }
#rq-sources { max-height: 640px; overflow-y: auto; }
#rq-title .html-container, #rq-sources-title .html-container, #rq-sources .html-container, #rq-carry-bar .html-container, #rq-notice .html-container { padding-left: 0 !important; padding-right: 0 !important; }
#rq-carry-row { align-items: center; gap: 8px; min-height: 0; }
#rq-carry-row .rq-carry { margin: 0; }
#rq-undo { font-size: 0.8rem; padding: 2px 10px; }
#rq-examples button { font-size: 0.85rem; padding: 3px 8px; }
#rq-chat .message-row .message { max-width: 100%; }
"""

# The copy buttons: copy the hidden verbatim text beside each label (navigator.clipboard,
# or a textarea where the page is not a secure context, e.g. plain http on an intranet).
COPY_JS = """
() => {
  const fallback = (text) => {
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  document.addEventListener('click', (event) => {
    const button = event.target.closest ? event.target.closest('button.rq-copy') : null;
    if (!button) return;
    event.preventDefault(); event.stopPropagation();
    const source = button.querySelector('.rq-copy-src'), label = button.querySelector('.rq-copy-label');
    const text = source ? source.textContent : '';
    const done = () => {
      if (!label || label.dataset.busy) return;
      const old = label.textContent; label.dataset.busy = '1'; label.textContent = '✓';
      setTimeout(() => { label.textContent = old; delete label.dataset.busy; }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => { fallback(text); done(); });
    else { fallback(text); done(); }
  }, true);
}
"""
