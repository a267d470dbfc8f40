"""The chat UI's handlers, follow-up rules, feedback log and escaping, without a browser or Gradio."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reformqa.answer import REGION, TOPIC, follow_up
from reformqa.contract import answer_to_json
from reformqa.project import Project
from reformqa.records import Answer, Citation, Clause, Hit, Span
from reformqa.web.feedback import FEEDBACK_FILE, Feedback, FeedbackLog, index_version
from reformqa.web.handlers import ChatService, Session
from reformqa.web.render import Marker, answer_html, escape, find_words, passage, question_html, sources_html

NASTY = "<script>alert('x')</script> **bold** $$x^2$$ `code` [link](http://a.b) {{tpl}} ${tpl} a_b_c # | ~ \\"


def _text(fragment: str) -> str:
    """What a browser shows for an HTML fragment: tags dropped, references decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _fake_answer(text: str = "前文。" + NASTY + "。后文") -> Answer:
    start = text.index("<")
    end = start + len(NASTY)
    clause = Clause("x-01", "doc", "《标题》$$", "测试区", "section", "measure", start, end, text[start:end], (Span(start, end),))
    return Answer(question=NASTY, answerable=True, citations=(Citation(1, Hit(clause, 1.0, {}), start, end),))


@pytest.fixture
def service(project: Project, tmp_path: Path) -> ChatService:
    return ChatService(project, FeedbackLog(tmp_path / "feedback"))


# -- escaping --------------------------------------------------------------------------------------


def test_escape_shows_every_character_literally():
    escaped = escape(NASTY + "\n第二行")
    for syntax in ("<script", "**", "$$", "`", "[", "{{", "${", "_", "\n"):
        assert syntax not in escaped, syntax
    assert html.unescape(escaped) == NASTY + "\n第二行"


def test_answer_with_markup_in_clause_and_question_renders_literally():
    answer = _fake_answer()
    clause = answer.citations[0].hit.clause
    passages = {("doc", "x-01"): passage("前文。" + NASTY + "。后文", [clause], clause)}
    for fragment in (answer_html(answer, marker=Marker(("script", "bold")), lang="zh"), sources_html(answer, marker=Marker(), passages=passages, lang="en"), question_html(NASTY)):
        assert "<script" not in fragment and "**" not in fragment and "$$" not in fragment and "{{" not in fragment
        assert NASTY in _text(fragment)


def test_highlight_marks_words_without_altering_the_quote(project: Project):
    answer = project.ask("合肥都市圈的科研人员可以获得多少比例的成果所有权？")
    stored = project.retriever().stored
    from reformqa.answer import analyse

    words = analyse(answer.question, stored.gazetteer, stored.tokenizer, stored.other_places).words
    rendered = answer_html(answer, marker=Marker(tuple(words), stored.tokenizer.terms), lang="zh")
    quote_html = re.search(r'<span class="rq-text">(.*?)</span>', rendered).group(1)
    assert '<mark class="rq-hit">' in quote_html
    # The figure asked for is marked as the answer, more strongly than the question's words.
    assert '<mark class="rq-key">不低于70%</mark>' in quote_html and '<mark class="rq-key">不低于10年</mark>' in quote_html
    assert _text(quote_html) == answer.citations[0].quote


def test_words_are_marked_only_where_they_stand_as_words(project: Project):
    cut = project.retriever().stored.tokenizer.terms
    text = "支持高校和科研院所开展试点,实行科研经费“包干制+负面清单”管理"
    marked = [text[a:b] for a, b in find_words(text, ["科研", "包干制"], cut)]
    assert marked == ["包干制"]  # not 科研 inside 科研院所 or 科研经费
    assert [text[a:b] for a, b in find_words(text, ["科研", "经费"], cut)] == ["科研经费"]  # the whole word, covered by both


def test_find_words_maps_normalised_words_onto_the_original_text():
    text = "可赋予其科技成果所有權不低于百分之七十的权益"
    spans = find_words(text, ["所有权", "70%", "x"])
    assert [text[a:b] for a, b in spans] == ["所有權", "百分之七十"]
    assert find_words("", ["所有权"]) == [] and find_words(text, []) == []


def test_passage_is_the_clause_between_its_section_neighbours(project: Project, repo: Path):
    stored = project.retriever().stored
    clause = next(c for c in stored.clauses if c.clause_id == "hefei-03")
    doc = next(d for d in stored.manifest["documents"] if d["doc_id"] == clause.doc_id)
    source = (repo / "seeds" / doc["path"]).read_text(encoding="utf-8")
    around = passage(source, stored.clauses, clause)
    assert around.before and around.after
    start = source.index(around.before + clause.text + around.after)
    assert start + len(around.before) == clause.start
    assert passage(None, stored.clauses, clause).before == ""


