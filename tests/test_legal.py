"""Real documents read as their readers cite them: structure, places, metadata and jurisdiction.

The five published documents of ../shared/corpus and the seed are pinned by
golden files (ids, breadcrumbs, places, offsets and a short prefix of each
clause, never the texts); small made-up documents in tests/samples/legal
hold the edge cases: an announcement header, a 目录, 款 and 项 and 目 inside
articles, run-in headings, a document number, contacts, 来源 and signature lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reformqa.corpus import chunk, read_document, read_layout
from reformqa.records import Clause, Document

SAMPLES = Path(__file__).resolve().parent / "samples" / "legal"
SHARED = ("law2015_cgzh", "beijing2019_cgzh", "most2020_kyzl", "gov2021_cgpj", "shantou2022_kjcx")
_SENTENCE = re.compile(r"[。；;，,？?！!]")
_NUMBER = re.compile(r"〔.+〕|第\d+号")
_META = ("title", "short_title", "issuer", "doc_number", "date", "date_adopted", "date_amended", "date_effective", "date_signed",
         "jurisdiction", "jurisdiction_level")


def _read(path: Path) -> Document:
    return read_document(path, path.parent)


def _structure(document: Document) -> list[dict]:
    """Metadata, counts, then one line per clause: a changed clause is one line of the diff."""
    layout = read_layout(document.text)
    return [
        {"metadata": {key: getattr(document, key) for key in _META}},
        {"counts": layout.counts},
        *({"id": c.clause_id, "breadcrumb": list(c.breadcrumb[1:]), "article": c.article, "place": c.place, "kind": c.kind,
           "start": c.start, "end": c.end, "head": c.text[:12]} for c in chunk(document)),
    ]


@pytest.fixture(scope="module")
def six(shared_corpus: Path, seed_doc: Document) -> dict[str, Document]:
    """The five published documents and the seed."""
    return {**{name: _read(shared_corpus / f"{name}.txt") for name in SHARED}, "seed": seed_doc}


@pytest.mark.parametrize("name", [*SHARED, "seed"])
def test_structure_matches_golden(six, golden, name):
    golden.check(f"structure_{name}.json", _structure(six[name]))


def _assert_cited_as_read(document: Document, clauses: list[Clause]) -> None:
    for clause in clauses:
        assert document.text[clause.start : clause.end] == clause.text, clause.clause_id
        for heading in clause.breadcrumb[1:]:
            assert "目录" not in re.sub(r"\s", "", heading), (clause.clause_id, heading)
            assert not _SENTENCE.search(heading), (clause.clause_id, heading)
            assert not _NUMBER.search(heading), (clause.clause_id, heading)
            assert not heading.endswith(("：", ":")), (clause.clause_id, heading)
        articles = [h for h in clause.breadcrumb[1:] if re.fullmatch(r"第[一二三四五六七八九十百零〇\d]+条", h)]
        if articles:  # inside an article: it is named in the breadcrumb, the place and the id
            assert clause.article == articles[-1] and clause.place.startswith(clause.article), clause.clause_id
            assert clause.clause_id.startswith("a"), clause.clause_id


def test_no_breadcrumb_holds_a_toc_entry_a_sentence_or_a_number_and_every_clause_knows_its_article(six):
    for name, document in six.items():
        clauses = chunk(document)
        _assert_cited_as_read(document, clauses)
        assert len({c.clause_id for c in clauses}) == len(clauses), name


def test_the_published_documents_read_as_their_sources_describe(six):
    # ../shared/corpus/SOURCES.md: chapters, articles and items of each document.
    counts = {name: read_layout(six[name].text).counts for name in SHARED}
    assert (counts["law2015_cgzh"]["chapters"], counts["law2015_cgzh"]["articles"], counts["law2015_cgzh"]["items"]) == (6, 52, 18)
    assert (counts["beijing2019_cgzh"]["chapters"], counts["beijing2019_cgzh"]["articles"], counts["beijing2019_cgzh"]["items"]) == (6, 45, 18)
    assert (counts["shantou2022_kjcx"]["chapters"], counts["shantou2022_kjcx"]["articles"], counts["shantou2022_kjcx"]["items"]) == (6, 40, 7)
    assert (counts["most2020_kyzl"]["parts"], counts["gov2021_cgpj"]["parts"], counts["gov2021_cgpj"]["items"]) == (7, 3, 16)
    law = {c.clause_id: c for c in chunk(six["law2015_cgzh"])}
    assert law["a45-02"].breadcrumb[1:] == ("第四章 技术权益", "第四十五条")
    assert law["a45-02"].cited_as == "《中华人民共和国促进科技成果转化法》第四十五条第一款第（一）项"
    assert law["a46-01"].breadcrumb[1:] == ("第五章 法律责任", "第四十六条")  # no stale item after the article
    beijing = six["beijing2019_cgzh"]
    assert (beijing.title, beijing.issuer, beijing.doc_number) == ("北京市促进科技成果转化条例", "北京市人民代表大会常务委员会", "〔十五届〕第19号")
    assert (beijing.date_adopted, beijing.date_effective, beijing.jurisdiction) == ("2019-11-27", "2020-01-01", "北京市")
    law_doc = six["law2015_cgzh"]
    assert (law_doc.short_title, law_doc.issuer, law_doc.date, law_doc.date_adopted) == ("促进科技成果转化法", "全国人民代表大会常务委员会", "2015-08-29", "1996-05-15")
    assert (six["most2020_kyzl"].date, six["most2020_kyzl"].doc_number) == ("2020-05-27", "国科发资〔2020〕132号")  # signed, not a deadline
    assert (six["shantou2022_kjcx"].jurisdiction, six["shantou2022_kjcx"].jurisdiction_level) == ("汕头市", "city")
    assert six["seed"].date == ""  # 9月11日 gives no year: not guessed


def test_an_announcement_is_kept_apart_from_the_title_and_the_toc_is_skipped():
    document = _read(SAMPLES / "announced_regulation.txt")
    assert (document.title, document.issuer, document.doc_number) == ("示范市技术转移条例", "示范市人民代表大会常务委员会", "〔一届〕第3号")
    assert (document.date_adopted, document.date_effective, document.date_signed) == ("2024-03-28", "2024-07-01", "2024-03-28")
    clauses = {c.clause_id: c for c in chunk(document)}
    assert clauses["announce-01"].breadcrumb[1:] == ("示范市人民代表大会常务委员会公告",)
    assert clauses["note-01"].text.startswith("（2024年3月28日")
    assert clauses["a1-01"].breadcrumb[1:] == ("第一章 总则", "第一条")  # 第一章 of the 目录 is not a heading
    assert [clauses[f"a3-0{i}"].place for i in range(1, 6)] == [
        "第三条第一款", "第三条第二款", "第三条第二款第（一）项", "第三条第二款第（二）项", "第三条第三款",
    ]  # fmt: skip
    assert clauses["a3-03"].text == "转让技术的，从净收入中提取不低于百分之六十的比例；"
    assert clauses["a4-01"].place == "第四条"  # one paragraph: no 款 in the citation
    _assert_cited_as_read(document, list(clauses.values()))


def test_run_in_headings_numbers_contacts_and_source_lines():
    document = _read(SAMPLES / "runin_notice.txt")
    assert (document.issuer, document.doc_number, document.date_signed) == ("示范省科学技术厅 示范省财政厅", "示科发〔2023〕7号", "2023-04-10")
    assert document.short_title == "关于支持青年科研人员的通知"
    clauses = {c.clause_id: c for c in chunk(document)}
    assert clauses["s1-01"].breadcrumb[1:] == ("一、设立青年项目",) and clauses["s1-01"].text.startswith("省级科技计划")
    assert clauses["s2.2-01"].breadcrumb[1:] == ("二、减轻事务负担", "（二）减少检查")  # a one-sentence heading over its paragraph
    assert clauses["s2.2-01"].place == "二、（二）"
    assert [clauses["end-01"].breadcrumb[1:], clauses["end-02"].text] == [(), "附件：青年项目申报表"]
    texts = " ".join(c.text for c in clauses.values())
    for line in ("来源", "此件主动公开"):
        assert line not in texts  # where it was found and its publication note are not the document's text
    # Its number, signature and date are what the document says of itself (文号是多少, 哪天印发的): quotable,
    # under the names GB/T 9704 gives them.
    own = {c.place: c.text for c in clauses.values() if c.kind == "preamble" and c.place}
    assert own == {"发文字号": "示科发〔2023〕7号", "发文机关署名": "示范省科学技术厅　示范省财政厅", "成文日期": "2023年4月10日"}
    _assert_cited_as_read(document, list(clauses.values()))


def test_books_sections_sub_items_and_a_line_that_only_cites_an_article():
    document = _read(SAMPLES / "amended_law.txt")
    assert (document.date_adopted, document.date_amended, document.date, document.date_effective) == ("2001-06-01", "2019-12-28", "2019-12-28", "2002-01-01")
    assert (document.short_title, document.jurisdiction) == ("示范技术法", "全国")
    clauses = {c.clause_id: c for c in chunk(document)}
    assert clauses["a2-04"].place == "第二条第（二）项第1目"
    assert clauses["a3-01"].breadcrumb[1:] == ("第一编 总则", "第二章 管理", "第一节 职责", "第三条")
    # 第十四条第二款规定的事项… is the second paragraph of 第三条, not an article 14.
    assert clauses["a3-02"].place == "第三条第二款" and "a14-01" not in clauses
    assert read_layout(document.text).counts == {"books": 2, "chapters": 2, "sections": 1, "articles": 5, "items": 2, "parts": 0}


def test_a_document_without_a_date_or_number_leaves_them_empty(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("示范区科技创新若干措施\n\n一、支持研发。对企业研发投入给予补助。\n", encoding="utf-8")
    document = _read(path)
    assert (document.title, document.doc_number, document.date, document.issuer, document.jurisdiction) == ("示范区科技创新若干措施", "", "", "", "")
