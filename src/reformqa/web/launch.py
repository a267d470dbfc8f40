"""Start the app: Gradio imported offline, the queue bounded, the page's theme, styles and script, behind the server's limits.

``launch`` starts it offline behind the server's limits (server.py): no
analytics, no web fonts, no share link, the queue the only way in, and
``/ask`` the one API endpoint.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from typing import Any

from .limits import Limits, TrustedProxies
from .server import start
from .styles import CSS, PAGE_JS

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "CONCURRENCY", "QUEUE_SIZE", "import_gradio", "launch"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
CONCURRENCY = 4  # answering takes ~30 ms: a few workers keep the queue moving
QUEUE_SIZE = 64  # beyond this, a request is told the queue is full instead of waiting


def import_gradio() -> Any:
    """Gradio, imported with its analytics off and its monitoring bounded."""
    # Set before Gradio is imported: it reads the variable at import time.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    # Gradio keeps 10,000 queue events for its monitoring dashboard and summarises them
    # after every event, monitoring off or not: server memory grew and throughput fell
    # by a third under load (bench/load.py, docs/reliability.md).
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000000")
    import gradio as gr

    return gr


def _unknown_endpoint_error() -> type[Exception]:
    from gradio.route_utils import FnIndexInferError

    return FnIndexInferError


def _not_found(request: Any, exc: Exception) -> Any:
    from fastapi.responses import JSONResponse

    return JSONResponse({"detail": "Not Found"}, status_code=404)


def launch(
    demo: Any,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    password: str | None = None,
    quiet: bool = True,
    limits: Limits | None = None,
    trusted_proxies: str | None = None,
) -> str:
    """Start serving in a background thread behind the server's limits (server.py); return the local URL.

    ``trusted_proxies`` names the reverse proxies whose X-Forwarded-For is believed (REFORMQA_TRUSTED_PROXIES).
    """
    gr = import_gradio()
    trusted = TrustedProxies(trusted_proxies)  # a malformed value stops the start with a message
    auth: Callable[[str, str], bool] | None = None
    if password:
        # Any user name; the password compared in constant time.
        def auth(user: str, given: str) -> bool:
            return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE, api_open=False)
    theme = gr.themes.Base(
        font=[gr.themes.Font("Noto Sans CJK SC"), gr.themes.Font("PingFang SC"), gr.themes.Font("Microsoft YaHei"), "system-ui", "sans-serif"],
        font_mono=["ui-monospace", gr.themes.Font("Noto Sans Mono CJK SC"), "monospace"],
    )
    mount = dict(
        auth_message="请输入密码 / Enter the password" if password else None,
        show_error=False, enable_monitoring=False, mcp_server=False, ssr_mode=False, pwa=False, footer_links=["api"], run_history=False, max_file_size="1mb",
        theme=theme, css=CSS, js=PAGE_JS,
        app_kwargs={
            "openapi_url": None, "docs_url": None, "redoc_url": None,  # FastAPI's own route list: not ours to publish
            # An unknown endpoint is a 404, not a 500 with a traceback in the log.
            "exception_handlers": {_unknown_endpoint_error(): _not_found},
        },
    )
    return start(demo, host=host, port=port, auth=auth, limits=limits or Limits(), trusted=trusted, mount=mount)
