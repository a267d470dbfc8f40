"""Reading seeds/: every policy document as verbatim, decoded text.

A file that cannot be used is reported by name and skipped; the rest of the
corpus is still indexed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .records import Document

__all__ = ["SEED_SUFFIXES", "MAX_SEED_BYTES", "SeedReport", "read_seeds", "read_document", "corpus_hash"]

SEED_SUFFIXES = (".txt", ".md")
MAX_SEED_BYTES = 20 * 1024 * 1024
_TITLE_HINT = re.compile(r"关于.+(批复|通知|意见|方案|办法|决定|规定)$")


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What reading seeds/ found: the usable documents and the skipped files."""

    documents: tuple[Document, ...]
    skipped: tuple[str, ...]  # one human-readable line per skipped file


def _title(text: str, fallback: str) -> str:
    lines = [line.strip().lstrip("\ufeff") for line in text.splitlines() if line.strip().lstrip("\ufeff")]
    # A headline copied from a news site ("医械资讯 | ...") precedes the real title.
    for line in lines[:5]:
        if "|" not in line and _TITLE_HINT.search(line):
            return line
    return lines[0] if lines else fallback


def read_document(path: Path, seeds_dir: Path) -> Document:
    """Decode one seed file exactly as stored; raise SeedError if it cannot be used."""
    from .errors import SeedError

    rel = path.relative_to(seeds_dir).as_posix()
    raw = path.read_bytes()
    if len(raw) > MAX_SEED_BYTES:
        raise SeedError(f"seeds/{rel}: {len(raw):,} bytes is over the {MAX_SEED_BYTES:,}-byte limit; split it into several files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(f"seeds/{rel}: not UTF-8 (byte {exc.start}); convert it, e.g. iconv -f GB18030 -t UTF-8") from None
    if not text.strip():
        raise SeedError(f"seeds/{rel}: the file is empty")
    return Document(
        doc_id=path.stem,
        title=_title(text, path.stem),
        path=rel,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def read_seeds(seeds_dir: Path) -> SeedReport:
    """Read every supported file under seeds_dir, in path order."""
    from .errors import SeedError

    documents: list[Document] = []
    skipped: list[str] = []
    if not seeds_dir.is_dir():
        raise SeedError(f"{seeds_dir} is not a folder; create it and put the policy documents (.txt, .md) in it")
    for path in sorted(p for p in seeds_dir.rglob("*") if p.is_file()):
        if path.name.startswith(".") or path.suffix.lower() not in SEED_SUFFIXES:
            continue
        try:
            documents.append(read_document(path, seeds_dir))
        except SeedError as exc:
            skipped.append(str(exc))
    return SeedReport(tuple(documents), tuple(skipped))


def corpus_hash(documents: tuple[Document, ...] | list[Document]) -> str:
    """Hash the corpus as a whole: paths and contents, in order."""
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(doc.path.encode("utf-8") + b"\0" + doc.sha256.encode("ascii") + b"\n")
    return digest.hexdigest()
