"""Building Milvus index versions: a full build fills a new collection and then switches the alias; an incremental one updates in place.

One alias a project and embedder (``reformqa_<index name>``) names the version
served. A full build (the first, ``--rebuild``, a new format or chunker)
writes ``<alias>__c<chunker>f<format>_<time>`` and only then points the alias
at it: readers never see a half-built index, and the version it replaced is
kept until the next full build, for replicas that have not switched yet. An
incremental build (seeds changed) embeds only texts whose hash is new,
upserts the rows that changed, deletes the rows of removed clauses, rewrites
the side files and writes the ``version`` row last; replicas reload when that
row or the alias changes. Builds on one machine are serialised by a lock file.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ..corpus import CHUNKER_VERSION, Corpus
from ..errors import IndexError_, IndexMissing, ReformqaError, SeedError
from ..normalize import normalize
from ..settings import Settings
from .backend import BACKENDS, SearchBackend
from .build import FLAT_BELOW, Progress, _embed_all, _key, index_lock, other_places, passage_text, user_words
from .embed import Embedder
from .lexical import K1, B, BM25Vectors
from .milvus import MAX_TEXT, META, SPANS, MilvusStore, is_server_uri, quoted
from .milvus_index import MILVUS_FORMAT, MilvusBackend, clause_record
from .tokenize import Tokenizer

__all__ = ["BUILD_COMMAND", "MilvusSite", "alias_for"]

BUILD_COMMAND = "reformqa index --backend milvus"
_PART = 16_000  # characters a meta row: at most 4 bytes each, within a VARCHAR's 65,535
_FETCH = 500
Calibrate = Callable[[SearchBackend], dict[str, Any]]


def alias_for(index_name: str) -> str:
    """The alias of a project's index for one embedder: Milvus names are letters, digits and single underscores."""
    return "reformqa_" + (re.sub(r"[^A-Za-z0-9]+", "_", index_name).strip("_") or "default")


def _put_meta(store: MilvusStore, collection: str, side: dict[str, str]) -> None:
    """Write side files as meta rows, in parts, and remove the parts an older, longer version left."""
    rows = [
        {"key": f"{name}.{i}", "name": name, "number": i, "value": text[start : start + _PART], "dense": [0.0, 0.0]}
        for name, text in side.items()
        for i, start in enumerate(range(0, max(len(text), 1), _PART))
    ]
    old = {r["key"] for r in store.rows(collection + META, ["name"], where=f"name in [{', '.join(quoted(n) for n in side)}]")}
    store.upsert(collection + META, rows)
    store.delete(collection + META, sorted(old - {r["key"] for r in rows}))


