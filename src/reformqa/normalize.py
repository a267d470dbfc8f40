"""Text normalisation for matching only; nothing normalised is ever displayed.

Users type full-width punctuation, traditional characters and Chinese numerals;
the document writes half-width punctuation, simplified characters and Arabic
digits. Both sides go through the same function before they are compared.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .traditional import TRADITIONAL

__all__ = ["arabic", "chinese_number", "chinese_numeral", "cjk_ratio", "fold", "has_cjk", "normalize", "to_simplified"]

_SPACE = re.compile(r"\s+")
# 七成 = 70%; the lookahead keeps 成都, 成果, 成员 ... intact.
_TENTHS = re.compile(r"([一二三四五六七八九])成(?![都果员本立为熟效功长绩就交型])")
_TENTH_VALUE = dict(zip("一二三四五六七八九", range(1, 10)))
_HALF = re.compile(r"一半|半数")
# A numeral rule would rewrite 一 inside ordinary words (一体化 -> 1体化); keep it to numerals
# that stand before a counter or a percent sign, and to 百分之….
_NUMERAL = re.compile(
    r"百分之[零一二两三四五六七八九十百点]+"
    r"|(?<![哪几])[零一二两三四五六七八九十百千万]+(?=[年个%条项倍岁月日天亿元家])"
)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified (OpenCC t2s); a text without any never loads OpenCC (10 ms)."""
    return text if text.isascii() or TRADITIONAL.isdisjoint(text) else _converter().convert(text)


def _arabic(match: re.Match[str]) -> str:
    token = match.group(0)
    percent = token.startswith("百分之")
    value = chinese_number(token[3:] if percent else token)
    if value is None:  # not a numeral after all, leave it
        return token
    text = str(int(value)) if float(value).is_integer() else str(value)
    return text + "%" if percent else text


def normalize(text: str) -> str:
    """Return the matching form: NFKC, simplified, one space, lower-case, Arabic numerals."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    text = _SPACE.sub(" ", text).strip().lower()
    text = _TENTHS.sub(lambda m: f"{_TENTH_VALUE[m.group(1)] * 10}%", text)
    text = _HALF.sub("50%", text)
    return _NUMERAL.sub(_arabic, text)


def _cjk(c: str) -> bool:  # CJK ideographs, extension A and the compatibility block (a class compiled into a regex costs 2 ms)
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"


def has_cjk(text: str) -> bool:
    """Tell whether the text contains any Chinese character."""
    return any(_cjk(c) for c in text)


def cjk_ratio(text: str) -> float:
    """Share of the non-space characters that are Chinese."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _cjk(c)) / len(chars)


def fold(text: str) -> tuple[str, list[int]]:
    """NFKC, lower-case, simplified text, and for each of its characters the original index.

    Highlighting and follow-up rules match on this form and map back to what was typed.
    """
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).lower():
            chars.append(out)
            origin.append(i)
    folded = "".join(chars)
    simplified = to_simplified(folded)
    return (simplified if len(simplified) == len(folded) else folded), origin


_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT = {"十": 10, "百": 100, "千": 1000}
_GROUP = {"万": 10**4, "亿": 10**8}


def _whole(numeral: str) -> int | None:
    if numeral.isdigit():
        return int(numeral)
    if all(c in _DIGIT for c in numeral):  # 二〇二一: digit by digit
        return int("".join(str(_DIGIT[c]) for c in numeral))
    total = section = digit = 0
    last_unit = 10**9
    for c in numeral:
        if c in _DIGIT:
            digit = _DIGIT[c]
        elif c in _UNIT:
            if _UNIT[c] >= last_unit:  # 十十, 百千: not a numeral
                return None
            section += (digit or 1) * _UNIT[c]
            digit, last_unit = 0, _UNIT[c]
        elif c in _GROUP:
            total = (total + section + digit) * _GROUP[c] if c == "亿" else total + (section + digit) * _GROUP[c]
            section = digit = 0
            last_unit = 10**9
        else:
            return None
    # A last digit right after a unit counts in the place below it: 二百一 is 210, 八万九 89,000 (一万零五 is 10,005).
    before = (_UNIT.get(numeral[-2], 0) or _GROUP.get(numeral[-2], 0)) if len(numeral) > 1 else 0
    return total + section + digit * max(before // 10, 1)


def chinese_number(numeral: str) -> int | float | None:
    """The value of a Chinese numeral, or None when it is not one: 十二 12, 一百零五 105, 两万 20000, 二〇二一 2021, 五点五 5.5.

    The numerals policy texts write (counts, years, shares); reformqa's own, because importing cn2an cost a
    question 150 ms.
    """
    whole, dot, fraction = numeral.partition("点")
    value = _whole(whole) if whole else None
    if value is None or (dot and not fraction):
        return None
    if not dot:
        return value
    if not all(c in _DIGIT for c in fraction):
        return None
    return float(f"{value}.{''.join(str(_DIGIT[c]) for c in fraction)}")


def arabic(numeral: str) -> int:
    """A heading's or an article's number as an integer: 12 and 十二 are 12, 二〇 is 20; 0 when it is none."""
    value = chinese_number(numeral)
    return int(value) if value is not None else 0


def chinese_numeral(number: int, *, leading: bool = True) -> str:
    """12 -> 十二, 105 -> 一百零五, 20000 -> 二万: how a citation counts an article's 款 or a heading."""
    if number < 10:
        return "零一二三四五六七八九"[number]
    for group, name in ((10**8, "亿"), (10**4, "万")):
        if number >= group:
            high, low = divmod(number, group)
            rest = ("零" if low < group // 10 else "") + chinese_numeral(low, leading=False) if low else ""
            return chinese_numeral(high, leading=leading) + name + rest
    out, pending_zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += ("" if unit == 10 and not out and digit == 1 and leading else "零一二三四五六七八九"[digit]) + name
    return out
