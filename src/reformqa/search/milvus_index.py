"""The ``milvus`` backend: an index version opened from Milvus, its records at hand and its vectors queried where they live.

Opening reads the side files and the clause records (not their vectors) into
memory, in document order, as the local backend does; dense, lexical and
sub-clause queries go to Milvus, so replicas share one copy of the vectors
and the postings. Rows the server holds that this replica has not loaded yet
(another process is updating the collection in place) are skipped until the
replica reloads.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ..corpus import CHUNKER_VERSION, Gazetteer
from ..errors import IndexCorrupt, IndexMismatch
from ..normalize import normalize
from ..records import Clause, Document, Region
from .backend import Where
from .build import passage_text
from .lexical import BM25Vectors
from .milvus import META, SPANS, MilvusStore, quoted
from .store import _clause
from .tokenize import Tokenizer

__all__ = ["MILVUS_FORMAT", "MilvusBackend", "clause_record", "read_meta"]

# The layout of the three collections (search/milvus.py); a change means: reformqa index --rebuild --backend milvus.
MILVUS_FORMAT = 1
# Sub-clause vectors fetched for a query's candidates are kept: choosing the quotes then asks Milvus nothing more.
_SPAN_CACHE = 8192
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def clause_record(clause: Clause) -> str:
    """A clause as the JSON text its row stores (the format of clauses.jsonl)."""
    record = asdict(clause)
    record["spans"] = [[s.start, s.end] for s in clause.spans]
    return json.dumps(record, ensure_ascii=False)


def read_meta(store: MilvusStore, collection: str) -> dict[str, str]:
    """The side files of an index version, by name, each joined from its parts."""
    parts: dict[str, list[tuple[int, str]]] = {}
    for row in store.rows(collection + META, ["name", "number", "value"]):
        parts.setdefault(row["name"], []).append((int(row["number"]), row["value"]))
    return {name: "".join(value for _, value in sorted(chunks)) for name, chunks in parts.items()}


class MilvusBackend:
    """One index version in Milvus (three collections), opened and checked."""

    name = "milvus"

    def __init__(self, store: MilvusStore, collection: str, *, alias: str, embedder_id: str | None = None):
        self.store, self.collection, self.path = store, collection, Path(alias)
        self._postings: dict[str, frozenset[int]] | None = None
        self._postings_lock = threading.Lock()
        rebuild = f"Run: {store.build_command} --rebuild"
        store.load(collection)
        meta = read_meta(store, collection)
        try:
            manifest = json.loads(meta["manifest"])
            versions = (manifest["format_version"], manifest["chunker_version"])
            built_with, self.search_params = manifest["embedder"], manifest["milvus"]
            self.lexicon = BM25Vectors.from_json(meta["lexicon"])
            self.regions = [Region(**{**r, "places": tuple(r["places"]), "aliases": tuple(r["aliases"])}) for r in json.loads(meta["regions"])]
            self.documents = {d.doc_id: d for d in (Document(**json.loads(line)) for line in meta["documents"].splitlines() if line)}
            self.tokenizer = Tokenizer(meta["userdict"].splitlines())
            self.other_places = [p for p in meta["places"].splitlines() if p]
            self.calibration: dict[str, Any] = json.loads(meta.get("calibration") or "{}")
        except (KeyError, ValueError, TypeError) as exc:
            raise IndexCorrupt(f"Milvus collection {collection} at {store.target} is incomplete ({type(exc).__name__}: {exc}). {rebuild}") from None
        if versions != (MILVUS_FORMAT, CHUNKER_VERSION):
            raise IndexMismatch(f"{collection} has format {versions[0]}, chunker {versions[1]}; this reformqa writes format {MILVUS_FORMAT}, chunker {CHUNKER_VERSION}. {rebuild}")
        if embedder_id is not None and built_with != embedder_id:
            raise IndexMismatch(f"{collection} was built with {built_with}; the configured embedder is {embedder_id}. {rebuild}")
        self.manifest: dict[str, Any] = manifest
        rank = {d["doc_id"]: i for i, d in enumerate(manifest["documents"])}
        rows = sorted(store.rows(collection, ["record", "doc_id", "number"]), key=lambda r: (rank.get(r["doc_id"], len(rank)), int(r["number"])))
        self.clauses: list[Clause] = [_clause(json.loads(r["record"])) for r in rows]
        self._keys = [str(r["key"]) for r in rows]
        self._position = {key: i for i, key in enumerate(self._keys)}
        if len(self.clauses) != int(manifest["counts"]["clauses"]):
            raise IndexCorrupt(f"{collection} holds {len(self.clauses)} clauses; its manifest says {manifest['counts']['clauses']}. {rebuild}")
        self.gazetteer = Gazetteer(self.regions)
        self._spans: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, position: int) -> str:
        """The row key of the clause at a position."""
        return self._keys[position]

    def _filter(self, where: Where | None) -> str | None:
        """A Milvus filter expression for a restriction; None when it admits nothing."""
        if where is None:
            return ""
        parts = []
        for field, values in (("doc_id", where.docs), ("region", where.regions), ("kind", where.kinds)):
            if values:
                parts.append(f"{field} in [{', '.join(quoted(v) for v in values)}]")
        if where.positions is not None:
            if not where.positions:
                return None
            parts.append(f"key in [{', '.join(quoted(self._keys[p]) for p in where.positions)}]")
        return " and ".join(parts)

    def _hits(self, found: list[tuple[str, float, dict[str, Any]]]) -> tuple[np.ndarray, np.ndarray]:
        known = [(self._position[key], score) for key, score, _ in found if key in self._position]
        if not known:
            return _EMPTY
        return np.array([p for p, _ in known], dtype=np.int64), np.array([s for _, s in known], dtype=np.float32)

    def dense(self, vector: np.ndarray, k: int, where: Where | None = None) -> tuple[np.ndarray, np.ndarray]:
        expression = self._filter(where)
        if expression is None or not self.clauses:
            return _EMPTY
        query = vector.astype(np.float32).tolist()
        return self._hits(self.store.search(self.collection, "dense", query, k, where=expression, params=self.search_params["clauses"]["search"]))

    def _span_vectors(self, positions: Sequence[int]) -> list[np.ndarray]:
        """Each position's sub-clause vectors in span order: from the cache, the rest in one query."""
        keys = [self._keys[p] for p in positions]
        with self._lock:
            cached = {key: self._spans[key] for key in keys if key in self._spans}
        missing = [key for key in dict.fromkeys(keys) if key not in cached]
        if missing:
            rows = self.store.query(self.collection + SPANS, f"owner in [{', '.join(quoted(k) for k in missing)}]", ["owner", "number", "dense"])
            grouped: dict[str, list[tuple[int, list[float]]]] = {key: [] for key in missing}
            for row in rows:
                grouped[row["owner"]].append((int(row["number"]), row["dense"]))
            fetched = {key: np.asarray([v for _, v in sorted(found)], dtype=np.float32).reshape(len(found), -1) for key, found in grouped.items()}
            cached.update(fetched)
            with self._lock:
                self._spans.update(fetched)
                while len(self._spans) > _SPAN_CACHE:
                    self._spans.popitem(last=False)
        return [cached[key] for key in keys]

    def best_span(self, vector: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The candidates' sub-clause vectors, fetched in one query and compared here: exact, whatever the index type."""
        best = np.full(len(positions), np.nan, dtype=np.float32)
        for i, vectors in enumerate(self._span_vectors([int(p) for p in positions])):
            if len(vectors):
                best[i] = float((vectors @ vector).max())
        return best

    def span_vectors(self, position: int) -> np.ndarray:
        return self._span_vectors([position])[0]

    def nearest_span(self, vector: np.ndarray) -> tuple[int, int] | None:
        found = self.store.search(self.collection + SPANS, "dense", vector.astype(np.float32).tolist(), 1, fields=("owner", "number"),
                                  params=self.search_params["spans"]["search"])
        if not found or found[0][2].get("owner") not in self._position:
            return None
        return self._position[found[0][2]["owner"]], int(found[0][2]["number"])

    def score_ahead(self, tokens: Sequence[str], k: int) -> None:
        """Nothing: Milvus scores BM25 within each search it is sent."""

    def lexical(self, tokens: Sequence[str], k: int, wheres: Sequence[Where | None] = (None,)) -> tuple[np.ndarray, np.ndarray]:
        """One sparse inner-product search a restriction: exactly bm25s's scores (search/lexical.py)."""
        query = self.lexicon.query_vector(tokens)
        if not query:
            return _EMPTY
        scores: dict[int, float] = {}
        for where in wheres:
            expression = self._filter(where)
            if expression is None:
                continue
            positions, values = self._hits(self.store.search(self.collection, "lexical", query, k, where=expression))
            scores.update(zip(positions.tolist(), values.tolist()))
        if not scores:
            return _EMPTY
        chosen = np.array(sorted(scores), dtype=np.int64)
        return chosen, np.array([scores[p] for p in chosen.tolist()], dtype=np.float32)

    def document_frequencies(self) -> Mapping[str, int]:
        return self.lexicon.df

    def postings(self, token: str) -> frozenset[int] | None:
        """Which clauses hold a token: an inverted index of the clauses' own tokens, made on first use (the engine keeps none we can read)."""
        with self._postings_lock:
            if self._postings is None:
                inverted: dict[str, set[int]] = {}
                for position, clause in enumerate(self.clauses):
                    for t in set(self.tokenizer(normalize(passage_text(clause)))):
                        inverted.setdefault(t, set()).add(position)
                self._postings = {t: frozenset(v) for t, v in inverted.items()}
        return self._postings.get(token)
