"""Adding files to seeds/: only regular files the user named, only into seeds/, all or nothing.

``reformqa add`` takes paths a person typed, and sometimes a whole folder of
downloads. What may go wrong, and what is refused before anything is copied:

- a symbolic link (to a private file, or a folder): refused, never followed;
- a FIFO, socket or device: refused, never opened;
- the project folder, a folder holding it, its index/ or seeds/: refused
  (``add .`` would copy README, docs and the index into seeds/);
- two different files that would land on one name in seeds/, or a name seeds/
  already holds with other bytes: refused, naming both files;
- a target that would resolve outside seeds/ (``add ..`` kept the name ``..``;
  a linked folder inside seeds/ leads elsewhere): refused;
- a file over ``MAX_SEED_BYTES``: refused on its size, before a byte is read;
- a file no reader can use: refused, naming the user's file, not seeds/.

Then every file is copied to a hidden temporary name beside its target
(``O_NOFOLLOW``, the bytes checked against what was planned) and renamed into
place only when all are written; a failure removes what this run wrote.
Names are shown through ``shown()``, which escapes control and format
characters, so a newline in a file name cannot forge a line of output.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import SeedError, StorageError
from .documents import MAX_SEED_BYTES, SEED_SUFFIXES, read_document

__all__ = ["Addition", "add_files", "plan_additions", "shown"]

_CHUNK = 1 << 20
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def shown(name: object) -> str:
    """A path or name as one printable line: control, format and separator characters escaped."""
    out = []
    for ch in str(name):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Addition:
    """One file to copy: where it is, where it goes under seeds/, its size and digest when planned."""

    source: Path
    relative: PurePosixPath
    size: int
    sha256: str


def _digest(path: Path, limit: int) -> str:
    """The file's SHA-256, read through a descriptor that refuses a link swapped in since it was checked."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SeedError(f"{shown(path)}: not a regular file; reformqa adds only ordinary files")
        read = 0
        while chunk := os.read(fd, _CHUNK):
            read += len(chunk)
            if read > limit:
                raise SeedError(f"{shown(path)}: grew past the {limit:,}-byte limit while it was read; add it again when it is complete")
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _candidate(path: Path, info: os.stat_result) -> Iterator[tuple[Path, os.stat_result]]:
    """The file itself if reformqa reads its kind, after refusing links and special files."""
    if stat.S_ISLNK(info.st_mode):
        raise SeedError(f"{shown(path)} is a symbolic link; reformqa add copies only regular files, never what a link points to. Add the file itself")
    if path.suffix.lower() not in SEED_SUFFIXES:
        return
    if not stat.S_ISREG(info.st_mode):
        raise SeedError(f"{shown(path)}: not a regular file (a pipe, socket or device); reformqa adds only ordinary files")
    if info.st_size > MAX_SEED_BYTES:
        raise SeedError(f"{shown(path)}: {info.st_size:,} bytes is over the {MAX_SEED_BYTES:,}-byte limit; split it into several files")
    yield path, info


def _walk(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every file under folder that reformqa would read, in name order; hidden entries skipped, links refused."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode) and (path.is_dir() or path.suffix.lower() in SEED_SUFFIXES):
            raise SeedError(f"{shown(path)} is a symbolic link; reformqa add copies only regular files and never follows links. Remove the link, or add what it points to directly")
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path)
        elif not stat.S_ISLNK(info.st_mode):
            yield from _candidate(path, info)


