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
    date: str = ""  # ISO date of the version the text is: amended, else adopted, else signed
    short_title: str = ""  # 促进科技成果转化法 for 中华人民共和国促进科技成果转化法; "" when there is no usual short form
    jurisdiction: str = ""  # where it applies: 全国, 北京市, 汕头市; "" when the title and issuer do not say
    jurisdiction_level: str = ""  # "national", "province" or "city"
    date_adopted: str = ""  # each ISO date as the text gives it, "" where it does not
    date_amended: str = ""
    date_effective: str = ""
    date_signed: str = ""


@dataclass(frozen=True, slots=True)
class Region:
    """A pilot region: its name as the document writes it and where it applies."""

    name: str  # 合肥都市圈
    slug: str  # hefei
    places: tuple[str, ...]  # places its scope sentence names, full and short forms
    aliases: tuple[str, ...]  # other names people use, Chinese and Latin script
    containers: tuple[str, ...] = ()  # places that hold the pilot without being all of it (江苏省 for 苏南): a weaker sign


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
    article: str = ""  # 第十二条 for every clause inside an article, "" elsewhere
    doc_short_title: str = ""  # 促进科技成果转化法; "" when the document has no usual short form
    context: str = ""  # for an item (项): the paragraph that introduces it (…按照下列标准…：); indexed with it, never quoted
    place: str = ""  # where it sits as people cite it: 第十二条第三款第（三）项, 二、（三）; "" for a preamble or a pilot's section

    @property
    def cited_as(self) -> str:
        """The citation as people say it: 《北京市促进科技成果转化条例》第十二条第三款第（三）项."""
        return f"《{self.doc_title}》{self.place or self.region or ''}"


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
    items: int = 0  # how many leading citations answer together (a law's lead-in and its items, answer/items.py); 0: one quote

    @property
    def text(self) -> str:
        """The plain text of the primary quote, or '' when nothing answers."""
        if not self.answerable or not self.citations:
            return ""
        if self.list_question:
            return "\n".join(c.quote for c in self.citations)
        return self.citations[0].quote
