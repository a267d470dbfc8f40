"""Follow-up questions: carry the previous turn's topic or region by rule, never by a model.

"那重庆呢？" after "无锡的科研经费怎么管理？" keeps the topic and changes the place:
"重庆的科研经费怎么管理？". "它的期限是多久？" or "这个呢" names no place, so the
previous question's place is put where the pronoun was. What was carried is a
``Carry`` record, so the UI can show it and the person can take it back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..corpus import Gazetteer, places_named
from ..normalize import fold, normalize

__all__ = ["TOPIC", "REGION", "Carry", "follow_up", "locate_places"]

TOPIC = "topic"  # the previous topic, asked about a newly named region
REGION = "region"  # the previous region, for a question that names none

# What is left of "那重庆呢？" / "What about Chongqing?" once the place is taken out.
_FILLER = re.compile(
    r"那么|那|还有|至于|关于|对于|换成|换到|如果是|要是|再看看?|又|在|和|与|跟|的|地方|方面|情况|这边|那边|"
    r"怎么样|怎样|如何|呢|吗|么|啊|呀|吧|"
    r"\bwhat about\b|\bhow about\b|\band\b|\bin\b|\bfor\b|\bthe\b|\bthen\b|\bwhat's\b|\bcase\b|\bof\b|\bwith\b|"
    r"[\s\W_]"
)
# A pronoun that points back at the previous place: it is replaced by that place.
_ANAPHOR = re.compile(
    r"该试点|该地区|该地|该市|该区|这个试点|这个地区|这个地方|这个|这里|那里|此地|当地|它们的|它的|它们|它|(?<![尤极])其(?![他它中余次实])"
    r"|\bthis pilot\b|\bthat pilot\b|\bthis region\b|\bthat region\b|\bits\b|\bit\b|\bthere\b|\btheir\b|\bthey\b",
    re.IGNORECASE,
)
# A question about every pilot is not about the previous one.
_ALL_PILOTS = re.compile(r"其他|其余|别的|\bother\b|哪些|哪个试点|哪几个|各个?试点|各地|所有试点|\bwhich\b|\ball (?:the )?pilots\b", re.IGNORECASE)
_SHORT = 8  # "期限呢？" is elliptical: a few characters ending in 呢 lean on the previous turn
_LIST_WORDS = re.compile(r"哪些试点|哪个试点|哪几个试点|哪些地区|哪些城市|各个?试点|\bwhich pilots?\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Carry:
    """What a follow-up took from the previous turn, and the question actually asked."""

    kind: str  # TOPIC or REGION
    typed: str  # the question as the person typed it
    question: str  # the question asked instead
    carried: str  # the topic or the place taken from the previous question
    regions: tuple[str, ...]  # the regions the asked question is about


def locate_places(text: str, gazetteer: Gazetteer, other_places: Sequence[str] = ()) -> list[tuple[int, int, str]]:
    """Where the text names a place: (start, end, region), offsets into the text as typed.

    A place no pilot covers (from ``other_places``) is found too, with region "".
    """
    folded, origin = fold(text)
    normalized = normalize(text)
    terms = [(term, region) for region, term in gazetteer.find(normalized)]
    terms += [(place, "") for place in places_named(normalized, list(other_places))]
    found: list[tuple[int, int, str]] = []
    for term, region in terms:
        if term.isascii():
            match = re.search(rf"(?<![a-z']){re.escape(term)}(?![a-z'])", folded)
            at = match.start() if match else -1
        else:
            at = folded.find(term)
        if at >= 0 and not any(s <= origin[at] < e for s, e, _ in found):
            found.append((origin[at], origin[at + len(term) - 1] + 1, region))
    return sorted(found)


def _is_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) / len(letters) > 0.8


def _shown(topic: str) -> str:
    return topic.strip().lstrip("的").rstrip("？?。.!！ ").strip()


def _topic(previous: str, spans: list[tuple[int, int, str]], new_places: str) -> tuple[str, str]:
    """The previous question with its places replaced, and the topic that was carried."""
    if spans:
        head, tail = previous[: spans[0][0]], previous[spans[-1][1] :]
        return head + new_places + tail, "…".join(_shown(p) for p in (head, tail) if _shown(p))
    topic = _LIST_WORDS.sub("", previous, count=1).strip()
    separator = " " if _is_latin(topic) else ""
    return f"{new_places}{separator}{topic}", _shown(topic)


def follow_up(question: str, previous: str | None, gazetteer: Gazetteer, other_places: Sequence[str] = ()) -> Carry | None:
    """Read a question as a follow-up of the previous one; None when it stands on its own."""
    if not previous or not question.strip():
        return None
    text = question.strip()
    named = locate_places(text, gazetteer, other_places)
    before = [span for span in locate_places(previous, gazetteer, other_places) if span[2]]
    joiner = " and " if _is_latin(text) else "和"
    if named:
        rest = "".join(ch for i, ch in enumerate(text) if not any(s <= i < e for s, e, _ in named))
        if _FILLER.sub("", rest.lower()):
            return None  # the question says what it asks about: nothing to carry
        asked, topic = _topic(previous, before, joiner.join(text[s:e] for s, e, _ in named))
        if not topic or asked == text:
            return None
        return Carry(TOPIC, text, asked, topic, tuple(dict.fromkeys(r for _, _, r in named if r)))
    if not before or _ALL_PILOTS.search(text):
        return None
    pronoun = _ANAPHOR.search(text)
    if pronoun is None and not (len(text) <= _SHORT and text.rstrip("？?。.!！ ").endswith("呢")):
        return None
    # The place as the previous question wrote it: 无锡 stays 无锡 even in an English
    # question, where the gazetteer still finds it and the question stays English.
    place = joiner.join(dict.fromkeys(previous[s:e] for s, e, _ in before))
    if pronoun is None:
        asked = f"{place}{text}"
    else:
        word = pronoun.group(0)
        owner = word.lower() in ("its", "their") or word.endswith("的")
        replacement = (f"{place}'s" if _is_latin(text) else f"{place}的") if owner else place
        asked = text[: pronoun.start()] + replacement + text[pronoun.end() :]
    return Carry(REGION, text, asked, place, tuple(dict.fromkeys(r for _, _, r in before)))
