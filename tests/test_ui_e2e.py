"""The chat UI end to end in headless Chromium: ask, read the quote, open the source, follow up; compare a topic; filter by document.

Saves full-page screenshots to tests/artifacts/ (ui.png, compare.png,
doc_filter.png) for a person to look at.
Needs /usr/bin/chromium and CJK fonts (apt-get install chromium fonts-noto-cjk);
without them the test is skipped, unless REFORMQA_REQUIRE_BROWSER=1 (CI) makes
that a failure.
"""

from __future__ import annotations

import csv
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import sample_documents_project

from reformqa.project import Project
from reformqa.web import build_app, launch
from reformqa.web.feedback import FeedbackLog
from reformqa.web.handlers import ChatService

CHROMIUM = Path("/usr/bin/chromium")
SAMPLES = Path(__file__).resolve().parent / "samples"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 15_000
# Gradio 6.31's queue statistics call pandas APIs that pandas 3 deprecates: not ours to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _need(reason: str) -> None:
    if os.environ.get("REFORMQA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REFORMQA_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _need(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FeedbackLog]]:
    feedback = FeedbackLog(tmp_path_factory.mktemp("feedback"))
    demo = build_app(ChatService(project, feedback))
    url = launch(demo, port=_free_port())
    yield url, feedback
    demo.close()


def _ask(page, question: str, answers_before: int) -> object:
    page.fill("#rq-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#rq-chat .rq-answer').length > {answers_before}", timeout=WAIT_MS)
    return page.locator("#rq-chat .rq-answer").last


def test_ask_read_open_source_follow_up(browser, app):
    url, feedback = app
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith((url, "data:", "blob:")) else None)
    try:
        page.goto(url)
        page.wait_for_selector("#rq-question textarea", timeout=WAIT_MS)
        assert "政策条款问答" in page.inner_text("#rq-title")

        # A question: the quote, highlighted, and its citations.
        answer = _ask(page, "无锡的科研经费怎么管理？", 0)
        assert "实行科研经费“包干制+负面清单”管理" in answer.locator(".rq-quote .rq-text").inner_text()
        assert answer.locator(".rq-quote mark.rq-hit").count() >= 1
        assert "苏南重点城市" in answer.locator(".rq-cites").inner_text()  # where it stands, as people cite it
        first = page.locator("#rq-sources details.rq-cite").first

        # Open the details: the whole clause in its place, the quoted span marked, and the ids.
        first.locator("summary").click()
        context_box = first.locator(".rq-context")
        context_box.wait_for(state="visible", timeout=WAIT_MS)
        assert "sunan-02" in first.locator(".rq-meta").inner_text()
        assert context_box.locator("mark.rq-span").inner_text() == "实行科研经费“包干制+负面清单”管理"
        assert len(context_box.inner_text()) > len(context_box.locator(".rq-clause").inner_text())  # neighbours shown
        assert "sunan-02" in page.inner_text("#rq-sources")

        # A follow-up carries the topic to another pilot, and says so.
        answer = _ask(page, "那重庆呢？", 1)
        assert "重庆市" in answer.locator(".rq-cites").inner_text()
        assert "沿用上一问" in answer.locator(".rq-carry").inner_text()
        page.locator("#rq-undo").wait_for(state="visible", timeout=WAIT_MS)

        # Readable at 1280x900 without scrolling sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)

        # Markup in a question shows literally: no script, no bold, no formula.
        nasty = "<script>window.pwned=1</script> **粗体** $$x^2$$ 合肥"
        _ask(page, nasty, 2)
        user = page.locator("#rq-chat .rq-asked").last
        assert user.inner_text() == nasty
        assert page.evaluate("window.pwned") is None
        assert page.locator("#rq-chat script, #rq-chat strong, #rq-chat .katex").count() == 0

        # Like an answer (Gradio labels the button in the browser's language): one JSON line in the log.
        page.locator("#rq-chat button[aria-label='有帮助'], #rq-chat button[aria-label='Like']").first.click(timeout=WAIT_MS)
        for _ in range(50):
            if feedback.path.exists():
                break
            page.wait_for_timeout(100)
        records = [json.loads(line) for line in feedback.path.read_text(encoding="utf-8").splitlines()]
        assert records and records[0]["liked"] is True and records[0]["clause_ids"][0] == "sunan-02"
        assert outside == [], f"the page fetched from outside the app: {outside[:5]}"
    finally:
        context.close()


def test_bad_input_and_english_toggle(browser, app):
    url, _ = app
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_selector("#rq-question textarea", timeout=WAIT_MS)
        page.fill("#rq-question textarea", "   ")
        page.keyboard.press("Enter")
        page.locator("#rq-notice .rq-notice").wait_for(state="visible", timeout=WAIT_MS)
        assert "请输入" in page.inner_text("#rq-notice")
        answer = _ask(page, "寿县属于哪个试点？", 0)  # still usable
        assert "合肥" in answer.inner_text()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
        answer.locator(".rq-copy").first.click()
        page.wait_for_function("document.querySelector('#rq-chat .rq-answer .rq-copy-label').textContent === '✓'", timeout=WAIT_MS)
        quote = answer.locator(".rq-quote .rq-text").inner_text()
        assert page.evaluate("navigator.clipboard.readText()").startswith(f"「{quote}」 —— [1] 合肥都市圈")
        page.locator("#rq-examples").get_by_text("哪些试点实行首席科学家负责制？").click()  # an example is asked at once
        page.wait_for_function("document.querySelectorAll('#rq-chat .rq-answer').length > 1", timeout=WAIT_MS)
        assert page.locator("#rq-chat .rq-answer").last.locator("ol.rq-list > li").count() >= 2  # one quote per pilot
        page.get_by_text("English", exact=True).click()
        page.wait_for_function("document.querySelector('#rq-chat .rq-answer .rq-copy-label').textContent === 'Copy'", timeout=WAIT_MS)
        assert "Policy clause Q&A" in page.inner_text("#rq-title")
    finally:
        context.close()


