"""The one module that talks to Milvus (pymilvus; Milvus Lite for a local file): connecting, the three collections, and their operations.

An index version is three collections that share a name: ``<name>`` (one row
a clause: scalar fields to filter on, the clause record, its dense vector and
our own BM25 weights as a sparse vector), ``<name>_spans`` (one row a
sub-clause vector) and ``<name>_meta`` (the side files, as text in parts).
Milvus requires a vector field in every collection: the meta rows carry a
2-dimensional zero vector that is never searched. Every failure becomes one
``ReformqaError`` line naming the URI and the command to run.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..errors import IndexCorrupt, IndexMissing, IndexUnreachable, MissingDependency

__all__ = ["INSTALL", "MAX_TEXT", "META", "SPANS", "MilvusStore", "is_server_uri", "quoted"]

SPANS, META = "_spans", "_meta"
INSTALL = "pip install -e '.[milvus]'"
MAX_TEXT = 65_535  # bytes in a VARCHAR field
_BATCH = 1000
_T = TypeVar("_T")


def is_server_uri(target: str) -> bool:
    """True for a Milvus server address; anything else is a Milvus Lite file."""
    return target.startswith(("http://", "https://", "tcp://", "grpc://", "unix:"))


def quoted(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dense_index(n: int, flat_below: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Index type, build and search parameters for n vectors: exact below flat_below, else IVF as the local backend does."""
    if n < flat_below:
        return "FLAT", {}, {}
    return "IVF_FLAT", {"nlist": int(4 * math.sqrt(n))}, {"nprobe": 256}


