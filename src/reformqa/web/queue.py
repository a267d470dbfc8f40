"""Fair use of Gradio's queue and its memory: limits checked before an event takes a slot, sessions and answers bounded.

Gradio 6.31 checks nothing per client before ``queue/join`` puts an event in
its queue, keeps every result until a client reads it, and keeps ~110 KB of
state for every session it has seen (10,000 by default), a ``/call`` request
being a session of its own. ``QueueGate`` is asked by the ``Guard`` before a
join reaches Gradio:

- **events per address**: a token bucket for every event an address sends
  (the page's like, language and load events too), ``events_per_minute``;
  refused joins never reach the queue;
- **queue slots per address**: at most ``queue_slots_per_address`` of its
  events waiting or running (joins on their way in included), so one script
  cannot fill the 64 places for everyone;
- **sessions per address**: the sessions an address used, least recently
  used first; past ``sessions_per_address`` its oldest one's state goes (its
  own, never another address's). Gradio makes a session's state when its
  event runs, which can be after the join that let it in: a session dropped
  or forgotten while its event still waits would otherwise get its state back
  afterwards, and keep it (calls sent faster than they ran went past the share).

``sweep`` runs every ``sweep_seconds`` on the server's event loop, over the
sessions with no event waiting or running: an answer unread for
``result_seconds`` is dropped, so is an empty message queue seen twice, and
beyond ``unread_results`` sessions holding answers the longest-waiting go
first (Gradio's own cache of 2,000 message queues would otherwise evict
whatever is oldest, a live one included).

This reads Gradio's internals (``Blocks._queue``: its event lists,
``pending_messages_per_session``, ``pending_event_ids_session``; the
``state_holder``); they are pinned with gradio==6.31.0 and exercised by
tests/test_server_limits.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from .limits import Limits, Tally
from .ratelimit import Rate, RateLimiter

__all__ = ["Admission", "QueueGate", "reader_of", "session_of"]


@dataclass(frozen=True, slots=True)
class Admission:
    """Why a join was refused before the queue, and how long to wait."""

    message: str
    wait: float


class QueueGate:
    """Per-address limits in front of a Blocks app's queue, and the sweep of unread results."""

    def __init__(self, demo: Any, limits: Limits, *, clock: Callable[[], float] = time.monotonic):
        self.demo, self.limits, self._clock = demo, limits, clock
        events = Rate(limits.events_per_minute, 60.0) if limits.events_per_minute > 0 else None
        self.events = RateLimiter(events, host_share=1, clock=clock)
        self._joining = Tally()
        self._readers = Tally()  # event streams open per session: their answers are being read
        self._idle: dict[str, tuple[Any, float]] = {}  # session -> (its oldest unread message, or (_EMPTY, messages ever put), and since when)
        self._sessions: dict[str, OrderedDict[str, None]] = {}  # address -> its sessions, least recently used first
        self._dropped: set[str] = set()  # sessions past their address's share whose event was still waiting or running

    def _events(self) -> list[Any]:
        """The events in the queue, waiting or running."""
        queue = self.demo._queue
        return [e for q in queue.event_queue_per_concurrency_id.values() for e in q.queue] + [e for job in queue.active_jobs if job for e in job]

    def slots(self, address: str) -> int:
        """Events of this address in the queue (waiting or running), and joins of it on their way in."""
        return self._joining[address] + sum(1 for e in self._events() if _address(e) == address)

    def admit(self, address: str) -> Admission | None:
        """None if this address may join the queue now; else why not."""
        held = self.slots(address)
        if held >= self.limits.queue_slots_per_address:
            return Admission(
                f"这个网络地址已有 {held} 个请求在排队，请等它们完成后再试。 / This network address already has {held} requests in the queue: "
                "please wait for them to finish.", 2.0,
            )
        refused = self.events.check(address, address_only=True)
        if refused is not None:
            seconds = max(1, round(refused.wait))
            return Admission(f"这个网络地址的请求太多了，请 {seconds} 秒后再试。 / Too many requests from this network address: please try again in {seconds} s.", refused.wait)
        return None

    def admitting(self, address: str) -> contextlib.AbstractContextManager[None]:
        """Hold a slot for a join until Gradio has put it in the queue (or refused it)."""
        return self._joining.holding(address)

    def reading(self, session: str | None) -> contextlib.AbstractContextManager[None]:
        """Mark a session as read from while its event stream is open (nothing of it is swept meanwhile)."""
        return self._readers.holding(session) if session else contextlib.nullcontext()

    def own(self, address: str, session: str) -> None:
        """Note that this address uses this session; past its share, its least recently used session's state is dropped."""
        owned = self._sessions.setdefault(address, OrderedDict())
        owned[session] = None
        owned.move_to_end(session)
        self._dropped.discard(session)  # used again: its share counts it once more
        while len(owned) > self.limits.sessions_per_address:
            old, _ = owned.popitem(last=False)
            self._drop_state(old)
            if getattr(self.demo, "_queue", None) is not None and old in self._busy():
                self._dropped.add(old)  # its event may make its state after now: dropped again once it has run

    def _busy(self) -> set[str]:
        """Sessions with an event waiting or running (a /call's session is its event's id)."""
        return {getattr(e, "session_hash", None) or "" for e in self._events()}

    def _drop_state(self, session: str) -> None:
        holder = getattr(self.demo, "state_holder", None)
        if holder is not None:
            with holder.lock:
                holder.session_data.pop(session, None)
                holder.time_last_used.pop(session, None)

    def joined(self, address: str, session: str | None, send: Send) -> Send:
        """A send() for Gradio's answer to a join, noting the session the address now uses (for /call, its event id)."""
        status, body = [0], bytearray()

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
                if status[0] == 200 and session:
                    self.own(address, session)
            elif status[0] == 200 and not session and len(body) < 4096:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    event = _json(bytes(body)).get("event_id")
                    if isinstance(event, str):
                        self.own(address, event)
            await send(message)

        return watch

    def sweep(self) -> int:
        """Drop answers nobody came to read and message queues nobody uses; how many sessions were dropped."""
        queue = getattr(self.demo, "_queue", None)
        if queue is None:
            return 0
        now, dropped = self._clock(), 0
        pending, ids_of = queue.pending_messages_per_session, queue.pending_event_ids_session
        seen: dict[str, tuple[Any, float]] = {}
        for session, messages in list(pending.items()):
            if self._readers[session] or any(i in queue.event_ids_to_events for i in ids_of.get(session, ())):
                continue  # a stream is reading it, or an event is waiting or running: its answer has a place to go
            # asyncio.Queue internals: the oldest unread message; for an empty queue, how many were ever put (Gradio
            # never calls task_done), so an emptiness seen again after new messages is a new one.
            head = messages._queue[0] if messages.qsize() else (_EMPTY, messages._unfinished_tasks)
            before = self._idle.get(session)
            same = before is not None and (before[0] is head or (isinstance(head, tuple) and before[0] == head))
            since = before[1] if before is not None and same else now
            if now - since >= (self.limits.sweep_seconds if isinstance(head, tuple) else self.limits.result_seconds):
                self._drop(queue, session)
                dropped += 1
            else:
                seen[session] = (head, since)
        waiting = sorted((since, session) for session, (head, since) in seen.items() if not isinstance(head, tuple))
        for _, session in waiting[: max(0, len(waiting) - self.limits.unread_results)]:
            self._drop(queue, session)
            del seen[session]
            dropped += 1
        for session, ids in list(ids_of.items()):  # finished events whose queue is gone (dropped, or evicted by Gradio)
            if session not in pending and not any(i in queue.event_ids_to_events for i in ids):
                del ids_of[session]
        busy = self._busy()
        for session in self._dropped - busy:  # dropped past their share while their event ran: it has run now
            self._drop_state(session)
        self._dropped &= busy
        holder = getattr(self.demo, "state_holder", None)
        for address, owned in list(self._sessions.items()):  # forget sessions Gradio no longer keeps (nor will: no event waits)
            for session in [s for s in owned if (holder is None or s not in holder.session_data) and s not in busy]:
                del owned[session]
            if not owned:
                del self._sessions[address]
        self._idle = seen
        return dropped

    @staticmethod
    def _drop(queue: Any, session: str) -> None:
        queue.pending_messages_per_session.pop(session, None)
        queue.pending_event_ids_session.pop(session, None)

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.limits.sweep_seconds)
            self.sweep()


_EMPTY = object()  # what an empty message queue is "headed" by
Send = Callable[[dict[str, Any]], Awaitable[None]]


def _json(data: bytes) -> dict[str, Any]:
    try:
        found = json.loads(data)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def reader_of(path: str, query: bytes) -> str | None:
    """The session whose answers a GET streams: ``queue/data?session_hash=`` or ``call/ask/<event id>``."""
    if path == "/gradio_api/queue/data":
        found = parse_qs(query.decode("latin-1")).get("session_hash", [""])[0]
        return found[:128] or None
    if path.startswith("/gradio_api/call/"):
        parts = path.split("/")
        return parts[-1][:128] if len(parts) >= 5 else None
    return None


def session_of(body: bytes) -> str | None:
    """The session a queue join names, if its body says."""
    session = _json(body).get("session_hash")
    return session[:128] if isinstance(session, str) and session else None


def _address(event: Any) -> str | None:
    client = getattr(getattr(event, "request", None), "client", None)
    return getattr(client, "host", None)
