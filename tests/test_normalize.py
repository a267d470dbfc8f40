"""Matching forms: what users type and what the document writes meet in one normal form."""

from __future__ import annotations

import pytest

from reformqa.normalize import cjk_ratio, has_cjk, normalize, to_simplified
from reformqa.search import STOPWORDS, Tokenizer, corpus_terms


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("，；（）：", ",;():"),  # full-width punctuation -> the seed's half-width
        ("ＡＢＣ１２３", "abc123"),  # full-width letters and digits, lower-cased
        ("  合肥   都市圈\t\n", "合肥 都市圈"),  # one space, trimmed
        ("廈門的經費包乾制", "厦门的经费包干制"),  # traditional -> simplified
        ("百分之七十", "70%"),
        ("不低于百分之七十的权益", "不低于70%的权益"),
        ("七成", "70%"),
        ("赋予科研人员七成所有权", "赋予科研人员70%所有权"),
        ("十年", "10年"),
        ("两年", "2年"),
        ("一半", "50%"),
    ],
)
def test_normalize(typed, expected):
    assert normalize(typed) == expected


@pytest.mark.parametrize("word", ["成都", "成都市的科技成果", "成果转化", "一带一路", "一体化发展", "一流高校", "哪一个试点"])
def test_normalize_leaves_ordinary_words_alone(word):
    assert normalize(word) == word


def test_normalize_is_idempotent():
    text = "合肥都市圈對科研人員賦權的比例是百分之七十嗎？還是七成？"
    assert normalize(normalize(text)) == normalize(text)


def test_to_simplified_and_cjk_helpers():
    assert to_simplified("蘇南重點城市") == "苏南重点城市"
    assert has_cjk("Shenzhen 深圳") and not has_cjk("Shenzhen")
    assert cjk_ratio("") == 0.0
    assert cjk_ratio("合肥 ab") == 0.5


@pytest.fixture(scope="module")
def tokenizer(seed_doc):
    """The tokenizer with the seed's quoted terms as user words, as the index builds it."""
    return Tokenizer(corpus_terms([seed_doc.text]))


def test_corpus_terms_are_the_quoted_terms_and_their_parts(seed_doc):
    terms = corpus_terms([seed_doc.text])
    assert {"包干制+负面清单", "包干制", "负面清单", "先赋权后转化", "科大硅谷", "浙江拍"} <= set(terms)


@pytest.mark.parametrize("number", ["15.5%", "70%", "10年"])
def test_numbers_keep_their_unit_as_one_token(tokenizer, number):
    assert number in tokenizer.words(normalize(f"比例不低于{number}的部分"))


def test_normalised_numerals_become_one_token(tokenizer):
    assert "70%" in tokenizer.words(normalize("不低于百分之七十"))
    assert "10年" in tokenizer.words(normalize("不少于十年的长期使用权"))


@pytest.mark.parametrize(
    ("text", "term"),
    [("实行科研经费“包干制+负面清单”管理", "包干制+负面清单"), ("探索“先赋权后转化”新模式", "先赋权后转化")],
)
def test_user_words_stay_whole(tokenizer, text, term):
    assert term in tokenizer.words(normalize(text))


def test_without_user_words_the_quoted_term_is_split():
    # The contrast that shows the user dictionary is what keeps the term whole.
    assert "先赋权后转化" not in Tokenizer().words(normalize("探索“先赋权后转化”新模式"))


def test_stopwords_and_punctuation_are_dropped(tokenizer):
    words = tokenizer.words(normalize("请问哪些试点的科研经费是怎么管理的？"))
    assert {"科研经费", "试点", "管理"} <= set(words)
    assert not set(words) & STOPWORDS
    assert not any(w in {"?", "？", ","} for w in words)
    assert tokenizer.words(normalize("what is the")) == []


def test_bm25_tokens_add_marked_bigrams(tokenizer):
    tokens = tokenizer(normalize("包干制"))
    assert "包干制" in tokens
    assert {"~包干", "~干制"} <= set(tokens)
    assert Tokenizer(bigrams=False)("包干制") == Tokenizer(bigrams=False).words("包干制")


