"""Places in questions: the gazetteer of the pilots and of the documents' jurisdictions, and China's other places.

The gazetteer maps every name a person may use for a pilot (its name, aliases,
the places of its scope, pinyin) to the pilot, and every name of a document's
jurisdiction (北京市, 北京, beijing; 汕头 and its province 广东) to the document:
one place can name both, 北京 the pilot 北京城市副中心 and the 北京市 regulation.
The national list lets a question about 上海 be declined with the reason
instead of answered from a pilot; it comes from jionlp's administrative tree
(provinces, prefectures, counties with their unique short names: 浦东, 海淀) and
the reviewed extras file (nicknames of cities outside the pilots, and zones
such as 雄安新区 and 前海).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..normalize import normalize
from ..records import Document, Region
from .jurisdiction import jurisdiction_names
from .placedata import china_places, extras, unique_short_names, world_places
from .regions import pinyin

__all__ = ["Gazetteer", "national_places", "places_named"]


class Gazetteer:
    """Find the regions a question names, by pilot name, alias or place."""

    def __init__(self, regions: Iterable[Region], documents: Iterable[Document] = ()):
        self.regions = list(regions)
        self.documents = tuple(documents)
        where: dict[str, set[str]] = {}
        for doc in self.documents:
            for name in jurisdiction_names(doc.jurisdiction):
                for term in (name, pinyin(name) if name[-1] not in "省市" else ""):
                    if term:
                        where.setdefault(normalize(term), set()).add(doc.doc_id)
        self._where = {k: tuple(sorted(v)) for k, v in where.items()}
        terms: dict[str, str] = {}
        for region in self.regions:
            for term in (region.name, *region.places, *region.aliases):
                key = normalize(term)
                # A place named by two pilots' scopes belongs to neither for certain.
                terms[key] = region.name if terms.get(key, region.name) == region.name else ""
        self._terms = {k: v for k, v in terms.items() if v}
        self._weak = {normalize(t) for region in self.regions for t in region.containers}
        self._latin = re.compile(
            r"(?<![a-z'])(" + "|".join(sorted((re.escape(k) for k in self._terms if k.isascii()), key=len, reverse=True)) + r")(?![a-z'])"
        ) if any(k.isascii() for k in self._terms) else None
        self._cjk = sorted((k for k in self._terms if not k.isascii()), key=len, reverse=True)
        self._cjk_first = _by_first_character(self._cjk)  # a question tries only the terms its characters start

    def find(self, normalized_query: str) -> list[tuple[str, str]]:
        """Return (region, matched text) for each region named, in order of mention."""
        taken = [False] * len(normalized_query)
        found: list[tuple[int, str, str]] = []
        for term in (self._cjk[i] for i in _starting(self._cjk_first, normalized_query)):
            start = normalized_query.find(term)
            while start != -1:
                end = start + len(term)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * len(term)
                    found.append((start, self._terms[term], term))
                start = normalized_query.find(term, end)
        if self._latin is not None:
            for match in self._latin.finditer(normalized_query):
                found.append((match.start(), self._terms[match.group(1)], match.group(1)))
        seen: dict[str, str] = {}
        for _, region, term in sorted(found):
            seen.setdefault(region, term)
        return list(seen.items())

    def weak(self, term: str) -> bool:
        """Whether a matched term only holds its pilot (江苏 for 苏南): another place it names wins over it."""
        return term in self._weak

    def jurisdictions(self, normalized_query: str) -> tuple[str, ...]:
        """Documents whose jurisdiction the text names, in order of mention.

        A pilot's longer name wins over the place inside it: 北京城市副中心 names the
        pilot only, 北京 both the pilot and the 北京市 documents.
        """
        if not self._where:
            return ()
        taken = [False] * len(normalized_query)
        found: list[tuple[int, str]] = []
        for term in sorted({*self._cjk, *(k for k in self._where if not k.isascii())}, key=len, reverse=True):
            start = normalized_query.find(term)
            while start != -1:
                end = start + len(term)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * len(term)
                    found += [(start, doc) for doc in self._where.get(term, ())]
                start = normalized_query.find(term, end)
        for term, docs in self._where.items():
            if term.isascii():
                found += [(m.start(), doc) for m in re.finditer(rf"(?<![a-z']){re.escape(term)}(?![a-z'])", normalized_query) for doc in docs]
        return tuple(dict.fromkeys(doc for _, doc in sorted(found)))

    @property
    def terms(self) -> list[str]:
        """Every Chinese place and alias, for the tokenizer's user dictionary."""
        return self._cjk


