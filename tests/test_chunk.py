"""Chunking: every clause and span is a verbatim slice of the source, with stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from reformqa.corpus import chunk, read_document
from reformqa.corpus.legal import section_headings
from reformqa.corpus.structure import region_of_heading
from reformqa.records import Clause, Document

PILOTS = ("北京城市副中心", "苏南重点城市", "杭甬温", "合肥都市圈", "福厦泉", "郑州市", "长株潭", "粤港澳大湾区内地九市", "重庆市", "成都市")
SPAN_TRAILERS = "，,；;。"

# A made-up notice in the seed's shape: a headline, a title, a preamble and three
# sections whose headings share the suffix 改革试点实施方案.
SMALL_DOC = (
    "新闻速递 | 三地试点获批!\n"
    "关于甲乙市、丙丁区、戊己县改革试点实施方案的通知\n"
    "\n"
    "近日,有关部门同意开展甲乙市、丙丁区、戊己县等3个改革试点。\n"
    "甲乙市改革试点实施方案\n"
    "试点范围包括甲省甲乙市全域。推进数据开放,建设公共平台;完善人才评价,支持企业创新。\n"
    "丙丁区改革试点实施方案\n"
    "试点范围包括乙省丙丁区全域。实行经费“包干制;负面清单”管理,探索新模式。\n"
    "戊己县改革试点实施方案\n"
    "试点范围包括丙省戊己县全域。优化资源配置。\n"
)
# (region, kind, text) of each clause SMALL_DOC must yield, in order.
SMALL_CLAUSES = [
    (None, "preamble", "近日,有关部门同意开展甲乙市、丙丁区、戊己县等3个改革试点。"),
    ("甲乙市", "scope", "试点范围包括甲省甲乙市全域。"),
    ("甲乙市", "measure", "推进数据开放,建设公共平台;"),
    ("甲乙市", "measure", "完善人才评价,支持企业创新。"),
    ("丙丁区", "scope", "试点范围包括乙省丙丁区全域。"),
    # The ; inside “…” does not end the clause.
    ("丙丁区", "measure", "实行经费“包干制;负面清单”管理,探索新模式。"),
    ("戊己县", "scope", "试点范围包括丙省戊己县全域。"),
    ("戊己县", "measure", "优化资源配置。"),
]


def _document(tmp_path: Path, text: str, newline: str = "\n") -> Document:
    """Write text as a seed file (with the given line ending) and read it back as the indexer does."""
    seeds = tmp_path / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    path = seeds / "small.txt"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return read_document(path, seeds)


def _summary(clause: Clause) -> dict:
    return {
        "clause_id": clause.clause_id,
        "region": clause.region,
        "kind": clause.kind,
        "start": clause.start,
        "end": clause.end,
        "head": clause.text[:20],
        "spans": len(clause.spans),
    }


def _assert_verbatim(document: Document, clauses: list[Clause]) -> None:
    for clause in clauses:
        assert document.text[clause.start : clause.end] == clause.text, clause.clause_id
        for span in clause.spans:
            assert clause.start <= span.start < span.end <= clause.end, (clause.clause_id, span)
            assert document.text[span.end - 1] not in SPAN_TRAILERS, (clause.clause_id, document.text[span.start : span.end])


# --- the seed document -------------------------------------------------------


def test_seed_clauses_match_golden(clauses, golden):
    golden.check("seed_clauses.json", [_summary(c) for c in clauses])


def test_seed_has_35_clauses_starting_with_the_preamble(clauses):
    assert len(clauses) == 35
    assert clauses[0].clause_id == "preamble-01"
    assert clauses[0].kind == "preamble" and clauses[0].region is None
    assert "hefei-03" in {c.clause_id for c in clauses}


def test_clause_and_span_offsets_are_verbatim(seed_doc, clauses):
    _assert_verbatim(seed_doc, clauses)


def test_every_clause_has_spans_that_cover_no_whitespace_edges(clauses):
    for clause in clauses:
        assert clause.spans, clause.clause_id
        assert clause.text == clause.text.strip(), clause.clause_id


def test_clause_ids_are_unique(clauses):
    ids = [c.clause_id for c in clauses]
    assert len(ids) == len(set(ids))


def test_ten_regions_in_document_order(clauses):
    regions = list(dict.fromkeys(c.region for c in clauses if c.region is not None))
    assert regions == list(PILOTS)
    # Each region's clauses are contiguous and open with its scope sentence.
    for name in PILOTS:
        own = [c for c in clauses if c.region == name]
        assert own[0].kind == "scope" and own[0].text.startswith("试点范围包括"), name
        assert [c.kind for c in own[1:]] == ["measure"] * (len(own) - 1), name


def test_headings_are_never_clauses(seed_doc, clauses):
    headings = section_headings(seed_doc.text)
    assert len(headings) == 10
    for start, end in headings:
        heading = seed_doc.text[start:end]
        assert heading.endswith("要素市场化配置综合改革试点实施方案")
        for clause in clauses:
            assert clause.end <= start or clause.start >= end, (heading, clause.clause_id)
            assert heading not in clause.text


def test_headline_and_title_are_not_clauses(seed_doc, clauses):
    lines = seed_doc.text.split("\n")
    headline, title = lines[0], lines[1]
    assert headline.startswith("医械资讯 |")
    front_matter_end = len(headline) + 1 + len(title)
    assert all(c.start > front_matter_end for c in clauses)
    assert not any("医械资讯" in c.text for c in clauses)
    assert seed_doc.title == title


def test_region_of_heading_strips_the_shared_suffix():
    headings = ["甲乙市改革试点实施方案", "丙丁区改革试点实施方案", "戊己县改革试点实施方案"]
    assert region_of_heading(headings) == {h: h[:3] for h in headings}
    assert region_of_heading(headings[:1]) == {}  # one heading: no shared suffix to speak of


# --- a made-up document ------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_small_document_regions_and_offsets(tmp_path, newline):
    document = _document(tmp_path, SMALL_DOC, newline)
    clauses = chunk(document)
    assert [(c.region, c.kind, c.text) for c in clauses] == SMALL_CLAUSES
    for clause in clauses:  # each clause text occurs once, so its offset is known
        assert clause.start == document.text.index(clause.text)
        assert clause.end == clause.start + len(clause.text)
    _assert_verbatim(document, clauses)
    assert [c.section for c in clauses[1:4]] == ["甲乙市改革试点实施方案"] * 3
    assert document.title == "关于甲乙市、丙丁区、戊己县改革试点实施方案的通知"


def test_small_document_spans(tmp_path):
    clauses = chunk(_document(tmp_path, SMALL_DOC))
    quoted = [[c.text[s.start - c.start : s.end - c.start] for s in c.spans] for c in clauses]
    assert quoted[2] == ["推进数据开放", "建设公共平台"]
    assert quoted[5] == ["实行经费“包干制;负面清单”管理", "探索新模式"]


def test_crlf_gives_the_same_clauses_as_lf(tmp_path):
    lf = chunk(_document(tmp_path / "lf", SMALL_DOC, "\n"))
    crlf_doc = _document(tmp_path / "crlf", SMALL_DOC, "\r\n")
    crlf = chunk(crlf_doc)
    assert "\r\n" in crlf_doc.text  # decoded as stored, line endings untouched
    assert [(c.clause_id, c.region, c.kind, c.text, len(c.spans)) for c in crlf] == [
        (c.clause_id, c.region, c.kind, c.text, len(c.spans)) for c in lf
    ]
    assert not any("\r" in c.text for c in crlf)


def test_unknown_regions_get_one_slug_each(tmp_path):
    clauses = chunk(_document(tmp_path, SMALL_DOC))
    assert [c.clause_id for c in clauses] == [
        "preamble-01",
        "region1-01", "region1-02", "region1-03",
        "region2-01", "region2-02",
        "region3-01", "region3-02",
    ]  # fmt: skip


BODY = SMALL_DOC.split("\n", 3)[3]  # from the preamble on: no headline, no title


def test_a_byte_order_mark_is_not_quoted(tmp_path):
    document = _document(tmp_path, "\ufeff" + BODY)
    clauses = chunk(document)
    _assert_verbatim(document, clauses)
    assert clauses[0].text == SMALL_CLAUSES[0][2]


def test_a_byte_order_mark_is_not_in_the_title(tmp_path):
    title = "关于甲乙市、丙丁区、戊己县改革试点实施方案的通知"
    assert _document(tmp_path, "\ufeff" + title + "\n" + BODY).title == title