class MilvusStore:
    """A connection to one Milvus (server, cluster or Lite file) and the operations reformqa needs."""

    def __init__(self, target: str, token: str | None = None, *, build_command: str):
        self.target, self.build_command = target, build_command
        self.uri = target if is_server_uri(target) else os.path.abspath(target)
        # gRPC's own C-core log would print keepalive chatter ("too_many_pings") under the answers.
        os.environ.setdefault("GRPC_VERBOSITY", "NONE")
        try:
            import pymilvus

            if not is_server_uri(target):
                import milvus_lite  # noqa: F401  pymilvus runs a local file through it; its own hint names another install
        except ImportError:
            raise MissingDependency(f"the milvus backend needs pymilvus and milvus-lite. Install them: {INSTALL}") from None
        # Failures reach the user as one line of ours; pymilvus and Milvus Lite would log tracebacks too.
        for name in ("pymilvus", "milvus_lite"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        self._types = pymilvus
        self._loaded: set[str] = set()
        if not is_server_uri(target):
            os.makedirs(os.path.dirname(self.uri) or ".", exist_ok=True)
        try:
            self.client = pymilvus.MilvusClient(uri=self.uri, token=token or "", timeout=10)
        except Exception as exc:  # noqa: BLE001 - pymilvus raises its own and gRPC's errors here: every one means "cannot connect"
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: BaseException) -> IndexUnreachable:
        if not is_server_uri(self.target) and self._locked():
            return IndexUnreachable(
                f"Milvus Lite file {self.target} is open in another process (one process per file). To share it, serve it: "
                f"milvus-lite server --data-dir {self.target} --port 19530, then set REFORMQA_MILVUS_URI=http://127.0.0.1:19530"
            )
        detail = str(getattr(exc, "message", "") or exc or type(exc).__name__).splitlines()[0][:200]
        return IndexUnreachable(f"cannot reach Milvus at {self.target} ({detail}). Start it or fix REFORMQA_MILVUS_URI, then build the index: {self.build_command}")

    def _locked(self) -> bool:
        lock = os.path.join(self.uri, "LOCK")
        if not os.path.exists(lock):
            return False
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
        return False

    def call(self, collection: str, operation: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Run one client operation on a collection; a missing collection or an unreachable server becomes one clear error."""
        try:
            return operation(*args, **kwargs)
        except self._types.MilvusException as exc:
            message = str(getattr(exc, "message", "") or exc)
            if "not exist" in message or "not found" in message or getattr(exc, "code", None) == 100:
                raise IndexMissing(f"Milvus at {self.target} has no collection {collection or '(unnamed)'}. Build it: {self.build_command}") from None
            if isinstance(exc, (self._types.exceptions.MilvusUnavailableException, self._types.exceptions.ConnectionNotExistException)) or "connect" in message.lower():
                raise self._unreachable(exc) from None
            detail = message.splitlines()[0][:300] if message else type(exc).__name__
            raise IndexCorrupt(f"Milvus at {self.target} refused an operation on {collection or 'the server'} ({detail}). If the index is damaged: {self.build_command} --rebuild") from None

    # --- names ---------------------------------------------------------------

    def resolve(self, alias: str) -> str | None:
        """The collection an alias names, or None when there is no such alias."""
        try:
            return str(self.client.describe_alias(alias)["collection_name"])
        except self._types.MilvusException as exc:
            if "alias" in str(getattr(exc, "message", "")).lower() or getattr(exc, "code", None) in (100, 1602):
                return None
            raise self._unreachable(exc) from None

    def switch_alias(self, alias: str, collection: str) -> None:
        """Point the alias at the collection: readers that resolve it from now on get the new one."""
        if self.resolve(alias) is None:
            self.call(collection, self.client.create_alias, collection, alias)
        else:
            self.call(collection, self.client.alter_alias, collection, alias)

    def collections(self, prefix: str) -> list[str]:
        """Index versions whose name starts with prefix (the clause collections only)."""
        names = self.call("", self.client.list_collections)
        return sorted(n for n in names if n.startswith(prefix) and not n.endswith((SPANS, META)))

    # --- one index version -----------------------------------------------------

    def create(self, name: str, dim: int, n_clauses: int, n_spans: int, flat_below: int) -> dict[str, Any]:
        """Create the three collections of an index version; return how their dense fields are indexed."""
        DataType, client = self._types.DataType, self.client
        chosen: dict[str, Any] = {}
        for part, suffix, count, fields in (
            ("clauses", "", n_clauses, [("doc_id", 512), ("region", 256), ("kind", 64), ("text_key", 64), ("row_key", 64), ("record", MAX_TEXT)]),
            ("spans", SPANS, n_spans, [("owner", 64), ("text_key", 64)]),
            ("meta", META, 0, [("name", 64), ("value", MAX_TEXT)]),
        ):
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=128)
            for field, length in fields:
                schema.add_field(field, DataType.VARCHAR, max_length=length)
            schema.add_field("number", DataType.INT64)  # a clause's place in its document, a span's in its clause, a meta part
            schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim if suffix != META else 2)
            indexes = client.prepare_index_params()
            kind, params, search = _dense_index(count, flat_below) if suffix != META else ("FLAT", {}, {})
            indexes.add_index(field_name="dense", index_type=kind, metric_type="IP", params=params)
            if suffix == "":
                schema.add_field("lexical", DataType.SPARSE_FLOAT_VECTOR)
                indexes.add_index(field_name="lexical", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
            collection = name + suffix
            self.call(collection, client.create_collection, collection, schema=schema, index_params=indexes, consistency_level="Strong")
            chosen[part] = {"index": kind, "params": params, "search": search}
        return chosen

    def drop(self, name: str) -> None:
        """Remove an index version's three collections."""
        for suffix in ("", SPANS, META):
            with contextlib.suppress(IndexMissing):
                self.call(name + suffix, self.client.drop_collection, name + suffix)

    def load(self, name: str) -> None:
        """Make an index version searchable (a restarted Milvus Lite starts with its collections released); once a connection."""
        if name in self._loaded:
            return
        self._loaded.add(name)
        for suffix in ("", SPANS, META):
            collection = name + suffix
            state = str(self.call(collection, self.client.get_load_state, collection).get("state", ""))
            if "Loaded" not in state:
                self.call(collection, self.client.load_collection, collection)

    def flush(self, name: str) -> None:
        for suffix in ("", SPANS, META):
            self.call(name + suffix, self.client.flush, name + suffix)

    # --- rows ----------------------------------------------------------------

    def upsert(self, collection: str, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), _BATCH):
            batch = list(rows[start : start + _BATCH])
            self.call(collection, self.client.upsert, collection, batch)

    def delete(self, collection: str, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), _BATCH):
            batch = list(keys[start : start + _BATCH])
            self.call(collection, self.client.delete, collection, ids=batch)

    def rows(self, collection: str, fields: Sequence[str], where: str = 'key != ""') -> Iterator[dict[str, Any]]:
        """Every row the filter admits, in batches (a query alone stops at 16,384 rows)."""
        iterator = self.call(collection, self.client.query_iterator, collection, batch_size=_BATCH * 4, filter=where, output_fields=list(fields))
        try:
            while batch := self.call(collection, iterator.next):
                yield from batch
        finally:
            iterator.close()

    def query(self, collection: str, where: str, fields: Sequence[str]) -> list[dict[str, Any]]:
        return list(self.call(collection, self.client.query, collection, filter=where, output_fields=list(fields)))

    def search(
        self, collection: str, field: str, query: Any, limit: int, *, where: str = "", fields: Sequence[str] = ("key",), params: dict[str, Any] | None = None
    ) -> list[tuple[str, float, dict[str, Any]]]:
        """(key, inner product, requested fields) of the best rows, best first."""
        found = self.call(
            collection, self.client.search, collection, data=[query], anns_field=field, limit=limit, filter=where, output_fields=list(fields),
            search_params={"metric_type": "IP", "params": params or {}},
        )
        return [(str(hit["key"] if "key" in hit else hit["id"]), float(hit["distance"]), dict(hit.get("entity", {}))) for hit in found[0]]
