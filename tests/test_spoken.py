"""Spoken Chinese reaches the documents' words: 赚了钱 counts as 收益, 卖掉 as 转让, and the user sees the match."""

from __future__ import annotations

import pytest

from reformqa.answer import analyse
from reformqa.answer.abstain import key_words
from reformqa.answer.spoken import Spoken, _parse, spoken_forms


def test_the_shipped_table_reads_and_every_line_has_terms():
    table = spoken_forms().table
    assert len(table) >= 50
    assert all(terms and all(terms) for terms in table.values())
    # a spoken form is not itself a document term it maps to (that would need no line)
    assert all(form not in terms for form, terms in table.items())


def test_a_bad_line_is_named_with_its_number():
    with pytest.raises(ValueError, match="line 2: expected 'spoken form<TAB>term"):
        _parse("# comment\n赚钱 收益\n")


def test_longest_form_wins_and_terms_come_in_text_order():
    spoken = Spoken({"赚钱": ("收益",), "赚了钱": ("收益", "利益"), "发奖": ("奖励",)})
    text, terms = spoken.rewrite("国企赚了钱以后怎么发奖")
    assert terms == ("收益", "利益", "奖励")
    assert "赚" not in text and "收益" in text and "奖励" in text
    assert spoken.find("国企赚了钱以后怎么发奖") == [("赚了钱", "收益"), ("发奖", "奖励")]


def test_a_spoken_question_is_read_in_the_documents_words(project):
    stored = project.retriever().stored
    query = analyse("郑州搞科研的把成果卖掉以后，能不能给他们发奖金？", stored.gazetteer, stored.tokenizer, stored.other_places)
    words = key_words(query)
    assert {"转让", "奖励"} <= set(words)
    assert not {"卖掉", "发奖金", "发奖"} & set(words)
    assert ("卖掉", "转让") in query.matched_terms
    # search keeps the spoken form too, for a corpus that writes it
    assert any("卖" in t for t in query.tokens) and "转让" in query.tokens


def test_an_english_question_is_left_to_the_bridge(project):
    stored = project.retriever().stored
    query = analyse("Can Zhengzhou researchers get a bonus after they sell results?", stored.gazetteer, stored.tokenizer, stored.other_places)
    assert all(en.isascii() for en, _ in query.matched_terms)


@pytest.mark.parametrize(
    ("question", "clause", "words"),
    [
        ("郑州搞科研的把成果卖掉以后，能不能给他们发奖金？", "zhengzhou-02", "先转化后奖励"),
        ("在重庆，大学的科研经费能不能跨省用？", "chongqing-03", "跨省市使用"),
    ],
)
def test_a_spoken_question_is_answered_with_the_clause_it_means(project, question: str, clause: str, words: str):
    answer = project.ask(question)
    assert answer.answerable, answer.features
    top = answer.citations[0]
    assert top.hit.clause.clause_id == clause
    assert words in top.quote
    assert answer.matched_terms


def test_a_spoken_list_topic_reaches_both_wordings_and_the_comparison_agrees(project):
    answer = project.ask("哪些试点允许科研经费跨地区使用？")
    listed = {c.hit.clause.region for c in answer.citations}
    assert answer.list_question and listed == {"重庆市", "成都市"}  # 跨省市 and 跨行政区域: one concept
    assert set(project.compare("科研经费跨地区使用").mentioned) == listed


def test_a_preferred_term_counts_where_the_text_writes_another_of_its_terms():
    from reformqa.answer.signals import Lexicon

    lexicon = Lexicon({"跨省市": 3.0, "使用": 1.0}, 4.0)
    assert lexicon.present("跨行政区域")
    assert lexicon.coverage(["跨行政区域", "使用"], "允许科研资金跨省市使用") == 1.0


@pytest.mark.parametrize(("term", "key"), [("中试基地", "中试"), ("技术经纪人", "经纪")])
def test_a_term_is_not_mentioned_by_a_quote_lacking_its_rarest_word(project, term: str, key: str):
    table = project.compare(term)
    assert table.mentioned
    for row in table.rows:
        if row.mentioned:
            assert key in row.citation.quote, (row.region, row.citation.quote)
