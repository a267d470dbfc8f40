"""Per-client rate limit of the web UI: a token bucket per session, and a larger one per address.

Who a client is, on an office intranet:

- The server sees only the address of the last hop (``request.client.host``).
  Behind one NAT or one reverse proxy the whole office has the same address,
  so a limit by address alone would make everybody share one person's allowance.
- Gradio's session hash is one per page load (a browser tab) or per
  ``gradio_client.Client``: it tells the people behind one address apart. But
  the client makes it up, so a script can present a new one with every request.

So a request needs a token from two buckets: its session's (``rate``, the limit
a person meets) and its address's (``HOST_SHARE`` times ``rate``, an office's
worth, which a script inventing sessions on one machine still meets). A request
without a session hash (Gradio's REST route ``/call/ask``) counts as its
address's session. The address is the socket's, or, behind a reverse proxy
named in ``REFORMQA_TRUSTED_PROXIES``, the client the proxy names (guard.py
drops ``X-Forwarded-For`` from everyone else). Before any of this, queue.py
limits everything an address sends, before the queue (``check(address_only=True)``).
A refused request costs no token, and is answered with a message saying how
long to wait, never an exception.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ReformqaError
from ..settings import Settings

__all__ = ["DEFAULT_RATE", "HOST_SHARE", "PRUNE_EVERY", "Rate", "Refusal", "RateLimiter", "parse_rate"]

DEFAULT_RATE = "20/min"  # a person reading quoted clauses asks a few questions a minute; 20 is a generous burst
HOST_SHARE = 20  # sessions' worth one address may use: an office of people behind one NAT
PRUNE_EVERY = 60.0  # seconds between sweeps of the buckets that have refilled (so memory stays flat)
_OFF = {"0", "off", "none", "no", "false"}
_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1.0),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60.0),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600.0),
}
_UNIT_NAMES = {1.0: ("秒", "second"), 60.0: ("分钟", "minute"), 3600.0: ("小时", "hour")}
_RATE = re.compile(r"^(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)$")


@dataclass(frozen=True, slots=True)
class Rate:
    """At most ``count`` requests in ``period`` seconds, in bursts of up to ``count``."""

    count: int
    period: float

    @property
    def per_second(self) -> float:
        return self.count / self.period

    def describe(self, lang: str) -> str:
        zh, en = _UNIT_NAMES.get(self.period, (f" {self.period:g} 秒", f"{self.period:g} seconds"))
        return f"每{zh}最多 {self.count} 个问题" if lang == "zh" else f"the limit is {self.count} per {en}"


def parse_rate(text: str | None) -> Rate | None:
    """A rate such as ``20/min``, ``5/s``, ``300/h`` or ``30/10s``; None for ``off`` or ``0`` (no limit)."""
    if text is None or text.strip().lower() in _OFF:
        return None
    found = _RATE.match(text.strip().lower())
    unit = _UNITS.get(found.group(3)) if found else None
    every = float(found.group(2) or 1) if found else 1.0
    if not found or unit is None or int(found.group(1)) < 1 or every <= 0:
        raise ReformqaError(f"REFORMQA_RATE={text!r} is not a rate: expected requests per second, minute or hour, such as 20/min or 5/s, or off")
    return Rate(int(found.group(1)), every * unit)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request was refused and how long until one is accepted."""

    wait: float  # seconds
    rate: Rate
    by_address: bool  # the address's bucket was empty, not the session's

    def message(self, lang: str = "zh") -> str:
        seconds = max(1, math.ceil(self.wait))
        if lang == "zh":
            who = "这个网络地址的提问" if self.by_address else "提问"
            return f"{who}太频繁了（{self.rate.describe('zh')}），请 {seconds} 秒后再试。"
        who = "Too many questions from this network address" if self.by_address else "Too many questions"
        return f"{who} ({self.rate.describe('en')}): please try again in {seconds} s."


class _Bucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, tokens: float, stamp: float):
        self.tokens, self.stamp = tokens, stamp


class RateLimiter:
    """Token buckets by session and by address; thread-safe. ``rate=None`` allows everything."""

    def __init__(self, rate: Rate | None, *, host_share: int = HOST_SHARE, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.host_rate = Rate(rate.count * host_share, rate.period) if rate else None
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._swept = clock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """The limit ``Settings.rate`` (REFORMQA_RATE) names; DEFAULT_RATE when it is unset or blank."""
        return cls(parse_rate(settings.rate if settings.rate and settings.rate.strip() else DEFAULT_RATE))

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, host: str, session: str | None = None, *, address_only: bool = False) -> Refusal | None:
        """Take a token for this client, or say how long it must wait; ``address_only``: from the address's bucket alone."""
        if self.rate is None or self.host_rate is None:
            return None
        now = self._clock()
        with self._lock:
            if now - self._swept >= PRUNE_EVERY:
                self._sweep(now)
            address = self._refill(("host", host), self.host_rate, now)
            if address.tokens < 1:
                return Refusal((1 - address.tokens) / self.host_rate.per_second, self.host_rate, by_address=True)
            if not address_only:
                own = self._refill(("session", f"{host}\x00{session or ''}"), self.rate, now)
                if own.tokens < 1:
                    return Refusal((1 - own.tokens) / self.rate.per_second, self.rate, by_address=False)
                own.tokens -= 1
            address.tokens -= 1
        return None

    def refusal(self, request: Any, lang: str = "zh") -> str:
        """For a Gradio request: "" if it may go ahead, else the message to show instead of an answer."""
        client = getattr(request, "client", None)
        host = str(getattr(client, "host", "") or "unknown")
        refused = self.check(host, getattr(request, "session_hash", None))
        return refused.message(lang) if refused else ""

    def _refill(self, key: tuple[str, str], rate: Rate, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(rate.count), now)
        else:
            bucket.tokens = min(float(rate.count), bucket.tokens + (now - bucket.stamp) * rate.per_second)
            bucket.stamp = now
        return bucket

    def _sweep(self, now: float) -> None:
        """Forget the buckets that have refilled: a full bucket and no bucket are the same."""
        assert self.rate is not None and self.host_rate is not None
        for key, bucket in list(self._buckets.items()):
            rate = self.host_rate if key[0] == "host" else self.rate
            if bucket.tokens + (now - bucket.stamp) * rate.per_second >= rate.count:
                del self._buckets[key]
        self._swept = now
