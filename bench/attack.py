"""Adversarial clients for ``bench/load.py --attack``: what the attack session of issue 15 sent, on loopback.

Three attackers, each from its own loopback address (Linux routes all of 127.0.0.0/8 to loopback), each
writing a forged ``X-Forwarded-For`` that the server must ignore:

- **big-body** (127.0.0.66): POSTs announcing 30 MB questions to ``/gradio_api/queue/join`` and
  ``/gradio_api/call/ask``, then pushes the bytes as fast as the server takes them; and chunked bodies with no
  announced length;
- **queue-flooding** (127.0.0.67): 16 threads joining the queue with new sessions as fast as they can, never
  reading a result (the attack's ~95 joins a second, which filled the queue for everyone);
- **feedback-replaying** (127.0.0.68): asks four questions, then replays the like event on those answers from
  8 threads (the attack logged 653 records in 10 s from one thread).

Each attacker counts the server's replies by status. ``Attack.stop()`` returns those counts, and how many lines
the feedback log of the project copy gained.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["Attack", "RssSampler"]

BIG = 30 * 1024 * 1024
QUESTION = "合肥都市圈的科研人员可以获得多少比例的成果所有权？"
SOURCES = {"big-body": "127.0.0.66", "queue-flooding": "127.0.0.67", "feedback-replaying": "127.0.0.68"}


def _forged() -> dict[str, str]:
    return {"X-Forwarded-For": f"{random.randint(1, 223)}.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"}


class _Connection:
    """A keep-alive HTTP connection from one source address, reopened when the server closes it."""

    def __init__(self, port: int, source: str):
        self.port, self.source, self.http = port, source, None

    def post(self, path: str, body: dict[str, Any]) -> int:
        for _ in range(2):
            if self.http is None:
                self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.source, 0))
            try:
                self.http.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json", **_forged()})
                response = self.http.getresponse()
                response.read()
                if response.getheader("connection", "").lower() == "close":
                    self.close()
                return response.status
            except (OSError, http.client.HTTPException):
                self.close()
        return 0

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None


class Attack:
    """The three attackers against one server; start(), then stop() for the figures."""

    def __init__(self, url: str, port: int, home: Path | None):
        self.url, self.port, self.home = url, port, home
        self.stopping = threading.Event()
        self.counts: dict[str, Counter[str]] = {name: Counter() for name in SOURCES}
        self.threads: list[threading.Thread] = []
        self.fn = self._fn_indexes()
        self.feedback_before = self._feedback_lines()

    def _fn_indexes(self) -> dict[str, int]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", "/config")
        config = json.loads(connection.getresponse().read())
        connection.close()
        return {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name") in ("on_ask", "on_like")}

    def _feedback_lines(self) -> int | None:
        if self.home is None:
            return None
        path = self.home / "feedback" / "feedback.jsonl"
        return path.read_bytes().count(b"\n") if path.exists() else 0

    def start(self) -> None:
        sessions = [self._ask_and_read(uuid.uuid4().hex) for _ in range(4)]  # answers to replay likes on
        plan = [(self._big_body, ())] + [(self._flood, ())] * 16 + [(self._replay, (sessions,))] * 8
        for target, args in plan:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> dict[str, Any]:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)
        after = self._feedback_lines()
        return {
            "attackers": {name: {"source": SOURCES[name], "requests": sum(c.values()), "by_status": dict(sorted(c.items()))} for name, c in self.counts.items()},
            "feedback_records_written": None if after is None or self.feedback_before is None else after - self.feedback_before,
        }

    # -- the attackers ------------------------------------------------------------------------------

    def _big_body(self) -> None:
        counts, source = self.counts["big-body"], SOURCES["big-body"]
        chunk = b'{"data": ["' + b"x" * (1024 * 1024 - 11)
        while not self.stopping.is_set():
            for route, chunked in (("/gradio_api/queue/join", False), ("/gradio_api/call/ask", False), ("/gradio_api/queue/join", True)):
                length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BIG}"
                head = f"POST {route} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{length}\r\nX-Forwarded-For: {_forged()['X-Forwarded-For']}\r\n\r\n"
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=10, source_address=(source, 0)) as sock:
                        sock.sendall(head.encode())
                        try:
                            for _ in range(30):
                                sock.sendall((b"%x\r\n" % len(chunk)) + chunk + b"\r\n" if chunked else chunk)
                        except OSError:
                            pass  # the server answered and closed: what it should do
                        sock.settimeout(10)
                        status = sock.recv(64).split(b" ")[1].decode()
                except (OSError, IndexError):
                    status = "closed"
                counts[status] += 1

    def _flood(self) -> None:
        counts, connection = self.counts["queue-flooding"], _Connection(self.port, SOURCES["queue-flooding"])
        while not self.stopping.is_set():
            body = {"data": [QUESTION, None, "", "full", ""], "fn_index": self.fn["on_ask"], "session_hash": uuid.uuid4().hex}
            counts[str(connection.post("/gradio_api/queue/join", body))] += 1
        connection.close()

    def _replay(self, sessions: list[str]) -> None:
        counts, connection = self.counts["feedback-replaying"], _Connection(self.port, SOURCES["feedback-replaying"])
        while not self.stopping.is_set():
            body = {"data": [None], "fn_index": self.fn["on_like"], "session_hash": random.choice(sessions), "event_data": {"index": [1, 0], "value": "", "liked": True}}
            counts[str(connection.post("/gradio_api/queue/join", body))] += 1
        connection.close()

    def _ask_and_read(self, session: str) -> str:
        """One question in a session, its answer read from the event stream, so the session has an answer to like."""
        connection = _Connection(self.port, SOURCES["feedback-replaying"])
        connection.post("/gradio_api/queue/join", {"data": [QUESTION, None, "", "full", ""], "fn_index": self.fn["on_ask"], "session_hash": session})
        connection.close()
        stream = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(SOURCES["feedback-replaying"], 0))
        stream.request("GET", f"/gradio_api/queue/data?session_hash={session}")
        response, deadline = stream.getresponse(), time.monotonic() + 30
        while time.monotonic() < deadline and b"process_completed" not in (line := response.readline()) and line:
            pass
        stream.close()
        return session


class RssSampler(threading.Thread):
    """The server's resident memory, read from /proc twice a second; the largest value seen."""

    def __init__(self, pid: int | None):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopping = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set() and self.pid is not None:
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.peak = max(self.peak, int(line.split()[1]) / 1024)
            except OSError:
                return
            self.stopping.wait(0.5)

    def stop(self) -> float:
        self.stopping.set()
        self.join(timeout=5)
        return round(self.peak, 1)