# -- follow-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "previous", "kind", "asked"),
    [
        ("那重庆呢？", "无锡的科研经费怎么管理？", TOPIC, "重庆的科研经费怎么管理？"),
        ("那成都的情况如何？", "重庆的科研经费怎么管理？", TOPIC, "成都的科研经费怎么管理？"),
        ("那重庆呢？", "哪些试点实行首席科学家制度？", TOPIC, "重庆实行首席科学家制度？"),
        ("What about Chongqing?", "How is research funding managed in Wuxi?", TOPIC, "How is research funding managed in Chongqing?"),
        ("它的期限是多久？", "合肥都市圈的科研人员可以获得多少比例的成果所有权？", REGION, "合肥都市圈的期限是多久？"),
        ("这个呢", "合肥都市圈的科研人员可以获得多少比例的成果所有权？", REGION, "合肥都市圈呢"),
        ("What is its deadline?", "How is research funding managed in Wuxi?", REGION, "What is Wuxi's deadline?"),
    ],
)
def test_follow_up_carries_topic_or_region(project: Project, question, previous, kind, asked):
    stored = project.retriever().stored
    carry = follow_up(question, previous, stored.gazetteer, stored.other_places)
    assert carry is not None and carry.kind == kind and carry.question == asked and carry.typed == question and carry.carried


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        ("重庆的科研经费怎么管理？", "无锡的科研经费怎么管理？"),  # says everything itself
        ("哪些试点有首席科学家制度？", "无锡的科研经费怎么管理？"),  # about every pilot
        ("其他试点呢？", "无锡的科研经费怎么管理？"),
        ("那重庆呢？", None),  # nothing to carry from
        ("它的期限是多久？", "试点期限是多久？"),  # the previous question named no place
    ],
)
def test_follow_up_leaves_standalone_questions_alone(project: Project, question, previous):
    stored = project.retriever().stored
    assert follow_up(question, previous, stored.gazetteer, stored.other_places) is None


def test_follow_up_to_a_place_outside_the_pilots_keeps_the_topic(project: Project):
    stored = project.retriever().stored
    carry = follow_up("上海呢？", "无锡的科研经费怎么管理？", stored.gazetteer, stored.other_places)
    assert carry is not None and carry.question == "上海的科研经费怎么管理？" and carry.regions == ()


# -- handlers --------------------------------------------------------------------------------------


def test_ask_shows_quote_citations_and_sources(service: ChatService):
    reply = service.ask("无锡的科研经费怎么管理？", Session())
    assert [m["role"] for m in reply.messages] == ["user", "assistant"]
    answer = reply.session.exchanges[-1].answer
    bot = reply.messages[1]["content"]
    assert answer.citations[0].quote in _text(bot) and "[1]" in bot and 'class="rq-chip' in bot
    # Where the quote stands, as people cite it; the ids are in the source card's details line.
    shown = _text(re.sub(r'<span class="rq-(?:open|copy)-src">.*?</span>', "", bot))  # the hidden keys of the buttons aside
    assert "苏南重点城市" in shown and "sunan-02" not in shown
    assert "sunan-02" in _text(reply.sources) and "<details" in reply.sources
    assert answer.citations[0].hit.clause.text in _text(reply.sources)
    assert reply.notice == "" and reply.carry == "" and reply.question == ""


def test_follow_up_is_shown_and_can_be_taken_back(service: ChatService):
    first = service.ask("无锡的科研经费怎么管理？", Session())
    second = service.ask("那重庆呢？", first.session)
    last = second.session.exchanges[-1]
    assert last.carry is not None and last.asked == "重庆的科研经费怎么管理？"
    assert "沿用上一问" in second.carry and "重庆的科研经费怎么管理？" in _text(second.carry)
    assert {c.hit.clause.region for c in last.answer.citations} == {"重庆市"}
    undone = service.undo_carry(second.session)
    assert len(undone.session.exchanges) == 2 and undone.session.exchanges[-1].carry is None
    assert undone.session.exchanges[-1].asked == "那重庆呢？" and undone.carry == ""


@pytest.mark.parametrize("question", ["", "   \n\t ", None, "问" * 501])
def test_bad_input_gets_a_friendly_notice_and_the_chat_stays_usable(service: ChatService, question):
    reply = service.ask(question, Session())
    assert reply.session.exchanges == () and reply.messages == []
    assert reply.notice and "Traceback" not in reply.notice and ("请输入" in reply.notice or "500" in reply.notice)
    after = service.ask("寿县属于哪个试点？", reply.session)
    assert len(after.session.exchanges) == 1 and after.notice == ""


def test_errors_become_notices_never_tracebacks(service: ChatService, monkeypatch: pytest.MonkeyPatch):
    reply = service.ask("无锡的科研经费怎么管理？", Session(), region="火星")
    assert "unknown region" in reply.notice and reply.session.exchanges == ()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service.project, "ask", broken)
    reply = service.ask("无锡的科研经费怎么管理？", Session())
    assert reply.notice and "boom" not in reply.notice and "Traceback" not in reply.notice


def test_list_answer_quotes_one_clause_per_region(service: ChatService):
    reply = service.ask("哪些试点实行首席科学家负责制？", Session())
    answer = reply.session.exchanges[-1].answer
    assert answer.list_question
    regions = [c.hit.clause.region for c in answer.citations]
    assert len(regions) == len(set(regions)) >= 2
    assert re.search(r'<ol class="rq-list">(.*?)</ol>', reply.messages[1]["content"]).group(1).count("<li>") == len(regions)


