"""Questions that name documents, articles and places: read without an index, from document records alone."""

from __future__ import annotations

import pytest

from reformqa.answer.documents import doc_types, read_documents
from reformqa.corpus import Gazetteer
from reformqa.normalize import normalize
from reformqa.records import Document, Region


def _doc(doc_id: str, title: str, jurisdiction: str, level: str, short: str = "", number: str = "") -> Document:
    return Document(doc_id, title, f"{doc_id}.txt", "", "0", short_title=short, doc_number=number, jurisdiction=jurisdiction, jurisdiction_level=level)


DOCUMENTS = (
    _doc("seed", "国务院关于全国部分地区要素市场化配置综合改革试点实施方案的批复", "全国", "national", "关于全国部分地区要素市场化配置综合改革试点实施方案的批复"),
    _doc("law", "中华人民共和国促进科技成果转化法", "全国", "national", "促进科技成果转化法"),
    _doc("beijing", "北京市促进科技成果转化条例", "北京市", "province"),
    _doc("shantou", "汕头经济特区科技创新条例", "汕头市", "city"),
    _doc("notice", "科技部 教育部关于鼓励科研项目开发科研助理岗位吸纳高校毕业生就业的通知", "全国", "national", "关于鼓励科研项目开发科研助理岗位吸纳高校毕业生就业的通知", "国科发资〔2020〕132号"),
    _doc("opinion", "国务院办公厅关于完善科技成果评价机制的指导意见", "全国", "national", "关于完善科技成果评价机制的指导意见", "国办发〔2021〕26号"),
)
PILOTS = (
    Region("北京城市副中心", "beijing", ("北京市", "北京", "通州区", "通州"), ("城市副中心", "副中心", "beijing")),
    Region("粤港澳大湾区内地九市", "gba", ("广东省", "广东", "深圳市", "深圳"), ("大湾区", "guangdong")),
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(PILOTS, DOCUMENTS)


def _read(question: str, gazetteer: Gazetteer):
    asked = read_documents(normalize(question), gazetteer)
    return asked, [region for region, _ in gazetteer.find(asked.masked)]


@pytest.mark.parametrize(
    ("question", "named", "article", "detail"),
    [
        ("《北京市促进科技成果转化条例》第十二条第一款第（三）项说了什么？", ("beijing",), 12, ("第一款", "第（三）项")),
        ("促进科技成果转化法第四十五条规定的比例是多少", ("law",), 45, ()),
        ("成果转化法第十六条列了哪些方式", ("law",), 16, ()),
        ("那个科研助理的通知里户口放哪", ("notice",), 0, ()),
        ("北京的条例对奖励怎么规定", ("beijing",), 0, ()),
        ("汕头条例第二十九条", ("shantou",), 29, ()),
        ("国办发〔2021〕26号对论文有什么要求", ("opinion",), 0, ()),
        ("国办发[2021]第26号对论文有什么要求", ("opinion",), 0, ()),
        ("132号文里科研助理的户口怎么办", ("notice",), 0, ()),
        ("那个成果评价的意见说技术经理人能干啥", ("opinion",), 0, ()),
        ("What does Article 12 of the Beijing regulation say?", ("beijing",), 12, ()),
        ("What does article 45 of the law say?", ("law",), 45, ()),
        ("第十二条第3项怎么说", (), 12, ("第（三）项",)),
    ],
)
def test_a_question_that_names_a_document_goes_to_it(gazetteer, question, named, article, detail):
    asked, regions = _read(question, gazetteer)
    assert (asked.named, asked.article, asked.detail) == (named, article, detail)
    assert regions == [] and not asked.unknown  # 北京 inside the document's name is not the pilot


@pytest.mark.parametrize(
    "question",
    ["单位制定奖励规定要听取谁的意见？", "依法取得的知识产权怎么办", "有什么好的管理办法", "试点范围包括哪些地方？"],
)
def test_ordinary_words_name_no_document(gazetteer, question):
    asked, _ = _read(question, gazetteer)
    assert asked.named == () and not asked.unknown


def test_a_place_names_the_pilot_and_the_jurisdiction_both(gazetteer):
    asked, regions = _read("北京对科技成果转化收益分配有什么规定？", gazetteer)
    assert regions == ["北京城市副中心"] and asked.places == ("beijing",) and asked.named == ()
    asked, regions = _read("北京城市副中心的数据开放怎么做？", gazetteer)
    assert regions == ["北京城市副中心"] and asked.places == ()  # the pilot's full name is the pilot only
    asked, regions = _read("北京城市副中心要落实什么条例？", gazetteer)
    assert regions == ["北京城市副中心"] and asked.named == ()  # nor does it name the 北京市 regulation
    asked, regions = _read("广东对科技企业融资有什么支持？", gazetteer)
    assert regions == ["粤港澳大湾区内地九市"] and asked.places == ("shantou",)  # 汕头 lies in 广东
    asked, _ = _read("国家层面对科技成果转化奖励怎么规定？", gazetteer)
    assert set(asked.places) == {"seed", "law", "notice", "opinion"}


@pytest.mark.parametrize("question", ["深圳经济特区科技创新条例第十二条说了什么？", "《上海市促进科技成果转化条例》规定的比例", "杭州市科技创新条例第二十条"])
def test_a_document_the_corpus_does_not_hold_is_noticed(gazetteer, question):
    asked, _ = _read(question, gazetteer)
    assert asked.unknown and asked.named == ()


def test_document_types_answer_to_their_generic_word():
    assert doc_types("国务院办公厅关于完善科技成果评价机制的指导意见") == ("指导意见", "意见")
    assert doc_types("中华人民共和国促进科技成果转化法") == ("法",)
    assert doc_types("示范区若干说明") == ()
