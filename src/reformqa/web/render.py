"""Answers and comparison tables as safe HTML for the UI: every character of a quote escaped, matched words marked.

Nothing here changes a quoted character. Text goes through ``escape``, which
turns HTML, Markdown and LaTeX syntax into character references, so a clause
or a question holding ``<script>``, ``**x**`` or ``$$x$$`` shows exactly
that. Matched words are found on the matching form of the text and mapped
back onto the original characters, which are then wrapped, never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..answer import REGION, Carry, Comparison, ComparisonRow
from ..normalize import fold, normalize
from ..records import Answer, Citation, Clause
from .texts import MESSAGES, REGION_NAMES, TEXTS

__all__ = ["Passage", "escape", "find_words", "passage", "region_label", "message_text", "answer_html", "sources_html", "question_html", "notice_html", "carry_html", "header_html", "section_html", "coverage_html", "compare_html"]

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
    folded, origin = fold(text)
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


def region_label(name: str, t: Mapping[str, str]) -> str:
    """A pilot's name as the page shows it: in English, its English name with the document's own beside it."""
    english = REGION_NAMES.get(name)
    return t["region_label"].format(zh=name, en=english) if english else name


def message_text(message: str, lang: str) -> str:
    """The answer's fixed sentences in the page's language (the Chinese ones as they are)."""
    if lang == "zh":
        return message
    for chinese, english in MESSAGES:
        message = re.sub(chinese, english.replace("、", ", "), message)
    return message.strip()


def _place(clause: Clause, t: Mapping[str, str]) -> str:
    """Where in its document a clause sits: its region, else its headings (第二章 › 第三条), else the document's own text."""
    return region_label(clause.region, t) if clause.region else " › ".join(clause.breadcrumb[1:]) or t["preamble"]


def _matched(answer_terms: Sequence[tuple[str, str]], t: Mapping[str, str]) -> str:
    """One line naming the documents' terms an English question was matched through."""
    if not answer_terms:
        return ""
    terms = t["term_sep"].join(dict.fromkeys(zh for _, zh in answer_terms))
    return f'<div class="rq-carry rq-via">{escape(t["matched"].format(terms=terms))}</div>'


def _where(citation: Citation, t: Mapping[str, str]) -> str:
    clause = citation.hit.clause
    return f"{_place(clause, t)} · 《{clause.doc_title}》 · {clause.clause_id}"


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
        f'<span class="rq-region">{escape(_place(clause, t))}</span> · <span class="rq-id">{escape(clause.clause_id)}</span> · '
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
    parts = ['<div class="rq-answer">', carry_html(carry, lang), _matched(answer.matched_terms, t)]
    if not answer.answerable:
        parts.append(f'<div class="rq-none">{escape(message_text(answer.message, lang))}</div><ul class="rq-list rq-dim">')
        parts += [f"<li>{_quote(c, words, t)}</li>" for c in answer.citations]
        parts.append("</ul>")
    elif answer.list_question:
        parts.append(f'<div class="rq-lead">{escape(t["list_lead"].format(n=len(answer.citations)))}</div><ol class="rq-list">')
        parts += [f'<li><span class="rq-region rq-colon">{escape(_place(c.hit.clause, t))}</span>{_quote(c, words, t)}</li>' for c in answer.citations]
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


def _coverage(comparison: Comparison, t: Mapping[str, str]) -> str:
    """The line on top of the table: the core's own words in Chinese, the same facts in English."""
    if not t["coverage"]:
        return comparison.coverage
    via = t["via"].format(pivot=comparison.pivot) if comparison.pivot else ""
    names = ", ".join(region_label(name, t) for name in comparison.mentioned) or t["none"]
    return t["coverage"].format(n=len(comparison.mentioned), total=len(comparison.rows), topic=comparison.topic, via=via, names=names)


def _compare_row(row: ComparisonRow, words: Sequence[str], t: Mapping[str, str]) -> str:
    state = "rq-yes" if row.mentioned else "rq-no"
    badge = f'<span class="rq-badge {state}">{escape(t["mentioned" if row.mentioned else "not_mentioned"])}</span>'
    cited = row.citation
    if cited is None:
        quote, source = f'<span class="rq-hint">{escape(t["no_clause"])}</span>', ""
    else:
        clause, text = cited.hit.clause, cited.quote
        quote = f'<span class="rq-text">{_marked(text, find_words(text, words))}</span>'
        # A region that does not mention the topic still shows its nearest words, marked as such.
        quote = quote + _copy_button(f"「{text}」 —— {_where(cited, t)}", t) if row.mentioned else f'<span class="rq-nearest">{escape(t["nearest_quote"])}</span>{quote}'
        source = f'<span class="rq-id">{escape(clause.clause_id)}</span><span class="rq-doc" title="{escape(clause.doc_title)}">《{escape(clause.doc_title)}》</span>'
    return f'<tr class="{state}"><td class="rq-region">{escape(region_label(row.region, t))}</td><td>{badge}</td><td>{quote}</td><td class="rq-source">{source}</td></tr>'


def coverage_html(comparison: Comparison | None, lang: str) -> str:
    """The line on top of the comparison table: how many pilots mention the topic, and which."""
    return f'<div class="rq-coverage">{escape(_coverage(comparison, TEXTS[lang]))}</div>' if comparison is not None else ""


def compare_html(comparison: Comparison | None, *, words: Sequence[str], lang: str) -> str:
    """The comparison table: one row a region, in document order, 未提及 rows muted."""
    t = TEXTS[lang]
    if comparison is None:
        return f'<div class="rq-compare"><div class="rq-hint">{escape(t["compare_hint"])}</div></div>'
    head = "".join(f"<th>{escape(t[key])}</th>" for key in ("col_region", "col_mentioned", "col_quote", "col_source"))
    columns = '<colgroup><col class="rq-c-region"><col class="rq-c-state"><col class="rq-c-quote"><col class="rq-c-source"></colgroup>'
    rows = "".join(_compare_row(row, words, t) for row in comparison.rows)
    return f'<div class="rq-compare"><table class="rq-table rq-{lang}">{columns}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