def test_not_found_answer_says_so_and_lists_nearest_clauses(service: ChatService):
    reply = service.ask("上海的人才政策是什么？", Session())
    answer = reply.session.exchanges[-1].answer
    assert not answer.answerable and answer.citations
    assert answer.message in _text(reply.messages[1]["content"]) and "可能相关的条款" in _text(reply.sources)


def test_english_toggle_relabels_the_conversation(service: ChatService):
    reply = service.relabel(service.ask("无锡的科研经费怎么管理？", Session()).session, "en")
    assert reply.session.lang == "en" and "Copy" in reply.messages[1]["content"] and "复制" not in reply.messages[1]["content"]
    assert service.clear(reply.session).session == Session(lang="en")


def test_ask_json_is_the_cli_contract(service: ChatService, project: Project):
    question = "合肥都市圈的科研人员可以获得多少比例的成果所有权？"
    assert service.ask_json(question) == answer_to_json(project.ask(question))
    assert service.ask_json(question, k=1, region="合肥", mode="bm25")["citations"][0]["region"] == "合肥都市圈"
    for bad in ("", "   ", "x" * 501):
        assert "error" in service.ask_json(bad) and service.ask_json(bad)["citations"] == []
    assert "error" in service.ask_json(question, k="many") and "error" in service.ask_json(question, mode="nope")


# -- feedback --------------------------------------------------------------------------------------


def test_like_and_dislike_are_appended_with_question_clauses_and_index(service: ChatService, project: Project):
    reply = service.ask("无锡的科研经费怎么管理？", Session())
    reply = service.ask("那重庆呢？", reply.session)
    service.like(reply.session, 1, True)
    service.like(reply.session, 3, "Dislike")
    service.like(reply.session, 9, True)  # no such message: ignored
    records = service.feedback.read()
    assert [r["liked"] for r in records] == [True, False]
    assert records[1]["question"] == "那重庆呢？" and records[1]["asked"] == "重庆的科研经费怎么管理？"
    assert records[0]["clause_ids"] == [c.hit.clause.clause_id for c in reply.session.exchanges[0].answer.citations]
    assert records[0]["index"] == index_version(project.retriever().stored.manifest) and records[0]["index"]["corpus_hash"]
    assert records[0]["time"].endswith("+00:00")


def test_a_like_that_cannot_be_saved_is_reported_not_raised(project: Project, tmp_path: Path):
    (tmp_path / "feedback").write_text("a file where the folder should be", encoding="utf-8")
    service = ChatService(project, FeedbackLog(tmp_path / "feedback"))
    reply = service.ask("寿县属于哪个试点？", Session())
    assert service.like(reply.session, 1, True) == ""


def test_feedback_cannot_inject_lines_or_choose_its_file(tmp_path: Path):
    log = FeedbackLog(tmp_path)
    evil = 'a"}\n{"liked": true, "question": "forged"}\r\n\u2028\u2029\x85\x00 ../../etc/passwd'
    record = Feedback(False, evil, evil, True, ("x-01", evil), {"corpus_hash": evil, "embedder": "e"})
    log.append(record)
    log.append(record)
    assert log.path == tmp_path / FEEDBACK_FILE and sorted(p.name for p in tmp_path.iterdir()) == [FEEDBACK_FILE]
    raw = log.path.read_text(encoding="utf-8")
    assert len(raw.splitlines()) == 2  # splitlines also breaks at U+2028, U+0085 ...: they are escaped
    for line in raw.splitlines():
        data = json.loads(line)
        assert data["question"] == evil and data["clause_ids"] == ["x-01", evil] and data["liked"] is False


def test_feedback_does_not_follow_a_planted_symlink(tmp_path: Path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("untouched", encoding="utf-8")
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / FEEDBACK_FILE).symlink_to(target)
    with pytest.raises(OSError):
        FeedbackLog(tmp_path / "log").append(Feedback(True, "q", "q", True, (), {}))
    assert target.read_text(encoding="utf-8") == "untouched"


def test_concurrent_feedback_never_interleaves(tmp_path: Path):
    log = FeedbackLog(tmp_path)

    def write(n: int) -> None:
        for i in range(40):
            log.append(Feedback(True, f"问题{n}-{i}" * 50, "q", True, ("a-01",), {"corpus_hash": "h", "embedder": "e"}))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log.read()) == 240


# -- the CLI ---------------------------------------------------------------------------------------


def test_ask_does_not_import_gradio_and_serve_has_its_options(repo: Path):
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from reformqa.cli import main\n"
        f"result = CliRunner().invoke(main, ['ask', '--home', {str(repo)!r}, '寿县属于哪个试点？'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'gradio' not in sys.modules, 'reformqa ask imported gradio'\n"
        "import reformqa.web.handlers, reformqa.web.app\n"
        "assert 'gradio' not in sys.modules, 'importing reformqa.web imported gradio'\n"
        "help = CliRunner().invoke(main, ['serve', '--help']).output\n"
        "assert all(word in help for word in ('--host', '--port', '--password', '127.0.0.1')), help\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
