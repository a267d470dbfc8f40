"""The HTTP server around the Gradio app: FastAPI mounts it, the Guard vets each request, uvicorn serves in a thread.

``Blocks.launch`` gives no place to bound a request before Gradio parses it,
and its uvicorn trusts ``X-Forwarded-For`` from 127.0.0.1. So ``start`` does
what launch does, with the pieces reformqa needs between them:

    uvicorn  (guarded_protocol: silent connections closed, connections per address counted;
      │       no proxy headers read, no websockets)
    Guard    (limits.py, login.py, queue.py: body sizes, requests per address, closed routes,
      │       the password before every API route, the login throttle, the queue gate)
    FastAPI  (no route list; its lifespan sweeps unread results)
      └── Gradio, mounted at / with ``gr.mount_gradio_app``

The Blocks object is left as launch would leave it (``server``, ``app``,
``local_url``, ``is_running``), so ``demo.close()`` and ``demo.block_thread()``
work as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

from .guard import Guard
from .limits import Limits, TrustedProxies, guarded_protocol
from .login import LoginThrottle
from .queue import QueueGate

__all__ = ["start"]


def _bind_check(host: str, port: int) -> None:
    """Raise OSError now if the port is taken, rather than after uvicorn's thread gave up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _logged_in(gradio_app: Any) -> Callable[[dict[str, Any]], bool]:
    """Whether a request carries a login cookie Gradio issued (Gradio keeps its tokens in ``app.tokens``)."""
    names = (f"access-token-{gradio_app.cookie_id}", f"access-token-unsecure-{gradio_app.cookie_id}")

    def logged_in(scope: dict[str, Any]) -> bool:
        for key, value in scope["headers"]:
            if key == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    name, _, token = part.strip().partition("=")
                    if name in names and token in gradio_app.tokens:
                        return True
        return False

    return logged_in


def start(
    demo: Any,
    *,
    host: str,
    port: int,
    auth: Callable[[str, str], bool] | None,
    limits: Limits,
    trusted: TrustedProxies,
    mount: dict[str, Any],
) -> str:
    """Serve ``demo`` on host:port in a background thread behind the Guard; return the local URL."""
    import fastapi
    import gradio as gr
    import uvicorn
    from gradio.http_server import Server

    _bind_check(host, port)
    gate = QueueGate(demo, limits)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(gate.sweep_forever())
        try:
            yield
        finally:
            sweeper.cancel()

    parent = fastapi.FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    demo.state_session_capacity = limits.sessions  # read by the state holder when Gradio is mounted
    gr.mount_gradio_app(parent, demo, path="/", server_name=host, server_port=port, auth=auth, **mount)
    (gradio_app,) = [route.app for route in parent.routes if getattr(route, "path", None) == ""]  # type: ignore[attr-defined]  # the Mount at /
    throttle = None
    if auth is not None:
        throttle = LoginThrottle(free_attempts=limits.login_free_attempts, backoff=limits.login_backoff_seconds, backoff_max=limits.login_backoff_max_seconds)
    guarded = Guard(parent, limits=limits, trusted=trusted, gate=gate, throttle=throttle, logged_in=_logged_in(gradio_app))
    config = uvicorn.Config(
        guarded, host=host, port=port, log_level="warning", http=guarded_protocol(limits, trusted), ws="none", lifespan="on",
        proxy_headers=False,  # the Guard reads X-Forwarded-For itself, from the trusted proxies only
        timeout_keep_alive=limits.keep_alive_seconds, server_header=False, date_header=False,
    )
    server = Server(config=config)
    server.run_in_thread()
    url_host = "localhost" if host == "0.0.0.0" else f"[{host}]" if ":" in host else host
    demo.server, demo.app, demo.server_app = server, gradio_app, gradio_app
    demo.server_name, demo.server_port = host, port
    demo.local_url = f"http://{url_host}:{port}/"
    demo.local_api_url = f"{demo.local_url}gradio_api/"
    demo.share, demo.share_url, demo.has_launched = False, None, True
    demo._queue.set_server_app(gradio_app)
    return str(demo.local_url)
