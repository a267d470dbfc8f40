"""Typed records that pass between the pipeline's stages.

Offsets are Python string indices into the document's decoded source text, so
``document.text[start:end]`` is always the verbatim passage a record stands for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Document", "Region", "Span", "Clause", "Hit", "Citation", "Answer"]


@dataclass(frozen=True, slots=True)
class Document:
    """One source file from seeds/, decoded and unchanged."""

    doc_id: str
    title: str
    path: str  # relative to the project's seeds/ folder
    text: str  # the file itself for .txt/.md; the extracted text for .html/.docx/.pdf
    sha256: str  # of the file's bytes
    issuer: str = ""  # 国务院
    doc_number: str = ""  # 国函〔2025〕12号
    date: str = ""  # ISO date, 2025-09-11


@dataclass(frozen=True, slots=True)
class Region:
    """A pilot region: its name as the document writes it and where it applies."""

    name: str  # 合肥都市圈
    slug: str  # hefei
    places: tuple[str, ...]  # places its scope sentence names, full and short forms
    aliases: tuple[str, ...]  # other names people use, Chinese and Latin script


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence or sub-clause inside a clause: the smallest quotable unit."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    """One measure of a region's plan: the unit of citation."""

    clause_id: str  # hefei-03
    doc_id: str
    doc_title: str
    region: str | None  # None for document-level text such as the preamble
    section: str  # the heading the clause sits under
    kind: str  # "preamble", "scope" or "measure"
    start: int
    end: int
    text: str  # == document.text[start:end]
    spans: tuple[Span, ...]
    breadcrumb: tuple[str, ...] = ()  # document › section › item: cited and indexed, never quoted


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved clause with the score of every signal that ranked it."""

    clause: Clause
    score: float
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Citation:
    """A hit as shown to a person: the clause and the span quoted from it."""

    rank: int
    hit: Hit
    quote_start: int
    quote_end: int

    @property
    def quote(self) -> str:
        clause = self.hit.clause
        return clause.text[self.quote_start - clause.start : self.quote_end - clause.start]


@dataclass(frozen=True, slots=True)
class Answer:
    """What the bot says to one question: quotes with citations, or an honest no."""

    question: str
    answerable: bool
    citations: tuple[Citation, ...]
    regions_asked: tuple[str, ...] = ()
    list_question: bool = False
    confidence: float = 0.0
    message: str = ""
    features: dict[str, float] = field(default_factory=dict)
    matched_terms: tuple[tuple[str, str], ...] = ()  # an English question's words and the documents' terms it was matched through

    @property
    def text(self) -> str:
        """The plain text of the primary quote, or '' when nothing answers."""
        if not self.answerable or not self.citations:
            return ""
        if self.list_question:
            return "\n".join(c.quote for c in self.citations)
        return self.citations[0].quote
