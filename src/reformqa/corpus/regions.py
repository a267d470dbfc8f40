"""The pilot regions, each with the places its scope sentence names.

Scope sentences (试点范围包括…全域) name every province, city, district and
county of a pilot: they become the region's places, in Chinese and in pinyin, so a
question about 无锡, 寿县 or Shenzhen is answered from the right pilot. A city the
pilot covers whole brings its districts and counties (萧山, from jionlp's list) and
its common nicknames (蓉城, from data/places_extra.tsv); a unit that only holds the
pilot (江苏省 in 江苏省南京市…) is kept as a *container*, a weaker sign of the pilot.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lazy import LazyPattern
from ..records import Clause, Region
from .placedata import counties_of, extras, unique_short_names

__all__ = ["EXTRA_ALIASES", "GENERIC_TAILS", "build_regions", "pinyin", "scope_places", "scope_units"]

_SCOPE = LazyPattern(r"试点范围包括(.+?)(?:全域)?[。;；]?$")
_UNIT = LazyPattern(r"[^省市区县旗,，、]+?(?:自治区|自治州|省|市|区|县|旗)")
_UNIT_SUFFIX = LazyPattern(r"(?:自治区|自治州|省|市|区|县|旗)$")
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


def scope_units(scope_text: str) -> list[tuple[str, bool]]:
    """Each unit a scope sentence names, and whether it is a container (江苏省 in 江苏省南京市: followed directly by a unit it holds)."""
    match = _SCOPE.search(scope_text.strip())
    if not match:
        return []
    units = list(_UNIT.finditer(match.group(1)))
    return [(m.group(0), i + 1 < len(units) and units[i + 1].start() == m.end()) for i, m in enumerate(units)]


def _inside(city: str) -> list[str]:
    """Districts and counties of a city the pilot covers whole, by full name and unique short name; zones excepted."""
    zones = {e.name for e in extras() if e.kind == "zone"}
    unique = unique_short_names()
    names = []
    for county in counties_of(city):
        if county.name in zones or county.short in zones or county.name.endswith("开发区"):
            continue
        names.append(county.name)
        if county.short in unique:
            names.append(county.short)
    return names


def _short(place: str) -> str | None:
    short = _UNIT_SUFFIX.sub("", place)
    return short if short != place and len(short) >= 2 else None


def pinyin(word: str) -> str:
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
    containers: dict[str, list[str]] = {}
    scoped: dict[str, list[str]] = {}  # what the scope sentence itself names
    ids: dict[str, str] = {}
    for clause in clauses:
        if clause.region is None:
            continue
        if clause.region not in places:
            names.append(clause.region)
            places[clause.region] = []
            containers[clause.region] = []
            scoped[clause.region] = []
            # The region's id is the one its clause ids carry (hefei-03 -> hefei).
            ids[clause.region] = slugs.get(clause.region, clause.clause_id.rsplit("-", 1)[0])
        if clause.kind == "scope":
            for place, container in scope_units(clause.text):
                forms = [place] + ([s] if (s := _short(place)) else [])
                places[clause.region] += forms
                scoped[clause.region] += forms
                if container:
                    containers[clause.region] += forms
            for place, container in scope_units(clause.text):
                if not container:
                    places[clause.region] += _inside(place)
    regions = []
    for name in names:
        chinese = list(dict.fromkeys(places[name]))
        whole = {p for p in chinese if p not in containers[name]}
        nicknames = [e for e in extras() if e.kind == "nickname" and (e.city in whole or e.city + "市" in whole)]
        aliases = _region_short_names(name) + [a for a in EXTRA_ALIASES.get(name, ()) if not a.isascii()] + [e.name for e in nicknames]
        # Pinyin only for places: pypinyin reads 长株潭 as zhangzhutan, but knows 长沙.
        latin = [pinyin(w) for w in dict.fromkeys(scoped[name]) if not _UNIT_SUFFIX.search(w)]
        latin += [en for e in nicknames for en in e.english]
        latin += [slugs[name]] if name in slugs else []
        latin += [a for a in EXTRA_ALIASES.get(name, ()) if a.isascii()]
        regions.append(
            Region(
                name=name,
                slug=ids[name],
                places=tuple(chinese),
                aliases=tuple(dict.fromkeys(a for a in aliases + latin if a and a != name)),
                containers=tuple(containers[name]),
            )
        )
    return regions
