"""The Compare tab's and the document filter's handlers, without a browser or Gradio."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from conftest import sample_documents_project

import reformqa.web.handlers
from reformqa.errors import InvalidQuestion
from reformqa.project import Project
from reformqa.web.cite import place_of
from reformqa.web.feedback import FeedbackLog
from reformqa.web.handlers import ChatService, Session
from reformqa.web.texts import TEXTS

SAMPLES = Path(__file__).resolve().parent / "samples"
NASTY = "<script>alert('x')</script> **粗体** $$x^2$$ `code` {{tpl}} ${tpl} <b>x</b>"


def _text(fragment: str) -> str:
    """What a browser shows for an HTML fragment: tags dropped, references decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _rows(table: str) -> list[str]:
    return re.findall(r'<tr class="rq-(?:yes|no)">.*?</tr>', table)


@pytest.fixture
def service(project: Project, tmp_path: Path) -> ChatService:
    return ChatService(project, FeedbackLog(tmp_path / "feedback"))


# -- the table -------------------------------------------------------------------------------------


def test_every_region_has_a_row_in_document_order(service: ChatService, project: Project):
    reply = service.compare("经费包干制")
    regions = [r.name for r in project.retriever().stored.regions]
    rows = _rows(reply.table)
    assert reply.notice == "" and reply.topic == "经费包干制"
    assert [_text(re.search(r'<td class="rq-region">(.*?)</td>', row).group(1)) for row in rows] == regions
    assert _text(reply.coverage).startswith("5/10 个试点提及“经费包干制”") and _text(reply.coverage) == reply.comparison.coverage
    chengdu = rows[regions.index("成都市")]
    cited = reply.comparison.rows[regions.index("成都市")].citation
    assert 'class="rq-yes"' in chengdu and ">提及<" in chengdu and cited.quote in _text(chengdu) and "chengdu-02" in _text(chengdu)
    assert cited.hit.clause.doc_title in _text(chengdu)


def test_regions_that_do_not_mention_the_topic_stay_muted_in_place(service: ChatService):
    reply = service.compare("经费包干制")
    muted = [row for row in _rows(reply.table) if row.startswith('<tr class="rq-no">')]
    assert len(muted) == 5 and all(">未提及<" in row for row in muted)
    beijing = next(row for row in muted if "北京城市副中心" in row)
    assert "最接近" in _text(beijing) and "beijing-" in _text(beijing)  # the nearest wording, labelled as such
    assert "rq-copy" not in beijing  # nothing to copy as if it were a mention


def test_matched_words_are_marked_without_altering_the_quote(service: ChatService):
    reply = service.compare("经费包干制")
    sunan = next(row for row in _rows(reply.table) if "苏南重点城市" in row)
    quote_html = re.search(r'<span class="rq-text">(.*?)</span>', sunan).group(1)
    assert '<mark class="rq-hit">包干制</mark>' in quote_html
    assert _text(quote_html) == "实行科研经费“包干制+负面清单”管理"


@pytest.mark.parametrize("topic", ["<b>x</b>", NASTY])
def test_a_topic_with_markup_shows_literally(service: ChatService, topic: str):
    reply = service.compare(topic)
    for fragment in (reply.coverage, reply.table):
        assert "<b>" not in fragment and "<script" not in fragment and "**" not in fragment and "$$" not in fragment and "{{" not in fragment
    assert f"“{topic}”" in _text(reply.coverage)
    assert len(_rows(reply.table)) == 10


def test_an_english_topic_says_which_words_it_was_compared_through(service: ChatService):
    reply = service.compare("chief scientist system")
    assert reply.comparison.pivot and f"按文件用语“{reply.comparison.pivot}”比对" in _text(reply.coverage)
    english = service.compare_view(reply.comparison, "en")
    assert f"matched through the documents' wording “{reply.comparison.pivot}”" in _text(english.coverage)


def test_english_toggle_relabels_the_table(service: ChatService):
    table = service.compare("经费包干制").comparison
    english = service.compare_view(table, "en")
    assert _text(english.coverage).startswith("5/10 pilots mention “经费包干制”: ")
    assert "Not mentioned" in english.table and "Nearest" in english.table and "未提及" not in english.table
    assert english.exports is None  # relabelling leaves the downloads alone
    assert "未提及" in service.compare_view(table, "zh").table
    assert service.compare_view(None, "en").coverage == "" and "Type a topic" in service.compare_view(None, "en").table


# -- bad input and errors --------------------------------------------------------------------------


@pytest.mark.parametrize("topic", ["", "   \n\t ", None, "题" * 501])
def test_bad_topics_get_a_friendly_notice_and_the_table_stays(service: ChatService, topic):
    before = service.compare("创新联合体")
    reply = service.compare(topic, "zh", before.comparison)
    assert reply.notice and "Traceback" not in reply.notice and ("请输入一个主题" in reply.notice or "500" in reply.notice)
    assert reply.comparison is before.comparison and reply.table == before.table and reply.exports is None
    assert service.compare(topic).comparison is None  # nothing compared yet: still nothing
    assert service.compare("经费包干制").notice == ""  # and the tab carries on


def test_errors_become_notices_never_tracebacks(service: ChatService, monkeypatch: pytest.MonkeyPatch):
    def refused(topic):
        raise InvalidQuestion("the index is being rebuilt")

    monkeypatch.setattr(service.project, "compare", refused)
    assert "无法对比" in service.compare("经费包干制").notice and "rebuilt" in service.compare("经费包干制").notice

    def broken(topic):
        raise RuntimeError("boom")

    monkeypatch.setattr(service.project, "compare", broken)
    reply = service.compare("经费包干制", "en")
    assert "Something went wrong" in reply.notice and "boom" not in reply.notice and reply.exports is None


