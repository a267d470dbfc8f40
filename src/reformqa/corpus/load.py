"""A corpus: every usable document of seeds/, chunked into clauses, with its pilot regions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SeedError
from ..records import Clause, Document, Region
from .chunk import REGION_SLUGS, chunk
from .documents import read_seeds, seeds_hash
from .legal import read_layout
from .regions import build_regions

__all__ = ["Corpus", "load_corpus"]


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything read and derived from seeds/ before embedding."""

    documents: tuple[Document, ...]
    clauses: tuple[Clause, ...]
    regions: tuple[Region, ...]
    skipped: tuple[str, ...]
    hash: str
    structure: dict[str, dict[str, int]] = field(default_factory=dict)  # doc id -> chapters, articles, items… as read


def load_corpus(seeds_dir: Path) -> Corpus:
    """Read, chunk and derive regions from every usable seed."""
    report = read_seeds(seeds_dir)
    if not report.documents:
        detail = "; ".join(report.skipped) or "no .txt or .md files"
        raise SeedError(f"no usable documents in {seeds_dir}: {detail}")
    clauses = [c for doc in report.documents for c in chunk(doc)]
    regions = build_regions(clauses, REGION_SLUGS)
    structure = {doc.doc_id: read_layout(doc.text).counts for doc in report.documents}
    return Corpus(report.documents, tuple(clauses), tuple(regions), report.skipped, seeds_hash(seeds_dir), structure)
