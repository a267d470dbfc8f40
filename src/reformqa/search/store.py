"""The index folder as stored: its files, their format, and opening them with every check.

index/<embedder>/ holds plain, named files a person can inspect:

    manifest.json     format version, corpus hash, embedder id, dimension, counts
    documents.jsonl   one document a line: metadata (title, short title, issuer, number, dates, jurisdiction) and the text offsets point into
    clauses.jsonl     one clause a line, verbatim text, source offsets, breadcrumb, article and place
    clauses.idx.npy   per clause: where its line is in clauses.jsonl, and its filter columns (search/clauses.py)
    regions.json      the pilots and their gazetteers
    userdict.txt      the tokenizer's corpus terms, one a line
    places.txt        places in China that no pilot covers, to notice questions about them
    clauses.faiss     clause vectors (FAISS, inner product)
    spans.npy         sub-clause vectors, in clause order, for choosing quotes
    bm25/             bm25s's own files over our tokens (read by search/postings.py)
    calibration.json  abstention and list thresholds fitted on the question set
    bridge.json       English words -> the Chinese terms of these clauses (written and read by answer/bridge.py)
    query_texts.json  the questions calibration embedded, and query_vectors.npy their vectors (search/query_memo.py: read by the next build only)

build.py writes them; this module reads and validates them. The manifest's
``files`` maps every other file (``bm25/…`` included) to its SHA-256: a file
that is missing, added, cut at a line or changed in one byte is refused before
it is parsed (0.6 MB for the seed corpus: about a millisecond at open). A file unchanged
since it last matched (size, times, inode: search/stamps.py) is not hashed again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..corpus import CHUNKER_VERSION, Gazetteer
from ..errors import IndexCorrupt, IndexMismatch, IndexMissing
from ..records import Clause, Document, Region, Span
from .clauses import INDEX_FILE, ClauseRecords, clause_from_record
from .postings import Postings
from .stamps import checked_digests, file_digest
from .tokenize import Tokenizer

__all__ = ["FORMAT_VERSION", "IVF_NPROBE", "REQUIRED_FILES", "StoredIndex", "checksums", "read_index"]

# 4: documents and clauses read as laws are cited (article, place, jurisdiction, dates); calibration
# with a corpus profile and corpus-independent features; the manifest holds a checksum of every file;
# bridge.json beside the index (English words -> the corpus's Chinese terms).
# 5: calibration.json weighs a new feature (kind_hit) and cuts at a refusal share: an index of format 4
# would fall back to answering everything, so it is rebuilt instead.
# 6: clauses.idx.npy (each clause's line and filter columns, so a large index opens without parsing
# every clause) and the manifest's clause codes.
FORMAT_VERSION = 6
REQUIRED_FILES = ("manifest.json", "documents.jsonl", "clauses.jsonl", "regions.json", "userdict.txt", "places.txt", "clauses.faiss", "spans.npy", "bm25")
# bench/: with nlist = 4*sqrt(N), 256 probes kept recall@10 >= 0.95 at 100k and 1M clauses.
IVF_NPROBE = 256


@dataclass(slots=True)
class StoredIndex:
    """An opened, validated index folder."""

    path: Path
    manifest: dict[str, Any]
    clauses: Sequence[Clause]  # ClauseRecords when read from a folder
    regions: list[Region]
    tokenizer: Tokenizer
    gazetteer: Gazetteer
    vectors: Any  # faiss.Index
    span_vectors: np.ndarray
    span_owner: np.ndarray  # clause position of each span vector
    bm25: Any  # Postings when read from a folder (a bm25s.BM25 also serves)
    calibration: dict[str, Any]
    other_places: list[str]
    documents: dict[str, Document]


def _clause(record: dict[str, Any]) -> Clause:
    return clause_from_record(record)


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in an index folder except the manifest, by path relative to the folder."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path != folder / "manifest.json":
            found[path.relative_to(folder).as_posix()] = file_digest(path)
    return found


def _verify(folder: Path, listed: object, rebuild: str) -> None:
    """Every file the manifest lists is there with its checksum, and nothing else is."""
    if not isinstance(listed, dict) or not all(isinstance(v, str) for v in listed.values()):
        raise IndexCorrupt(f"{folder}/manifest.json has no checksums of the index files. {rebuild}")
    found = checked_digests(folder)  # a file unchanged since it last matched is not hashed again (search/stamps.py)
    unlisted = sorted(set(found) - set(listed))
    if unlisted:
        raise IndexCorrupt(f"{folder} holds files its manifest does not list ({', '.join(unlisted[:3])}). {rebuild}")
    for name, digest in sorted(listed.items()):
        if name not in found:
            raise IndexCorrupt(f"{folder}/{name} is missing. {rebuild}")
        if found[name] != digest:
            raise IndexCorrupt(f"{folder}/{name} is not the file that was built (its checksum differs: changed or damaged since). {rebuild}")
    if not any(name.startswith("bm25/") for name in listed) or any(name not in listed for name in REQUIRED_FILES if name not in ("bm25", "manifest.json")):
        raise IndexCorrupt(f"{folder}/manifest.json does not list every index file. {rebuild}")


def read_index(folder: Path, *, embedder_id: str | None = None, corpus: str | None = None) -> StoredIndex:
    """Open and validate an index folder; raise a clear error for each way it can be wrong."""
    import faiss

    rebuild = "Run: reformqa index --rebuild"
    if not (folder / "manifest.json").exists():
        raise IndexMissing(f"no index in {folder}. Run: reformqa index")
    missing = [name for name in REQUIRED_FILES if not (folder / name).exists()]
    if missing:
        raise IndexCorrupt(f"{folder} is incomplete (missing {', '.join(missing)}). {rebuild}")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        versions = (manifest["format_version"], manifest["chunker_version"])
        built_with, dim, built_from = manifest["embedder"], int(manifest["dim"]), str(manifest["corpus_hash"])
        counts = {key: int(manifest["counts"][key]) for key in ("documents", "clauses", "spans", "regions")}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise IndexCorrupt(f"{folder}/manifest.json is unreadable ({exc}). {rebuild}") from None
    if versions != (FORMAT_VERSION, CHUNKER_VERSION):
        raise IndexMismatch(f"{folder} has format {versions[0]}, chunker {versions[1]}; this reformqa writes format {FORMAT_VERSION}, chunker {CHUNKER_VERSION}. {rebuild}")
    if embedder_id is not None and built_with != embedder_id:
        raise IndexMismatch(f"{folder} was built with {built_with} (dim {dim}); the configured embedder is {embedder_id}. {rebuild}")
    if corpus is not None and built_from != corpus:
        raise IndexMismatch(f"{folder} was built from other seeds than those in seeds/ now. Run: reformqa index")
    _verify(folder, manifest.get("files"), rebuild)  # before anything is parsed: faiss and numpy trust their input
    try:
        clauses = ClauseRecords(folder, manifest["clause_codes"])
        regions = [Region(**{**r, "places": tuple(r["places"]), "aliases": tuple(r["aliases"]), "containers": tuple(r.get("containers", ()))}) for r in json.loads((folder / "regions.json").read_text(encoding="utf-8"))]
        vectors = faiss.read_index(str(folder / "clauses.faiss"))
        if "IVF" in str(manifest.get("faiss_factory", "")):
            faiss.extract_index_ivf(vectors).nprobe = IVF_NPROBE
        # Memory-mapped: a query reads only its candidates' rows, so the sub-clause
        # vectors (8.5 GiB at 1M clauses, bench/) need not fit in memory.
        spans = np.load(folder / "spans.npy", allow_pickle=False, mmap_mode="r")
        bm25 = Postings.load(folder / "bm25")
        calibration_file = folder / "calibration.json"
        calibration = json.loads(calibration_file.read_text(encoding="utf-8")) if calibration_file.exists() else {}
        user_words = (folder / "userdict.txt").read_text(encoding="utf-8").splitlines()
        other_places = [p for p in (folder / "places.txt").read_text(encoding="utf-8").splitlines() if p]
        documents = {d.doc_id: d for d in (Document(**json.loads(line)) for line in (folder / "documents.jsonl").read_text(encoding="utf-8").splitlines() if line)}
    except Exception as exc:  # any of five file formats can be damaged in its own way
        raise IndexCorrupt(f"{folder} cannot be read ({type(exc).__name__}: {exc}). {rebuild}") from None
    n_spans = int(clauses.span_counts.sum())
    checks = [
        (len(clauses), counts["clauses"], "clauses.jsonl lines"),
        (vectors.ntotal, len(clauses), "vectors in clauses.faiss"),
        (vectors.d, dim, "dimension of clauses.faiss"),
        (spans.shape[0], n_spans, "rows of spans.npy"),
        (spans.shape[1] if spans.ndim == 2 else -1, dim + 1, "columns of spans.npy"),
        (int(bm25.scores.get("num_docs", -1)), len(clauses), "documents in bm25/"),
    ]
    for found, expected, what in checks:
        if found != expected:
            raise IndexCorrupt(f"{folder}: {what} is {found}, expected {expected}: the files do not belong together. {rebuild}")
    return StoredIndex(
        path=folder,
        manifest=manifest,
        clauses=clauses,
        regions=regions,
        tokenizer=Tokenizer(user_words),
        gazetteer=Gazetteer(regions, documents.values()),
        vectors=vectors,
        span_vectors=spans[:, 1:],
        # From the clauses' sub-clause counts: reading spans.npy's first column would touch every page of it (5 GiB at 1M clauses).
        span_owner=np.repeat(np.arange(len(clauses), dtype=np.int64), clauses.span_counts),
        bm25=bm25,
        calibration=calibration,
        other_places=other_places,
        documents=documents,
    )
