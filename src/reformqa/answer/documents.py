"""Which documents a question names, and which article: 《…条例》第十二条, 促进科技成果转化法第四十五条, 那个科研助理的通知.

A question names a document by its title or short title, by its number
(国办发〔2021〕26号), in 《》, or by its type with a word of its title or its
place before it (北京的条例, 科研助理的通知, 成果转化法). A place alone (北京)
names the documents of that jurisdiction, and the pilot of that name too; the
gazetteer weighs both. Article, 款 and 项 are read as the documents write
them. The references are blanked out of the text the pilot gazetteer reads, so
北京 inside 北京市促进科技成果转化条例 is not read as the pilot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..corpus import NATIONAL, Gazetteer, jurisdiction_names
from ..corpus.jurisdiction import division_names
from ..errors import InvalidQuestion
from ..lazy import LazyPattern
from ..normalize import arabic, chinese_numeral, normalize
from ..records import Document

__all__ = ["DOC_TYPES", "NO_DOCUMENTS", "DocumentsAsked", "doc_types", "documents_named", "number_pattern", "read_documents"]

# Longest first: 指导意见 before 意见. Each specific type also answers to its generic one.
DOC_TYPES = ("指导意见", "实施意见", "实施方案", "管理办法", "暂行办法", "实施细则", "条例", "规定", "办法", "细则", "决定",
             "通知", "意见", "方案", "批复", "规划", "纲要", "措施", "公告", "通告", "法")
_GENERIC = {"指导意见": "意见", "实施意见": "意见", "实施方案": "方案", "管理办法": "办法", "暂行办法": "办法", "实施细则": "细则"}
_ENGLISH = {"law": "法", "laws": "法", "regulation": "条例", "regulations": "条例", "notice": "通知", "circular": "通知",
            "guideline": "意见", "guidelines": "意见", "opinion": "意见", "opinions": "意见", "approval": "批复", "reply": "批复"}
# Central bodies by their English names, to read "the State Council's …" as its documents.
_ENGLISH_ISSUERS = {"state council": "国务院", "national people's congress": "全国人", "npc": "全国人", "ministry of science and technology": "科技部",
                    "ministry of education": "教育部", "ministry of finance": "财政部"}
# 法 inside 办法, 方法, 依法, 法律 … is not a law.
_NOT_LAW_BEFORE, _NOT_LAW_AFTER = "办方依合违非立执司做算说想看用手守宪无设", "律规人定院治制官"
# 那个通知, 这部法: a type word pointed at; a title's words stop at a separator.
_DEICTIC = LazyPattern(r"(?:那个|这个|那份|这份|这部|那部|该|本|此|这项|那项|《)的?$")
_SEPARATORS = LazyPattern(r"[\s,，。?？!！;；:：、和与及跟或]|还是")
# 第十二条 / 第12条 / article 12, then 第一款 and 第（三）项 as the question writes them.
_NUMERAL = "一二三四五六七八九十百零〇"
_ARTICLE, _PARAGRAPH, _ITEM = (
    LazyPattern(rf"第\s*(\d+|[{_NUMERAL}]+)\s*条|\barticle\s+(\d+)|\bart\.\s*(\d+)"),
    LazyPattern(rf"第\s*(\d+|[{_NUMERAL}]+)\s*款|\bparagraph\s+(\d+)"),
    LazyPattern(rf"第?\s*[(（]?\s*(\d+|[{_NUMERAL}]+)\s*[)）]?\s*项|\bitem\s+\(?(\d+)\)?"),
)
_NATIONAL_CUE = LazyPattern(r"国家层面|全国性|国家(?:的)?(?:法律|规定|层面)|中央层面|\bnational\b|\bnationwide\b")


@dataclass(frozen=True, slots=True)
class DocumentsAsked:
    """The documents and the article a question names, and where in the text it names them."""

    named: tuple[str, ...] = ()  # doc ids named by title, short title, number, 《》 or type
    places: tuple[str, ...] = ()  # doc ids whose jurisdiction a place in the question names
    article: int = 0  # 12 for 第十二条; 0 when none is asked
    detail: tuple[str, ...] = ()  # 第三款, 第（三）项: the place inside the article as the documents write it
    masked: str = ""  # the normalised question with the references blanked
    unknown: bool = False  # it names a document the corpus does not hold (《上海市…条例》, 深圳经济特区…条例) and none it does


NO_DOCUMENTS = DocumentsAsked()


def number_pattern(doc_number: str) -> re.Pattern[str]:
    """A document number however its brackets are typed: 国办发〔2021〕26号, 国办发[2021]26号, 国办发2021第26号."""
    parts = re.findall(r"[\u4e00-\u9fff]+|\d+", normalize(doc_number))
    return re.compile(r"\W*第?\W*".join(re.escape(p) for p in parts if p != "第"))


def doc_types(title: str) -> tuple[str, ...]:
    """The type words a title answers to: 指导意见 and 意见 for …的指导意见."""
    for kind in DOC_TYPES:
        if title.endswith(kind):
            return (kind, _GENERIC[kind]) if kind in _GENERIC else (kind,)
    return ()


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if re.match(r"[\u4e00-\u9fff]{2}", text[i : i + 2])}


class _Catalog:
    """The names of a corpus's documents, normalised once."""

    def __init__(self, documents: Sequence[Document]):
        self.documents = documents
        self.titles = {d.doc_id: normalize(d.title) for d in documents}
        self.names = {d.doc_id: [n for n in {self.titles[d.doc_id], normalize(d.short_title)} if len(n) >= 4] for d in documents}
        # A bare 第3号 would match 3号 anywhere: a number names a document when it has a prefix or a year too.
        self.numbers = {d.doc_id: number_pattern(d.doc_number) for d in documents if len(re.findall(r"[\u4e00-\u9fff]{2,}|\d+", d.doc_number)) >= 3}
        # 132号文, 26号文件: how a notice is called by its number alone.
        self.short_numbers = {d.doc_id: re.compile(r"(?<!\d)" + re.findall(r"\d+", d.doc_number)[-1] + "号文") for d in documents if d.doc_id in self.numbers}
        self.types = {d.doc_id: doc_types(d.title) for d in documents}
        self.grams = {d.doc_id: _bigrams(self.titles[d.doc_id] + " " + normalize(d.jurisdiction)) for d in documents}
        df: dict[str, int] = {}
        for grams in self.grams.values():
            for gram in grams:
                df[gram] = df.get(gram, 0) + 1
        self.weight = {g: math.log((len(documents) + 1) / n) for g, n in df.items()}
        self.issuers = {d.doc_id: _issuer_names(d.issuer) for d in documents}


