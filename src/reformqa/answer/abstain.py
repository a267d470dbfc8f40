"""Whether to answer at all: the signals the decision is made on, and the fitted model that weighs them.

Every signal means the same on any corpus: whether the question's key words
occur in the corpus at all, how far the best dense score stands above what
out-of-domain questions score *on this corpus* (the profile stored with the
calibration), how much of the question the top clause carries, whether the
signals agree, whether the kind of answer asked for is there. The model is a
logistic regression over FEATURES, fitted when the index is built
(calibrate.py); markup, code and strings without words are refused outright.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..normalize import arabic, has_cjk, normalize
from ..records import Hit
from ..search import Retriever
from .answer_types import CONTENT_KINDS, STRICT_TYPES, gives_kind, type_matches
from .question import Query
from .signals import Lexicon

__all__ = ["DEFAULT_CALIBRATION", "DEFAULT_PROFILE", "FEATURES", "confidence", "dense_z", "features", "has_words", "key_words", "threshold", "vetoed"]

# unmatched_en: the share of an English question's content words the bridge found no counterpart for in the
# documents, weighed apart from the Chinese "missing" share (an English word says more, issue 14's dev split).
FEATURES = (
    "dense_z", "dense_z_nolex", "coverage", "missing", "agree", "no_lexical", "other_place", "region_gap", "kind_miss", "type_miss", "scope_hit",
    "unmatched_en", "kind_hit", "bias",
)
# Kinds whose answer has a form of its own (2年内, 9月11日, 50%, 九市): a top clause showing one is evidence for it.
_FORM_KINDS = frozenset({"date", "duration", "figure", "count"})
# What out-of-domain questions score on a corpus, by script, until a build measures it:
# the best cosine of e5-small between an unrelated question and a policy clause.
DEFAULT_PROFILE: dict[str, list[float]] = {"zh": [0.80, 0.02], "en": [0.80, 0.015]}
# Used only until an index is calibrated: answer unless nothing matches at all.
DEFAULT_CALIBRATION: dict[str, Any] = {
    "weights": [0.0] * (len(FEATURES) - 1) + [1.0],
    "threshold": 0.5,
    "profile": DEFAULT_PROFILE,
}
# Words that frame any question about any policy: never the concept asked about.
_FRAME = frozenset(
    "试点 规定 要求 做法 措施 办法 政策 文件 方案 哪些 怎么 怎样 如何 什么 多少 是否 可以 应当 有关 方面 内容 问题 情况 "
    "属于 归属 适用 涵盖 覆盖 包括 包含 范围 哪个 所在 地区 城市 说法 具体 主要 一共 总共 分别 目前 现在 "
    # how a question asks for its kind of answer (a term, a share, a condition), not what about
    "期限 年限 有效期 期间 时间 时候 啥时候 什么时候 哪天 落款 日期 比例 份额 数量 条件 前提 情形 途径 渠道 意思 含义 定义 谁 哪里 哪儿 多久 多长 "
    # spoken glue a formal text never writes (是不是 -> 不是, 拿到手)
    "能不能 可不可以 是不是 要不要 会不会 有没有 啥意思 是啥 类型 种类 "
    "不是 这些 那些 这个 那个 之间 还是 或者 以后 之后 以前 之前 整个 只有 打算 当地 地方 拿到 得到 一下 怎么算 这批 这次 那次 那个 啥样 咋样 搞 能够 需要 应该 进行 知道 告诉 请问 下来 起来 出来".split()
)
# A word that holds a question word asks how the answer looks (什么样, 哪一天, 多长时间, 由谁来, 百分之几), not what about.
_ASKING = re.compile(r"什么|哪|多少|多长|多久|几|谁|怎么|怎样|咋|啥")
_MARKUP = re.compile(r"\b(?:select|insert|update|delete|drop|create|alter)\b[^;]*(?:\bfrom|\binto|\btable|\bset)\b[^;]*;?|<[^>]*>|\$\$.*?\$\$|\$[^$]*\$|\\[a-zA-Z]+|&[a-z]+;|```.*?```|`[^`]*`", re.DOTALL)
_CODE = re.compile(r"\S*[(){}\[\];=<>|\\^_*#@$]\S*")
_LATIN_WORD = re.compile(r"[a-z]{3,}")


def has_words(text: str) -> bool:
    """Whether a question holds words at all once markup, formulas and code are taken out."""
    plain = _CODE.sub(" ", _MARKUP.sub(" ", text.lower()))
    cjk = sum(1 for ch in plain if has_cjk(ch))
    return cjk >= 2 or len(_LATIN_WORD.findall(plain)) >= 2


def key_words(query: Query) -> list[str]:
    """The question's content words that name what it is about (Chinese, possibly bridged from English)."""
    # A search-mode cut also gives the pieces of a frame word (有效期: 有效, 效期): they are frame too.
    framed = [f for f in _FRAME if f in query.normalized] + [w for w in query.words if _ASKING.search(w)]
    return [w for w in query.words if has_cjk(w) and len(w) >= 2 and w not in _FRAME and not any(w in f for f in framed)]


def dense_z(calibration: Mapping[str, Any], query: Query, best: float) -> float:
    """How many standard deviations the best dense score stands above out-of-domain questions on this corpus."""
    profile = calibration.get("profile") or DEFAULT_PROFILE
    # An English question's dense score is e5's on English text, bridged or not.
    mean, sd = profile["en" if query.latin or query.bridged else "zh"]
    return float(np.clip((best - mean) / max(sd, 1e-3), -5.0, 10.0))


