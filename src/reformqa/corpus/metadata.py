"""Document metadata read from the text itself: title, issuer, document number, date.

A field the text does not give is left empty, never guessed.
"""

from __future__ import annotations

import re

__all__ = ["metadata"]

_TITLE_HINT = re.compile(r"关于.+(批复|通知|意见|方案|办法|决定|规定|细则|规划|纲要)$")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\d+号")
_DATE = re.compile(r"((?:19|20)\d{2}|[一二〇零○]{4})年([一二三四五六七八九十\d]{1,3})月([一二三四五六七八九十\d]{1,3})日")
_ISSUER = re.compile(r"(人民政府|办公厅|办公室|委员会|部|局|厅)$")
_DIGITS = dict(zip("〇零○一二三四五六七八九", "000123456789"))


def _title(text: str, fallback: str) -> str:
    lines = [line.strip().lstrip("\ufeff") for line in text.splitlines() if line.strip().lstrip("\ufeff")]
    # A headline copied from a news site ("医械资讯 | ...") precedes the real title.
    for line in lines[:5]:
        if "|" not in line and _TITLE_HINT.search(line):
            return line
    return lines[0] if lines else fallback


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if all(ch in _DIGITS for ch in text):
        return int("".join(_DIGITS[ch] for ch in text))
    import cn2an

    return int(cn2an.cn2an(text, "smart"))


def metadata(text: str) -> dict[str, str]:
    """Title, issuer, document number (国函〔2025〕12号) and date, where the text gives them."""
    title = _title(text, "")
    issuer = title.split("关于", 1)[0] if "关于" in title else ""
    if not issuer:  # the issuing body signs on a line of its own, under the title or at the end
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        issuer = next((line for line in lines[:6] + lines[-4:] if len(line) <= 20 and _ISSUER.search(line)), "")
    number = _DOC_NUMBER.search(text[:3000])
    date = ""
    dates = list(_DATE.finditer(text[:3000])) + list(_DATE.finditer(text[-600:]))
    for match in dates:
        try:
            year, month, day = (_number(g) for g in match.groups())
        except (ValueError, KeyError):
            continue
        if 1 <= month <= 12 and 1 <= day <= 31:
            date = f"{year:04d}-{month:02d}-{day:02d}"
            break
    return {"title": title, "issuer": issuer, "doc_number": number.group(0) if number else "", "date": date}