class MilvusSite:
    """Where a project's Milvus index lives (a Lite file or a server) and the alias it is served under."""

    def __init__(self, target: str, token: str | None, index_name: str, lock_dir: Path):
        self.target, self.token, self.alias, self.lock_dir = target, token, alias_for(index_name), lock_dir
        self._store: MilvusStore | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> MilvusSite:
        """The site a project's settings name: the Lite file in index/ or REFORMQA_MILVUS_URI, one alias an embedder."""
        if settings.backend not in BACKENDS:
            raise ReformqaError(f"unknown search backend {settings.backend!r}; expected one of {', '.join(BACKENDS)} (--backend, REFORMQA_BACKEND)")
        return cls(settings.milvus_target, settings.milvus_token, settings.index_dir.name, settings.home / "index")

    @property
    def location(self) -> str:
        return f"{self.alias} on {self.target}"

    @property
    def store(self) -> MilvusStore:
        if self._store is None:
            self._store = MilvusStore(self.target, self.token, build_command=BUILD_COMMAND)
        return self._store

    def served(self) -> str:
        """The collection the alias names now."""
        name = self.store.resolve(self.alias)
        if name is None:
            raise IndexMissing(f"Milvus at {self.target} has no index {self.alias}. Build it: {BUILD_COMMAND}")
        return name

    def version(self) -> tuple[str, str]:
        """What is served now: the collection and its version row; a change means a replica must reload."""
        name = self.served()
        self.store.load(name)
        rows = self.store.query(name + META, 'key == "version.0"', ["value"])
        return name, str(rows[0]["value"]) if rows else ""

    def open(self, embedder_id: str | None = None) -> MilvusBackend:
        return MilvusBackend(self.store, self.served(), alias=self.alias, embedder_id=embedder_id)

    def build(
        self, corpus: Corpus, embedder: Embedder, *, rebuild: bool, progress: Progress | None, calibrate: Calibrate, workers: int = 1
    ) -> tuple[bool, dict[str, Any], dict[str, Any]]:
        """Bring the served index up to date with the corpus; return (built, manifest, calibration)."""
        store = self.store
        lock = self.lock_dir / f"milvus-{self.alias}" if not is_server_uri(self.target) else self.lock_dir / f"milvus-{re.sub(r'[^A-Za-z0-9]+', '-', self.target)}-{self.alias}"
        with index_lock(lock):
            current = store.resolve(self.alias)
            previous = None
            if current is not None and not rebuild:
                try:
                    previous = MilvusBackend(store, current, alias=self.alias, embedder_id=embedder.model_id)
                except IndexError_:
                    previous = None  # another format, embedder or a damaged version: build a new one
                if previous is not None and previous.manifest["corpus_hash"] == corpus.hash:
                    return False, previous.manifest, previous.calibration
            name = current if previous is not None and current is not None else f"{self.alias}__c{CHUNKER_VERSION}f{MILVUS_FORMAT}_{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 10**6:06d}"
            try:
                if previous is None:
                    spans = sum(len(c.spans) for c in corpus.clauses)
                    indexes = store.create(name, embedder.dim, len(corpus.clauses), spans, FLAT_BELOW)
                else:
                    indexes = previous.manifest["milvus"]
                manifest = self._write(name, corpus, embedder, previous, indexes, progress, workers)
                backend = MilvusBackend(store, name, alias=self.alias)
                calibration = calibrate(backend)
                _put_meta(store, name, {"calibration": json.dumps(calibration, ensure_ascii=False)})
                _put_meta(store, name, {"version": f"{manifest['built_at']} {corpus.hash}"})
                store.flush(name)
            except BaseException:
                if previous is None:
                    store.drop(name)  # a half-built version is never served: the alias still names the old one
                raise
            if previous is None:
                store.switch_alias(self.alias, name)
                for old in store.collections(f"{self.alias}__"):
                    if old not in (name, current):
                        store.drop(old)
        return True, manifest, calibration

    def _write(self, name: str, corpus: Corpus, embedder: Embedder, previous: MilvusBackend | None, indexes: dict[str, Any], progress: Progress | None, workers: int = 1) -> dict[str, Any]:
        """Write the rows that differ from what the collection holds, then the side files; return the manifest."""
        store = self.store
        tokenizer = Tokenizer(user_words(corpus))
        token_lists = [tokenizer(normalize(passage_text(c))) or [""] for c in corpus.clauses]
        lexicon = BM25Vectors.fit(token_lists, previous.lexicon if previous is not None else None)
        clause_rows: list[dict[str, Any]] = []
        span_rows: list[dict[str, Any]] = []
        ordinal: dict[str, int] = {}
        for clause, tokens in zip(corpus.clauses, token_lists):
            key = _key(f"{clause.doc_id}\x1f{clause.clause_id}")[:24]
            record, text_key = clause_record(clause), _key(passage_text(clause))
            if len(record.encode("utf-8")) > MAX_TEXT:
                raise SeedError(f"{clause.doc_id}: clause {clause.clause_id} is {len(record.encode('utf-8')):,} bytes; a Milvus field holds {MAX_TEXT:,}. "
                                "Split the document (it has too few 。 or ；) or use the local backend")
            ordinal[clause.doc_id] = ordinal.get(clause.doc_id, -1) + 1
            clause_rows.append({"key": key, "doc_id": clause.doc_id, "region": clause.region or "", "kind": clause.kind, "number": ordinal[clause.doc_id],
                                "text_key": text_key, "row_key": _key("\x1f".join([record, text_key, *tokens])), "record": record,
                                "lexical": lexicon.clause_vector(tokens), "_text": passage_text(clause)})
            for i, span in enumerate(clause.spans):
                text = passage_text(clause, span.start, span.end)
                span_rows.append({"key": f"{key}.{i}", "owner": key, "number": i, "text_key": _key(text), "_text": text})
        old_clauses = {r["key"]: (r["row_key"], r["text_key"]) for r in store.rows(name, ["row_key", "text_key"])}
        old_spans = {r["key"]: r["text_key"] for r in store.rows(name + SPANS, ["text_key"])}
        clause_todo = [r for r in clause_rows if old_clauses.get(r["key"], ("", ""))[0] != r["row_key"]]
        span_todo = [r for r in span_rows if old_spans.get(r["key"]) != r["text_key"]]
        todo = clause_todo + span_todo
        known = self._vectors(name, sorted({r["text_key"] for r in todo} & ({v[1] for v in old_clauses.values()} | set(old_spans.values()))))
        vectors, embedded = _embed_all(embedder, [r["_text"] for r in todo], known, progress, workers)
        for row, vector in zip(todo, vectors):
            row["dense"] = vector.tolist()
            del row["_text"]
        store.upsert(name, clause_todo)
        store.upsert(name + SPANS, span_todo)
        new_keys, new_spans = {r["key"] for r in clause_rows}, {r["key"] for r in span_rows}
        store.delete(name, sorted(set(old_clauses) - new_keys))
        store.delete(name + SPANS, sorted(set(old_spans) - new_spans))
        changed = sum(1 for r in clause_rows if r["key"] in old_clauses and old_clauses[r["key"]][1] != r["text_key"])
        manifest = {
            "format_version": MILVUS_FORMAT,
            "chunker_version": CHUNKER_VERSION,
            "backend": "milvus",
            "collection": name,
            "corpus_hash": corpus.hash,
            "embedder": embedder.model_id,
            "dim": embedder.dim,
            "milvus": indexes,
            "lexical": {"k1": K1, "b": B, "avgdl": lexicon.avgdl},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "counts": {"documents": len(corpus.documents), "clauses": len(corpus.clauses), "spans": len(span_rows), "regions": len(corpus.regions)},
            "changes": {"added": len(new_keys - set(old_clauses)), "changed": changed, "removed": len(set(old_clauses) - new_keys),
                        "embedded": embedded, "reused": len(clause_rows) + len(span_rows) - embedded, "rows_written": len(todo)},
            "documents": [{"doc_id": d.doc_id, "title": d.title, "path": d.path, "sha256": d.sha256, "issuer": d.issuer, "doc_number": d.doc_number, "date": d.date}
                          for d in corpus.documents],
            "skipped": list(corpus.skipped),
        }
        side = {
            "regions": json.dumps([asdict(r) for r in corpus.regions], ensure_ascii=False),
            "documents": "".join(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in corpus.documents),
            "userdict": "\n".join(tokenizer.user_words) + "\n",
            "places": "\n".join(other_places(corpus)) + "\n",
            "lexicon": lexicon.to_json(),
            "manifest": json.dumps(manifest, ensure_ascii=False),
        }
        _put_meta(store, name, side)
        return manifest

    def _vectors(self, name: str, text_keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors the collection already holds for these texts (by text hash): they are not embedded again."""
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(text_keys), _FETCH):
            batch = ", ".join(quoted(k) for k in text_keys[start : start + _FETCH])
            for collection in (name, name + SPANS):
                for row in self.store.query(collection, f"text_key in [{batch}]", ["text_key", "dense"]):
                    out[row["text_key"]] = np.asarray(row["dense"], dtype=np.float32)
        return out
