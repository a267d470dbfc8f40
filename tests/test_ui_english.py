"""The page in English: pilots named in English beside their Chinese names, our own sentences in English, quotes verbatim."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from reformqa.project import Project
from reformqa.web.feedback import FeedbackLog
from reformqa.web.handlers import ChatService, Session
from reformqa.web.render import message_text, region_label
from reformqa.web.texts import REGION_NAMES, TEXTS


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.fixture
def service(project: Project, tmp_path: Path) -> ChatService:
    return ChatService(project, FeedbackLog(tmp_path / "feedback"))


def test_every_pilot_has_an_english_name(project: Project):
    assert {r.name for r in project.retriever().stored.regions} <= set(REGION_NAMES)
    assert region_label("合肥都市圈", TEXTS["en"]) == "Hefei Metropolitan Area (合肥都市圈)"
    assert region_label("合肥都市圈", TEXTS["zh"]) == "合肥都市圈"
    assert region_label("某个新试点", TEXTS["en"]) == "某个新试点"  # a pilot of another corpus keeps its own name


def test_an_english_question_says_which_terms_it_was_matched_through(service: ChatService):
    reply = service.ask("Which pilots run a chief scientist system?", Session())
    chat = reply.messages[1]["content"]
    assert re.search(r"按文件用语匹配：[^<]*首席科学家负责制", chat)
    assert '<mark class="rq-hit">首席科学家负责制</mark>' in chat  # the documents' own term is marked in the quotes
    english = service.relabel(reply.session, "en").messages[1]["content"]
    assert re.search(r"Matched through the documents' terms: [^<]*首席科学家负责制", _text(english))
    assert "Hefei Metropolitan Area (合肥都市圈)" in _text(english) and "Chongqing (重庆市)" in _text(english)
    quotes = [c.quote for c in reply.session.exchanges[-1].answer.citations]
    assert all(quote in _text(english) for quote in quotes)  # quotes stay verbatim Chinese


def test_not_found_is_said_in_the_pages_language(service: ChatService):
    reply = service.ask("上海的人才政策是什么？", Session(lang="en"))
    text = _text(reply.messages[1]["content"])
    assert "The documents have no clause that answers this question directly." in text
    assert "“上海”, which is outside the pilot regions" in text and "文件中没有找到" not in text
    assert "文件中没有找到" in _text(service.relabel(reply.session, "zh").messages[1]["content"])
    assert message_text("文件中没有找到与该问题直接相关的条款。", "zh") == "文件中没有找到与该问题直接相关的条款。"


def test_the_compare_table_names_pilots_in_english(service: ChatService):
    reply = service.compare("lump-sum funding", "en")
    assert "Chongqing (重庆市)" in _text(reply.table) and "Chengdu (成都市)" in _text(reply.coverage)
    assert "“经费包干制”" in _text(reply.coverage)  # the documents' words it was compared through
    assert "重庆市" in _text(service.compare_view(reply.comparison, "zh").table)
