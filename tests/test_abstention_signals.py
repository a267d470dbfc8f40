"""Abstention reads questions as people ask them: abbreviations, membership of a pilot, yes/no, code, other places."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reformqa.answer import analyse, asked_kind, has_words
from reformqa.answer.abstain import key_words
from reformqa.answer.signals import Lexicon, abbreviates
from reformqa.normalize import normalize
from reformqa.project import Project
from reformqa.settings import Settings


@pytest.mark.parametrize(
    ("short", "text", "expected"),
    [("国企", "推动国有企业科研成果转化", True), ("高校", "高等学校和科研机构", True), ("科研", "科学研究", True),
     ("国企", "国家鼓励企业", False), ("个税", "个人所得税", False), ("碳排", "排放", False)],
)
def test_an_abbreviation_stands_for_its_full_form(short: str, text: str, expected: bool):
    assert abbreviates(short, text) is expected


def test_a_corpus_word_an_abbreviation_shortens_is_not_missing():
    lexicon = Lexicon({"国有企业": 3.0, "转化": 1.0}, 4.0)
    assert lexicon.present("国企") and not lexicon.present("碳排")
    assert lexicon.coverage(["国企", "转化"], "推动国有企业科研成果转化") == 1.0


def test_a_whole_texts_coverage_gives_each_part_the_same_share(project):
    """The quote scores runs of a clause's sub-clauses through coverage_within: each share is coverage's, to the bit."""
    retriever = project.retriever()
    lexicon = project.lexicon()
    stored = retriever.stored
    questions = [json.loads(line)["question"] for line in (project.settings.home / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:80]]
    words = [analyse(q, stored.gazetteer, stored.tokenizer, stored.other_places).words for q in questions]
    # 科研院 abbreviated in the part (科甲乙研院), but not in the whole, where its greedy match runs past twice its length.
    cases = [(("科研院", "转化"), "科甲乙研院丙院转化", ["科甲乙研院", "丙院", "转化"])]
    for clause in list(stored.clauses)[::7]:
        parts = [normalize(clause.text[s.start - clause.start : s.end - clause.start]) for s in clause.spans] or [normalize(clause.text)]
        cases += [(w, "".join(parts), parts) for w in words[::9]]
    assert not abbreviates("科研院", "科甲乙研院丙院") and abbreviates("科研院", "科甲乙研院")
    compared = 0
    for ws, whole, parts in cases:
        cover = lexicon.coverage_within(ws, whole)
        for i in range(len(parts)):
            for j in range(i, min(i + 3, len(parts))):
                part = "".join(parts[i : j + 1])
                assert cover(part) == lexicon.coverage(ws, part), (ws, part)
                compared += cover(part) > 0
    assert compared > 50  # the comparison met words the parts hold, not only empty shares


@pytest.mark.parametrize(
    "question",
    ["粤港澳大湾区内地九市指的是哪九个城市？", "福厦泉一共就三个城市吧，都是哪几个", "芜湖市有哪个地方被纳入合肥都市圈试点？",
     "How many cities does the Southern Jiangsu pilot cover?"],
)
def test_which_places_a_named_pilot_takes_in_is_answered_by_its_scope(project, question: str):
    answer = project.ask(question)
    assert answer.answerable, answer.features
    assert answer.citations[0].hit.clause.kind == "scope"


def test_a_place_name_ending_like_a_question_word_is_not_a_scope_question(project):
    stored = project.retriever().stored
    assert not analyse("成都有哪些飞欧洲的航空公司？", stored.gazetteer, stored.tokenizer, stored.other_places).scope


@pytest.mark.parametrize(
    ("question", "kind"),
    [("有没有比例限制？", "yesno"), ("劳务费支出是否受比例限制", "yesno"), ("奖励比例有没有规定是多少？", "figure"),
     ("Is there a cap on the share?", "yesno")],
)
def test_yes_or_no_without_a_question_word(question: str, kind: str):
    assert asked_kind(normalize(question)) == kind


@pytest.mark.parametrize("statement", ["SELECT name FROM pilots;", "DROP TABLE clauses;", "insert into t values (1);"])
def test_sql_asks_nothing(project, statement: str):
    assert not has_words(statement)
    assert not project.ask(statement).answerable


def test_a_pilots_measure_does_not_answer_for_a_place_outside_the_pilots(project):
    answer = project.ask("魔都的科研人员职务成果赋权比例是多少？")
    assert not answer.answerable


@pytest.mark.parametrize(
    ("question", "kind"),
    [("按份共有时完成人的份额是多少？", "figure"), ("转化奖励要交多少个人所得税？", "figure"), ("科技部联系人的电话是多少？", None),
     ("福厦泉一共有几个城市", "count")],
)
def test_legal_terms_and_contacts_are_not_counts_or_figures(question: str, kind: str | None):
    assert asked_kind(normalize(question)) == kind


def test_an_english_word_the_documents_write_verbatim_is_matched(shared_corpus: Path, tmp_path: Path):
    """The State Council guideline writes SCI in Latin letters: an English question's SCI meets it there."""
    from fakes import FakeEmbedder

    (tmp_path / "seeds").mkdir()
    shutil.copy(shared_corpus / "gov2021_cgpj.txt", tmp_path / "seeds")
    project = Project(Settings.from_env(home=tmp_path), embedder=FakeEmbedder())
    project.build()
    stored = project.retriever().stored
    query = analyse("What does the guideline say about putting SCI papers first?", stored.gazetteer, stored.tokenizer,
                    stored.other_places, bridge=project._bridge_of(project.retriever()))
    assert ("sci", "sci") in query.matched_terms and "sci" not in query.unmatched


def test_english_law_words_reach_the_laws_terms(project):
    bridged = dict(project.ask("What is the minimum share of the net income that goes to the team?").matched_terms)
    assert bridged.get("minimum") in {"不低于", "最低", "至少"}
    assert "goes" not in bridged


@pytest.mark.parametrize(
    ("question", "not_concepts"),
    [("郑州市要布局建设什么样的中试基地？", {"什么样"}), ("这次综合改革试点批了多长时间？", {"长时间", "多长时间"}),
     ("国务院批复这些试点是哪一天？", {"一天", "哪一天"}), ("重庆组建创新联合体应该由谁来牵头？", {"由谁来"})],
)
def test_words_that_ask_how_the_answer_looks_are_not_concepts(project, question: str, not_concepts: set[str]):
    stored = project.retriever().stored
    words = key_words(analyse(question, stored.gazetteer, stored.tokenizer, stored.other_places))
    assert words and not not_concepts & set(words)


@pytest.mark.parametrize(
    ("question", "kind"),
    [("合肥那边科研人员能分到成果多大的所有权？", "figure"), ("合肥科研人员能拿到多少所有权", "figure"), ("有几所高校参加试点", "count"),
     ("这项改革有多大的影响", None)],
)
def test_how_large_a_share_is_a_figure_and_a_share_of_ownership_no_count(question: str, kind: str | None):
    assert asked_kind(question) == kind
