"""The pilot regions, each with the places its scope sentence names.

Scope sentences (试点范围包括…全域) name every province, city, district and
county of a pilot: they become the region's places, in Chinese and in pinyin, so a
question about 无锡, 寿县 or Shenzhen is answered from the right pilot.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Clause, Region

__all__ = ["GENERIC_TAILS", "EXTRA_ALIASES", "build_regions", "scope_places", "pinyin"]

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
        latin = [pinyin(w) for w in chinese if not _UNIT_SUFFIX.search(w)]
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
