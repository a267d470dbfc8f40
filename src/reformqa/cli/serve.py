"""`reformqa serve`: the chat web UI on a port, until Ctrl+C."""

from __future__ import annotations

import click

from .main import BACKEND, EMBEDDER, HOME, main, project_for

__all__ = ["serve"]


@main.command()
@click.option("--host", envvar="REFORMQA_HOST", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 serves the whole network.")
@click.option("--port", envvar="REFORMQA_PORT", type=click.IntRange(1, 65535), default=7860, show_default=True, help="Port to listen on.")
@click.option(
    "--password", envvar="REFORMQA_PASSWORD", is_flag=False, flag_value="\0ask", default=None,
    help="Ask visitors for this password (any user name). --password alone prompts for it; REFORMQA_PASSWORD sets it.",
)
@HOME
@EMBEDDER
@BACKEND
def serve(host: str, port: int, password: str | None, home: str | None, embedder: str | None, backend: str | None) -> None:
    """Start the chat web UI (Gradio) and print its URL; Ctrl+C stops it.

    \b
    Examples:
      reformqa serve
      reformqa serve --port 8080 --password
      REFORMQA_HOST=0.0.0.0 REFORMQA_PASSWORD=secret reformqa serve
      REFORMQA_TRUSTED_PROXIES=127.0.0.1 reformqa serve   # behind a reverse proxy on this machine
      REFORMQA_MILVUS_URI=http://milvus:19530 reformqa serve --host 0.0.0.0   # one of several replicas
    """
    from ..web import ChatService, build_app, launch  # Gradio is imported here only, never by `ask`

    if password == "\0ask":
        password = click.prompt("Password for the chat UI", hide_input=True, confirmation_prompt=True)
    project = project_for(home, embedder, backend)
    project.retriever()  # open (or build) the index before the first visitor waits for it
    demo = build_app(ChatService(project))
    try:
        url = launch(demo, host=host, port=port, password=password or None, trusted_proxies=project.settings.trusted_proxies)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc}). Choose another port: reformqa serve --port {port % 65535 + 1}") from None
    click.echo(f"reformqa chat UI: {url}" + ("  (password required)" if password else "") + "  - Ctrl+C to stop")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"listening on {host}: anyone who can reach this machine can open it" + ("" if password else "; consider --password"), err=True)
    try:
        demo.block_thread()
    finally:
        demo.close()
