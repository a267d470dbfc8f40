"""What the web server bounds, who a client is, and the connection-level guard: sizes, timeouts and counts per address.

Every limit has a named default in ``Limits`` (tests pass small ones). Who a
client is: the address of the socket, unless that socket is a reverse proxy
named in ``REFORMQA_TRUSTED_PROXIES``; then the last address its
``X-Forwarded-For`` adds that is not itself a trusted proxy. Nobody else's
forwarded headers are believed, or even passed on. An IPv6 client counts by
its /64, which one subscriber is given whole (``client_key``).

``guarded_protocol`` is uvicorn's h11 protocol with two more rules, because
uvicorn closes an idle connection only after a response: a connection must
send a whole request head within ``head_seconds`` of opening (or of its last
response), and one address may hold at most ``connections_per_address``
connections (a trusted proxy holds them for everyone, so it is not counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import ReformqaError

__all__ = ["Limits", "Tally", "TrustedProxies", "client_key", "guarded_protocol"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Everything the server bounds, with defaults sized for an office sharing one machine."""

    body_bytes: int = 64 * 1024  # a question is at most 500 characters; the page's events carry a few KB
    login_body_bytes: int = 4 * 1024
    body_seconds: float = 10.0  # a request body must have arrived by then (408 otherwise)
    head_seconds: float = 10.0  # a request head must have arrived by then (the connection is closed otherwise)
    keep_alive_seconds: int = 5  # an idle connection after a response
    connections_per_address: int = 64  # open TCP connections; a browser tab holds 2-3, an office behind one NAT shares them
    requests_per_address: int = 64  # requests in progress, event streams included
    queue_slots_per_address: int = 8  # of the queue's 4 running + 64 waiting
    # Before the queue, every event an address sends (questions, likes, language, page loads), in bursts of as
    # many: 20 people behind one NAT asking 20 questions a minute, with four page events per question.
    events_per_minute: int = 2000
    refusal_delay_seconds: float = 1.0  # a refusal (413, 408, 429) is answered this late: a flood slows to its connections
    result_seconds: float = 30.0  # an answer nobody has come to read by then is dropped (a reader takes milliseconds)
    unread_results: int = 256  # sessions holding unread answers; beyond, the longest waiting go first
    sweep_seconds: float = 5.0
    # Gradio keeps ~110 KB for every session (its copy of the page's config): 2,000 sessions are ~220 MB, and
    # one address holds at most 64 of them (an office behind one NAT with a few tabs a person).
    sessions: int = 2_000
    sessions_per_address: int = 64
    login_free_attempts: int = 3  # wrong passwords before the back-off starts (typing mistakes)
    login_backoff_seconds: float = 1.0  # doubled with each further failure ...
    login_backoff_max_seconds: float = 600.0  # ... up to this


class Tally:
    """How many of something each address holds right now: connections, requests, joins on their way in."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def __getitem__(self, address: str) -> int:
        return self._counts.get(address, 0)

    def __len__(self) -> int:
        return len(self._counts)

    def add(self, address: str) -> None:
        self._counts[address] = self._counts.get(address, 0) + 1

    def remove(self, address: str) -> None:
        left = self._counts.get(address, 1) - 1
        if left > 0:
            self._counts[address] = left
        else:
            self._counts.pop(address, None)  # an address holding nothing takes no memory

    @contextlib.contextmanager
    def holding(self, address: str) -> Iterator[None]:
        self.add(address)
        try:
            yield
        finally:
            self.remove(address)


class TrustedProxies:
    """The addresses and networks whose ``X-Forwarded-For`` is believed (``REFORMQA_TRUSTED_PROXIES``)."""

    def __init__(self, spec: str | Iterable[str] | None = None):
        items = [x.strip() for x in (spec.split(",") if isinstance(spec, str) else spec or ()) if x.strip()]
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in items:
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ReformqaError(
                    f"REFORMQA_TRUSTED_PROXIES names {item!r}, which is not an address: expected the reverse proxies' "
                    "IP addresses or networks separated by commas, such as 127.0.0.1 or 10.0.0.0/24, or nothing"
                ) from None

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __contains__(self, host: object) -> bool:
        if not self.networks or not isinstance(host, str):
            return False
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: Iterable[str]) -> str:
        """The client's address: the peer's own, or for a trusted proxy the nearest untrusted hop it forwards."""
        if peer not in self:
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
        for hop in reversed(hops):
            if hop not in self:
                return hop[:64]  # a proxy passes on what its client wrote: keep the key short
        return hops[0][:64] if hops else peer


def client_key(address: str) -> str:
    """The address the per-address limits count by: an IPv4 address, or an IPv6 address's /64 (one subscriber's share)."""
    if ":" not in address:
        return address
    try:
        return str(ipaddress.ip_network(f"{address.strip('[]')}/64", strict=False))
    except ValueError:
        return address


_REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: 43\r\n\r\nToo many open connections from this address"
)


def guarded_protocol(limits: Limits, trusted: TrustedProxies) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, closing silent connections and counting connections per address."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    open_by_address = Tally()

    class GuardedProtocol(H11Protocol):
        _counted: str | None = None
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            host = client_key(self.client[0]) if self.client else ""
            if self.client and self.client[0] not in trusted:
                if open_by_address[host] >= limits.connections_per_address:
                    transport.write(_REFUSED)
                    transport.close()
                    return
                open_by_address.add(host)
                self._counted = host
            self._await_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_waiting()
            if self._counted is not None:
                open_by_address.remove(self._counted)
                self._counted = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._in_request():
                self._stop_waiting()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self._in_request():
                self._await_head()

        def _in_request(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete

        def _await_head(self) -> None:
            self._stop_waiting()
            self._head_timer = self.loop.call_later(limits.head_seconds, self._silent)

        def _stop_waiting(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _silent(self) -> None:
            self._head_timer = None
            if not self._in_request() and not self.transport.is_closing():
                self.transport.close()

    return GuardedProtocol
