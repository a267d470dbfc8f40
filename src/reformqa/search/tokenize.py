"""Tokens for lexical matching: jieba words, corpus terms kept whole, bigrams.

jieba's search mode splits long words into their parts as well; a user
dictionary built from the corpus keeps quoted terms (先赋权后转化,
包干制+负面清单) and place names whole; character bigrams catch words jieba
does not know. Numbers such as 15.5% and 70% stay one token.

Segmentation is jieba's (HMM off) over a memory-mapped copy of its dictionary
(search/segment.py): a question loads only the words of its own characters,
where jieba's start-up loads all of them (0.5-1.6 s; docs/bench.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .segment import Segmenter

__all__ = ["STOPWORDS", "Tokenizer", "corpus_terms"]

# Question and function words: they say what is asked, not what it is about.
STOPWORDS = frozenset(
    "的 了 是 在 有 和 与 及 或 对 把 被 给 让 将 从 向 为 以 于 其 之 等 也 都 就 还 又 并 而 "
    "吗 呢 吧 啊 呀 嘛 哦 么 哪 哪些 哪个 哪几个 哪里 哪儿 什么 怎么 怎样 怎么样 如何 多少 几 是否 是不是 "
    "能 能否 能不能 可以 可不可以 会 要 想 请问 请 问 一下 关于 我 我们 你 你们 他 他们 它 这 那 这个 那个 "
    "这些 那些 个 说 讲 提到 规定 文件 政策 方面 具体 情况 内容 相关 有关 有没有 没有 呢 咋 啥 "
    "哪几 几个 哪家 地区 地方 城市 那边 这边 那里 这里 之类 一些 有些 "
    "多久 多长 几年 多少年 什么时候 何时 哪年 哪天 几号 几月 这批 那批 批 搞 咋样 咋办 回事 是个 "
    "the a an of to in on for and or is are was were be by with what which who how does do did can "
    "there that this it its as at from about any".split()
)
_PUNCT = re.compile(r"^[\W_]+$")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# A number keeps its unit: 10% and 10年 are different answers.
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:%|年|个|条|项|倍|亿|万|月|日)?")
_QUOTED = re.compile(r"“([^”]{2,20})”")


def corpus_terms(texts: Iterable[str]) -> list[str]:
    """Terms the corpus quotes (“先赋权后转化”), which must not be split."""
    terms: dict[str, None] = {}
    for text in texts:
        for match in _QUOTED.finditer(text):
            terms[match.group(1)] = None
            for part in re.split(r"[+、—\-]", match.group(1)):
                if len(part) >= 2:
                    terms[part] = None
    return list(terms)


class Tokenizer:
    """A jieba tokenizer of our own, with the corpus's user dictionary loaded."""

    def __init__(self, user_words: Iterable[str] = (), *, bigrams: bool = True):
        self._jieba = Segmenter()
        self.user_words = sorted({w.strip() for w in user_words if len(w.strip()) >= 2})
        for word in self.user_words:
            self._jieba.add_word(word, 20000)
        self.bigrams = bigrams

    def words(self, normalized: str) -> list[str]:
        """Content words of an already normalised text, in order, stopwords dropped."""
        out, last = [], 0
        for match in [*_NUMBER.finditer(normalized), None]:
            piece = normalized[last : match.start() if match else len(normalized)]
            for token in self._jieba.cut_for_search(piece):
                token = token.strip()
                if token and not _PUNCT.match(token) and token not in STOPWORDS:
                    out.append(token)
            if match:
                out.append(match.group(0))
                last = match.end()
        return out

    def terms(self, normalized: str) -> list[str]:
        """Content words without overlaps (jieba's precise mode): each character counted once."""
        out = []
        for token in self._jieba.cut(normalized):
            token = token.strip()
            if token and not _PUNCT.match(token) and token not in STOPWORDS:
                out.append(token)
        return out

    def __call__(self, normalized: str) -> list[str]:
        """Tokens for BM25: content words plus character bigrams (marked with ~)."""
        tokens = self.words(normalized)
        if self.bigrams:
            for run in _CJK_RUN.findall(normalized):
                tokens += ["~" + run[i : i + 2] for i in range(len(run) - 1)]
        return tokens
