"""China's places as data: the administrative tree (jionlp's offline list) and the reviewed extras file.

jionlp ships every province, prefecture and county with its short name
(浦东新区 → 浦东) and its parent, offline. data/places_extra.tsv adds what no
administrative list holds: city nicknames (蓉城 → 成都) and national new areas
and zones (雄安新区, 前海), which are places of their own and never a pilot.
jionlp's world list adds the other countries, their capitals and main cities
(法国, 巴黎), so 法国的首都是哪里 names a place outside every document.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Place", "Extra", "china_places", "extras", "counties_of", "unique_short_names", "world_places"]


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative unit: its full name, short name, level and the names of its parents."""

    name: str  # 萧山区
    short: str  # 萧山
    level: str  # "province", "city" or "county"
    province: str  # 浙江省
    city: str  # 杭州市 ('' for a province)


@dataclass(frozen=True, slots=True)
class Extra:
    """A nickname or a zone from the reviewed data file."""

    name: str
    kind: str  # "nickname" or "zone"
    city: str  # the city it stands for (nickname) or lies in (zone)
    english: tuple[str, ...]


@lru_cache(maxsize=1)
def china_places() -> tuple[Place, ...]:
    """Every province, prefecture and county of China, from jionlp's offline list."""
    # jionlp prints a banner on import; only cli/ and web/ may print.
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

        tree = jionlp.china_location_loader()

    def short(node: dict[str, object], full: str) -> str:
        alias = node.get("_alias")
        names = alias if isinstance(alias, list) else [alias]
        return next((str(a) for a in names if a and a != full), full)

    out: list[Place] = []
    for province, pnode in tree.items():
        out.append(Place(province, short(pnode, province), "province", province, ""))
        for city, cnode in pnode.items():
            if city.startswith("_"):
                continue
            if city != province:  # 北京市 is both the province and its only city
                out.append(Place(city, short(cnode, city), "city", province, city))
            for county, knode in cnode.items():
                if not county.startswith("_"):
                    out.append(Place(county, short(knode, county), "county", province, city))
    return tuple(out)


def counties_of(city: str) -> list[Place]:
    """The counties and districts of a prefecture (杭州市) or a province-level city (重庆市)."""
    return [p for p in china_places() if p.level == "county" and (p.city == city or (p.province == city and p.city == city))]


def unique_short_names() -> dict[str, Place]:
    """Short names that only one place in China carries (萧山), so they name it for certain."""
    counts = Counter(p.short for p in china_places())
    counts.update(p.name for p in china_places())
    return {p.short: p for p in china_places() if counts[p.short] == 1 and len(p.short) >= 2}


@lru_cache(maxsize=1)
def extras() -> tuple[Extra, ...]:
    """The reviewed nicknames and zones (corpus/data/places_extra.tsv)."""
    text = (Path(__file__).parent / "data" / "places_extra.tsv").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, kind, city, english = (line.split("\t") + ["", "", ""])[:4]
        out.append(Extra(name.strip(), kind.strip(), city.strip(), tuple(e.strip().lower() for e in english.split(",") if e.strip())))
    return tuple(out)


# World names that are also pieces of ordinary Chinese words (沿海地带, 包罗万象, 泥巴库, 万事达卡): a substring
# search would find them in questions about something else. Found by searching jieba's dictionary.
_ORDINARY = frozenset({"海地", "万象", "巴库", "达卡"})


@lru_cache(maxsize=1)
def world_places() -> tuple[str, ...]:
    """Countries other than China, by short and full name, with their capitals and main cities (jionlp's world list)."""
    from importlib import resources  # builds only: importlib.resources costs a question 2 ms

    text = resources.files("jionlp").joinpath("dictionary/world_location.txt").read_text(encoding="utf-8")
    out: dict[str, None] = {}
    for line in text.splitlines():
        fields = line.strip().split("\t")
        if len(fields) < 3 or fields[0] == "中国":  # a continent's heading, or the home country
            continue
        names = [*fields[:3], *(fields[3].split("/") if len(fields) > 3 else [])]
        out.update(dict.fromkeys(n.strip() for n in names if len(n.strip()) >= 2 and n.strip() not in _ORDINARY))
    return tuple(out)
