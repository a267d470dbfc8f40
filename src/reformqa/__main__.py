"""`python -m reformqa`: the same as the `reformqa` command."""

from .cli import run

__all__: list[str] = []

run()
