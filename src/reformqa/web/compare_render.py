"""The Compare tab as safe HTML: the coverage line, then one row a pilot (a card each on a phone), every source openable.

A pilot that does not mention the topic keeps its row, muted, with its nearest
clause marked as such. The source column reads as people cite (the document's
short title and the place in it); ids and offsets sit in the row's details.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..answer import Comparison, ComparisonRow
from .cite import copy_button, open_button, place_of, region_label
from .marks import Marker, escape
from .texts import TEXTS

__all__ = ["coverage_html", "compare_html"]


def _coverage(comparison: Comparison, t: Mapping[str, str]) -> str:
    """The line on top of the table: the core's own words in Chinese, the same facts in English."""
    if not t["coverage"]:
        return comparison.coverage
    via = t["via"].format(pivot=comparison.pivot) if comparison.pivot else ""
    names = ", ".join(region_label(name, t) for name in comparison.mentioned) or t["none"]
    return t["coverage"].format(n=len(comparison.mentioned), total=len(comparison.rows), topic=comparison.topic, via=via, names=names)


def _row(row: ComparisonRow, marker: Marker, t: Mapping[str, str]) -> str:
    state = "rq-yes" if row.mentioned else "rq-no"
    badge = f'<span class="rq-badge {state}">{escape(t["mentioned" if row.mentioned else "not_mentioned"])}</span>'
    cited = row.citation
    if cited is None:
        quote, source = f'<span class="rq-hint">{escape(t["no_clause"])}</span>', ""
    else:
        clause, text = cited.hit.clause, cited.quote
        # A pilot that does not mention the topic still shows its nearest words, marked as such and not as an answer.
        quote = f'<span class="rq-text">{(marker if row.mentioned else marker.quiet()).html(text)}</span>'
        place = place_of(clause, t)
        if row.mentioned:
            quote += copy_button(f"「{text}」 —— {clause.cited_as or region_label(row.region, t) + ' ' + place}", t)
        else:
            quote = f'<span class="rq-nearest">{escape(t["nearest_quote"])}</span>{quote}'
        ids = f"《{clause.doc_title}》 · {clause.clause_id} · " + t["quote_at"].format(start=cited.quote_start, end=cited.quote_end)
        source = (
            f'<span class="rq-place">{escape(place)}</span>{open_button(cited, t)}'
            f'<details class="rq-ids"><summary>{escape(t["details"])}</summary><span class="rq-meta">{escape(ids)}</span></details>'
        )
    return (
        f'<tr class="{state}"><td class="rq-region">{escape(region_label(row.region, t))}</td><td class="rq-state">{badge}</td>'
        f'<td class="rq-quote-cell">{quote}</td><td class="rq-source">{source}</td></tr>'
    )


def coverage_html(comparison: Comparison | None, lang: str) -> str:
    """The line on top of the comparison table: how many pilots mention the topic, and which."""
    return f'<div class="rq-coverage">{escape(_coverage(comparison, TEXTS[lang]))}</div>' if comparison is not None else ""


def compare_html(comparison: Comparison | None, *, marker: Marker, lang: str) -> str:
    """The comparison table: one row a region, in document order, 未提及 rows muted; a card a region on a phone."""
    t = TEXTS[lang]
    if comparison is None:
        return f'<div class="rq-compare"><div class="rq-hint">{escape(t["compare_hint"])}</div></div>'
    head = "".join(f'<th scope="col">{escape(t[key])}</th>' for key in ("col_region", "col_mentioned", "col_quote", "col_source"))
    columns = '<colgroup><col class="rq-c-region"><col class="rq-c-state"><col class="rq-c-quote"><col class="rq-c-source"></colgroup>'
    rows = "".join(_row(row, marker, t) for row in comparison.rows)
    return f'<div class="rq-compare"><table class="rq-table rq-{lang}">{columns}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
