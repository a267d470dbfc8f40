"""Cross-region comparison: one row a region, verdicts against the gold topics."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reformqa.answer import term_match, to_csv, to_json, to_markdown, word_match
from reformqa.evaluation import load_topics


def test_term_match_counts_near_synonyms_in_order():
    assert term_match("首席科学家负责制", "探索实施首席专家负责制") == pytest.approx(6 / 8)
    assert term_match("包干制", "实行科研经费“包干制+负面清单”管理") == 1.0
    assert term_match("容错纠错", "完善公共数据开放共享机制") == 0.0


def test_term_match_counts_runs_not_lone_characters_and_weighs_rare_words():
    chongqing = "加快建设国家科技成果转移转化示范区、“一带一路”国际技术转移中心、国家技术转移人才培养基地"
    assert term_match("中试基地", chongqing) == pytest.approx(2 / 4)  # 中 of 中心 is chance: only 基地 counts
    assert term_match("职称评审", "出台技术经纪人职称评定办法") == pytest.approx(3 / 4)  # 职称评 is one run
    # 科技成果转移转化 is everywhere; the 示范区 a topic is about weighs more than its share of characters.
    weights = [1.0] * 8 + [3.0] * 3
    assert term_match("科技成果转移转化示范区", "推动建立职务科技成果转移转化容错纠错机制", weights) == pytest.approx(8 / 17)


def test_topics_whose_modifiers_are_common_are_mentioned_only_with_their_own_term(project):
    assert set(project.compare("科技成果转移转化示范区").mentioned) == {"粤港澳大湾区内地九市", "重庆市"}
    assert set(project.compare("中试基地").mentioned) == {"郑州市"}


def test_word_match_ignores_order_but_not_missing_words():
    assert word_match(["许可", "授权", "科技成果"], "支持将职务科技成果通过许可方式授权中小微企业使用") == 1.0
    assert word_match(["知识产权", "质押", "融资"], "完善知识产权运营服务体系") == pytest.approx(4 / 8)


def test_table_has_every_region_in_document_order(project):
    table = project.compare("首席科学家负责制")
    assert [row.region for row in table.rows] == [r.name for r in project.retriever().stored.regions]
    assert set(table.mentioned) == {"杭甬温", "合肥都市圈", "福厦泉", "粤港澳大湾区内地九市", "重庆市"}
    assert table.coverage.startswith("5/10 个试点提及")
    wording = {row.region: row.citation.quote for row in table.rows if row.mentioned}
    assert "首席专家负责制" in wording["杭甬温"] and "首席科学家负责制" in wording["合肥都市圈"]


def test_quotes_are_verbatim(project, repo):
    source = (repo / "seeds" / "000_53bf4c69e74c688e.txt").read_text(encoding="utf-8")
    for row in to_json(project.compare("经费包干制"))["rows"]:
        if row["citation"]:
            cited = row["citation"]
            assert source[cited["start"] : cited["end"]] == row["quote"]
            assert row["quote"] in cited["text"]


def test_json_contract(project):
    data = to_json(project.compare("企业创新积分制"))
    assert set(data) == {"topic", "pivot", "matched_terms", "coverage", "rows"}
    assert data["matched_terms"] == []  # a Chinese topic is matched as written
    assert len(data["rows"]) == 10
    assert set(data["rows"][0]) == {"region", "mentioned", "quote", "citation", "score"}
    assert {r["region"] for r in data["rows"] if r["mentioned"]} == {"粤港澳大湾区内地九市", "成都市"}
    json.dumps(data, ensure_ascii=False)


def test_exports_carry_citations_and_escape_markdown(project):
    table = project.compare("创新联合体")
    rows = list(csv.DictReader(io.StringIO(to_csv(table))))
    assert len(rows) == 10
    assert all(r["citation"] for r in rows if r["mentioned"] == "提及")
    markdown = to_markdown(table)
    assert markdown.count("\n| ") == 11  # header + ten regions
    assert "| 合肥都市圈 | 提及 |" in markdown


@pytest.mark.parametrize("split", ["dev", "test"])
def test_verdicts_against_gold_topics(project, repo, split):
    tp = fp = fn = 0
    good_topics = 0
    for topic in load_topics(repo / "eval" / "compare_topics.jsonl", split):
        said, gold = set(project.compare(topic.topic).mentioned), set(topic.mentioned)
        tp += len(said & gold); fp += len(said - gold); fn += len(gold - said)
        precision = len(said & gold) / len(said) if said else 1.0
        good_topics += precision >= 0.9 and len(said & gold) / len(gold) >= 0.9
    assert tp / (tp + fp) >= 0.9 and tp / (tp + fn) >= 0.9
    assert good_topics >= 5


def test_english_topic_is_compared_through_the_documents_own_words(project):
    """English topics go through the bridge to the documents' terms, and the table says which."""
    table = project.compare("chief scientist system")
    assert table.pivot == "首席科学家负责制" and table.pivot in table.coverage
    assert table.matched_terms == (("chief scientist system", "首席科学家负责制"),)
    assert set(table.mentioned) == set(project.compare("首席科学家负责制").mentioned)
    assert to_json(table)["matched_terms"] == [{"en": "chief scientist system", "zh": "首席科学家负责制"}]


def test_cli_compare_writes_csv_and_markdown(repo, tmp_path):
    from click.testing import CliRunner

    from reformqa.cli import main

    result = CliRunner().invoke(main, ["compare", "经费包干制", "--home", str(repo), "--csv", str(tmp_path / "t.csv"), "--markdown", str(tmp_path / "t.md")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("5/10 个试点提及“经费包干制”")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").count("提及") == 10
    assert "| 成都市 | 提及 |" in (tmp_path / "t.md").read_text(encoding="utf-8")


def test_eval_scores_the_cells_per_topic_and_region(project, repo):
    from reformqa.evaluation import evaluate_topics, render_topics

    topics = load_topics(repo / "eval" / "compare_topics.jsonl")[:2]
    result = evaluate_topics(project, topics)
    assert [t["id"] for t in result["topics"]] == [t.tid for t in topics]
    assert result["overall"]["cells"] == 20
    assert set(result["regions"]) == {r.name for r in project.retriever().stored.regions}
    assert result["topics_meeting_target"] == 2  # 经费包干制 and 首席科学家负责制: every cell right
    markdown = "\n".join(render_topics(result))
    assert "| 经费包干制 | dev | 1.00 | 1.00 | — | — |" in markdown