_ENGLISH_EXTRA = ("hong kong", "macau", "macao", "taiwan", "xian", "shaanxi")


def _common_words() -> set[str]:
    """Words jieba's dictionary knows as something other than a place name (大方, 平安)."""
    import os

    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as lines:
        return {parts[0] for parts in (line.split() for line in lines) if len(parts) == 3 and parts[2] != "ns"}


def national_places(exclude: Iterable[str], corpus_text: str) -> list[str]:
    """China's places that no pilot covers, Chinese and pinyin, with zones and nicknames of other cities, and other countries.

    Provinces and prefectures are listed by full and short name (上海市, 上海,
    shanghai); counties by full name, and by short name only where no other
    place carries it and it is not an ordinary word (浦东, not 朝阳 or 和平).
    A name the corpus itself uses is left out.
    """
    ours = {normalize(t) for t in exclude}
    ours_cjk = [o for o in ours if not o.isascii()]
    unique, common = unique_short_names(), _common_words()
    chinese: dict[str, None] = {}
    latin: dict[str, None] = {}

    def add(name: str) -> None:
        if len(name) >= 2 and name not in corpus_text and not any(name in o or o in name for o in ours_cjk):
            chinese[name] = None

    for place in china_places():
        add(place.name)
        if place.level != "county" and len(place.short) >= 2:
            add(place.short)
            if place.short not in corpus_text:  # Shantou, when the corpus is 汕头's own regulation, is no place outside it
                latin[pinyin(place.short)] = None
        elif place.short in unique and place.short not in common:
            add(place.short)
    for extra in extras():
        if normalize(extra.name) in ours or extra.kind == "nickname" and any(extra.city in o for o in ours_cjk):
            continue  # a nickname of a pilot's city is the pilot's alias, not another place
        add(extra.name)
        latin.update(dict.fromkeys(e for e in extra.english if e not in corpus_text.lower()))
    latin.update(dict.fromkeys(_ENGLISH_EXTRA))
    for name in world_places():  # 法国, 巴黎: the bridge finds their English names (France) in CC-CEDICT
        add(name)
    return list(chinese) + [n for n in latin if n not in ours]


def _by_first_character(names: list[str]) -> dict[str, list[int]]:
    """Positions of the names by their first character."""
    index: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name:
            index.setdefault(name[0], []).append(i)
    return index


def _starting(index: dict[str, list[int]], text: str) -> list[int]:
    """Positions, in order, of the names that start with one of the text's characters: the only ones it can hold."""
    return sorted(i for ch in set(text) for i in index.get(ch, ()))


_FIRST: dict[int, tuple[list[str], dict[str, list[int]]]] = {}  # a place list's index by its id, the list held so the id stays its own


def _places_by_first(places: list[str]) -> dict[str, list[int]]:
    held = _FIRST.get(id(places))
    if held is not None and held[0] is places:
        return held[1]
    if len(_FIRST) > 8:
        _FIRST.clear()
    _FIRST[id(places)] = (places, _by_first_character(places))
    return _FIRST[id(places)][1]


def places_named(normalized: str, places: list[str]) -> tuple[str, ...]:
    """Places from the national list (already minus the pilots') that the text names, in the list's order.

    Only the places starting with one of the text's characters are tried: the list holds some 5,000.
    """
    found = []
    for i in _starting(_places_by_first(places), normalized):
        place = places[i]
        if place not in normalized:
            continue
        if place.isascii():
            if re.search(rf"(?<![a-z']){re.escape(place)}(?![a-z'])", normalized):
                found.append(place)
        else:
            found.append(place)
    return tuple(found)