# The characters that make OpenCC's t2s change a text (src/reformqa/traditional.py): every character it
# converts alone, and every character it converts within a phrase of jieba's dictionary (沈 of 沈思, 覆 of 反覆).
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


def _traditional_module() -> str:
    import os
    import unicodedata

    import jieba
    import opencc

    t2s = opencc.OpenCC("t2s")
    chars = [chr(c) for a, b in _CJK_RANGES for c in range(a, b + 1)]
    found = {c for c, s in zip(chars, t2s.convert("\n".join(chars)).split("\n"), strict=True) if c != s}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        words = [line.split()[0] for line in f if line.strip()]
    for word, simple in zip(words, t2s.convert("\n".join(words)).split("\n"), strict=True):
        if word != simple:
            found.update(c for c, s in zip(word, simple) if c != s)
    ordered = "".join(sorted(c for c in found if unicodedata.normalize("NFKC", c) == c))  # normalize applies NFKC first
    lines = "\n".join(f'    "{ordered[i : i + 80]}"' for i in range(0, len(ordered), 80))
    return (
        '"""The characters OpenCC\'s t2s converts, alone or in a phrase: a text without any of them is already simplified.\n\n'
        "Generated from OpenCC and jieba's dictionary by tests/test_normalize.py (pytest --regen-golden); not edited by hand.\n"
        '"""\n\n__all__ = ["TRADITIONAL"]\n\n'
        f"TRADITIONAL = frozenset(\n{lines}\n)\n"
    )


def test_traditional_character_list_is_what_opencc_converts(request):
    from pathlib import Path

    import reformqa.normalize as module

    path = Path(module.__file__).parent / "traditional.py"
    expected = _traditional_module()
    if request.config.getoption("--regen-golden"):
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, f"{path} is out of date with OpenCC; run pytest --regen-golden and review it"


def test_simplified_text_never_loads_opencc():
    import subprocess
    import sys

    code = (
        "import sys; from reformqa.normalize import normalize; "
        "assert normalize('重庆允许科研资金跨省市使用吗？百分之七十') == '重庆允许科研资金跨省市使用吗?70%'; "
        "assert 'opencc' not in sys.modules, 'simplified text loaded OpenCC'; "
        "assert normalize('廈門的經費包乾制') == '厦门的经费包干制'; assert 'opencc' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("text", ["反覆思量", "批覆", "沈思", "凭藉", "墨沈沈"])
def test_phrases_with_only_a_phrase_level_traditional_character_still_convert(text):
    import opencc

    assert to_simplified(text) == opencc.OpenCC("t2s").convert(text)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("一百一", 110), ("二百一", 210), ("三千六", 3600), ("一千零一十", 1010),
     ("两万", 20000), ("八万九", 89000), ("一万零五", 10005), ("二〇二一", 2021), ("二○二一", 2021), ("五点五", 5.5),
     ("一亿二千三百四十五万六千七百八十九", 123456789), ("十十", None), ("百千", None), ("五点", None), ("科研", None)],
)
def test_chinese_numerals_read_as_policy_texts_write_them(numeral, value):
    from reformqa.normalize import chinese_number

    assert chinese_number(numeral) == value


def test_chinese_numerals_written_and_read_back():
    from reformqa.normalize import chinese_number, chinese_numeral

    assert [chinese_numeral(n) for n in (0, 10, 12, 105, 110, 1010, 10010, 20000, 100000005)] == [
        "零", "十", "十二", "一百零五", "一百一十", "一千零一十", "一万零一十", "二万", "一亿零五"]
    assert all(chinese_number(chinese_numeral(n)) == n for n in range(200_001))


@pytest.mark.parametrize(("typed", "expected"), [("百分之五点五的股权", "5.5%的股权"), ("百分之百", "100%"), ("二百一十个", "210个"), ("第十二条", "第12条")])
def test_percent_and_counts_become_digits(typed, expected):
    assert normalize(typed) == expected
