"""The gazetteer: places and names people use, mapped to the pilot that covers them."""

from __future__ import annotations

import pytest

from reformqa.answer import analyse
from reformqa.corpus import REGION_SLUGS, Gazetteer, build_regions, national_places, places_named, scope_places
from reformqa.normalize import normalize
from reformqa.search import Tokenizer

GBA = "粤港澳大湾区内地九市"


@pytest.fixture(scope="module")
def regions(clauses):
    return build_regions(clauses, REGION_SLUGS)


@pytest.fixture(scope="module")
def gazetteer(regions):
    return Gazetteer(regions)


@pytest.fixture(scope="module")
def places(regions, seed_doc):
    """China's places that no pilot covers, as the indexer lists them."""
    return national_places([t for r in regions for t in (r.name, *r.places, *r.aliases)], seed_doc.text)


@pytest.fixture(scope="module")
def tokenizer(gazetteer):
    return Tokenizer(gazetteer.terms)


def _named(gazetteer: Gazetteer, question: str) -> list[str]:
    return [region for region, _ in gazetteer.find(normalize(question))]


@pytest.mark.parametrize(
    ("place", "region"),
    [
        ("无锡", "苏南重点城市"),
        ("寿县", "合肥都市圈"),
        ("深圳", GBA),
        ("通州", "北京城市副中心"),
        ("宁波", "杭甬温"),
        ("厦门", "福厦泉"),
        ("廈門", "福厦泉"),  # traditional characters
        ("湘潭", "长株潭"),
        ("大湾区", GBA),
        ("Shenzhen", GBA),
        ("Hefei", "合肥都市圈"),
        ("Greater Bay Area", GBA),
    ],
)
def test_place_maps_to_its_pilot(gazetteer, place, region):
    assert _named(gazetteer, place) == [region]
    assert _named(gazetteer, f"{place}的科研经费怎么管理？") == [region]


@pytest.mark.parametrize(
    "question",
    ["What does Shenzhen allow researchers to keep?", "How will Hefei reform research funding?", "Which Greater Bay Area cities are in the pilot?"],
)
def test_english_names_are_found_inside_a_sentence(gazetteer, question):
    assert len(_named(gazetteer, question)) == 1


def test_two_pilots_named_in_order(gazetteer):
    assert _named(gazetteer, "宁波和无锡的做法有什么不同？") == ["杭甬温", "苏南重点城市"]


def test_every_pilot_is_a_region_with_places(regions):
    assert [r.name for r in regions] == list(REGION_SLUGS)
    assert [r.slug for r in regions] == list(REGION_SLUGS.values())
    for region in regions:
        assert region.places, region.name


@pytest.mark.parametrize(("question", "place"), [("上海的科研经费包干制怎么规定？", "上海"), ("What does Shanghai do about research funding?", "shanghai")])
def test_a_place_outside_every_pilot_is_noticed(gazetteer, tokenizer, places, question, place):
    query = analyse(question, gazetteer, tokenizer, places)
    assert query.regions == ()
    assert place in query.other_places
    assert _named(gazetteer, question) == []


def test_a_pilot_place_is_not_an_other_place(gazetteer, tokenizer, places):
    query = analyse("无锡的科研经费怎么管？", gazetteer, tokenizer, places)
    assert query.regions == ("苏南重点城市",)
    assert query.other_places == ()


def test_scope_places_parses_the_hefei_scope_sentence(clauses):
    (scope,) = [c for c in clauses if c.region == "合肥都市圈" and c.kind == "scope"]
    assert scope_places(scope.text) == [
        "安徽省", "合肥市",
        "芜湖市", "无为市",
        "淮南市", "寿县",
        "马鞍山市", "含山县",
        "安庆市", "桐城市",
        "滁州市", "定远县",
        "六安市", "金安区", "舒城县",
    ]  # fmt: skip


def test_scope_places_of_a_whole_city_and_of_other_text():
    assert scope_places("试点范围包括重庆市全域。") == ["重庆市"]
    assert scope_places("完善公共数据开放共享机制。") == []


# --- what a question asks for ------------------------------------------------


@pytest.mark.parametrize("which", ["哪个试点", "哪些试点"])
def test_which_pilot_is_a_list_question(gazetteer, tokenizer, places, which):
    assert analyse(f"{which}实行首席专家负责制？", gazetteer, tokenizer, places).list_intent


def test_which_one_pilot_reads_like_which_pilot(gazetteer, tokenizer, places):
    plain = analyse("深圳在哪个试点里？", gazetteer, tokenizer, places)
    spelled = analyse("深圳在哪一个试点里？", gazetteer, tokenizer, places)
    assert plain.scope
    assert (spelled.scope, spelled.list_intent, spelled.regions) == (plain.scope, plain.list_intent, plain.regions)


@pytest.mark.parametrize(("question", "place"), [("法国的首都是哪里", "法国"), ("德国柏林的科研人员能来合作吗", "柏林"), ("美国对技术出口有什么限制", "美国")])
def test_other_countries_and_their_cities_are_places_outside_the_pilots(places, question: str, place: str):
    assert place in places_named(normalize(question), places)


@pytest.mark.parametrize("question", ["北京城市副中心沿海地带的政策", "包罗万象的科研平台", "中国的科研经费怎么管理"])
def test_ordinary_words_and_the_home_country_are_not_foreign_places(places, question: str):
    assert places_named(normalize(question), places) == ()


def test_places_are_found_as_a_scan_of_every_place_would_find_them(repo):
    """places_named and Gazetteer.find try only the places starting with one of the text's characters: same results, in order."""
    import json
    import re

    from reformqa.corpus.places import places_named
    from reformqa.normalize import normalize
    from reformqa.project import Project
    from reformqa.settings import Settings

    stored = Project(Settings.from_env(home=repo)).retriever(auto_build=False).stored
    places = stored.other_places
    texts = [normalize(json.loads(line)["question"]) for line in (repo / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    texts += ["上海和深圳的做法", "巴黎、法国和 paris 的科研", "合肥 hefei 成都"]
    for text in texts:
        naive = tuple(p for p in places if p in text and (not p.isascii() or re.search(rf"(?<![a-z']){re.escape(p)}(?![a-z'])", text)))
        assert places_named(text, places) == naive, text
