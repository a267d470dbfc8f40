"""The one exception tree every reformqa failure belongs to.

    ReformqaError                 root: catch this to catch everything we raise
    ├── InvalidQuestion           empty, whitespace-only or over-long question
    ├── SeedError                 a file in seeds/ cannot be read as UTF-8 text
    ├── IndexError_               the index/ folder cannot be used as it is
    │   ├── IndexMissing          no index has been built yet
    │   ├── IndexCorrupt          a file is missing, truncated or inconsistent
    │   ├── IndexMismatch         built from other seeds, embedder or format
    │   └── IndexUnreachable      the server holding the index (Milvus) cannot be reached or opened
    ├── StorageError              the project folder cannot be written: read-only, full, no permission
    ├── EmbedderError             an embedder spec or backend cannot be loaded
    └── MissingDependency         an optional package is not installed

Every message says what was expected, what was found, and what to run.
"""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = [
    "ReformqaError",
    "InvalidQuestion",
    "SeedError",
    "IndexError_",
    "IndexMissing",
    "IndexCorrupt",
    "IndexMismatch",
    "IndexUnreachable",
    "StorageError",
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


_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StorageError(ReformqaError):
    """A file cannot be written where reformqa must write it: the disk, not the input, is at fault."""

    def __init__(self, message: str, *, read_only: bool = False):
        super().__init__(message)
        self.read_only = read_only  # the folder refuses writes (EROFS, EACCES), rather than being full

    @classmethod
    def from_os_error(cls, exc: OSError, folder: Path, doing: str) -> StorageError:
        """Say in one line why ``doing`` failed in ``folder`` and what to do; ``exc`` is what the system said."""
        # numpy and faiss report a short write without an errno: "77000 requested and 25568 written".
        short_write = exc.errno is None and "written" in str(exc)
        detail = exc.strerror or str(exc) or type(exc).__name__
        if exc.errno in _READ_ONLY:
            return cls(f"cannot {doing} in {folder}: it is read-only ({detail}). Make it writable, or work on a writable copy with --home", read_only=True)
        if exc.errno in _FULL or short_write:
            return cls(f"cannot {doing} in {folder}: no space left on its disk ({detail}). Free some space, then run the command again")
        return cls(f"cannot {doing} in {folder} ({detail}). Check the disk, then run the command again")


class EmbedderError(ReformqaError):
    """An embedder cannot be created from its spec."""


class MissingDependency(ReformqaError):
    """An optional dependency is not installed."""
