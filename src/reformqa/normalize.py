"""Text normalisation for matching only; nothing normalised is ever displayed.

Users type full-width punctuation, traditional characters and Chinese numerals;
the document writes half-width punctuation, simplified characters and Arabic
digits. Both sides go through the same function before they are compared.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache

from .traditional import TRADITIONAL

__all__ = ["arabic", "cjk_ratio", "fold", "has_cjk", "normalize", "to_simplified"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"\s+")
# 七成 = 70%; the lookahead keeps 成都, 成果, 成员 ... intact.
_TENTHS = re.compile(r"([一二三四五六七八九])成(?![都果员本立为熟效功长绩就交型])")
_TENTH_VALUE = dict(zip("一二三四五六七八九", range(1, 10)))
_HALF = re.compile(r"一半|半数")
# cn2an rewrites 一 inside ordinary words (一体化 -> 1体化); keep it to numerals
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
    import cn2an

    token = match.group(0)
    try:
        with warnings.catch_warnings():  # cn2an warns, then raises, on 百分之百
            warnings.simplefilter("ignore")
            if token.startswith("百分之"):
                return str(cn2an.transform(token, "cn2an"))
            value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError):  # not a numeral after all, leave it
        return token
    return str(int(value)) if float(value).is_integer() else str(value)


def normalize(text: str) -> str:
    """Return the matching form: NFKC, simplified, one space, lower-case, Arabic numerals."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    text = _SPACE.sub(" ", text).strip().lower()
    text = _TENTHS.sub(lambda m: f"{_TENTH_VALUE[m.group(1)] * 10}%", text)
    text = _HALF.sub("50%", text)
    return _NUMERAL.sub(_arabic, text)


def has_cjk(text: str) -> bool:
    """Tell whether the text contains any Chinese character."""
    return _CJK.search(text) is not None


def cjk_ratio(text: str) -> float:
    """Share of the non-space characters that are Chinese."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _CJK.match(c)) / len(chars)


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


def arabic(numeral: str) -> int:
    """A heading's or an article's number as an integer: 12 and 十二 are 12, 二〇 is 20."""
    if numeral.isdigit():
        return int(numeral)
    import cn2an

    return int(cn2an.cn2an(numeral.replace("〇", "零"), "smart"))
