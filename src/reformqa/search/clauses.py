"""The clause records of an index folder, each parsed the first time it is asked for: opening a million clauses reads one array.

clauses.jsonl keeps one clause a line, verbatim, for people and tools;
clauses.idx.npy holds, per clause, where its line starts and ends in that file
and what a search filters and ranks on (number of sub-clauses, region,
document, kind, article number, as codes). Opening an index maps the first
file and loads the second (56 bytes a clause); a question parses only the
clauses it cites. At 100,000 clauses parsing every line at open took 6 s
(bench/, docs/bench.md); at a million it would take a minute.
"""

from __future__ import annotations

import json
import mmap
import operator
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, overload

import numpy as np

from ..lazy import LazyPattern
from ..normalize import arabic
from ..records import Clause, Span

__all__ = ["INDEX_FILE", "ClauseRecords", "article_number", "clause_from_record", "write_clauses"]

INDEX_FILE = "clauses.idx.npy"
# Columns of clauses.idx.npy.
_START, _END, _SPANS, _REGION, _DOC, _KIND, _ARTICLE = range(7)
_ARTICLE_RE = LazyPattern(r"第([一二三四五六七八九十百零〇\d]+)条")


def article_number(article: str) -> int:
    """12 for 第十二条 (and for a clause inside it); 0 outside any article."""
    match = _ARTICLE_RE.match(article)
    return arabic(match.group(1)) if match else 0


def clause_from_record(record: dict[str, Any]) -> Clause:
    """A Clause from its JSON object in clauses.jsonl."""
    record = dict(record)
    record["spans"] = tuple(Span(a, b) for a, b in record["spans"])
    record["breadcrumb"] = tuple(record.get("breadcrumb", ()))
    return Clause(**record)


def _codes(clauses: Sequence[Clause]) -> dict[str, list[str]]:
    return {
        "regions": sorted({c.region for c in clauses if c.region}),
        "docs": sorted({c.doc_id for c in clauses}),
        "kinds": sorted({c.kind for c in clauses}),
    }


def write_clauses(folder: Path, clauses: Sequence[Clause]) -> dict[str, list[str]]:
    """Write clauses.jsonl and clauses.idx.npy; return the code lists the index's columns refer to (kept in the manifest)."""
    codes = _codes(clauses)
    region = {name: i for i, name in enumerate(codes["regions"])}
    doc = {name: i for i, name in enumerate(codes["docs"])}
    kind = {name: i for i, name in enumerate(codes["kinds"])}
    table = np.zeros((len(clauses), 7), dtype=np.int64)
    at = 0
    with open(folder / "clauses.jsonl", "wb") as out:
        for i, c in enumerate(clauses):
            record = asdict(c)
            record["spans"] = [[s.start, s.end] for s in c.spans]
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            out.write(line)
            table[i] = (at, at + len(line), len(c.spans), region.get(c.region or "", -1), doc[c.doc_id], kind[c.kind], article_number(c.article))
            at += len(line)
    np.save(folder / INDEX_FILE, table)
    return codes


class ClauseRecords(Sequence[Clause]):
    """The clauses of an index folder in position order, parsed on first access; columns for filters and ranks."""

    def __init__(self, folder: Path, codes: dict[str, list[str]]):
        table = np.load(folder / INDEX_FILE, allow_pickle=False)
        path = folder / "clauses.jsonl"
        size = path.stat().st_size
        if table.ndim != 2 or table.shape[1] != 7 or table.dtype != np.int64:
            raise ValueError(f"{INDEX_FILE} has shape {table.shape} and type {table.dtype}, expected (clauses, 7) int64")
        starts, ends = table[:, _START], table[:, _END]
        if len(table) and (starts[0] != 0 or ends[-1] != size or (starts[1:] != ends[:-1]).any() or (ends <= starts).any()):
            raise ValueError(f"{INDEX_FILE} does not describe the lines of clauses.jsonl")
        if not len(table) and size:
            raise ValueError(f"{INDEX_FILE} lists no clauses but clauses.jsonl is not empty")
        self._data: bytes | mmap.mmap = b""
        if size:
            with open(path, "rb") as handle:
                self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._starts, self._ends = starts.copy(), ends.copy()
        self.codes = codes
        self.span_counts = table[:, _SPANS].copy()
        self.region_of = table[:, _REGION].astype(np.int32)
        self.doc_of = table[:, _DOC].astype(np.int32)
        self.kind_of = table[:, _KIND].astype(np.int32)
        self.article_of = table[:, _ARTICLE].astype(np.int32)
        limits = {"regions": self.region_of, "docs": self.doc_of, "kinds": self.kind_of}
        for name, column in limits.items():
            if len(column) and (int(column.max()) >= len(codes.get(name, ())) or int(column.min()) < (-1 if name == "regions" else 0)):
                raise ValueError(f"{INDEX_FILE} refers to {name} the manifest does not list")
        self._parsed: dict[int, Clause] = {}
        self._where: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> Clause: ...

    @overload
    def __getitem__(self, index: slice) -> list[Clause]: ...

    def __getitem__(self, index: int | slice) -> Clause | list[Clause]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = operator.index(index)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"clause position {index} is outside 0..{len(self) - 1}")
        clause = self._parsed.get(i)
        if clause is None:
            clause = clause_from_record(json.loads(self._data[int(self._starts[i]) : int(self._ends[i])]))
            self._parsed[i] = clause
            self._where[(clause.doc_id, clause.clause_id)] = i
        return clause

    def __iter__(self) -> Iterator[Clause]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same clauses in the same order, as a list of them would be."""
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # mutable cache, compared by content: unhashable, as a list

    def position(self, clause: Clause) -> int:
        """Where a clause read from these records sits (every clause handed out was parsed here first)."""
        found = self._where.get((clause.doc_id, clause.clause_id))
        if found is None:
            for _ in self:  # a clause from elsewhere: parse them all once
                pass
            found = self._where[(clause.doc_id, clause.clause_id)]
        return found
