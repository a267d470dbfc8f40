"""The seed beside the five published documents: documents named, places weighed both ways, filters, what `add` reports.

Built with the fake embedder (lexical signals are real, dense ones only
deterministic), so these tests pin routing and citations, not answer quality:
eval/questions_multidoc.jsonl measures that (eval/results/multidoc-test.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import FakeEmbedder

from reformqa.cli import corpus as cli_corpus
from reformqa.cli import main
from reformqa.contract import answer_to_json
from reformqa.errors import InvalidQuestion
from reformqa.project import Project
from reformqa.settings import Settings

SHARED = ("law2015_cgzh", "beijing2019_cgzh", "most2020_kyzl", "gov2021_cgpj", "shantou2022_kjcx")


@pytest.fixture(scope="module")
def six(tmp_path_factory: pytest.TempPathFactory, repo: Path, shared_corpus: Path) -> Project:
    home = tmp_path_factory.mktemp("six")
    shutil.copytree(repo / "seeds", home / "seeds")
    for name in SHARED:
        shutil.copy(shared_corpus / f"{name}.txt", home / "seeds" / f"{name}.txt")
    project = Project(Settings.from_env(home=home), embedder=FakeEmbedder())
    project.build()
    return project


def _top(project: Project, question: str, k: int = 10) -> list:
    return [c.hit for c in project.ask(question, k=k).citations]


def test_a_question_that_names_a_document_and_an_article_is_answered_from_that_article(six):
    hits = _top(six, "促进科技成果转化法第四十五条规定的奖励比例是多少？")
    assert (hits[0].clause.doc_id, hits[0].clause.article) == ("law2015_cgzh", "第四十五条")
    assert hits[0].signals["doc_boost"] >= 2.0  # the document and its article
    hits = _top(six, "《北京市促进科技成果转化条例》第十二条第三款第（一）项")
    assert (hits[0].clause.doc_id, hits[0].clause.place) == ("beijing2019_cgzh", "第十二条第三款第（一）项")
    assert not any(h.clause.region for h in hits[:3])  # 北京 inside the title is not the pilot


def test_a_place_weighs_its_pilot_and_its_documents_and_hides_neither(six):
    hits = _top(six, "北京对科技成果转化有什么规定？", k=10)
    assert {h.clause.doc_id for h in hits} >= {"beijing2019_cgzh", "000_53bf4c69e74c688e"}
    boosted = {(h.clause.doc_id, h.clause.region) for h in hits if h.signals["region_boost"] >= 1.0}
    assert ("000_53bf4c69e74c688e", "北京城市副中心") in boosted and ("beijing2019_cgzh", None) in boosted
    hits = _top(six, "北京城市副中心要落实什么条例？")
    assert hits[0].clause.region == "北京城市副中心"  # the pilot's full name: the pilot


def test_the_contract_says_where_a_clause_sits(six):
    answer = answer_to_json(six.ask("汕头条例第二十五条里按份共有时完成人的份额是多少？", k=3))
    top = answer["citations"][0]
    assert (top["doc"], top["article"], top["doc_short_title"]) == ("shantou2022_kjcx", "第二十五条", "")
    assert top["cited_as"] == "《汕头经济特区科技创新条例》" + top["place"] and top["place"].startswith("第二十五条")
    law = answer_to_json(six.ask("促进科技成果转化法第四十五条", k=1))["citations"][0]
    assert law["doc_short_title"] == "促进科技成果转化法"


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("北京市促进科技成果转化条例", "beijing2019_cgzh"),
        ("促进科技成果转化法", "law2015_cgzh"),
        ("国办发〔2021〕26号", "gov2021_cgpj"),
        ("国办发[2021]26号", "gov2021_cgpj"),
        ("《汕头经济特区科技创新条例》", "shantou2022_kjcx"),
        ("那个科研助理的通知", "most2020_kyzl"),
        ("law2015_cgzh.txt", "law2015_cgzh"),
    ],
)
def test_the_document_filter_takes_a_title_a_short_title_or_a_number(six, name, doc):
    assert six.find_documents(name) == (doc,)
    assert {c.hit.clause.doc_id for c in six.ask("奖励", doc=name, k=5).citations} == {doc}


def test_a_filter_that_names_nothing_says_what_to_give(six):
    with pytest.raises(InvalidQuestion, match="title, a short title or a document number"):
        six.find_documents("上海市促进科技成果转化条例")


def test_adding_documents_prints_what_was_read(tmp_path, repo, shared_corpus, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(repo / "seeds", home / "seeds")
    monkeypatch.setattr(cli_corpus, "project_for", lambda h, e, *backend: Project(Settings.from_env(home=h), embedder=FakeEmbedder()))
    result = CliRunner().invoke(main, ["add", str(shared_corpus / "law2015_cgzh.txt"), str(shared_corpus / "beijing2019_cgzh.txt"), "--home", str(home)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "added seeds/beijing2019_cgzh.txt\n    北京市促进科技成果转化条例\n" in out
    assert "北京市人民代表大会常务委员会 · 〔十五届〕第19号 · 2019-11-27 (adopted 2019-11-27, effective 2020-01-01, signed 2019-11-27) · 北京市" in out
    assert "6 章 chapters, 45 条 articles, 18 项 items" in out
    assert "中华人民共和国促进科技成果转化法 (short: 促进科技成果转化法)" in out
    assert "全国人民代表大会常务委员会 · number — · 2015-08-29 (adopted 1996-05-15, amended 2015-08-29, effective 1996-10-01) · 全国" in out


def test_a_question_is_asked_of_a_corpus_only_where_its_answer_can_be():
    from reformqa.evaluation import GoldQuestion, answerable_here

    seed_question = GoldQuestion("q1", "合肥都市圈赋予多少所有权？", "numeric", "dev", True, ("合肥都市圈",), ("不低于70%的权益",))
    unanswerable = GoldQuestion("q2", "上海的房价是多少？", "unanswerable", "dev", False, (), ())
    law_question = GoldQuestion("m1", "转化法第五十二条？", "article", "dev", True, (), ("本法自1996年10月1日起施行",), docs=("law2015_cgzh",))
    law = ["第五十二条 本法自1996年10月1日起施行。"]
    assert not answerable_here(seed_question, {"law2015_cgzh"}, law)  # the law alone does not hold the seed's answers
    assert answerable_here(unanswerable, {"law2015_cgzh"}, law) and answerable_here(law_question, {"law2015_cgzh"}, law)
    assert not answerable_here(law_question, {"000_53bf4c69e74c688e"}, ["…"])  # the document it names is absent
