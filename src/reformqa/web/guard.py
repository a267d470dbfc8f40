"""The ASGI middleware in front of Gradio: every request is sized, counted and vetted before Gradio parses it.

In order, for each HTTP request:

1. who the client is (``TrustedProxies``): forwarded headers from anyone but a
   named proxy are dropped, so neither the rate limit nor Gradio sees them;
2. closed routes: ``/gradio_api/upload`` (the app has no upload field), and
   ``/gradio_api/call/<name>`` for every name but ``ask`` (the page's own
   events are not API);
3. with a password, nothing under ``/gradio_api/`` but the login check
   answers without the login cookie (Gradio leaves the heartbeat, cancel,
   reset and stream routes open);
4. at most ``requests_per_address`` requests in progress per address;
5. the body: refused on its announced length, or while it arrives, beyond
   ``body_bytes`` (413), or if it is not all there within ``body_seconds``
   (408); only then does Gradio see it, replayed from memory;
6. ``/login`` goes through the throttle (``login.py``);
7. a queue join or ``/call/ask`` must pass the ``QueueGate`` first: the
   address's event allowance and its queue slots; the session it joins with
   counts against the address's sessions (``queue.py``).

Refusals are JSON ``{"detail": ...}``, which Gradio's page shows as the error.
A 413, 408 or 429 is sent ``refusal_delay_seconds`` late, while the request
still counts against its address: a flood slows to the pace of its allowed
connections, and costs the server a sleeping coroutine instead of a busy core.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from .limits import Limits, Tally, TrustedProxies, client_key
from .login import LoginThrottle, handle_login
from .queue import QueueGate, reader_of, session_of

__all__ = ["PUBLIC_API", "Guard", "respond"]

PUBLIC_API = frozenset({"ask"})  # the one endpoint /gradio_api/call/<name> may reach
_FORWARDED = (b"x-forwarded-", b"forwarded", b"x-real-ip")
_OPEN_WITHOUT_LOGIN = ("/gradio_api/login_check", "/gradio_api/app_id")  # what the login page asks before the password
_JOINS = ("/gradio_api/queue/join", "/gradio_api/call/")
_NO_BODY = ("GET", "HEAD", "OPTIONS")

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class _Refused(Exception):
    def __init__(self, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...] = ()):
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers


async def respond(send: Any, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """A small JSON refusal, closing the connection when the request body was not read."""
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Wraps the ASGI app that mounts Gradio; see the module docstring for the order of the checks."""

    def __init__(
        self, app: App, *, limits: Limits, trusted: TrustedProxies, gate: QueueGate, throttle: LoginThrottle | None, logged_in: Callable[[dict[str, Any]], bool]
    ):
        self.app, self.limits, self.trusted, self.gate, self.throttle, self.logged_in = app, limits, trusted, gate, throttle, logged_in
        self._in_progress = Tally()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":  # the app speaks no websocket
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        peer, port = scope.get("client") or ("", 0)
        headers = scope["headers"]
        address = client_key(self.trusted.client(peer, [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]))
        if peer not in self.trusted:
            headers = [(k, v) for k, v in headers if not k.startswith(_FORWARDED)]
        scope = {**scope, "client": (address, port), "headers": headers}
        try:
            self._check_route(scope)
        except _Refused as refused:
            await respond(send, refused.status, refused.detail, refused.headers)
            return
        if self._in_progress[address] >= self.limits.requests_per_address:
            await respond(send, 503, "这个网络地址的请求太多了，请稍后再试。 / Too many requests in progress from this network address: please try again shortly.", ((b"retry-after", b"5"),))
            return
        with self._in_progress.holding(address):
            await self._serve(scope, receive, send, address)

    def _check_route(self, scope: dict[str, Any]) -> None:
        path = scope["path"].rstrip("/") or "/"
        locked = self.throttle is not None and not self.logged_in(scope)  # a password is set and this request lacks the cookie
        if locked and path.startswith("/gradio_api/") and path not in _OPEN_WITHOUT_LOGIN:
            raise _Refused(401, "Not authenticated")
        if path in ("/gradio_api/upload", "/gradio_api/upload_progress"):
            raise _Refused(404, "Not Found")  # no upload field: nothing to upload to
        if path.startswith("/gradio_api/call/"):
            parts = path.removeprefix("/gradio_api/call/").split("/")
            name = parts[1] if parts[0] == "v2" and len(parts) > 1 else parts[0]
            if name not in PUBLIC_API:
                raise _Refused(404, "Not Found")

    async def _serve(self, scope: dict[str, Any], receive: Any, send: Any, address: str) -> None:
        path = scope["path"].rstrip("/")
        login = path == "/login" and self.throttle is not None
        limit = self.limits.login_body_bytes if path == "/login" else self.limits.body_bytes
        announced = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if announced is not None and (not announced.isdigit() or int(announced) > limit):
            await self._refuse(send, 413, f"The request is larger than {limit:,} bytes.", ((b"connection", b"close"),))
            return
        if scope["method"] in _NO_BODY and announced in (None, b"0"):
            with self.gate.reading(reader_of(path, scope.get("query_string", b""))):  # a stream reading a session's answers
                await self.app(scope, receive, send)
            return
        try:
            body = await asyncio.wait_for(self._read_body(receive, limit), self.limits.body_seconds)
        except _Refused as refused:
            await self._refuse(send, refused.status, refused.detail, ((b"connection", b"close"),))
            return
        except TimeoutError:
            await respond(send, 408, f"The request body did not arrive within {self.limits.body_seconds:g} s.", ((b"connection", b"close"),))
            return
        if body is None:  # the client went away
            return
        replay = _replay(body, receive)
        if login:
            assert self.throttle is not None
            await handle_login(self.app, scope, body, replay, send, address, self.throttle)
            return
        if scope["method"] == "POST" and path.startswith(_JOINS):
            if refusal := self.gate.admit(address):
                await self._refuse(send, 429, refusal.message, ((b"retry-after", str(max(1, math.ceil(refusal.wait))).encode()),))
                return
            with self.gate.admitting(address):  # counts as a slot until Gradio has queued (or refused) it
                await self.app(scope, replay, self.gate.joined(address, session_of(body), send))
            return
        await self.app(scope, replay, send)

    async def _refuse(self, send: Any, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...]) -> None:
        await asyncio.sleep(self.limits.refusal_delay_seconds)
        await respond(send, status, detail, headers)

    @staticmethod
    async def _read_body(receive: Any, limit: int) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _Refused(413, f"The request is larger than {limit:,} bytes.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
    """A receive() that gives the body read already, then whatever comes next (a disconnect)."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await receive()
        return message

    return replay
