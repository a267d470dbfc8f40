"""reformqa eval puts English beside Chinese: measures per language, and each English question against its Chinese twin."""

from __future__ import annotations

import json
from pathlib import Path

from reformqa.evaluation import GoldQuestion, Observed, by_language, language_of, load_questions, load_topics, render_languages, twin_pairs


def _gold(qid: str, question: str, *, lang: str = "", twin: str = "", answerable: bool = True) -> GoldQuestion:
    return GoldQuestion(qid, question, "factoid", "test", answerable, ("甲",) if answerable else (), ("包干制",) if answerable else (), lang=lang, twin=twin)


def _seen(answered: bool) -> Observed:
    return Observed(answered=answered, list_answer=False, confidence=0.9, cited=(("d:a1", "甲"),), quotes=("包干制",), latency_ms=5.0)


GOLDS = [
    _gold("z1", "甲的经费怎么管？"), _gold("e1", "How is Jia's funding managed?", lang="en", twin="z1"),
    _gold("z2", "乙的包干制？"), _gold("e2", "Lump sums in Yi?", lang="en", twin="z2"),
    _gold("z3", "法国的首都是哪里？", answerable=False), _gold("e3", "What is the capital of France?", twin="z3", answerable=False),
]
SEEN = {"z1": _seen(True), "e1": _seen(True), "z2": _seen(True), "e2": _seen(True), "z3": _seen(False), "e3": _seen(False)}
SCORES = {"z1": {"hit@1": 1.0, "span_accuracy": 1.0, "abstain_ok": 1.0}, "e1": {"hit@1": 1.0, "span_accuracy": 0.0, "abstain_ok": 1.0},
          "z2": {"hit@1": 0.0, "span_accuracy": 0.0, "abstain_ok": 1.0}, "e2": {"hit@1": 1.0, "span_accuracy": 1.0, "abstain_ok": 1.0},
          "z3": {"abstain_ok": 1.0}, "e3": {"abstain_ok": 1.0}}


def test_the_language_is_the_field_or_read_from_the_question():
    assert [language_of(g) for g in GOLDS] == ["zh", "en", "zh", "en", "zh", "en"]
    assert language_of(GoldQuestion("x", "任何问题", "english", "test", True, (), ())) == "en"  # the english kind


def test_measures_per_language_and_per_twin():
    langs = by_language(GOLDS, SEEN, SCORES)
    assert langs["zh"]["hit@1"] == 0.5 and langs["en"]["hit@1"] == 1.0
    assert langs["en"]["abstention_recall"] == 1.0 and langs["zh"]["questions"] == 3
    twins = twin_pairs(GOLDS, SCORES)
    assert twins["pairs"] == 3
    assert twins["measures"]["hit@1"] == {"both": 1, "en_only": 1, "zh_only": 0, "neither": 0, "differ": ["e2/z2"]}
    assert twins["measures"]["span_accuracy"]["differ"] == ["e1/z1", "e2/z2"]
    run = {"modes": ["full"], "by_language": {"full": langs}, "twins": {"full": twins}}
    report = "\n".join(render_languages(run))
    assert "## English beside Chinese (full)" in report and "| Hit@1 | 0.500 (n=2) | 1.000 (n=2) |" in report
    assert "| hit@1 | 1 | 1 | 0 | 0 | e2/z2 |" in report


def test_the_question_sets_pair_every_english_question_with_a_chinese_twin(repo: Path):
    questions = load_questions(repo / "eval" / "questions.jsonl")
    ids = {q.qid: q for q in questions}
    english = [q for q in questions if language_of(q) == "en"]
    assert len({q.qid for q in questions}) == len(questions)
    assert len([q for q in english if q.answerable]) >= 40 and len([q for q in english if not q.answerable]) >= 15
    for q in english:
        twin = ids[q.twin]
        assert language_of(twin) == "zh" and twin.answerable == q.answerable and twin.split == q.split, q.qid
        assert (twin.regions, twin.spans, twin.docs) == (q.regions, q.spans, q.docs), q.qid  # the same gold answer
    topics = load_topics(repo / "eval" / "compare_topics.jsonl")
    tids = {t.tid: t for t in topics}
    english_topics = [t for t in topics if t.lang == "en"]
    assert len([t for t in english_topics if t.split == "test"]) >= 10
    assert all(tids[t.twin].mentioned == t.mentioned and tids[t.twin].split == t.split for t in english_topics)
    raw = [json.loads(line) for line in (repo / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert all(not r["id"].startswith("en") or r["id"].startswith(("en-", "enzh-")) for r in raw)
