"""The index folder: clauses, vectors, BM25 and a manifest, written atomically.

index/<embedder>/ holds plain, named files a person can inspect:

    manifest.json     format version, corpus hash, embedder id, dimension, counts
    documents.jsonl   one document a line: metadata and the text offsets point into
    clauses.jsonl     one clause a line, verbatim text, source offsets, breadcrumb
    regions.json      the pilots and their gazetteers
    userdict.txt      the tokenizer's corpus terms, one a line
    places.txt        places in China that no pilot covers, to notice questions about them
    clauses.faiss     clause vectors (FAISS, inner product)
    spans.npy         sub-clause vectors, in clause order, for choosing quotes
    bm25/             bm25s's own files over our tokens
    calibration.json  abstention and list thresholds fitted on the question set

A build writes into a temporary sibling folder and renames it into place, so
a crash leaves the previous index intact; a lock file serialises builds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .chunk import CHUNKER_VERSION, REGION_SLUGS, chunk
from .embed import Embedder
from .errors import IndexCorrupt, IndexMismatch, IndexMissing, SeedError
from .ingest import read_seeds, seeds_hash
from .normalize import normalize
from .records import Clause, Document, Region, Span
from .regions import Gazetteer, build_regions, national_places
from .tokenize import Tokenizer, corpus_terms

__all__ = ["FLAT_BELOW", "IVF_NPROBE", "factory_for", "FORMAT_VERSION", "Corpus", "StoredIndex", "load_corpus", "write_index", "read_index", "index_lock", "passage_text"]

FORMAT_VERSION = 2
_REQUIRED = ("manifest.json", "documents.jsonl", "clauses.jsonl", "regions.json", "userdict.txt", "places.txt", "clauses.faiss", "spans.npy", "bm25")
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything read and derived from seeds/ before embedding."""

    documents: tuple[Document, ...]
    clauses: tuple[Clause, ...]
    regions: tuple[Region, ...]
    skipped: tuple[str, ...]
    hash: str


@dataclass(slots=True)
class StoredIndex:
    """An opened, validated index folder."""

    path: Path
    manifest: dict[str, Any]
    clauses: list[Clause]
    regions: list[Region]
    tokenizer: Tokenizer
    gazetteer: Gazetteer
    vectors: Any  # faiss.Index
    span_vectors: np.ndarray
    span_owner: np.ndarray  # clause position of each span vector
    bm25: Any  # bm25s.BM25
    calibration: dict[str, Any]
    other_places: list[str]
    documents: dict[str, Document]


def load_corpus(seeds_dir: Path) -> Corpus:
    """Read, chunk and derive regions from every usable seed."""
    report = read_seeds(seeds_dir)
    if not report.documents:
        detail = "; ".join(report.skipped) or "no .txt or .md files"
        raise SeedError(f"no usable documents in {seeds_dir}: {detail}")
    clauses = [c for doc in report.documents for c in chunk(doc)]
    regions = build_regions(clauses, REGION_SLUGS)
    return Corpus(report.documents, tuple(clauses), tuple(regions), report.skipped, seeds_hash(seeds_dir))


def passage_text(clause: Clause, start: int | None = None, end: int | None = None) -> str:
    """The text embedded and indexed for a clause or a span: region or breadcrumb, then the words."""
    body = clause.text if start is None else clause.text[start - clause.start : end - clause.start]
    head = clause.region or " › ".join(clause.breadcrumb) or clause.doc_title
    return f"{head}：{body}"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reusable_vectors(stored: StoredIndex) -> dict[str, np.ndarray]:
    """Vectors of the previous index by the hash of the text they embed, for an incremental build."""
    out: dict[str, np.ndarray] = {}
    try:
        if "IVF" in str(stored.manifest.get("faiss_factory", "")):
            import faiss

            faiss.extract_index_ivf(stored.vectors).make_direct_map()
        clause_vecs = stored.vectors.reconstruct_n(0, stored.vectors.ntotal)
    except RuntimeError:  # an index type that cannot give its vectors back: embed again
        clause_vecs = None
    if clause_vecs is not None:
        out.update({_key(passage_text(c)): clause_vecs[i] for i, c in enumerate(stored.clauses)})
    rows = iter(range(len(stored.span_vectors)))
    for clause in stored.clauses:
        for span in clause.spans:
            out[_key(passage_text(clause, span.start, span.end))] = stored.span_vectors[next(rows)]
    return out


