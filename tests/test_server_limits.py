"""The server around Gradio bounds what one client can take (issue 15, items 1, 3, 4, 6 and 14).

Each test sends what the attack session sent, on loopback, from its own source address where the
defence is per address (Linux routes all of 127.0.0.0/8 to loopback): bodies of 30 MB, a queue flood,
forged ``X-Forwarded-For`` headers, uploads, calls to the page's private events, silent sockets.
The limits are small here (``LIMITS``) so that each is reached in a second or two.
"""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from wire import connect, free_port, read_head, read_until_closed, request, second_address_works

from reformqa.project import Project
from reformqa.web import ChatService, build_app, launch
from reformqa.web.feedback import FeedbackLog
from reformqa.web.limits import Limits
from reformqa.web.queue import QueueGate

httpx = pytest.importorskip("httpx")
gradio_client = pytest.importorskip("gradio_client")
pytestmark = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
needs_second_address = pytest.mark.skipif(not second_address_works(), reason="needs a second loopback address (127.0.0.2), as Linux has")

LIMITS = Limits(
    head_seconds=1.0, body_seconds=2.0, result_seconds=1.0, sweep_seconds=0.2, connections_per_address=6, queue_slots_per_address=3, refusal_delay_seconds=0.3,
    sessions_per_address=5,
)
QUESTION = "寿县属于哪个试点？"


@dataclass
class Served:
    url: str
    port: int
    demo: Any
    service: ChatService


def _serve(project: Project, folder: Path, *, rate: str | None = None, slow: float = 0.0, **options: Any) -> Served:
    if rate:
        project = Project(replace(project.settings, rate=rate), embedder=project.embedder)
    service = ChatService(project, FeedbackLog(folder))
    if slow:  # every question takes this long, so the queue slots it holds stay held
        ask, ask_json = service.ask, service.ask_json
        service.ask = lambda *a, **k: (time.sleep(slow), ask(*a, **k))[1]  # type: ignore[method-assign]
        service.ask_json = lambda *a, **k: (time.sleep(slow), ask_json(*a, **k))[1]  # type: ignore[method-assign]
    demo = build_app(service)
    port = free_port()
    url = launch(demo, port=port, **options)
    return Served(url, port, demo, service)