def _outside(page, url: str) -> list[str]:
    """Every request the page makes to anywhere but the app."""
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith((url, "data:", "blob:")) else None)
    return outside


def test_compare_tab(browser, app, project: Project):
    url, _ = app
    expected = {row.region: row for row in project.compare("经费包干制").rows}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    outside = _outside(page, url)
    try:
        page.goto(url)
        page.wait_for_selector("#rq-question textarea", timeout=WAIT_MS)
        page.locator("#rq-options").click()
        page.locator("#rq-region").wait_for(state="visible", timeout=WAIT_MS)
        assert page.locator("#rq-doc").is_hidden()  # one document: no filter to offer
        page.locator("#rq-compare-tab-button").click()
        page.fill("#rq-topic textarea", "经费包干制")
        page.keyboard.press("Enter")
        page.wait_for_selector("#rq-compare table.rq-table", timeout=WAIT_MS)

        # The coverage line, then one row a region: all ten, in document order.
        assert page.inner_text("#rq-coverage").startswith("5/10 个试点提及“经费包干制”：")
        rows = page.locator("#rq-compare tbody tr")
        assert [rows.nth(i).locator(".rq-region").inner_text() for i in range(rows.count())] == list(expected)
        chengdu = rows.filter(has_text="成都市")
        assert chengdu.locator(".rq-badge").inner_text() == "提及"
        assert chengdu.locator(".rq-text").inner_text() == expected["成都市"].citation.quote and "经费包干制" in expected["成都市"].citation.quote
        assert chengdu.locator("mark.rq-hit").count() >= 1 and "chengdu-02" in chengdu.locator(".rq-source").text_content()
        # 未提及 rows are there, and look it.
        muted = page.locator("#rq-compare tr.rq-no")
        assert muted.count() == 5 and muted.first.locator(".rq-badge").inner_text() == "未提及"
        colour = "(row) => getComputedStyle(row.querySelector('td')).color"
        assert muted.first.evaluate(colour) != chengdu.evaluate(colour)

        # Readable at 1280 wide without scrolling sideways: the table fits its column.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert page.evaluate("(() => { const t = document.querySelector('#rq-compare table'); return t.scrollWidth <= t.parentElement.clientWidth; })()")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)

        # The CSV download: ten rows, each 提及 with its citation.
        with page.expect_download(timeout=WAIT_MS) as download:
            page.locator("#rq-csv").click()
        assert download.value.suggested_filename == "compare-经费包干制.csv"
        saved = ARTIFACTS / "compare.csv"
        download.value.save_as(saved)
        header, *lines = list(csv.reader(saved.read_text(encoding="utf-8-sig").splitlines()))
        assert header == ["region", "mentioned", "quote", "citation"] and [line[0] for line in lines] == list(expected)
        by_region = {line[0]: line for line in lines}
        assert by_region["成都市"][1:3] == ["提及", expected["成都市"].citation.quote] and " chengdu-02 " in by_region["成都市"][3]
        assert by_region["北京城市副中心"][1] == "未提及"

        # A blank topic gets a notice; the table stays.
        page.fill("#rq-topic textarea", "   ")
        page.keyboard.press("Enter")
        page.locator("#rq-compare-notice .rq-notice").wait_for(state="visible", timeout=WAIT_MS)
        assert "请输入一个主题" in page.inner_text("#rq-compare-notice") and rows.count() == 10

        # The English toggle relabels the tab, the table and the buttons.
        page.get_by_text("English", exact=True).click()
        for selector, text in (("#rq-coverage", "pilots mention"), ("#rq-compare", "Not mentioned"), ("#rq-compare-tab-button", "Compare"), ("#rq-csv", "Download CSV")):
            page.wait_for_function(f"document.querySelector('{selector}').innerText.includes('{text}')", timeout=WAIT_MS)
        assert outside == [], f"the page fetched from outside the app: {outside[:5]}"
    finally:
        context.close()


@pytest.fixture(scope="module")
def documents_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over three small sample documents (HTML, Word, PDF), indexed with the fake embedder."""
    home = tmp_path_factory.mktemp("documents")
    demo = build_app(ChatService(sample_documents_project(home), FeedbackLog(home / "feedback")))
    url = launch(demo, port=_free_port())
    yield url
    demo.close()


def test_document_filter(browser, documents_app):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(documents_app)
        page.wait_for_selector("#rq-question textarea", timeout=WAIT_MS)
        page.locator("#rq-options").click()
        page.locator("#rq-doc input").click()
        options = page.locator("[role=listbox] [role=option]")
        options.first.wait_for(state="visible", timeout=WAIT_MS)
        assert [options.nth(i).inner_text().replace("✓", "").strip() for i in range(options.count())] == [
            "全部文件", "示范市科技成果转化管理办法", "示范市人民政府办公厅关于加快科技成果转化的实施意见", "示范省人民政府关于支持科技型企业发展的通知",
        ]
        options.filter(has_text="示范市科技成果转化管理办法").click()
        answer = _ask(page, "作价投资奖励比例", 0)
        titles = answer.locator(".rq-cites .rq-title").all_inner_texts()
        assert titles and set(titles) == {"示范市科技成果转化管理办法"}
        page.screenshot(path=str(ARTIFACTS / "doc_filter.png"), full_page=True)
    finally:
        context.close()
