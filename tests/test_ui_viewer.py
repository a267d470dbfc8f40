"""The document viewer, the suggestions after an answer, the filter warning and the chat's Markdown export, without a browser."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from reformqa.project import Project
from reformqa.web.cite import open_key, place_of, title_of
from reformqa.web.conversation import ASK, OPEN
from reformqa.web.feedback import FeedbackLog
from reformqa.web.handlers import ChatService, Session
from reformqa.web.texts import TEXTS
from reformqa.web.viewer import parse_key


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.fixture
def service(project: Project, tmp_path: Path) -> ChatService:
    return ChatService(project, FeedbackLog(tmp_path / "feedback"))


def test_the_viewer_shows_the_whole_document_with_the_cited_quote_marked(service: ChatService, project: Project):
    answer = service.ask("合肥都市圈的科研人员可以获得多少比例的成果所有权？", Session()).session.exchanges[-1].answer
    cited = answer.citations[0]
    shown = service.open_source(open_key(cited))
    stored = project.retriever().stored
    document = next(iter(stored.documents.values()))
    body = _text(re.search(r'<div class="rq-vdoc"[^>]*>(.*)</div></div>$', shown).group(1))
    # Every clause of the document is there, verbatim, in order; the headings between them too.
    clauses = sorted((c for c in stored.clauses if c.doc_id == document.doc_id), key=lambda c: c.start)
    at = 0
    for clause in clauses:
        at = body.index(clause.text, at)
    assert "合肥都市圈要素市场化配置综合改革试点实施方案" in _text("".join(re.findall(r'<div class="rq-vhead">(.*?)</div>', shown)))
    assert shown.count('class="rq-vclause rq-vcited"') == 1
    assert _text(re.search(r'<mark class="rq-span">(.*?)</mark>', shown).group(1)) == cited.quote
    assert "合肥都市圈" in _text(re.search(r'<div class="rq-voutline">(.*?)</div>', shown).group(1))  # its place in the outline


@pytest.mark.parametrize("key", ["", "junk", "a|b|c", "doc|clause|x|1", None, 42, "x" * 500, "nope|hefei-02|1|2"])
def test_a_key_that_names_no_clause_shows_a_hint_not_an_error(service: ChatService, key):
    shown = service.open_source(key)
    assert "rq-vcited" not in shown and "索引" in _text(shown)
    assert parse_key("d|c|1|2") is not None and parse_key("d|c|-1|2") is None


def test_suggestions_offer_other_pilots_and_the_next_clause(service: ChatService):
    reply = service.ask("无锡的科研经费怎么管理？", Session())
    kinds = [s.kind for s in reply.suggestions]
    assert 2 <= len(reply.suggestions) <= 3 and ASK in kinds and OPEN in kinds
    asked = [s.payload for s in reply.suggestions if s.kind == ASK]
    assert all(q.endswith("的科研经费怎么管理？") and "无锡" not in q for q in asked)
    following = next(s for s in reply.suggestions if s.kind == OPEN)
    assert "rq-vcited" in service.open_source(following.payload)
    assert reply.topic == "科研经费管理"
    english = service.ask("How is research funding managed in Wuxi?", Session())
    assert "wuxi" not in english.topic.lower() and "research funding" in english.topic  # the place is not the topic


def test_a_filter_that_leaves_out_the_place_asked_about_is_said(service: ChatService):
    reply = service.ask("无锡的科研经费怎么管理？", Session(), region="合肥都市圈")
    assert "苏南重点城市" in _text(reply.warn) and "合肥都市圈" in _text(reply.warn)
    assert service.ask("合肥都市圈的科研人员可以获得多少比例的成果所有权？", Session(), region="合肥都市圈").warn == ""
    assert service.ask("无锡的科研经费怎么管理？", Session()).warn == ""


def test_a_weak_answer_says_so_above_its_quote(service: ChatService):
    weak = service.ask("重庆的人才怎么评价？", Session())
    strong = service.ask("合肥都市圈的科研人员可以获得多少比例的成果所有权？", Session())
    assert 'class="rq-doubt"' in weak.messages[1]["content"] and 'class="rq-doubt"' not in strong.messages[1]["content"]
    assert weak.messages[1]["content"].index("rq-doubt") < weak.messages[1]["content"].index("rq-quote")


def test_sources_read_as_people_cite_them(service: ChatService):
    reply = service.ask("合肥都市圈的科研人员可以获得多少比例的成果所有权？", Session())
    t = TEXTS["zh"]
    for citation in reply.session.exchanges[-1].answer.citations:
        head = re.search(rf'<div class="rq-card" id="rq-src-{citation.rank}"><div class="rq-card-head">(.*?)</div>', reply.sources).group(1)
        assert title_of(citation.hit.clause, t) in _text(head) and place_of(citation.hit.clause, t) in _text(head)
        assert citation.hit.clause.clause_id not in _text(head) and "匹配度" in _text(head)


def test_the_chat_exports_as_markdown_with_full_citations(service: ChatService):
    first = service.ask("合肥都市圈的科研人员可以获得多少比例的成果所有权？", Session())
    second = service.ask("<b>**x**</b> 无锡的科研经费怎么管理？", first.session)
    text = service.export_chat(second.session).read_text(encoding="utf-8")
    for ex in second.session.exchanges:
        for citation in ex.answer.citations:
            assert citation.quote in text.replace("\\", "") and citation.hit.clause.clause_id in text
    assert "## 问：合肥都市圈的科研人员可以获得多少比例的成果所有权？" in text and "<b>" not in text
    assert service.export_chat(Session()) is None