# -- exports ---------------------------------------------------------------------------------------


def test_exports_hold_ten_rows_with_verbatim_quotes_and_citations(service: ChatService, project: Project):
    reply = service.compare("经费包干制")
    csv_file, md_file = reply.exports
    assert csv_file.name == "compare-经费包干制.csv" and md_file.name == "compare-经费包干制.md"
    raw = csv_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheet programs then read UTF-8
    header, *rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert header == ["region", "mentioned", "quote", "citation"] and len(rows) == 10
    assert [r[0] for r in rows] == [r.region for r in reply.comparison.rows]
    documents = project.retriever().stored.documents
    for (region, mentioned, quote, citation), row in zip(rows, reply.comparison.rows):
        assert mentioned == ("提及" if row.mentioned else "未提及")
        # Cited as people cite it (the document and the place), then the ids and offsets that find it again.
        assert citation.startswith(f"《{row.citation.hit.clause.doc_title}》")
        doc, clause_id, start, end = re.search(r"（(\S+) (\S+) \[(\d+):(\d+)\]）$", citation).groups()
        said = quote if row.mentioned else quote.removeprefix("最接近：")  # a 未提及 row keeps its nearest clause, labelled
        assert said != quote or row.mentioned
        assert clause_id == row.citation.hit.clause.clause_id and documents[doc].text[int(start) : int(end)] == said  # verbatim
    assert " chengdu-02 " in next(r for r in rows if r[0] == "成都市")[3]
    markdown = md_file.read_text(encoding="utf-8").splitlines()
    assert markdown[0].startswith("5/10 个试点提及") and markdown[2].startswith("| 试点 |")
    body = [line for line in markdown[4:] if line.startswith("| ")]
    assert len(body) == 10 and "chengdu-02" in next(line for line in body if "成都市" in line)


def test_exports_of_a_topic_with_markup_keep_it_out_of_the_file_name(service: ChatService):
    csv_file, md_file = service.compare("../<b>x</b>").exports
    assert csv_file.parent == md_file.parent and ".." not in csv_file.name and "/" not in csv_file.name
    assert csv_file.name == "compare-b_x__b.csv" and csv_file.exists()


def test_old_export_folders_are_removed(service: ChatService, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(reformqa.web.compare_service, "MAX_EXPORTS", 2)
    first, second, third = (service.compare(topic).exports[0] for topic in ("经费包干制", "创新联合体", "经费包干制"))
    assert not first.exists() and second.exists() and third.exists() and first != third


# -- the document filter ---------------------------------------------------------------------------


def test_one_document_means_one_choice(service: ChatService, project: Project):
    (document,) = project.retriever().stored.documents.values()
    assert service.documents() == [(document.title, document.doc_id)]
    filtered = service.ask("无锡的科研经费怎么管理？", Session(), doc=document.doc_id)
    plain = service.ask("无锡的科研经费怎么管理？", Session())
    assert filtered.session.exchanges[-1].answer == plain.session.exchanges[-1].answer
    assert filtered.session.exchanges[-1].doc == document.doc_id
    gone = service.ask("无锡的科研经费怎么管理？", Session(), doc="removed-document")
    assert "no document matches" in gone.notice and gone.session.exchanges == ()


@pytest.fixture(scope="module")
def documents_service(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    """Three small sample documents (HTML, Word, PDF), indexed with the fake embedder."""
    home = tmp_path_factory.mktemp("documents")
    return ChatService(sample_documents_project(home), FeedbackLog(home / "feedback"))


def test_several_documents_are_listed_and_filter_the_answer(documents_service: ChatService):
    choices = dict((doc_id, label) for label, doc_id in documents_service.documents())
    assert choices == {
        "measures": "示范市科技成果转化管理办法",
        "notice-docx": "示范市人民政府办公厅关于加快科技成果转化的实施意见",
        "notice-html": "示范省人民政府关于支持科技型企业发展的通知",
    }
    everywhere = documents_service.ask("作价投资奖励比例", Session())
    assert len({c.hit.clause.doc_id for c in everywhere.session.exchanges[-1].answer.citations}) > 1
    for doc_id in choices:
        reply = documents_service.ask("作价投资奖励比例", Session(), doc=doc_id)
        assert {c.hit.clause.doc_id for c in reply.session.exchanges[-1].answer.citations} == {doc_id}
        shown = _text(reply.messages[1]["content"])
        for citation in reply.session.exchanges[-1].answer.citations:  # the citation names the document (its short title) and the place in it
            clause = citation.hit.clause
            assert (clause.doc_short_title or clause.doc_title) in shown and clause.doc_title == choices[doc_id]
            assert place_of(clause, TEXTS["zh"]) in shown
    measures = documents_service.ask("作价投资奖励比例", Session(), doc="measures")
    assert "第四条" in _text(measures.messages[1]["content"])


def test_a_follow_up_and_its_undo_keep_the_document_filter(service: ChatService, project: Project):
    (doc_id,) = project.retriever().stored.documents
    first = service.ask("无锡的科研经费怎么管理？", Session(), doc=doc_id)
    second = service.ask("那重庆呢？", first.session, doc=doc_id)
    assert second.session.exchanges[-1].carry is not None and second.session.exchanges[-1].doc == doc_id
    undone = service.undo_carry(second.session, doc=doc_id)
    assert undone.session.exchanges[-1].carry is None and undone.session.exchanges[-1].doc == doc_id
