"""English words for the bridge: content words of a question or a dictionary gloss, with their inflections folded.

Both sides go through the same functions, so "funding", "funds" and "funded"
meet the gloss "funds", and "licensing" meets "license"; the fold is a light
suffix stripper, not a full stemmer, because a dictionary key only has to
match another key made the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["STOPWORDS", "Word", "stem", "variants", "english_words", "numbers_to_chinese"]

# Function and question words, and the framing of a question about a document
# ("what does the policy say about"): they say what is asked, not what it is about.
STOPWORDS = frozenset(
    """a an the of to in on at by for from with without into onto about above below over under between among across through
    during before after since until within per via than as like unlike versus vs
    and or nor but so yet if whether either neither both each every all any some such other another same own
    is am are was were be been being do does did doing done have has had having get gets got getting
    can could may might must shall should will would need needs ought
    i me my mine we us our ours you your yours he him his she her hers it its they them their theirs one ones
    this that these those there here then thus also too very much many more most less least few lot lots
    what which who whom whose when where why how whatever whichever
    not no yes only just even still already ever never again
    say says said tell tells told mention mentions mentioned stipulate stipulates talk talks talking
    policy policies document documents text texts provision provisions rule rules regarding concerning according
    specific specifically particular particularly detail details information content contents related relevant
    kind kinds type types sort thing things way ways anything something nothing everything anyone someone
    region regions area areas place places city cities locality localities district districts county counties province provinces
    municipality municipalities prefecture prefectures
    go goes went gone going come comes came
    let lets allowed able possible exactly actually really please know want like
    mr mrs ms etc eg ie e.g i.e""".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[&'][a-z0-9]+)*")
# "How long" asks for a duration and "what share" for a figure (answer_types reads that): neither is what the question is about.
_ASKING = re.compile(r"\bhow (?:long|many|much|often|soon|far)\b|\bwhat (?:kinds?|sorts?|types?) of\b|\bwho is (?:responsible|in charge)\b"
                     r"|\b(?:what|which|how large an?|how big an?) (?:share|percentage|proportion|ratio|portion|fraction|part|amount|number)\b")
_IRREGULAR = {"spent": "spend", "given": "give", "gave": "give", "made": "make", "taken": "take", "took": "take", "held": "hold",
              "paid": "pay", "kept": "keep", "built": "build", "set": "set", "sold": "sell", "bought": "buy", "led": "lead",
              "won": "win", "chosen": "choose", "grown": "grow", "shown": "show", "drawn": "draw", "met": "meet", "brought": "bring",
              "used": "use", "using": "use", "uses": "use", "women": "woman", "men": "man", "children": "child", "people": "person", "criteria": "criterion", "data": "data"}
_BRITISH = {"licence": "license", "licences": "licenses", "centre": "center", "centres": "centers", "programme": "program",
            "programmes": "programs", "favour": "favor", "labour": "labor", "defence": "defense", "catalogue": "catalog"}
_KEEP = frozenset("news series species means overseas headquarters analysis basis status process access success less business"
                  " physics economics statistics mathematics politics gas us this its yes his has was is as does".split())
_VOWELS = frozenset("aeiou")


def stem(word: str) -> str:
    """A word's folded form: plural, -ing, -ed and British spellings undone; a final e dropped."""
    w = word.lower()
    w = _IRREGULAR.get(w) or _BRITISH.get(w, w)
    w = re.sub(r"isation$|ization$", "ize", w)
    w = re.sub(r"(?<=[a-z]{3})is(e|ed|es|ing)$", r"iz\1", w)
    if len(w) <= 3 or not w.isalpha() or w in _KEEP:
        return w
    stripped = False
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) >= 6:
        w, stripped = w[:-3], True
    elif w.endswith("ed") and not w.endswith("eed") and len(w) >= 5:
        w, stripped = w[:-2], True
    if stripped and len(w) > 3 and w[-1] == w[-2] and w[-1] not in _VOWELS and w[-1] not in "lsz":
        w = w[:-1]  # transferred -> transfer, planning -> plan
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def variants(stemmed: str) -> list[str]:
    """Related forms to try when a word's own form is not in the dictionary: innovative -> innovat, ownership -> own."""
    out = []
    for suffix, replacement in (("ativ", "at"), ("iv", ""), ("ion", ""), ("ation", "at"), ("ment", ""), ("ship", ""), ("al", ""),
                                ("ity", ""), ("ic", "y"), ("er", ""), ("or", ""), ("ist", "y"), ("ly", ""), ("y", "")):
        if stemmed.endswith(suffix) and len(stemmed) - len(suffix) >= 4:
            out.append(stemmed[: len(stemmed) - len(suffix)] + replacement)
    return out


@dataclass(frozen=True, slots=True)
class Word:
    """One English word of a text: where it stands, as written, and its folded form."""

    start: int
    end: int
    surface: str
    folded: str
    content: bool  # False for stopwords and the verbs of doing


def english_words(text: str) -> list[Word]:
    """Every word of a lower-cased text, in order, marked content or not (r&d and ip stay whole)."""
    out = []
    asking = [(m.start(), m.end()) for m in _ASKING.finditer(text)]
    for match in _TOKEN.finditer(text):
        surface = match.group(0)
        if surface.endswith("'s"):
            surface = surface[:-2]
        content = surface not in STOPWORDS and not (len(surface) == 1 and surface.isalpha())
        content = content and not any(a <= match.start() < b for a, b in asking)
        out.append(Word(match.start(), match.start() + len(surface), surface, stem(surface), content))
    return out


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")
_NUMBER_WORDS = dict(zip("one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty fifty seventy".split(),
                         (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 30, 50, 70)))
_SPELLED = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b(?=\s+(?:years?|months?|days?|percent|per cent)\b)")
_UNITS = ((re.compile(r"\b(\d+)\s*years?\b"), "年"), (re.compile(r"\b(\d+)\s*months?\b"), "个月"), (re.compile(r"\b(\d+)\s*days?\b"), "天"),
          (re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:yuan|rmb)\b"), "元"))


def numbers_to_chinese(text: str) -> list[tuple[int, int, str]]:
    """Figures a question states, written as the documents write them: (start, end, 70% / 10年 / 5个月)."""
    # "two years" is 2年, as normalize reads 两年; the digits keep their places, so offsets stay put.
    text = _SPELLED.sub(lambda m: str(_NUMBER_WORDS[m.group(1)]).ljust(len(m.group(1))), text)
    out = [(m.start(), m.end(), m.group(1) + "%") for m in _PERCENT.finditer(text)]
    out += [(m.start(), m.end(), "50%") for m in re.finditer(r"\b(?:a |one )?half\b", text)]
    for pattern, unit in _UNITS:
        out += [(m.start(), m.end(), m.group(1) + unit) for m in pattern.finditer(text)]
    return sorted(out)
