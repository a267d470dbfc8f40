"""A lead-in and its items are cited together: a question asking which ones gets the items, whole and in order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reformqa.answer import analyse
from reformqa.answer.items import with_items
from reformqa.project import Project
from reformqa.records import Hit
from reformqa.settings import Settings

SAMPLE = Path(__file__).parent / "samples" / "legal" / "announced_regulation.txt"


@pytest.fixture(scope="module")
def regulation(tmp_path_factory: pytest.TempPathFactory) -> Project:
    from fakes import FakeEmbedder

    home = tmp_path_factory.mktemp("items")
    (home / "seeds").mkdir()
    shutil.copy(SAMPLE, home / "seeds")
    project = Project(Settings.from_env(home=home), embedder=FakeEmbedder())
    project.build()
    return project


def _hits(project: Project, *ids: str) -> list[Hit]:
    clauses = {c.clause_id: c for c in project.retriever().stored.clauses}
    return [Hit(clauses[i], 1.0 - n / 10, {"dense": 0.5}) for n, i in enumerate(ids)]


def _ask(project: Project, question: str, *ids: str) -> tuple[list[str], int]:
    stored = project.retriever().stored
    query = analyse(question, stored.gazetteer, stored.tokenizer, stored.other_places)
    cited, family = with_items(project.retriever(), query, _hits(project, *ids))
    return [h.clause.place for h in cited], family


def _ids(project: Project) -> dict[str, str]:
    return {c.place: c.clause_id for c in project.retriever().stored.clauses}


def test_which_standards_get_the_items_in_order(regulation):
    ids = _ids(regulation)
    lead, other = ids["第三条第二款"], ids["第一条"]
    places, family = _ask(regulation, "单位没有约定的，按照哪些标准给奖励？", lead, other)
    assert places[:2] == ["第三条第二款第（一）项", "第三条第二款第（二）项"] and family == 2
    assert places[2:] == ["第一条"]


def test_the_lead_ins_own_noun_asks_for_the_items_too(regulation):
    ids = _ids(regulation)
    places, _ = _ask(regulation, "单位未约定时按什么标准奖励？", ids["第三条第二款第（二）项"])
    assert places[:2] == ["第三条第二款第（一）项", "第三条第二款第（二）项"]


def test_a_lead_in_answering_is_followed_by_its_items(regulation):
    ids = _ids(regulation)
    places, family = _ask(regulation, "单位没有约定奖励的怎么办？", ids["第三条第二款"])
    assert places == ["第三条第二款", "第三条第二款第（一）项", "第三条第二款第（二）项"] and family == 3


def test_one_item_answering_a_question_about_itself_stands_alone(regulation):
    ids = _ids(regulation)
    places, family = _ask(regulation, "作价投资的从股份中提取多大比例？", ids["第三条第二款第（二）项"], ids["第一条"])
    assert places == ["第三条第二款第（二）项", "第一条"] and family == 0


def test_a_clause_outside_any_list_is_left_alone(regulation):
    ids = _ids(regulation)
    assert _ask(regulation, "本条例适用于哪些活动？", ids["第二条"], ids["第一条"]) == (["第二条", "第一条"], 0)


def test_the_laws_ways_of_transfer_are_answered_with_all_six_items(shared_corpus: Path, tmp_path: Path):
    from fakes import FakeEmbedder

    (tmp_path / "seeds").mkdir()
    shutil.copy(shared_corpus / "law2015_cgzh.txt", tmp_path / "seeds")
    project = Project(Settings.from_env(home=tmp_path), embedder=FakeEmbedder())
    project.build()
    ids = _ids(project)
    places, family = _ask(project, "科技成果持有者可以采用哪些方式进行转化？", ids["第十六条"], ids["第十七条第一款"])
    assert family == 6 and places[:6] == [f"第十六条第（{n}）项" for n in "一二三四五六"]


def test_the_chat_lists_each_item_with_its_place_under_the_lead_in(regulation):
    from reformqa.records import Answer, Citation
    from reformqa.web.marks import Marker
    from reformqa.web.render import answer_html

    ids = _ids(regulation)
    stored = regulation.retriever().stored
    query = analyse("单位没有约定的，按照哪些标准给奖励？", stored.gazetteer, stored.tokenizer, stored.other_places)
    cited, family = with_items(regulation.retriever(), query, _hits(regulation, ids["第三条第二款"], ids["第一条"]))
    citations = tuple(Citation(i, h, h.clause.spans[0].start, h.clause.spans[-1].end) for i, h in enumerate(cited, 1))
    html = answer_html(Answer("q", True, citations, confidence=0.9, items=family), marker=Marker(), lang="zh")
    assert html.index("单位未约定的，按照下列标准给予奖励") < html.index("第三条第二款第（一）项") < html.index("第三条第二款第（二）项")
    assert "从净收入中提取不低于" in html and "从股份中提取不低于" in html


def test_a_documents_number_and_date_answer_what_they_say_and_nothing_else(shared_corpus: Path, tmp_path: Path):
    (tmp_path / "seeds").mkdir()
    shutil.copy(shared_corpus / "gov2021_cgpj.txt", tmp_path / "seeds")
    project = Project(Settings.from_env(home=tmp_path))  # the shipped embedder: which line answers is a ranking question
    project.build()
    dated = project.ask("国务院办公厅的这份意见是哪年发布的？")
    assert dated.answerable and dated.citations[0].quote == "2021年7月16日"
    number = project.ask("那个成果评价的意见文号是多少？")
    assert number.answerable and number.citations[0].quote == "国办发〔2021〕26号"
    assert number.citations[0].hit.clause.place == "发文字号"
    asked_by_number = project.ask("国办发〔2021〕26号对论文评价有什么要求？")
    assert asked_by_number.citations[0].hit.clause.place != "发文字号"
