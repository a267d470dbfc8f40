"""Document metadata read from the text itself: title, short title, issuer, number, dates and jurisdiction.

The title is the line the front matter names (an announcement's header is
not a title); dates come from the lines that state them — a passage note's
通过 and 修正, 自…起施行, the date under the signature — never from a deadline
in the body. A field the text does not give is left empty, never guessed.
"""

from __future__ import annotations

import re

from ..normalize import arabic
from .jurisdiction import jurisdiction
from .matter import ANNOUNCED, ANNOUNCEMENT, DATE_LINE, NOTE, NUMBER, SIGNATURE, read_matter

__all__ = ["metadata", "short_title", "iso_date"]

_DATE = re.compile(r"((?:19|20)\d{2}|[一二〇零○]{4})\s*年\s*([一二三四五六七八九十\d]{1,3})\s*月\s*([一二三四五六七八九十\d]{1,3})\s*日")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{0,10}[〔\[［(（][^〕\]］)）]{1,8}[〕\]］)）]\s*第?\s*\d+\s*号")
_ISSUER = re.compile(r"(人民政府|办公厅|办公室|委员会|部|局|厅)$")
# 日 北京市 第十五届 人民代表大会常务委员会 第十六次会议 通过: the body that adopted it, its term left out.
_ADOPTED_BY = re.compile(r"日\s*([\u4e00-\u9fff]{0,12}?)(?:第[一二三四五六七八九十百\d]+届)?((?:全国)?人民代表大会(?:常务委员会)?|国务院)第[一二三四五六七八九十百\d]+次")
# 2015年8月29日…《关于修改〈…〉的决定》修正: each date with the act it records.
_ACT = re.compile(_DATE.pattern + r"[^）)。]*?(通过|修正|修订)")
_EFFECTIVE = re.compile(r"自\s*(" + _DATE.pattern + r")\s*起(?:施行|实施|执行|生效)")
_NATIONAL_PREFIX = "中华人民共和国"


def iso_date(text: str) -> str:
    """The first date a text states, as YYYY-MM-DD; '' when it states none."""
    for match in _DATE.finditer(text):
        year, month, day = (arabic(g) for g in match.groups())  # 0 for what is not a numeral
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


def short_title(title: str) -> str:
    """The usual short form: 促进科技成果转化法 for 中华人民共和国促进科技成果转化法, 关于…的通知 without its issuer."""
    if title.startswith(_NATIONAL_PREFIX) and len(title) > len(_NATIONAL_PREFIX) + 1:
        return title[len(_NATIONAL_PREFIX) :]
    if "关于" in title and not title.startswith("关于"):
        return title[title.index("关于") :]
    return ""


def _issuer(title: str, announcement: str, notes: list[str], signatures: list[str]) -> str:
    if "关于" in title and not title.startswith("关于"):
        return title.split("关于", 1)[0].strip()
    for note in notes:
        found = _ADOPTED_BY.search(note)
        if found:
            return found.group(1) + found.group(2)
    if announcement.endswith(("公告", "通告")):
        return announcement[:-2]
    return next((s for s in signatures if len(s) <= 20 and _ISSUER.search(s)), "")


def metadata(text: str) -> dict[str, str]:
    """Every field the text gives: title, short_title, issuer, doc_number, the dates, jurisdiction and its level."""
    matter = read_matter(text)
    line = matter.text
    title = line(text, matter.title) if matter.title is not None else ""
    notes = [line(text, i) for i in matter.indices(NOTE)]
    announcement = next((line(text, i) for i in matter.indices(ANNOUNCEMENT)), "")
    announced = " ".join(line(text, i) for i in matter.indices(ANNOUNCED))
    signatures = [line(text, i) for i in matter.indices(SIGNATURE)]
    # （〔十五届〕第19号）: the number is inside the brackets.
    numbers = [m.group(0) for i in matter.indices(NUMBER) if (m := _DOC_NUMBER.search(re.sub(r"^[（(](.*)[）)]$", r"\1", line(text, i))))]
    acts = [(m.group(4), iso_date(m.group(0))) for n in [*notes, announced] for m in _ACT.finditer(n)]
    adopted = next((d for act, d in acts if act == "通过"), "")
    amended = [d for act, d in acts if act in ("修正", "修订") and d]
    effective = _EFFECTIVE.search(announced) or _EFFECTIVE.search(text)
    # The date a text is signed: the last date line of its back matter, else of its announcement.
    dated = matter.indices(DATE_LINE)
    signed = iso_date(line(text, dated[-1])) if dated else ""
    issuer = _issuer(title, announcement, notes, signatures)
    where, level = jurisdiction(title, issuer)
    return {
        "title": title,
        "short_title": short_title(title),
        "issuer": issuer,
        "doc_number": numbers[0] if numbers else "",
        "date": (max(amended) if amended else "") or adopted or signed,
        "date_adopted": adopted,
        "date_amended": max(amended) if amended else "",
        "date_effective": iso_date(effective.group(1)) if effective else "",
        "date_signed": signed,
        "jurisdiction": where,
        "jurisdiction_level": level,
    }
