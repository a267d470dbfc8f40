"""The chat UI's web API: `/ask` through gradio_client on a free local port, and nothing else exposed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from reformqa.contract import answer_to_json
from reformqa.project import Project
from reformqa.web import build_app, launch
from reformqa.web.feedback import FeedbackLog
from reformqa.web.handlers import ChatService

httpx = pytest.importorskip("httpx")
gradio_client = pytest.importorskip("gradio_client")
# Gradio 6.31's queue statistics call pandas APIs that pandas 3 deprecates: not ours to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, launched in-process on a free loopback port; its URL."""
    demo = build_app(ChatService(project, FeedbackLog(tmp_path_factory.mktemp("feedback"))))
    url = launch(demo, port=free_port())
    yield url
    demo.close()


@pytest.fixture(scope="module")
def client(served: str):
    return gradio_client.Client(served, verbose=False, download_files=False)


def test_ask_endpoint_returns_the_json_contract(client, project: Project):
    question = "合肥都市圈的科研人员可以获得多少比例的成果所有权？"
    result = client.predict(question, api_name="/ask")
    assert result == answer_to_json(project.ask(question))
    assert {"question", "answerable", "answer", "message", "list_question", "regions_asked", "confidence", "citations", "contract_version"} <= result.keys()
    top = result["citations"][0]
    assert top["clause_id"] == "hefei-02" and top["quote"] in top["text"] and top["start"] < top["end"]
    assert {"rank", "doc", "doc_title", "region", "clause_id", "text", "quote", "start", "end", "clause_start", "clause_end", "score", "signals"} <= top.keys()


def test_ask_endpoint_takes_k_region_and_mode(client):
    result = client.predict("科研经费怎么管理？", k=2, region="无锡", mode="hybrid", api_name="/ask")
    assert len(result["citations"]) == 2 and {c["region"] for c in result["citations"]} == {"苏南重点城市"}


@pytest.mark.parametrize("question", ["", "   ", "问" * 501])
def test_ask_endpoint_answers_bad_input_with_an_error_object(client, question):
    result = client.predict(question, api_name="/ask")
    assert result["error"] and result["answerable"] is False and result["citations"] == []


def test_only_ask_is_documented(client, served: str):
    info = client.view_api(return_format="dict", print_info=False)
    assert list(info["named_endpoints"]) == ["/ask"] and not info["unnamed_endpoints"]
    config = httpx.get(served + "config").json()
    visibility = {d.get("api_name"): d.get("api_visibility") for d in config["dependencies"]}
    assert visibility.pop("ask") == "public" and visibility and set(visibility.values()) == {"private"}


def test_compare_and_its_downloads_are_not_api(client, served: str):
    info = client.view_api(return_format="dict", print_info=False)
    assert list(info["named_endpoints"]) == ["/ask"] and not info["unnamed_endpoints"]
    config = httpx.get(served + "config").json()
    ids = {c["props"]["elem_id"]: c["id"] for c in config["components"] if c.get("props", {}).get("elem_id")}
    compare_page = {ids[name] for name in ("rq-coverage", "rq-compare", "rq-compare-notice", "rq-csv", "rq-md")}
    events = [d for d in config["dependencies"] if compare_page & set(d["outputs"])]
    assert len(events) >= 4  # the topic's Enter, the button, an example topic, the language toggle
    assert all(d["api_visibility"] == "private" for d in events), [(d["api_name"], d["api_visibility"]) for d in events]
    for name in ("/on_compare", "/on_compare_1", "/compare", "/on_load"):
        with pytest.raises(ValueError, match="Cannot find a function"):
            client.predict("经费包干制", api_name=name)


def test_the_queue_cannot_be_bypassed(served: str):
    for route in ("gradio_api/run/ask", "gradio_api/api/ask", "gradio_api/run/ask/", "gradio_api/api/ask/"):
        response = httpx.post(served + route, json={"data": ["寿县属于哪个试点？", 3, "", "full"]})
        assert response.status_code == 404 and "queue" in response.text, (route, response.status_code)


def test_no_project_file_or_route_list_is_served(served: str):
    for path in ("gradio_api/file=/etc/passwd", "gradio_api/file=README.md", "gradio_api/file=%2e%2e/README.md", "gradio_api/file=seeds/x.txt"):
        assert httpx.get(served + path).status_code in (403, 404), path
    for path in ("openapi.json", "docs", "redoc", "gradio_api/mcp/sse"):
        assert httpx.get(served + path).status_code == 404, path
    assert all("ask" in path or path.endswith("/upload") for path in httpx.get(served + "gradio_api/openapi.json").json()["paths"])


def test_offline_no_analytics_no_share_no_web_fonts(served: str):
    config = httpx.get(served + "config").json()
    assert config.get("analytics_enabled") is False and not config.get("share_url")
    page = httpx.get(served).text + httpx.get(served + "theme.css").text
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
    assert "Noto Sans CJK SC" in httpx.get(served + "theme.css").text
    assert httpx.get(served + "monitoring").status_code in (403, 404)


def test_password_protects_the_app(project: Project, tmp_path: Path):
    demo = build_app(ChatService(project, FeedbackLog(tmp_path)))
    url = launch(demo, port=free_port(), password="秘密 pass")
    try:
        assert httpx.get(url + "config").status_code in (401, 403)
        with pytest.raises(Exception):
            gradio_client.Client(url, verbose=False, auth=("anyone", "wrong"))
        client = gradio_client.Client(url, verbose=False, auth=("anyone", "秘密 pass"))
        assert client.predict("寿县属于哪个试点？", api_name="/ask")["citations"][0]["region"] == "合肥都市圈"
    finally:
        demo.close()
