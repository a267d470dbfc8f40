"""Building the index folder: embed what changed, write every file, swap it into place atomically.

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..corpus import CHUNKER_VERSION, jurisdiction_names, national_places
from ..corpus.regions import pinyin
from ..normalize import normalize
from ..records import Clause, Span
from .clauses import write_clauses
from .embed import Embedder
from .embed_pool import embed_passages
from .query_memo import read_query_vectors, write_query_vectors
from .stamps import remember
from .store import FORMAT_VERSION, StoredIndex, checksums
from .tokenize import Tokenizer, corpus_terms

if TYPE_CHECKING:
    from ..corpus import Corpus

__all__ = ["FLAT_BELOW", "REUSE_QUERY_VECTORS", "SPAN_MIN_CHARS", "Progress", "embeds_own", "factory_for", "other_places", "passage_text", "user_words", "write_index", "seal_index", "index_lock", "replace_folder"]

Progress = Callable[[int, int], None]


def passage_text(clause: Clause, start: int | None = None, end: int | None = None) -> str:
    """The text embedded and indexed for a clause or a span: region or breadcrumb, an item's lead-in, then the words."""
    body = clause.text if start is None or end is None else clause.text[start - clause.start : end - clause.start]
    head = clause.region or " › ".join(clause.breadcrumb) or clause.doc_title
    return f"{head}：{clause.context}{body}"


# A sub-clause gets a vector of its own only where its clause has several and it is at least this long;
# the others take their clause's vector (a one-part clause is quoted whole; a short part says little by
# itself). None embeds every sub-clause. Measured with reformqa eval (docs/bench.md, "Ingest").
SPAN_MIN_CHARS: int | None = None


# An incremental build hands the previous index's query vectors to its calibration (search/query_memo.py);
# False embeds every calibration question again, as builds did until 2026-11-30 (bench/ingest.py's baseline).
REUSE_QUERY_VECTORS = True


def embeds_own(clause: Clause, span: Span) -> bool:
    """Whether a sub-clause is embedded on its own (else it shares its clause's vector)."""
    return SPAN_MIN_CHARS is None or (len(clause.spans) > 1 and span.end - span.start >= SPAN_MIN_CHARS)


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
    for position, clause in enumerate(stored.clauses):
        for span in clause.spans:
            vector = stored.span_vectors[next(rows)]
            if clause_vecs is None or not np.array_equal(vector, clause_vecs[position]):  # a shared clause vector is not the span's own
                out[_key(passage_text(clause, span.start, span.end))] = vector
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