def _issuer_names(issuer: str) -> tuple[str, ...]:
    """The names a question may give an issuer: 国务院办公厅 and 国务院, 北京市人大常委会 for …人民代表大会常务委员会."""
    names: list[str] = []
    for body in normalize(issuer).split():
        short = body.replace("人民代表大会常务委员会", "人大常委会").replace("人民代表大会", "人大")
        names += [body, short, *(["国务院"] if body.startswith("国务院") else [])]
    names += [english for english, chinese in _ENGLISH_ISSUERS.items() if any(n.startswith(chinese) for n in names)]
    return tuple(dict.fromkeys(n for n in names if len(n) >= 3))


_CATALOGS: dict[tuple[str, ...], _Catalog] = {}


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    return frozenset(name for full, short, _, _ in division_names() for name in (full, short))


def _foreign(text: str, document: Document) -> bool:
    """Whether the text names a province or city the document does not apply to: 深圳…条例 is not the 汕头 one."""
    own = set(jurisdiction_names(document.jurisdiction))
    return any(name in text and name not in own for full, short, _, _ in division_names() for name in (full, short))


def _catalog(documents: Sequence[Document]) -> _Catalog:
    key = tuple(f"{d.doc_id}\0{d.title}" for d in documents)
    if key not in _CATALOGS:
        _CATALOGS.clear()  # one corpus at a time: a rebuilt index replaces it
        _CATALOGS[key] = _Catalog(documents)
    return _CATALOGS[key]


