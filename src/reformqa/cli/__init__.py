"""Shown in a terminal: the `reformqa` command (parse, call the project, print; nothing else prints)."""

from . import ask, corpus, evaluate, serve  # noqa: F401 - each module registers its commands on `main`
from .main import main, run

__all__ = ["main", "run"]
