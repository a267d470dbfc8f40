"""Fair use of Gradio's queue: limits checked before an event takes a slot, and answers nobody reads dropped.

Gradio 6.31 checks nothing per client before ``queue/join`` puts an event in
its queue, and keeps every result until a client reads it, for as long as the
server runs. ``QueueGate`` is asked by the ``Guard`` before a join reaches
Gradio:

- **events per address**: a token bucket for every event an address sends
  (the page's like, language and load events too), ``events_per_minute``;
  refused joins never reach the queue;
- **queue slots per address**: at most ``queue_slots_per_address`` of its
  events waiting or running (joins on their way in included), so one script
  cannot fill the 64 places for everyone.

``sweep`` runs every ``sweep_seconds`` on the server's event loop: a
session's unread results whose first message has waited ``result_seconds``
are dropped, with the bookkeeping Gradio keeps beside them.

This reads Gradio's queue internals (``Blocks._queue``: its event lists,
``pending_messages_per_session``, ``pending_event_ids_session``); they are
pinned with gradio==6.31.0 and exercised by tests/test_server_limits.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .limits import Limits, Tally
from .ratelimit import Rate, RateLimiter

__all__ = ["Admission", "QueueGate"]


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
        self._unread: dict[str, tuple[Any, float]] = {}  # session -> (its oldest unread message, when first seen)

    def slots(self, address: str) -> int:
        """Events of this address in the queue (waiting or running), and joins of it on their way in."""
        queue = self.demo._queue
        waiting = [e for q in queue.event_queue_per_concurrency_id.values() for e in q.queue]
        running = [e for job in queue.active_jobs if job for e in job]
        return self._joining[address] + sum(1 for e in waiting + running if _address(e) == address)

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

    def sweep(self) -> int:
        """Drop the results nobody came to read; how many sessions lost theirs."""
        queue = getattr(self.demo, "_queue", None)
        if queue is None:
            return 0
        now, dropped = self._clock(), 0
        pending = queue.pending_messages_per_session
        seen: dict[str, tuple[Any, float]] = {}
        for session, messages in list(pending.items()):
            head = messages._queue[0] if messages.qsize() else None  # asyncio.Queue's deque: the oldest unread message
            ids = queue.pending_event_ids_session.get(session, ())
            if head is None or any(i in queue.event_ids_to_events for i in ids):
                continue  # nothing unread, or an event still waiting or running: its result has a place to go
            before = self._unread.get(session)
            since = before[1] if before is not None and before[0] is head else now
            if now - since >= self.limits.result_seconds:
                del pending[session]
                queue.pending_event_ids_session.pop(session, None)
                dropped += 1
            else:
                seen[session] = (head, since)
        for session, ids in list(queue.pending_event_ids_session.items()):
            # Finished events whose results were dropped, or evicted from Gradio's LRU cache of 2,000 sessions.
            if session not in pending and not any(i in queue.event_ids_to_events for i in ids):
                del queue.pending_event_ids_session[session]
        self._unread = seen
        return dropped

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.limits.sweep_seconds)
            self.sweep()


def _address(event: Any) -> str | None:
    client = getattr(getattr(event, "request", None), "client", None)
    return getattr(client, "host", None)