@pytest.fixture(scope="module")
def served(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    app = _serve(project, tmp_path_factory.mktemp("limits"), limits=LIMITS)
    yield app
    app.demo.close()


@pytest.fixture(scope="module")
def slow(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    app = _serve(project, tmp_path_factory.mktemp("slow"), slow=1.0, limits=LIMITS)
    yield app
    app.demo.close()


@pytest.fixture(scope="module")
def limited(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One question a minute per session, 20 per address, 100 events a minute per address before the queue."""
    app = _serve(project, tmp_path_factory.mktemp("limited"), rate="1/min", limits=replace(LIMITS, events_per_minute=100, refusal_delay_seconds=0.0))
    yield app
    app.demo.close()


@pytest.fixture(scope="module")
def proxied(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The same limit behind a reverse proxy on 127.0.0.1, named in REFORMQA_TRUSTED_PROXIES."""
    app = _serve(project, tmp_path_factory.mktemp("proxied"), rate="1/min", limits=replace(LIMITS, refusal_delay_seconds=0.0), trusted_proxies="127.0.0.1")
    yield app
    app.demo.close()


def _fn_index(served: Served, api_name: str) -> int:
    config = httpx.get(served.url + "config").json()
    (found,) = [d["id"] for d in config["dependencies"] if d.get("api_name") == api_name]
    return int(found)


def _join(served: Served, fn_index: int, data: list[Any], *, source: str = "127.0.0.1", session: str | None = None) -> tuple[int, str]:
    body = {"data": data, "fn_index": fn_index, "session_hash": session or uuid.uuid4().hex}
    status, _, text = request(served.port, "POST", "/gradio_api/queue/join", body, source=source)
    return status, text


def _settle(served: Served, timeout: float = 10.0) -> None:
    """Wait until the queue has nothing waiting or running (a loaded machine runs events late)."""
    queue, deadline = served.demo._queue, time.monotonic() + timeout
    while time.monotonic() < deadline and (len(queue) or any(queue.active_jobs)):
        time.sleep(0.01)


def _call_ask(served: Served, question: str, *, source: str = "127.0.0.1", headers: dict[str, str] | None = None) -> dict[str, Any]:
    """/ask through Gradio's REST route: POST the call, then read its event stream."""
    status, _, text = request(served.port, "POST", "/gradio_api/call/ask", {"data": [question, 3, "", "full"]}, source=source, headers=headers)
    assert status == 200, (status, text[:300])
    event_id = json.loads(text)["event_id"]
    status, _, stream = request(served.port, "GET", f"/gradio_api/call/ask/{event_id}", source=source, headers=headers)
    data = [line[5:].strip() for line in stream.splitlines() if line.startswith("data:")]
    assert status == 200 and "event: complete" in stream, stream[:300]
    return json.loads(data[-1])[0]


# -- 1. bounded requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/gradio_api/queue/join", "/gradio_api/call/ask", "/login"])
def test_a_body_over_the_limit_is_refused_before_it_is_read(served: Served, route: str):
    """The attack's 30 MB questions: refused on the announced length, after 64 KiB of it at most."""
    with connect(served.port) as sock:
        sock.sendall(f"POST {route} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {30 * 1024 * 1024}\r\n\r\n".encode())
        sock.sendall(b'{"data": ["' + b"x" * 65536)
        head = read_head(sock, 5.0)
    assert head.startswith(b"HTTP/1.1 413"), head[:200]


def test_a_refusal_is_answered_late_so_a_flood_slows_down(served: Served):
    started = time.monotonic()
    status, _, _ = request(served.port, "POST", "/gradio_api/queue/join", "x" * (LIMITS.body_bytes + 1))
    assert status == 413 and time.monotonic() - started >= LIMITS.refusal_delay_seconds


def test_a_chunked_body_over_the_limit_is_refused_while_it_arrives(served: Served):
    with connect(served.port) as sock:
        sock.sendall(b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(40):  # 40 chunks of 16 KiB: 640 KiB, ten times the limit
                sock.sendall(b"4000\r\n" + b"x" * 0x4000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the rest was sent
        head = read_head(sock, 5.0)
    assert head.startswith(b"HTTP/1.1 413"), head[:200]


def test_the_error_object_echoes_only_a_prefix_of_the_question(served: Served):
    client = gradio_client.Client(served.url, verbose=False, download_files=False)
    long_question = "合肥都市圈的科研经费怎么管理？" * 40 + "x" * 20_000  # 20,600 characters, under the body limit
    result = client.predict(long_question, api_name="/ask")
    assert "500" in result["error"] and result["citations"] == []
    assert len(result["question"]) <= 101 and long_question.startswith(result["question"].rstrip("…"))


def test_results_nobody_reads_are_dropped(served: Served):
    queue = served.demo._queue
    events = []
    for _ in range(5):  # posted, never read: Gradio would keep each answer until the server stops
        status, _, text = request(served.port, "POST", "/gradio_api/call/ask", {"data": [QUESTION, 3, "", "full"]})
        assert status == 200, text
        events.append(json.loads(text)["event_id"])
        _settle(served)  # one at a time: this address has only 3 queue slots
    seen, deadline = False, time.monotonic() + 10
    while time.monotonic() < deadline and (any(e in queue.event_ids_to_events for e in events) or not seen):
        seen = seen or any(e in queue.pending_messages_per_session for e in events)  # answered, waiting for a reader
        time.sleep(0.01)
    assert seen
    deadline = time.monotonic() + LIMITS.result_seconds + 10  # a loaded machine may run the sweep late
    while time.monotonic() < deadline and any(e in queue.pending_messages_per_session or e in queue.pending_event_ids_session for e in events):
        time.sleep(0.1)
    assert not any(e in queue.pending_messages_per_session or e in queue.pending_event_ids_session for e in events)


@needs_second_address
def test_one_address_keeps_a_bounded_number_of_sessions(served: Served):
    """Gradio keeps ~110 KB for every session it has seen, 10,000 of them: a script inventing sessions filled memory."""
    holder, fn_index = served.demo.state_holder, _fn_index(served, "on_load")
    mine = [uuid.uuid4().hex for _ in range(12)]
    for session in mine:
        assert _join(served, fn_index, ["zh"], source="127.0.0.11", session=session)[0] == 200
        _settle(served)
    other = uuid.uuid4().hex
    assert _join(served, fn_index, ["zh"], source="127.0.0.12", session=other)[0] == 200
    time.sleep(0.3)
    assert sum(s in holder.session_data for s in mine) <= LIMITS.sessions_per_address
    assert mine[-1] in holder.session_data and other in holder.session_data  # the newest stays, and another address's
    calls = []  # /call/ask: every call is a session of its own (its event id)
    for _ in range(8):
        status, _, text = request(served.port, "POST", "/gradio_api/call/ask", {"data": [QUESTION, 3, "", "full"]}, source="127.0.0.13")
        assert status == 200, text
        calls.append(json.loads(text)["event_id"])
        _settle(served)
    assert sum(c in holder.session_data for c in calls) <= LIMITS.sessions_per_address


class _Queue:
    """The parts of Gradio's queue and state holder that QueueGate reads: events wait, then run and make their state."""

    def __init__(self) -> None:
        self.waiting: list[Any] = []
        self.event_queue_per_concurrency_id = {"ask": type("Waiting", (), {"queue": self.waiting})()}
        self.active_jobs: list[Any] = []
        self.pending_messages_per_session: dict[str, Any] = {}
        self.pending_event_ids_session: dict[str, Any] = {}
        self.event_ids_to_events: dict[str, Any] = {}
        self.state_holder = type("Holder", (), {"session_data": {}, "time_last_used": {}, "lock": threading.Lock()})()

    def join(self, session: str) -> None:
        self.waiting.append(type("Event", (), {"session_hash": session, "request": None})())

    def run(self, session: str) -> None:  # Gradio makes a session's state when its event runs, not when it joins
        self.waiting[:] = [e for e in self.waiting if e.session_hash != session]
        self.state_holder.session_data[session] = object()


def test_a_session_dropped_before_its_event_ran_does_not_keep_the_state_it_makes_later():
    queue = _Queue()
    demo = type("Demo", (), {"_queue": queue, "state_holder": queue.state_holder})()
    gate = QueueGate(demo, Limits(sessions_per_address=2))
    for call in ("c1", "c2", "c3"):  # calls sent faster than they run: all three wait
        queue.join(call)
        gate.own("10.0.0.1", call)
        gate.sweep()  # nothing of theirs is kept yet, and they are not forgotten for it
    for call in ("c1", "c2", "c3"):
        queue.run(call)
    gate.sweep()
    assert sorted(queue.state_holder.session_data) == ["c2", "c3"]  # c1 went past the share while it waited
    queue.join("c4")
    gate.own("10.0.0.1", "c4")
    queue.run("c4")
    gate.sweep()
    assert sorted(queue.state_holder.session_data) == ["c3", "c4"]  # the share still counts c2 and c3


def test_message_queues_nobody_uses_are_dropped(served: Served):
    """Empty queues of finished sessions filled Gradio's cache of 2,000, which then evicted live ones."""
    queue, fn_index = served.demo._queue, _fn_index(served, "on_load")
    session = uuid.uuid4().hex
    assert _join(served, fn_index, ["zh"], session=session)[0] == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and session in queue.pending_messages_per_session:
        time.sleep(0.1)
    assert session not in queue.pending_messages_per_session and session not in queue.pending_event_ids_session


def test_silent_and_trickling_connections_are_closed(served: Served):
    with connect(served.port) as silent:
        closed, _ = read_until_closed(silent, LIMITS.head_seconds + 3)
    assert closed, "a connection that sends nothing stays open"
    with connect(served.port) as trickle:  # a request head one byte at a time, never finished
        trickle.sendall(b"GET /config HTTP/1.1\r\nHost: x\r\n")
        started, closed = time.monotonic(), False
        while time.monotonic() - started < LIMITS.head_seconds + 3 and not closed:
            try:
                trickle.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed, _ = read_until_closed(trickle, 0.3)
    assert closed, "a request head sent a byte at a time keeps its connection forever"
    with connect(served.port) as slow_body:  # the head, then 10 of 100 announced bytes
        slow_body.sendall(b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n0123456789")
        closed, answer = read_until_closed(slow_body, LIMITS.body_seconds + 3)
    assert closed and answer.startswith(b"HTTP/1.1 408"), answer[:200]


@needs_second_address
def test_open_connections_per_address_are_capped(served: Served):
    held = [connect(served.port, source="127.0.0.3") for _ in range(LIMITS.connections_per_address)]
    try:
        with connect(served.port, source="127.0.0.3") as extra:
            closed, answer = read_until_closed(extra, 0.5)
        assert closed and answer.startswith(b"HTTP/1.1 503"), answer[:200]
        status, _, _ = request(served.port, "GET", "/config", source="127.0.0.4")  # another address is not held up
        assert status == 200
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert request(served.port, "GET", "/config", source="127.0.0.3")[0] == 200  # closed ones are counted out


# -- 3. fair queue: limits before the queue ---------------------------------------------------------


@needs_second_address
def test_one_address_holds_a_few_queue_slots_and_others_are_still_answered(slow: Served):
    """The attack's flood: 80 joins at once from one address used to fill the queue (64) for everyone."""
    fn_index = _fn_index(slow, "on_ask")
    with concurrent.futures.ThreadPoolExecutor(80) as pool:
        flood = [pool.submit(_join, slow, fn_index, [QUESTION, None, "", "full", ""], source="127.0.0.2") for _ in range(80)]
        client = gradio_client.Client(slow.url, verbose=False, download_files=False)
        answered = client.predict(QUESTION, api_name="/ask")
        results = [f.result() for f in flood]
    accepted = [text for status, text in results if status == 200]
    refused = [(status, text) for status, text in results if status != 200]
    assert len(accepted) <= LIMITS.queue_slots_per_address, f"{len(accepted)} queue slots held by one address"
    # Refused before the queue: by its slots (429), or at the door, past its open connections (503).
    assert all((status == 429 and "in the queue" in text) or (status == 503 and "connections" in text) for status, text in refused), refused[:3]
    assert any(status == 429 for status, _ in refused)
    assert answered["citations"] and "error" not in answered  # not "Queue is full"


@needs_second_address
def test_the_rate_limit_is_checked_before_the_queue(limited: Served):
    """Refused requests never reach Gradio's queue: it records only the ones let through."""
    fn_index = _fn_index(limited, "on_load")  # a cheap event: slots free up at once, so only the rate refuses
    queue = limited.demo._queue
    before = queue.events_recorded
    results = [_join(limited, fn_index, ["zh"], source="127.0.0.5") for _ in range(150)]
    accepted = sum(1 for status, _ in results if status == 200)
    rate_refused = [text for status, text in results if status == 429 and "try again in" in text]
    assert len(rate_refused) >= 30, f"{accepted} of 150 joins accepted from one address"
    time.sleep(0.5)
    assert queue.events_recorded - before == accepted


def test_forwarded_for_is_not_trusted_unless_the_proxy_is_named(limited: Served):
    """Random X-Forwarded-For values used to give every request a fresh address allowance (500 of 500)."""
    replies = [_call_ask(limited, QUESTION, headers={"X-Forwarded-For": f"10.{i}.{i}.{i}"}) for i in range(24)]
    refused = [r for r in replies if "error" in r]  # /call/ask gives each request its own session: the address limit (20) holds
    assert len(refused) >= 3 and all("network address" in r["error"] for r in refused), [r.get("error") for r in replies[-4:]]


@needs_second_address
def test_a_named_proxy_is_trusted_and_no_one_else(proxied: Served):
    # Behind the proxy on 127.0.0.1, 24 people are 24 addresses: none is held to another's allowance.
    replies = [_call_ask(proxied, QUESTION, headers={"X-Forwarded-For": f"10.9.0.{i}"}) for i in range(24)]
    assert all("error" not in r for r in replies), [r.get("error") for r in replies if "error" in r][:2]
    # A client that is not the proxy cannot borrow addresses by writing the header itself.
    replies = [_call_ask(proxied, QUESTION, source="127.0.0.8", headers={"X-Forwarded-For": f"10.8.{i}.1"}) for i in range(24)]
    assert sum("network address" in r.get("error", "") for r in replies) >= 3


# -- 6 and 14. closed routes ------------------------------------------------------------------------


def test_the_upload_route_is_closed(served: Served):
    from gradio.utils import get_upload_folder

    marker = f"upload {uuid.uuid4().hex}"
    response = httpx.post(served.url + "gradio_api/upload", files={"files": ("note.txt", marker.encode())})
    assert response.status_code in (403, 404), response.text[:200]
    folder = Path(get_upload_folder())
    assert not any(marker.encode() in p.read_bytes() for p in folder.rglob("*.txt") if p.is_file() and p.stat().st_size < 4096)


@pytest.mark.parametrize("name", ["on_ask", "on_compare", "on_lang", "on_load", "on_undo", "on_like", "lambda"])
def test_the_page_events_cannot_be_called_through_the_rest_route(served: Served, name: str):
    for route in (f"/gradio_api/call/{name}", f"/gradio_api/call/v2/{name}", f"/gradio_api/call/{name}/"):
        status, _, text = request(served.port, "POST", route, {"data": [QUESTION, None, "", "full", ""]})
        assert status == 404, (route, status, text[:200])
    status, _, _ = request(served.port, "GET", f"/gradio_api/call/{name}/0123456789abcdef")
    assert status == 404


def test_ask_is_still_callable_through_the_rest_route(served: Served):
    assert _call_ask(served, QUESTION)["citations"][0]["region"] == "合肥都市圈"


def test_who_a_client_is():
    from reformqa.errors import ReformqaError
    from reformqa.web.limits import TrustedProxies, client_key

    nobody, proxy = TrustedProxies(None), TrustedProxies("127.0.0.1, 10.0.0.0/24")
    assert nobody.client("127.0.0.1", ["1.2.3.4"]) == "127.0.0.1"  # not named: its header is nobody's word
    assert proxy.client("127.0.0.1", ["1.2.3.4, 10.0.0.7"]) == "1.2.3.4"  # the nearest hop that is not a proxy
    assert proxy.client("127.0.0.1", []) == "127.0.0.1" and proxy.client("8.8.8.8", ["1.2.3.4"]) == "8.8.8.8"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_key("192.0.2.7") == "192.0.2.7"
    with pytest.raises(ReformqaError, match="REFORMQA_TRUSTED_PROXIES"):
        TrustedProxies("localhost")
