"""The one exception tree every reformqa failure belongs to.

    ReformqaError                 root: catch this to catch everything we raise
    ├── InvalidQuestion           empty, whitespace-only or over-long question
    ├── SeedError                 a file in seeds/ cannot be read as UTF-8 text
    ├── IndexError_               the index/ folder cannot be used as it is
    │   ├── IndexMissing          no index has been built yet
    │   ├── IndexCorrupt          a file is missing, truncated or inconsistent
    │   ├── IndexMismatch         built from other seeds, embedder or format
    │   └── IndexUnreachable      the server holding the index (Milvus) cannot be reached or opened
    ├── EmbedderError             an embedder spec or backend cannot be loaded
    └── MissingDependency         an optional package is not installed

Every message says what was expected, what was found, and what to run.
"""

from __future__ import annotations

__all__ = [
    "ReformqaError",
    "InvalidQuestion",
    "SeedError",
    "IndexError_",
    "IndexMissing",
    "IndexCorrupt",
    "IndexMismatch",
    "IndexUnreachable",
    "EmbedderError",
    "MissingDependency",
]


class ReformqaError(Exception):
    """Root of every error reformqa raises on purpose."""


class InvalidQuestion(ReformqaError):
    """The question cannot be asked as given."""


class SeedError(ReformqaError):
    """A seed document cannot be read."""


class IndexError_(ReformqaError):  # noqa: N801 - avoid shadowing the builtin IndexError
    """The index folder cannot be used as it is."""


class IndexMissing(IndexError_):
    """No index has been built yet."""


class IndexCorrupt(IndexError_):
    """An index file is missing, truncated or inconsistent with the others."""


class IndexMismatch(IndexError_):
    """The index was built from other seeds, another embedder or format."""


class IndexUnreachable(IndexError_):
    """The server that holds the index cannot be reached, or its file is held by another process."""


class EmbedderError(ReformqaError):
    """An embedder cannot be created from its spec."""


class MissingDependency(ReformqaError):
    """An optional dependency is not installed."""
