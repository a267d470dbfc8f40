"""Cross-region comparison: what each pilot says about one topic, by quoting it.

For a topic such as 经费包干制, every region gets its best-matching sub-clause
and a 提及/未提及 verdict. The verdict asks how much of the topic's wording the
sub-clause carries in order (a longest common subsequence), so near-synonyms
the text itself uses count (首席专家负责制 for 首席科学家负责制, “包干制+负面清单”
for 经费包干制) while the table still shows each region's exact words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..records import Citation, Clause
from ..search import Retriever
from .question import Query, search_request
from .quote import span_norm
from .spoken import spoken_forms

__all__ = ["POLICY_VERBS", "DEFAULT_MIN_MATCH", "ComparisonRow", "Comparison", "compare", "term_match", "word_match", "fit_min_match", "to_json", "to_csv", "to_markdown"]

DEFAULT_MIN_MATCH = 0.7  # until calibrated on eval/compare_topics.jsonl
# How a measure is carried out, not what it is about: 哪些试点推行包干制 asks about 包干制,
# and a pilot that writes 探索实施经费包干制 practises it as much as one that writes 推行.
POLICY_VERBS = frozenset(
    "推行 推广 实施 实行 施行 试行 探索 开展 支持 推动 鼓励 涉及 方案 举措 采用 采取 提出 建立 建设 完善 优化 深化 加强 加快 有序 允许 改革 措施 管理".split()
)
MENTIONED, NOT_MENTIONED = "提及", "未提及"
NEAREST = "最接近："  # before the nearest clause of a region that does not mention the topic


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One region's line of the table."""

    region: str
    mentioned: bool
    citation: Citation | None  # the best-matching quote, shown even when not mentioned
    match: float  # share of the topic's wording found in order in the quote's sub-clause
    score: float  # the clause's retrieval score for the topic


@dataclass(frozen=True, slots=True)
class Comparison:
    """A topic across all regions, in document order."""

    topic: str
    rows: tuple[ComparisonRow, ...]
    pivot: str = ""  # for an English topic: the document's own words it was matched through (包干制、经费)
    matched_terms: tuple[tuple[str, str], ...] = ()  # for an English topic: (English, Chinese) pairs, as in an answer

    @property
    def mentioned(self) -> list[str]:
        return [r.region for r in self.rows if r.mentioned]

    @property
    def coverage(self) -> str:
        """The line on top of the table: 5/10 个试点提及…"""
        names = "、".join(self.mentioned) or "无"
        via = f"（按文件用语“{self.pivot}”比对）" if self.pivot else ""
        return f"{len(self.mentioned)}/{len(self.rows)} 个试点提及“{self.topic}”{via}：{names}"


def _runs(a: str, b: str, weights: Sequence[float]) -> float:
    """Weight of a's characters that b holds in the same order, counted only in runs of two or more that both write together.

    A lone shared character is chance (中 of 中心 is not 中 of 中试基地); 首席…家负责制 keeps its runs 首席 and 家负责制.
    """
    nothing = -sum(weights) - 1.0
    best = [0.0] * (len(b) + 1)  # over a[:i], b[:j]
    start = [nothing] * (len(b) + 1)  # a[i-1] == b[j-1] opens a run: best before it, and its weight
    run = [nothing] * (len(b) + 1)  # a run of two or more ends at a[i-1], b[j-1]
    for ch, weight in zip(a, weights):
        new_best, new_start, new_run = [0.0], [nothing], [nothing]
        for j, other in enumerate(b):
            if ch == other:
                new_start.append(best[j] + weight)
                new_run.append(max(start[j], run[j]) + weight)
            else:
                new_start.append(nothing)
                new_run.append(nothing)
            new_best.append(max(best[j + 1], new_best[j], new_run[j + 1]))
        best, start, run = new_best, new_start, new_run
    return best[-1]


def term_match(topic_norm: str, text_norm: str, weights: Sequence[float] | None = None) -> float:
    """Share of the topic's characters (by weight: its words' rarity) that the text contains in the same order, in runs of two or more."""
    topic = "".join(ch for ch in topic_norm if not ch.isspace())
    if not topic:
        return 0.0
    weights = [1.0] * len(topic) if weights is None else weights
    return _runs(topic, text_norm, weights) / sum(weights)