def _by_type(q: str, catalog: _Catalog, gazetteer: Gazetteer, spans: list[tuple[int, int]]) -> tuple[list[str], bool]:
    """Documents named by a type word with their title's words or place before it: 北京的条例, 科研助理的通知.

    Also whether a type word names a place no document of that type applies to
    (上海市…条例, 深圳经济特区…条例): a document the corpus does not hold.
    """
    found: list[str] = []
    unknown = False
    by_id = {d.doc_id: d for d in catalog.documents}
    kinds = sorted({k for ks in catalog.types.values() for k in ks}, key=len, reverse=True)
    english = [(m.start(), m.end(), _ENGLISH[m.group(1)]) for m in re.finditer(r"\b(" + "|".join(_ENGLISH) + r")\b", q)]
    chinese = [(m.start(), m.end(), kind) for kind in kinds for m in re.finditer(kind, q)]
    for start, end, kind in sorted(english + chinese):
        if any(a <= start < b for a, b in spans):
            continue
        if kind == "法" and ((start and q[start - 1] in _NOT_LAW_BEFORE) or (q[end : end + 1] and q[end] in _NOT_LAW_AFTER)):
            continue
        latin = q[start].isascii()  # "the beijing regulation": the three words before it
        window = " ".join(q[:start].split()[-3:]) + " " if latin else _SEPARATORS.split(q[max(0, start - 16) : start])[-1]
        offset = start - len(window)
        for _, term in gazetteer.find(window):  # 北京城市副中心要落实什么条例: the pilot's name names no document
            if not gazetteer.jurisdictions(term) and term not in _place_names():
                window = window.replace(term, " " * len(term))
        typed = [d for d, ks in catalog.types.items() if kind in ks]
        candidates = [d for d in typed if not _foreign(window, by_id[d])]
        if typed and not candidates:
            unknown = True
            continue
        places = set(gazetteer.jurisdictions(window)) if window else set()
        scores = {d: sum(catalog.weight.get(g, 0.0) for g in _bigrams(window) & catalog.grams[d]) + (1.0 if d in places else 0.0) for d in candidates}
        best = max(scores.values(), default=0.0)
        deictic = _DEICTIC.search(q[max(0, start - 4) : start])
        if best >= 0.5:
            chosen = [d for d, score in scores.items() if score == best]
            # Blank from the first word that named it: 合肥都市圈… before 北京条例 stays readable.
            used = [i for i in range(len(window) - 1) if any(window[i : i + 2] in catalog.grams[d] for d in chosen)]
            offset += used[0] if used else 0
        elif len(candidates) == 1 and (deictic or re.match(r"\s*第", q[end:]) or (latin and q[:start].rstrip().endswith(("the", "this", "that")))):
            chosen, offset = candidates, start - (len(deictic.group(0)) if deictic else 0)
        else:
            continue
        found += chosen
        spans.append((offset, end))
    return found, unknown


def _bracketed(q: str, catalog: _Catalog, spans: list[tuple[int, int]]) -> tuple[list[str], bool]:
    """Documents named in 《》, by title or short title or most of their title's words; and whether one names none."""
    named: list[str] = []
    unknown = False
    by_id = {d.doc_id: d for d in catalog.documents}
    for match in re.finditer(r"《([^》]{2,80})》", q):
        inner = match.group(1)
        grams = _bigrams(inner)
        scored = {d: len(grams & _bigrams(t)) / max(len(grams | _bigrams(t)), 1) for d, t in catalog.titles.items()}
        exact = [d for d, names in catalog.names.items() if any(inner in n or n in inner for n in names)]
        best = exact or [d for d, score in scored.items() if score >= 0.5 and score == max(scored.values())]
        best = [d for d in best if not _foreign(inner, by_id[d])]
        if best:
            named += best
            spans.append(match.span())
        elif doc_types(inner):
            unknown = True
    return named, unknown


