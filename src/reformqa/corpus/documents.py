"""Reading seeds/: every policy document as verbatim, decoded text, with its metadata.

A file that cannot be used is reported by name and skipped; the rest of the
corpus is still indexed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SeedError
from ..records import Document
from .readers import SUFFIXES, extract_text

__all__ = ["SEED_SUFFIXES", "MAX_SEED_BYTES", "SeedReport", "read_seeds", "read_document", "seed_files", "seeds_hash"]

SEED_SUFFIXES = SUFFIXES
MAX_SEED_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What reading seeds/ found: the usable documents and the skipped files."""

    documents: tuple[Document, ...]
    skipped: tuple[str, ...]  # one human-readable line per skipped file


def read_document(path: Path, seeds_dir: Path) -> Document:
    """Read one seed file (text as stored, other formats extracted); raise SeedError if unusable."""
    rel = path.relative_to(seeds_dir).as_posix()
    size = path.stat().st_size  # before reading: a 400 MB file is refused without being read
    if size > MAX_SEED_BYTES:
        raise SeedError(f"seeds/{rel}: {size:,} bytes is over the {MAX_SEED_BYTES:,}-byte limit; split it into several files")
    raw = path.read_bytes()
    try:
        text = extract_text(path)
    except SeedError as exc:
        raise SeedError(f"seeds/{rel}: {str(exc).split(': ', 1)[-1]}") from None
    if not text.strip():
        raise SeedError(f"seeds/{rel}: the file is empty")
    from .metadata import metadata  # titles, numbers and dates: reading a document, not hashing the seeds

    meta = metadata(text)
    return Document(
        doc_id=path.stem,
        title=meta["title"] or path.stem,
        path=rel,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        **{k: v for k, v in meta.items() if k != "title"},
    )


def read_seeds(seeds_dir: Path) -> SeedReport:
    """Read every supported file under seeds_dir, in path order."""
    documents: list[Document] = []
    skipped: list[str] = []
    if not seeds_dir.is_dir():
        raise SeedError(f"{seeds_dir} is not a folder; create it and put the policy documents ({', '.join(SEED_SUFFIXES)}) in it")
    for path in seed_files(seeds_dir):
        try:
            documents.append(read_document(path, seeds_dir))
        except SeedError as exc:
            skipped.append(str(exc))
    # notice.docx and notice.pdf are two documents: the suffix tells them apart.
    stems = [d.doc_id for d in documents]
    documents = [replace(d, doc_id=f"{d.doc_id}-{Path(d.path).suffix.lstrip('.').lower()}") if stems.count(d.doc_id) > 1 else d for d in documents]
    return SeedReport(tuple(documents), tuple(skipped))


def seed_files(seeds_dir: Path) -> list[Path]:
    """The files under seeds/ that reformqa reads, in path order."""
    return sorted(p for p in seeds_dir.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SEED_SUFFIXES)


def seeds_hash(seeds_dir: Path) -> str:
    """Hash every seed file's bytes, usable or not: a staleness check that reads no document."""
    digest = hashlib.sha256()
    for path in seed_files(seeds_dir):
        rel = path.relative_to(seeds_dir).as_posix()
        digest.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).hexdigest().encode("ascii") + b"\n")
    return digest.hexdigest()