def word_match(words: list[str], text_norm: str, weight: Callable[[str], float] | None = None) -> float:
    """Share of the topic's words (by characters, and rarity) the text contains, in any order."""
    total = sum(len(w) * (weight(w) if weight else 1.0) for w in words)
    return sum(len(w) * (weight(w) if weight else 1.0) for w in words if w in text_norm) / total if total else 0.0


def _wordings(retriever: Retriever, query: Query) -> list[str]:
    """The topic as asked, and in the documents' words for each spoken form it holds (跨地区: 跨行政区域, 跨省市).

    A spoken form no clause writes leaves only the documents' wordings: matched as asked, 科研经费跨地区使用
    would find any clause on 科研经费.
    """
    wordings = [query.normalized]
    if not query.bridged:
        table = spoken_forms().table
        for form, _ in query.matched_terms:
            written = [w.replace(form, term) for w in wordings for term in table.get(form, ())]
            wordings = (wordings if form in retriever.idf else []) + written
    return wordings[:8] or [query.normalized]


_Wording = tuple[str, list[float], list[str], Callable[[str], float]]


def _weighed(retriever: Retriever, wording: str) -> _Wording:
    """A wording's characters and words, each weighed by its word's rarity."""
    words = retriever.stored.tokenizer.terms(wording)
    # A word weighs by its rarity: 科技成果转移转化 is everywhere, the 示范区 that the topic is about is not.
    # A word no clause holds tells no region from another: it weighs as the topic's other words do on average.
    known = [retriever.idf[w] for w in words if w in retriever.idf]
    unseen = sum(known) / len(known) if known else 1.0

    def weight(word: str) -> float:
        return retriever.idf.get(word, unseen)

    chars = [weight(w) for w in words for ch in w if not ch.isspace()]
    return "".join(words), chars, words, weight


@lru_cache(maxsize=65536)
def _span_norm(text: str) -> tuple[str, frozenset[str]]:
    """A sub-clause's matching form (quote.span_norm's) and the character pairs it writes (a run of two or more holds one of them)."""
    norm = span_norm(text)
    return norm, frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def _run_bound(topic: str, chars: Sequence[float], pairs: frozenset[str]) -> float:
    """At most what term_match's runs can count: the weight of the topic's characters that a shared pair holds."""
    return sum(w for i, w in enumerate(chars) if topic[i : i + 2] in pairs or (i and topic[i - 1 : i + 1] in pairs))


def _best_span(wordings: list[_Wording], clause: Clause, floor: float = 0.0) -> tuple[float, int, int]:
    """The clause's sub-clause that matches the topic best; runs are not counted where they cannot reach `floor`."""
    best = (0.0, clause.start, clause.end)
    topics = [("".join(ch for ch in topic if not ch.isspace()), sum(chars), chars, words, weight) for topic, chars, words, weight in wordings]
    for span in clause.spans:
        text, pairs = _span_norm(clause.text[span.start - clause.start : span.end - clause.start])
        for bare, total, chars, words, weight in topics:
            # In order (首席专家负责制 ~ 首席科学家负责制, term_match) or in any order (授权…使用职务科技成果).
            score = word_match(words, text, weight)
            # Runs that cannot beat what is already found are not counted (the same result, at a fraction of the cost).
            if bare and _run_bound(bare, chars, pairs) / total > max(score, best[0], floor) - 1e-9:
                score = max(_runs(bare, text, chars) / total, score)
            if score > best[0]:
                best = (score, span.start, span.end)
    return best


def compare(retriever: Retriever, query: Query, *, min_match: float) -> Comparison:
    """Fill the table for a topic: every region, its best quote, mentioned or not."""
    stored = retriever.stored
    hits = retriever.search(search_request(query, "hybrid"), mode="hybrid", k=len(stored.clauses))
    wordings = [_weighed(retriever, w) for w in _wordings(retriever, query)]
    rows = []
    for region in stored.regions:
        own = [h for h in hits if h.clause.region == region.name]
        if not own:
            rows.append(ComparisonRow(region.name, False, None, 0.0, 0.0))
            continue
        scored, floor = [], 0.0
        for h in own:  # a clause that cannot reach the region's best so far is not scored in full (same result)
            scored.append((_best_span(wordings, h.clause, floor), h))
            floor = max(floor, scored[-1][0][0])
        (match, start, end), hit = max(scored, key=lambda item: (item[0][0], item[1].score))
        rows.append(ComparisonRow(region.name, match >= min_match, Citation(len(rows) + 1, hit, start, end), float(match), hit.score))
    return Comparison(query.text, tuple(rows))


