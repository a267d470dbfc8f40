"""Throttled password logins: failures back off per address and per user name, and each is logged without the password.

Gradio's ``/login`` answers as fast as it can compare: 600 guesses a second
from one address. ``LoginThrottle`` counts failures by address and by user
name (any name opens reformqa, so the address is what stops a guesser; the
name stops one spread over many addresses). After ``free_attempts`` typing
mistakes, the next attempt waits ``backoff`` seconds, doubled with each
further failure up to ``backoff_max``; until then every attempt from that
address or for that name, the right password included, gets 429 with
``Retry-After``. A success clears both. Records idle for ten ceilings are
forgotten, so memory stays flat.

``handle_login`` is the ASGI side: it reads the small form Gradio expects,
asks the throttle, passes the request on, and learns from the status.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

__all__ = ["LoginThrottle", "handle_login"]

log = logging.getLogger(__name__)
SWEEP_EVERY = 60.0  # seconds between sweeps of forgotten records
MAX_RECORDS = 100_000  # beyond this the oldest records go first, whatever their age

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


class LoginThrottle:
    """Failed logins by address and by user name; thread-safe."""

    def __init__(self, *, free_attempts: int = 3, backoff: float = 1.0, backoff_max: float = 600.0, clock: Callable[[], float] = time.monotonic):
        self.free_attempts, self.backoff, self.backoff_max = free_attempts, backoff, backoff_max
        self._clock = clock
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # (kind, key) -> (failures in a row, time of the last)
        self._lock = threading.Lock()
        self._swept = clock()

    def __len__(self) -> int:
        return len(self._failures)

    def _wait(self, key: tuple[str, str], now: float) -> float:
        count, last = self._failures.get(key, (0, now))
        if count < self.free_attempts:
            return 0.0
        return max(0.0, last + min(self.backoff_max, self.backoff * 2 ** (count - self.free_attempts)) - now)

    def wait(self, address: str, user: str) -> float:
        """Seconds until an attempt from this address for this user name is heard (0: now)."""
        now = self._clock()
        with self._lock:
            return max(self._wait(("address", address), now), self._wait(("user", _name(user)), now))

    def failed(self, address: str, user: str) -> float:
        """Count a wrong password; the wait it earns."""
        now = self._clock()
        with self._lock:
            if now - self._swept >= SWEEP_EVERY:
                self._sweep(now)
            for key in (("address", address), ("user", _name(user))):
                count, _ = self._failures.pop(key, (0, now))
                self._failures[key] = (count + 1, now)  # re-inserted: the dict stays in order of last failure
            while len(self._failures) > MAX_RECORDS:
                del self._failures[next(iter(self._failures))]
            return max(self._wait(("address", address), now), self._wait(("user", _name(user)), now))

    def succeeded(self, address: str, user: str) -> None:
        """The right password: both records start again."""
        with self._lock:
            self._failures.pop(("address", address), None)
            self._failures.pop(("user", _name(user)), None)

    def failures(self, address: str) -> int:
        with self._lock:
            return self._failures.get(("address", address), (0, 0.0))[0]

    def _sweep(self, now: float) -> None:
        forget = 10 * self.backoff_max
        for key, (_, last) in list(self._failures.items()):
            if now - last >= forget:
                del self._failures[key]
        self._swept = now


def _name(user: str) -> str:
    return user.strip().casefold()[:128]


def _shown(text: str) -> str:
    """A user name for the log: printable, short, quoted."""
    return repr(text[:64] + ("…" if len(text) > 64 else ""))


async def _refuse(send: Send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    body = json.dumps({"detail": f"登录失败次数过多，请 {seconds} 秒后再试。 / Too many failed logins: try again in {seconds} s."}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"retry-after", str(seconds).encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def handle_login(app: Callable[..., Awaitable[None]], scope: dict[str, Any], body: bytes, receive: Receive, send: Send, address: str, throttle: LoginThrottle) -> None:
    """Pass a login on unless its address or user name is backing off; count how it went."""
    form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8) if body else {}
    user = (form.get("username") or [""])[0]
    wait = throttle.wait(address, user)
    if wait > 0:
        log.info("login for user %s from %s refused for %.0f s more (backing off)", _shown(user), address, wait)
        await _refuse(send, wait)
        return
    status: list[int] = []

    async def watch(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(int(message["status"]))
        await send(message)

    await app(scope, receive, watch)
    if status and status[0] == 200:
        throttle.succeeded(address, user)
    elif status and 400 <= status[0] < 500 and status[0] != 413:
        earned = throttle.failed(address, user)
        log.warning(
            "failed login for user %s from %s (%d in a row from this address); next attempt heard in %.0f s",
            _shown(user), address, throttle.failures(address), earned,
        )