@contextlib.contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the index's parent while it is rebuilt."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(index_dir.parent / f".{index_dir.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _embed_all(embedder: Embedder, texts: list[str], known: dict[str, np.ndarray], progress: Progress | None, batch: int = 16) -> tuple[np.ndarray, int]:
    """Vectors for texts, embedding only those whose hash the previous index lacks."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    todo = []
    for i, text in enumerate(texts):
        vector = known.get(_key(text))
        if vector is not None and len(vector) == embedder.dim:
            out[i] = vector
        else:
            todo.append(i)
    for b in range(0, len(todo), batch):
        rows = todo[b : b + batch]
        out[rows] = embedder.embed([texts[i] for i in rows], query=False)
        if progress:
            progress(b + len(rows), len(todo))
    return out, len(todo)


def _changes(corpus: Corpus, previous: StoredIndex | None) -> dict[str, int]:
    """Clauses added, changed and removed since the previous index, by (document, clause id)."""
    new = {(c.doc_id, c.clause_id): _key(passage_text(c)) for c in corpus.clauses}
    old = {(c.doc_id, c.clause_id): _key(passage_text(c)) for c in previous.clauses} if previous else {}
    return {
        "added": sum(1 for k in new if k not in old),
        "changed": sum(1 for k, v in new.items() if k in old and old[k] != v),
        "removed": sum(1 for k in old if k not in new),
    }


# bench/: exact search stays under ~10 ms a query below 70,000 clauses; above, IVF
# with nlist = 4*sqrt(N) and nprobe 256 kept recall@10 >= 0.95 at 100k and 1M
# clauses with p95 13 ms at 1M (HNSW reached only 0.79 at 1M within its build budget).
FLAT_BELOW = 70_000
IVF_NPROBE = 256


def factory_for(n_clauses: int) -> str:
    """The FAISS index type for a corpus of this size, chosen from the benchmark."""
    return "Flat" if n_clauses < FLAT_BELOW else f"IVF{int(4 * n_clauses ** 0.5)},Flat"


def write_index(
    folder: Path, corpus: Corpus, embedder: Embedder, *, factory: str | None = None, progress: Progress | None = None, previous: StoredIndex | None = None
) -> dict[str, Any]:
    """Embed (only what changed since `previous`) and write every index file into a fresh folder."""
    import bm25s
    import faiss

    user_words = corpus_terms(c.text for c in corpus.clauses) + [t for r in corpus.regions for t in (r.name, *r.places, *r.aliases) if not t.isascii()]
    tokenizer = Tokenizer(user_words)
    span_refs = [(i, s) for i, c in enumerate(corpus.clauses) for s in c.spans]
    known = reusable_vectors(previous) if previous is not None and previous.manifest.get("embedder") == embedder.model_id else {}
    texts = [passage_text(c) for c in corpus.clauses] + [passage_text(corpus.clauses[i], s.start, s.end) for i, s in span_refs]
    vectors, embedded = _embed_all(embedder, texts, known, progress)
    clause_vecs, span_vecs = vectors[: len(corpus.clauses)], vectors[len(corpus.clauses) :]

    factory = factory or factory_for(len(corpus.clauses))
    index = faiss.index_factory(embedder.dim, factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        index.train(clause_vecs)
    index.add(clause_vecs)
    faiss.write_index(index, str(folder / "clauses.faiss"))
    np.save(folder / "spans.npy", np.hstack([np.array([[i] for i, _ in span_refs], dtype=np.float32).reshape(-1, 1), span_vecs]) if span_refs else np.zeros((0, embedder.dim + 1), np.float32))

    retriever = bm25s.BM25()
    retriever.index([tokenizer(normalize(passage_text(c))) or [""] for c in corpus.clauses], show_progress=False)
    retriever.save(str(folder / "bm25"), show_progress=False)

    with open(folder / "clauses.jsonl", "w", encoding="utf-8") as out:
        for c in corpus.clauses:
            record = asdict(c)
            record["spans"] = [[s.start, s.end] for s in c.spans]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    with open(folder / "documents.jsonl", "w", encoding="utf-8") as out:
        for d in corpus.documents:
            out.write(json.dumps(asdict(d), ensure_ascii=False) + "\n")
    (folder / "regions.json").write_text(json.dumps([asdict(r) for r in corpus.regions], ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "userdict.txt").write_text("\n".join(tokenizer.user_words) + "\n", encoding="utf-8")
    places = national_places([t for r in corpus.regions for t in (r.name, *r.places, *r.aliases)], "\n".join(d.text for d in corpus.documents))
    (folder / "places.txt").write_text("\n".join(places) + "\n", encoding="utf-8")
    manifest = {
        "format_version": FORMAT_VERSION,
        "chunker_version": CHUNKER_VERSION,
        "corpus_hash": corpus.hash,
        "embedder": embedder.model_id,
        "dim": embedder.dim,
        "faiss_factory": factory,
        "counts": {"documents": len(corpus.documents), "clauses": len(corpus.clauses), "spans": len(span_refs), "regions": len(corpus.regions)},
        "changes": {**_changes(corpus, previous), "embedded": embedded, "reused": len(texts) - embedded},
        "documents": [{"doc_id": d.doc_id, "title": d.title, "path": d.path, "sha256": d.sha256, "issuer": d.issuer, "doc_number": d.doc_number, "date": d.date} for d in corpus.documents],
        "skipped": list(corpus.skipped),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def replace_folder(new: Path, target: Path) -> None:
    """Swap a finished folder into place; the old one is removed only afterwards."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rename(target, old / target.name)
    os.rename(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _clause(record: dict[str, Any]) -> Clause:
    record = dict(record)
    record["spans"] = tuple(Span(a, b) for a, b in record["spans"])
    record["breadcrumb"] = tuple(record.get("breadcrumb", ()))
    return Clause(**record)


def read_index(folder: Path, *, embedder_id: str | None = None, corpus: str | None = None) -> StoredIndex:
    """Open and validate an index folder; raise a clear error for each way it can be wrong."""
    import bm25s
    import faiss

    rebuild = "Run: reformqa index --rebuild"
    if not (folder / "manifest.json").exists():
        raise IndexMissing(f"no index in {folder}. Run: reformqa index")
    missing = [name for name in _REQUIRED if not (folder / name).exists()]
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
    try:
        clauses = [_clause(json.loads(line)) for line in (folder / "clauses.jsonl").read_text(encoding="utf-8").splitlines() if line]
        regions = [Region(**{**r, "places": tuple(r["places"]), "aliases": tuple(r["aliases"])}) for r in json.loads((folder / "regions.json").read_text(encoding="utf-8"))]
        vectors = faiss.read_index(str(folder / "clauses.faiss"))
        if "IVF" in str(manifest.get("faiss_factory", "")):
            faiss.extract_index_ivf(vectors).nprobe = IVF_NPROBE
        # Memory-mapped: a query reads only its candidates' rows, so the sub-clause
        # vectors (8.5 GiB at 1M clauses, bench/) need not fit in memory.
        spans = np.load(folder / "spans.npy", allow_pickle=False, mmap_mode="r")
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        calibration_file = folder / "calibration.json"
        calibration = json.loads(calibration_file.read_text(encoding="utf-8")) if calibration_file.exists() else {}
        user_words = (folder / "userdict.txt").read_text(encoding="utf-8").splitlines()
        other_places = [p for p in (folder / "places.txt").read_text(encoding="utf-8").splitlines() if p]
        documents = {d.doc_id: d for d in (Document(**json.loads(line)) for line in (folder / "documents.jsonl").read_text(encoding="utf-8").splitlines() if line)}
    except Exception as exc:  # any of five file formats can be damaged in its own way
        raise IndexCorrupt(f"{folder} cannot be read ({type(exc).__name__}: {exc}). {rebuild}") from None
    n_spans = sum(len(c.spans) for c in clauses)
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
        gazetteer=Gazetteer(regions),
        vectors=vectors,
        span_vectors=spans[:, 1:],
        span_owner=np.asarray(spans[:, 0]).astype(np.int64),
        bm25=bm25,
        calibration=calibration,
        other_places=other_places,
        documents=documents,
    )