def to_json(comparison: Comparison) -> dict[str, Any]:
    """The JSON object of `reformqa compare --json`."""
    return {
        "topic": comparison.topic,
        "pivot": comparison.pivot,
        "matched_terms": [{"en": en, "zh": zh} for en, zh in comparison.matched_terms],
        "coverage": {"mentioned": len(comparison.mentioned), "regions": len(comparison.rows), "names": comparison.mentioned, "line": comparison.coverage},
        "rows": [
            {
                "region": row.region,
                "mentioned": row.mentioned,
                "quote": row.citation.quote if row.citation else "",
                "citation": None
                if row.citation is None
                else {
                    "doc": row.citation.hit.clause.doc_id,
                    "clause_id": row.citation.hit.clause.clause_id,
                    "text": row.citation.hit.clause.text,
                    "start": row.citation.quote_start,
                    "end": row.citation.quote_end,
                },
                "score": round(row.match, 4),
            }
            for row in comparison.rows
        ],
    }


def _cells(row: ComparisonRow) -> list[str]:
    cited = row.citation
    state = MENTIONED if row.mentioned else NOT_MENTIONED
    if cited is None:
        return [row.region, state, "", ""]
    clause = cited.hit.clause
    # A 未提及 row keeps the nearest clause the page shows, labelled as such.
    quote = cited.quote if row.mentioned else NEAREST + cited.quote
    # Cited as people cite (《…》第十二条, or the pilot plan's section), then the ids that find it again.
    section = "" if clause.place or len(clause.breadcrumb) < 2 else " · " + clause.breadcrumb[-1]
    where = f"{clause.cited_as or '《' + clause.doc_title + '》'}{section} （{clause.doc_id} {clause.clause_id} [{cited.quote_start}:{cited.quote_end}]）"
    return [row.region, state, quote, where]


def _safe(cell: str) -> str:
    """A spreadsheet must not run a cell as a formula: = + - @ at the start are quoted."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def to_csv(comparison: Comparison) -> str:
    """The table as CSV, one row a region, each with its citation."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["region", "mentioned", "quote", "citation"])
    for row in comparison.rows:
        writer.writerow([_safe(cell) for cell in _cells(row)])
    return out.getvalue()


def to_markdown(comparison: Comparison) -> str:
    """The table as Markdown, with the coverage line on top; quotes escaped for Markdown."""
    def cell(text: str) -> str:
        return "".join("\\" + ch if ch in "\\`*_[]<>|$~#" else ch for ch in text).replace("\n", " ")

    lines = [cell(comparison.coverage), "", "| 试点 | 是否提及 | 原文 | 出处 |", "|---|---|---|---|"]
    for row in comparison.rows:
        lines.append("| " + " | ".join(cell(c) for c in _cells(row)) + " |")
    return "\n".join(lines) + "\n"


def fit_min_match(retriever: Retriever, topics: list[tuple[Query, set[str]]]) -> float:
    """The match threshold with the best F1 of 提及 cells over the given topics."""
    if not topics:
        return DEFAULT_MIN_MATCH
    tables = [(compare(retriever, query, min_match=0.0), gold) for query, gold in topics]
    scored = []
    for cut in np.round(np.arange(0.4, 1.001, 0.05), 2):
        tp = fp = fn = 0
        for table, gold in tables:
            said = {r.region for r in table.rows if r.match >= cut}
            tp += len(said & gold); fp += len(said - gold); fn += len(gold - said)
        scored.append((float(cut), 2 * tp / max(2 * tp + fp + fn, 1)))
    # Of the cuts that do best, the middle one: the lowest sits at the edge of what the dev topics allow.
    best_f1 = max(f1 for _, f1 in scored)
    best = [cut for cut, f1 in scored if f1 > best_f1 - 1e-9]
    return best[len(best) // 2]
