"""The seam every search backend fills: the records it keeps at hand, and the dense, lexical and sub-clause queries it answers.

A backend stores clauses, their sub-clauses and vectors, and answers queries
by *position*: a clause's position is its row in ``clauses``, which is in
document order. The Retriever fuses, boosts and ranks the same way over any
backend, so answers, the CLI, the UI and the JSON contract do not depend on it.

    local    the index folder (index/<embedder>/): FAISS, bm25s and spans.npy, in this process (search/local.py)
    milvus   a Milvus collection: a Milvus Lite file (index/milvus.db) or a server or cluster (search/milvus*.py)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..corpus import Gazetteer
from ..records import Clause, Document, Region
from .clauses import ClauseRecords
from .tokenize import Tokenizer

__all__ = ["BACKENDS", "ClauseTable", "SearchBackend", "Where", "distinct"]


def distinct(positions: np.ndarray) -> np.ndarray:
    """Sorted distinct positions, as np.unique gives them, without np.unique's import of numpy.ma (30 ms on a first question)."""
    ordered = np.sort(positions, kind="stable")
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered

BACKENDS = ("local", "milvus")


@dataclass(frozen=True, slots=True)
class Where:
    """A restriction of a query to clauses of these documents, regions, kinds and positions; an empty field restricts nothing."""

    docs: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    positions: tuple[int, ...] | None = None


class ClauseTable:
    """Per-position arrays of a clause list (document, region, kind), so a restriction costs a vector operation, not a loop."""

    def __init__(self, clauses: Sequence[Clause]):
        self.size = len(clauses)
        if isinstance(clauses, ClauseRecords):  # an index folder's columns: no clause is parsed
            codes = clauses.codes
            self.region_code, self.doc_code, self.kind_code = ({name: i for i, name in enumerate(codes[key])} for key in ("regions", "docs", "kinds"))
            self.region_of, self.doc_of, self.kind_of = clauses.region_of, clauses.doc_of, clauses.kind_of
        else:
            self.region_code = {name: i for i, name in enumerate(sorted({c.region for c in clauses if c.region}))}
            self.region_of = np.array([self.region_code.get(c.region or "", -1) for c in clauses], dtype=np.int32)
            self.doc_code = {name: i for i, name in enumerate(sorted({c.doc_id for c in clauses}))}
            self.doc_of = np.array([self.doc_code[c.doc_id] for c in clauses], dtype=np.int32)
            self.kind_code = {name: i for i, name in enumerate(sorted({c.kind for c in clauses}))}
            self.kind_of = np.array([self.kind_code[c.kind] for c in clauses], dtype=np.int32)
        self._members: dict[tuple[str, int], np.ndarray] = {}

    @staticmethod
    def _isin(of: np.ndarray, codes: Mapping[str, int], names: Sequence[str]) -> np.ndarray:
        return np.isin(of, [codes.get(name, -2) for name in names])

    def _union(self, column: str, codes: Mapping[str, int], names: Sequence[str]) -> np.ndarray:
        """Sorted positions whose column holds one of these names; each name's positions found once and kept."""
        found: list[np.ndarray] = []
        of: np.ndarray = getattr(self, column)
        for name in dict.fromkeys(names):
            code = codes.get(name, -2)
            members = self._members.get((column, code))
            if members is None:
                members = self._members[(column, code)] = np.flatnonzero(of == code)
            found.append(members)
        return found[0] if len(found) == 1 else distinct(np.concatenate(found))

    def select(self, where: Where) -> np.ndarray:
        """The positions the restriction admits, in order, as np.flatnonzero(self.mask(where)) gives them.

        Only the named documents' or regions' positions are read (kept after the first time they are asked for),
        so a restricted query's cost grows with what it admits, not with the corpus.
        """
        if where.positions is not None:
            base = distinct(np.asarray(where.positions, dtype=np.int64))
        elif where.docs:
            base = self._union("doc_of", self.doc_code, where.docs)
        elif where.regions:
            base = self._union("region_of", self.region_code, where.regions)
        elif where.kinds:
            base = self._union("kind_of", self.kind_code, where.kinds)
        else:
            return np.arange(self.size, dtype=np.int64)
        selected: np.ndarray = base[self.admits(where, base)]
        return selected

    def admits(self, where: Where, positions: np.ndarray) -> np.ndarray:
        """self.mask(where)[positions], reading only those positions."""
        allowed = np.ones(len(positions), dtype=bool)
        if not len(positions):
            return allowed
        if where.docs:
            allowed &= self._isin(self.doc_of[positions], self.doc_code, where.docs)
        if where.regions:
            allowed &= self._isin(self.region_of[positions], self.region_code, where.regions)
        if where.kinds:
            allowed &= self._isin(self.kind_of[positions], self.kind_code, where.kinds)
        if where.positions is not None:
            chosen = distinct(np.asarray(where.positions, dtype=np.int64))
            at = np.minimum(np.searchsorted(chosen, positions), max(len(chosen) - 1, 0))
            allowed &= (chosen[at] == positions) if len(chosen) else False
        return allowed

    def mask(self, where: Where) -> np.ndarray:
        """True at the positions the restriction admits."""
        allowed = np.ones(self.size, dtype=bool)
        if where.docs:
            allowed &= self._isin(self.doc_of, self.doc_code, where.docs)
        if where.regions:
            allowed &= self._isin(self.region_of, self.region_code, where.regions)
        if where.kinds:
            allowed &= self._isin(self.kind_of, self.kind_code, where.kinds)
        if where.positions is not None:
            chosen = np.zeros(self.size, dtype=bool)
            chosen[np.asarray(where.positions, dtype=np.int64)] = True
            allowed &= chosen
        return allowed


@runtime_checkable
class SearchBackend(Protocol):
    """What the Retriever and the answer layer need of a stored index, whatever holds it."""

    name: str  # "local" or "milvus"
    path: Path  # the index folder, or the Milvus alias it serves
    manifest: dict[str, Any]
    @property
    def clauses(self) -> Sequence[Clause]:
        """In document order: a clause's position is its index here."""
        ...

    regions: list[Region]
    documents: dict[str, Document]
    tokenizer: Tokenizer
    gazetteer: Gazetteer
    calibration: dict[str, Any]
    other_places: list[str]

    def dense(self, vector: np.ndarray, k: int, where: Where | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Positions and cosines of the k clauses closest to a unit vector, best first."""
        ...

    def best_span(self, vector: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The cosine of each position's closest sub-clause to the vector; NaN for a clause without sub-clause vectors."""
        ...

    def span_vectors(self, position: int) -> np.ndarray:
        """The vectors of one clause's sub-clauses, in the order of ``clause.spans``."""
        ...

    def nearest_span(self, vector: np.ndarray) -> tuple[int, int] | None:
        """(position, sub-clause number) of the sub-clause closest to the vector in the whole index."""
        ...

    def score_ahead(self, tokens: Sequence[str], k: int) -> None:
        """Start what `lexical` will compute for these tokens and k on another thread, where that saves time (else nothing)."""
        ...

    def lexical(self, tokens: Sequence[str], k: int, wheres: Sequence[Where | None] = (None,)) -> tuple[np.ndarray, np.ndarray]:
        """BM25 over our tokens: the union of the k best clauses with a positive score within each restriction (None: all)."""
        ...

    def document_frequencies(self) -> Mapping[str, int]:
        """In how many clauses each indexed token occurs."""
        ...

    def postings(self, token: str) -> frozenset[int] | None:
        """The positions of the clauses whose lexical tokens include this one; None when no clause has it."""
        ...