def _unmatched_share(query: Query, words: Sequence[str]) -> float:
    """Of an English question's content words, the share the documents have no counterpart for (0 for Chinese)."""
    if not query.unmatched:
        return 0.0
    return len(query.unmatched) / (len(query.unmatched) + len(words))


def _coverage(retriever: Retriever, lexicon: Lexicon, words: Sequence[str], hits: Sequence[Hit]) -> list[float]:
    return [lexicon.coverage(words, retriever.clause_norm(h.clause)) for h in hits]


def features(retriever: Retriever, lexicon: Lexicon, query: Query, hits: Sequence[Hit], calibration: Mapping[str, Any] = DEFAULT_CALIBRATION) -> list[float]:
    """The signals abstention is decided on, in FEATURES order."""
    if not hits:
        return [-5.0, -5.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0 if query.unmatched else 0.0, 0.0, 1.0]
    top = hits[0]
    words = key_words(query)
    lexical = bool(words)
    best_dense = max(h.signals["dense"] for h in hits)
    by_dense = sorted(hits, key=lambda h: -h.signals["dense"])[:3]
    by_bm25 = sorted(hits, key=lambda h: -h.signals["bm25"])[:3]
    agree = float(top.signals["bm25"] > 0 and any(h.clause is top.clause for h in by_dense) and any(h.clause is top.clause for h in by_bm25))
    cover = _coverage(retriever, lexicon, words, hits) if lexical else [0.0] * len(hits)
    region_gap = 0.0
    if lexical and query.regions:
        # 北京 names the pilot and the 北京市 regulation alike: a clause of either is inside what was asked.
        asked_docs = set(query.documents.named) | set(query.documents.places)
        inside = [c for c, h in zip(cover, hits) if h.clause.region in query.regions or h.clause.doc_id in asked_docs]
        # The concept is in the corpus but not in the region asked about: that region does not say.
        region_gap = max(0.0, max(cover) - max(inside, default=0.0))
    kind = query.answer_kind
    kind_miss = float(kind in CONTENT_KINDS and not any(gives_kind(kind, retriever.clause_norm(h.clause)) for h in hits[:3]))
    z = dense_z(calibration, query, best_dense)
    scope_hit = query.scope and bool(query.regions) and top.clause.kind == "scope"
    return [
        z if lexical else 0.0,
        0.0 if lexical else z,  # without shared words, the dense score is the only evidence: weighed on its own
        cover[0],
        lexicon.missing_share(words) if lexical else 0.0,
        agree,
        float(not lexical),
        # 台湾 in 福厦泉和台湾的合作 is not a rival place: the named pilot's clause answers.
        float(bool(query.other_places) and not (query.regions and top.clause.region in query.regions)),
        region_gap,
        kind_miss,
        # A scope sentence answers 几个城市 by naming them, without a digit.
        float(not scope_hit and not type_matches(query.answer_type, top.clause.text)),
        float(scope_hit),
        _unmatched_share(query, words),
        float(kind in _FORM_KINDS and gives_kind(kind, retriever.clause_norm(top.clause))),
        1.0,
    ]


def _article_number(article: str) -> int:
    return arabic(article[1:-1]) if article.startswith("第") and article.endswith("条") else 0


def confidence(calibration: Mapping[str, Any], values: Sequence[float]) -> float:
    """Probability, under the fitted model, that the documents answer the question."""
    weights = calibration["weights"]
    if len(weights) != len(values):  # a calibration from an older format: answer, as before calibration
        weights = DEFAULT_CALIBRATION["weights"]
    z = float(np.dot(weights, values))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def threshold(calibration: Mapping[str, Any], values: Sequence[float]) -> float:
    """The cut on confidence: questions sharing no words with the corpus (English before a bridge) have their own."""
    if len(values) == len(FEATURES) and values[FEATURES.index("no_lexical")] and "threshold_nolex" in calibration:
        return float(calibration["threshold_nolex"])
    return float(calibration["threshold"])


def vetoed(query: Query, cited: Sequence[Hit]) -> bool:
    """A 'no' whatever the scores: the question asks for what no cited clause can give, or asks nothing."""
    # A year, a document number, a sum of money or an upper bound cannot be
    # quoted from clauses that contain none.
    strict_miss = query.answer_type in STRICT_TYPES and not any(type_matches(query.answer_type, h.clause.text) for h in cited)
    # Likewise a figure (多少, 比例): clauses that state no figure at all cannot give it.
    figure_miss = query.answer_kind == "figure" and query.answer_type != "doc_number" and not any(gives_kind("figure", normalize(h.clause.text)) for h in cited[:3])
    # 《上海市…条例》 or 促进科技成果转化法第六十条: a document or an article the corpus does not hold.
    asked = query.documents
    absent = asked.unknown or bool(asked.article and not any(h.clause.article and _article_number(h.clause.article) == asked.article for h in cited))
    # 上海 or 雄安新区 alone, where the best clause is a pilot's own measure: that measure is not that place's.
    elsewhere = bool(query.other_places) and not query.regions and bool(cited) and cited[0].clause.region is not None
    # Markup, formulas and code ("<script>alert(1)</script>", "$$x^2$$") ask nothing:
    # e5 scores sit near 0.8 for any string, so no score can be trusted on them.
    return strict_miss or figure_miss or absent or elsewhere or not has_words(query.text)