def _article(q: str, spans: list[tuple[int, int]]) -> tuple[int, tuple[str, ...]]:
    """The article asked for (第十二条, article 12) and the 款 and 项 after it, as the documents write them."""
    found = _ARTICLE.search(q)
    if not found:
        return 0, ()
    number = arabic(next(g for g in found.groups() if g))
    rest = q[found.end() : found.end() + 16]
    detail = []
    if paragraph := _PARAGRAPH.search(rest):
        detail.append(f"第{chinese_numeral(arabic(next(g for g in paragraph.groups() if g)))}款")
    if item := _ITEM.search(rest):
        detail.append(f"第（{chinese_numeral(arabic(next(g for g in item.groups() if g)))}）项")
    spans.append((found.start(), found.end() + (max(m.end() for m in (paragraph, item) if m) if (paragraph or item) else 0)))
    return number, tuple(detail)


def read_documents(normalized: str, gazetteer: Gazetteer) -> DocumentsAsked:
    """Read the documents, places and article a normalised question names."""
    documents = gazetteer.documents
    q = normalized
    spans: list[tuple[int, int]] = []
    named: list[str] = []
    unknown = False
    if len(documents) > 1:
        catalog = _catalog(documents)
        named, unknown = _bracketed(q, catalog, spans)
        for doc_id, names in catalog.names.items():
            found = [m.span() for m in (re.search(re.escape(n), q) for n in names) if m]
            if doc_id in catalog.numbers and (number := catalog.numbers[doc_id].search(q) or catalog.short_numbers[doc_id].search(q)):
                found.append(number.span())
            for at, end in found:
                if not any(a <= at < b for a, b in spans):
                    named.append(doc_id)
                    spans.append((at, end))
        typed, unknown_type = _by_type(q, catalog, gazetteer, spans)
        named += typed
        unknown = unknown or unknown_type
    article, detail = _article(q, spans)
    masked = "".join(" " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(q))
    places = gazetteer.jurisdictions(masked)
    if len(documents) > 1:  # 国务院…, 科技部…, the State Council: the issuer's documents, weighed like a place's
        places += tuple(d for d, names in _catalog(documents).issuers.items() if any(re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", masked) for n in names))
    if _NATIONAL_CUE.search(masked):
        places += tuple(d.doc_id for d in documents if d.jurisdiction == NATIONAL)
    return DocumentsAsked(tuple(dict.fromkeys(named)), tuple(dict.fromkeys(places)), article, detail, masked, unknown and not named)


def documents_named(name: str, documents: Iterable[Document], gazetteer: Gazetteer) -> tuple[str, ...]:
    """Document ids a filter names: an id or file name, a title, a short title (促进科技成果转化法) or a number (国办发〔2021〕26号).

    Part of a title or short title will do, and so will what a question would say (北京条例, 那个科研助理的通知).
    """
    documents = tuple(documents)
    name = name.strip()
    wanted = normalize(name.strip("《》<> "))
    exact = tuple(d.doc_id for d in documents if name in (d.doc_id, d.path, Path(d.path).name))
    found = exact or tuple(
        d.doc_id for d in documents
        if wanted and (any(wanted in normalize(t) for t in (d.title, d.short_title) if t) or (d.doc_number and number_pattern(d.doc_number).fullmatch(wanted)))
    )
    if not found and wanted:
        found = read_documents(wanted, gazetteer).named
    if not found:
        names = "; ".join(f"{d.doc_id} ({d.title})" for d in documents)
        raise InvalidQuestion(f"no document matches {name!r}; give a title, a short title or a document number. The documents are: {names}")
    return found