def _sources(path: Path, home: Path, seeds: Path) -> Iterator[tuple[Path, PurePosixPath, os.stat_result]]:
    """The files one argument names, each with its path under seeds/."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise SeedError(f"{shown(path)}: {exc.strerror or 'cannot be read'}") from None
    if stat.S_ISLNK(info.st_mode):
        yield from ((p, PurePosixPath(p.name), i) for p, i in _candidate(path, info))
        return
    real = path.resolve()
    if _inside(home, real):
        raise SeedError(f"{shown(path)} is the project folder or holds it ({shown(home)}); name the documents or their own folder instead")
    if _inside(real, home / "index"):
        raise SeedError(f"{shown(path)} is inside the project's index/ folder, which reformqa writes itself; it holds no documents to add")
    if _inside(real, seeds):
        raise SeedError(f"{shown(path)} is already inside seeds/: reformqa index picks up what is there")
    if stat.S_ISDIR(info.st_mode):
        if not real.name:
            raise SeedError(f"{shown(path)}: the root folder cannot be added; name the folder of documents")
        for file, file_info in _walk(real):
            yield file, PurePosixPath(real.name, *file.relative_to(real).parts), file_info
        return
    if path.suffix.lower() not in SEED_SUFFIXES:
        raise SeedError(f"{shown(path)}: unsupported file type; reformqa reads {', '.join(SEED_SUFFIXES)}")
    for file, file_info in _candidate(path, info):
        yield file, PurePosixPath(real.name), file_info


def _check_target(seeds: Path, relative: PurePosixPath) -> None:
    """Refuse a target whose folders inside seeds/ are links or files: the copy must land in seeds/."""
    folder = seeds
    for part in relative.parts[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise SeedError(f"seeds/{shown(folder.relative_to(seeds).as_posix())} is a symbolic link or a file, so seeds/{shown(relative)} would not be inside seeds/; rename it or remove it")
    target = seeds / Path(*relative.parts)
    if target.is_symlink() or not _inside(Path(os.path.realpath(target)), seeds):
        raise SeedError(f"seeds/{shown(relative)} would resolve outside seeds/; remove the link in seeds/ first")


def plan_additions(paths: Sequence[Path], seeds: Path, home: Path) -> list[Addition]:
    """Check every file first; the new ones to copy, in order. Raise SeedError, naming the user's file, for anything refused."""
    seeds, home = seeds.resolve(), home.resolve()
    planned: dict[PurePosixPath, Addition] = {}
    for path in paths:
        for source, relative, info in _sources(Path(path), home, seeds):
            _check_target(seeds, relative)
            addition = Addition(source, relative, info.st_size, _digest(source, MAX_SEED_BYTES))
            other = planned.get(relative)
            if other is not None and other.sha256 != addition.sha256:
                raise SeedError(f"{shown(other.source)} and {shown(source)} would both be seeds/{shown(relative)} but differ; rename one of them")
            planned.setdefault(relative, addition)
    new = []
    for relative, addition in planned.items():
        target = seeds / Path(*relative.parts)
        if target.exists():
            if _digest(target, MAX_SEED_BYTES) != addition.sha256:
                raise SeedError(f"seeds/{shown(relative)} exists with other content than {shown(addition.source)}; rename the new file or remove the old one")
            continue
        try:  # unreadable files are refused here, before they reach seeds/
            read_document(addition.source, addition.source.parent)
        except SeedError as exc:
            reason = str(exc).removeprefix(f"seeds/{addition.source.name}: ")
            raise SeedError(f"{shown(addition.source)}: {reason}") from None
        new.append(addition)
    return new


def _copy(addition: Addition, temporary: Path) -> None:
    source = os.open(addition.source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        digest = hashlib.sha256()
        try:
            while chunk := os.read(source, _CHUNK):
                digest.update(chunk)
                view = memoryview(chunk)
                while view:  # a short write is retried; a full disk raises ENOSPC on the retry
                    view = view[os.write(out, view) :]
        finally:
            os.close(out)
    finally:
        os.close(source)
    if digest.hexdigest() != addition.sha256:
        raise SeedError(f"{shown(addition.source)} changed while it was being added; add it again")


def add_files(paths: Sequence[Path], seeds: Path, home: Path) -> list[str]:
    """Copy the documents ``paths`` name into seeds/, all or nothing; their names under seeds/, new ones only."""
    additions = plan_additions(paths, seeds, home)
    seeds = seeds.resolve()
    made: list[Path] = []  # folders, temporary files and targets this run created, to undo on failure
    placed: list[tuple[Path, Path]] = []
    try:
        if additions and not seeds.is_dir():
            seeds.mkdir(parents=True)
        for addition in additions:
            target = seeds / Path(*addition.relative.parts)
            for folder in reversed([p for p in target.parents if _inside(p, seeds) and p != seeds]):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            temporary = target.with_name(f".{target.name}.adding-{secrets.token_hex(4)}")
            made.append(temporary)
            _copy(addition, temporary)
            placed.append((temporary, target))
        for temporary, target in placed:
            os.replace(temporary, target)
            made.append(target)
    except BaseException as exc:
        for path in reversed(made):
            try:
                if path.is_dir() and not path.is_symlink():
                    path.rmdir()
                else:
                    path.unlink()
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise StorageError.from_os_error(exc, seeds, "copy the documents") from None
        raise
    return [a.relative.as_posix() for a in additions]
