"""Talking to a served app byte by byte, from any loopback address: what the attack tests send and read.

Linux routes all of 127.0.0.0/8 to the loopback interface, so a client can bind 127.0.0.2 as its source and the
server sees a second machine. Requests go out through raw sockets or ``http.client`` so that a header, a length
or a half-sent body reaches the server exactly as written.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from typing import Any

__all__ = ["connect", "free_port", "read_head", "read_until_closed", "request", "second_address_works"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def connect(port: int, source: str = "127.0.0.1", timeout: float = 10.0) -> socket.socket:
    """A TCP connection to the server from this loopback address."""
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))


def request(
    port: int, method: str, target: str, body: Any = None, *, headers: dict[str, str] | None = None, source: str = "127.0.0.1", timeout: float = 20.0
) -> tuple[int, dict[str, str], str]:
    """One request from ``source``; the status, the headers and the whole body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        connection.request(method, target, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def read_head(sock: socket.socket, timeout: float) -> bytes:
    """Whatever the server sends within ``timeout`` seconds, up to the end of the response head."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def read_until_closed(sock: socket.socket, timeout: float) -> tuple[bool, bytes]:
    """(closed by the server within ``timeout``, what it sent)."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return False, data
        except ConnectionResetError:
            return True, data
        if not chunk:
            return True, data
        data += chunk
    return False, data


def second_address_works() -> bool:
    """Whether this machine lets a socket use 127.0.0.2 as its source (Linux does)."""
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.2", 0))
        return True
    except OSError:
        return False