def _embed_all(embedder: Embedder, texts: list[str], known: dict[str, np.ndarray], progress: Progress | None, workers: int = 1) -> tuple[np.ndarray, int]:
    """Vectors for texts, embedding only those whose hash the previous index lacks (each distinct text once)."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    todo = []
    for i, text in enumerate(texts):
        vector = known.get(_key(text))
        if vector is not None and len(vector) == embedder.dim:
            out[i] = vector
        else:
            todo.append(i)
    if todo:
        out[todo] = embed_passages(embedder, [texts[i] for i in todo], workers=workers, progress=progress)
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


def user_words(corpus: Corpus) -> list[str]:
    """The tokenizer's user dictionary: the terms the corpus quotes, and the pilots' names, places and aliases."""
    return corpus_terms(c.text for c in corpus.clauses) + [t for r in corpus.regions for t in (r.name, *r.places, *r.aliases) if not t.isascii()]


def other_places(corpus: Corpus) -> list[str]:
    """Places in China that no pilot covers and no document governs, to notice questions about them."""
    # A document's jurisdiction (汕头, shantou) is no place "outside the documents", in Chinese or in pinyin.
    where = [n for d in corpus.documents for name in jurisdiction_names(d.jurisdiction) for n in (name, pinyin(name))]
    ours = [*(t for r in corpus.regions for t in (r.name, *r.places, *r.aliases)), *where]
    return national_places(ours, "\n".join(d.text for d in corpus.documents))


# bench/: exact search stays under ~10 ms a query below 70,000 clauses; above, IVF
# with nlist = 4*sqrt(N) and nprobe 256 kept recall@10 >= 0.95 at 100k and 1M
# clauses with p95 13 ms at 1M (HNSW reached only 0.79 at 1M within its build budget).
FLAT_BELOW = 70_000


def factory_for(n_clauses: int) -> str:
    """The FAISS index type for a corpus of this size, chosen from the benchmark."""
    return "Flat" if n_clauses < FLAT_BELOW else f"IVF{int(4 * n_clauses ** 0.5)},Flat"


def _write_text_files(folder: Path, corpus: Corpus) -> dict[str, Any]:
    """Write the files that need no vectors (BM25, clauses, documents, regions, the tokenizer's words, other places); the clause codes."""
    import bm25s

    tokenizer = Tokenizer(user_words(corpus))
    retriever = bm25s.BM25()
    retriever.index([tokenizer(normalize(passage_text(c))) or [""] for c in corpus.clauses], show_progress=False)
    retriever.save(str(folder / "bm25"), show_progress=False)
    codes = write_clauses(folder, corpus.clauses)
    with open(folder / "documents.jsonl", "w", encoding="utf-8") as out:
        for d in corpus.documents:
            out.write(json.dumps(asdict(d), ensure_ascii=False) + "\n")
    (folder / "regions.json").write_text(json.dumps([asdict(r) for r in corpus.regions], ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "userdict.txt").write_text("\n".join(tokenizer.user_words) + "\n", encoding="utf-8")
    (folder / "places.txt").write_text("\n".join(other_places(corpus)) + "\n", encoding="utf-8")
    return codes


def write_index(
    folder: Path, corpus: Corpus, embedder: Embedder, *, factory: str | None = None, progress: Progress | None = None, previous: StoredIndex | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Embed (only what changed since `previous`) and write every index file into a fresh folder."""
    import faiss

    span_refs = [(i, s) for i, c in enumerate(corpus.clauses) for s in c.spans]
    known = reusable_vectors(previous) if previous is not None and previous.manifest.get("embedder") == embedder.model_id else {}
    own = [embeds_own(corpus.clauses[i], s) for i, s in span_refs]
    texts = [passage_text(c) for c in corpus.clauses] + [passage_text(corpus.clauses[i], s.start, s.end) for (i, s), o in zip(span_refs, own) if o]
    if workers > 1:
        # While worker processes embed, a thread of this one writes the files that need no vectors, rather
        # than the cores waiting for it afterwards (bench/ingest.py). Embedding stays on this thread: Ctrl-C stops it.
        with ThreadPoolExecutor(max_workers=1) as background:
            text_files = background.submit(_write_text_files, folder, corpus)
            vectors, embedded = _embed_all(embedder, texts, known, progress, workers)
            codes = text_files.result()
    else:
        vectors, embedded = _embed_all(embedder, texts, known, progress, workers)
        codes = _write_text_files(folder, corpus)
    remembered = read_query_vectors(previous.path, embedder.model_id) if previous is not None and REUSE_QUERY_VECTORS else {}
    if remembered:
        write_query_vectors(folder, embedder.model_id, remembered, embedder.dim)
    clause_vecs, own_vecs = vectors[: len(corpus.clauses)], iter(vectors[len(corpus.clauses) :])
    span_vecs = np.array([next(own_vecs) if o else clause_vecs[i] for (i, _), o in zip(span_refs, own)], dtype=np.float32).reshape(-1, embedder.dim)

    factory = factory or factory_for(len(corpus.clauses))
    index = faiss.index_factory(embedder.dim, factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        index.train(clause_vecs)
    index.add(clause_vecs)
    faiss.write_index(index, str(folder / "clauses.faiss"))
    np.save(folder / "spans.npy", np.hstack([np.array([[i] for i, _ in span_refs], dtype=np.float32).reshape(-1, 1), span_vecs]) if span_refs else np.zeros((0, embedder.dim + 1), np.float32))

    manifest = {
        "format_version": FORMAT_VERSION,
        "chunker_version": CHUNKER_VERSION,
        "corpus_hash": corpus.hash,
        "embedder": embedder.model_id,
        "dim": embedder.dim,
        "faiss_factory": factory,
        "counts": {"documents": len(corpus.documents), "clauses": len(corpus.clauses), "spans": len(span_refs), "regions": len(corpus.regions)},
        "clause_codes": codes,
        "span_vectors": {"min_chars": SPAN_MIN_CHARS, "own": sum(own), "shared_with_clause": len(own) - sum(own)},
        "changes": {**_changes(corpus, previous), "embedded": embedded, "reused": len(texts) - embedded},
        "documents": [
            {"doc_id": d.doc_id, "title": d.title, "short_title": d.short_title, "path": d.path, "sha256": d.sha256, "issuer": d.issuer,
             "doc_number": d.doc_number, "date": d.date, "jurisdiction": d.jurisdiction, "structure": corpus.structure.get(d.doc_id, {}),
             "dates": {k: v for k, v in (("adopted", d.date_adopted), ("amended", d.date_amended), ("effective", d.date_effective), ("signed", d.date_signed)) if v}}
            for d in corpus.documents
        ],
        "skipped": list(corpus.skipped),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return seal_index(folder)


def seal_index(folder: Path) -> dict[str, Any]:
    """Record the checksum of every file beside the manifest in it (again after a file such as calibration.json is added)."""
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = checksums(folder)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    remember(folder, manifest["files"])  # the first open need not hash them again (search/stamps.py)
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
