"""Every quote is a slice of the source file: nothing is written, only cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from reformqa.contract import answer_to_json
from reformqa.corpus import SEED_SUFFIXES

# (question, ask() keyword arguments): Chinese, English, traditional, colloquial,
# list and unanswerable questions, and the options that change what is quoted.
QUESTIONS = [
    ("合肥都市圈赋予科研人员多少比例的成果所有权？", {}),
    ("合肥都市圈的科技成果长期使用权不低于多少年？", {}),
    ("无锡的科研经费怎么管？", {}),
    ("深圳的职务科技成果赋权比例是多少？", {}),
    ("寿县属于哪个试点？", {}),
    ("北京城市副中心依托什么平台推进公共数据开放共享？", {}),
    ("国务院什么时候批复的这些试点？", {}),
    ("试点期限是多久？", {}),
    ("这个试点要搞几年啊", {}),
    ("苏南的国企研发赚了钱怎么分？", {}),
    ("What share of ownership can Hefei researchers get?", {}),
    ("Which cities are covered by the Southern Jiangsu pilot?", {}),
    ("What does the Beijing sub-centre plan say about opening up public data?", {}),
    ("How long do these factor-market reform pilots run?", {}),
    ("蘇南重點城市要出台什麼職稱評定辦法？", {}),
    ("杭甬溫的「浙江拍」是什麼？", {}),
    ("哪些试点实行科研经费包干制？", {}),
    ("Which pilots run a chief expert responsibility system?", {}),
    ("宁波和无锡在科技成果转化上各有什么措施？", {}),
    ("今天天气怎么样？", {}),
    ("上海的科研经费包干制怎么规定？", {}),
    ("红烧肉怎么做？", {}),
    ("科研经费怎么管理？", {"k": 8}),
    ("科研经费怎么管理？", {"region": "深圳"}),
    ("知识产权运营", {"mode": "bm25", "k": 5}),
    ("知识产权运营", {"mode": "dense", "k": 5}),
    ("知识产权运营", {"mode": "hybrid", "k": 5}),
]


@pytest.fixture(scope="module")
def sources(repo: Path) -> dict[str, str]:
    """Each seed file's text, decoded from its bytes (no newline translation)."""
    return {p.stem: p.read_bytes().decode("utf-8") for p in (repo / "seeds").iterdir() if p.suffix in SEED_SUFFIXES}


@pytest.mark.parametrize(("question", "options"), QUESTIONS, ids=[f"q{i:02d}" for i in range(len(QUESTIONS))])
def test_quotes_are_verbatim_slices_of_the_source(project, sources, question, options):
    answer = answer_to_json(project.ask(question, **options))
    assert answer["citations"], "even an honest no shows the nearest clauses"
    for citation in answer["citations"]:
        source = sources[citation["doc"]]
        where = f"{citation['clause_id']} [{citation['start']}:{citation['end']}]"
        assert citation["quote"], where
        assert source[citation["start"] : citation["end"]] == citation["quote"], where
        assert source[citation["clause_start"] : citation["clause_end"]] == citation["text"], where
        assert citation["clause_start"] <= citation["start"] < citation["end"] <= citation["clause_end"], where
        assert citation["quote"] in citation["text"], where
    if answer["answerable"]:
        quotes = [c["quote"] for c in answer["citations"]]
        assert answer["answer"] == ("\n".join(quotes) if answer["list_question"] else quotes[0])
    else:
        assert answer["answer"] == ""
