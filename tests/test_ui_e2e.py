"""The chat UI end to end in headless Chromium: ask, read the quote, open the source, follow up.

Saves a full-page screenshot to tests/artifacts/ui.png for a person to look at.
Needs /usr/bin/chromium and CJK fonts (apt-get install chromium fonts-noto-cjk);
without them the test is skipped, unless REFORMQA_REQUIRE_BROWSER=1 (CI) makes
that a failure.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from reformqa.feedback import FeedbackLog
from reformqa.project import Project
from reformqa.ui import ChatService, build_app, launch

CHROMIUM = Path("/usr/bin/chromium")
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


@pytest.fixture(scope="module")
def app(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FeedbackLog]]:
    feedback = FeedbackLog(tmp_path_factory.mktemp("feedback"))
    demo = build_app(ChatService(project, feedback))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = launch(demo, port=port)
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
        first = answer.locator("details.rq-cite").first
        assert "[1]" in first.locator("summary").inner_text() and "sunan-02" in first.locator("summary").inner_text()

        # Open the source: the whole clause in its place, the quoted span marked.
        first.locator("summary").click()
        context_box = first.locator(".rq-context")
        context_box.wait_for(state="visible", timeout=WAIT_MS)
        assert context_box.locator("mark.rq-span").inner_text() == "实行科研经费“包干制+负面清单”管理"
        assert len(context_box.inner_text()) > len(context_box.locator(".rq-clause").inner_text())  # neighbours shown
        assert "sunan-02" in page.inner_text("#rq-sources")

        # A follow-up carries the topic to another pilot, and says so.
        answer = _ask(page, "那重庆呢？", 1)
        assert "chongqing" in answer.locator(".rq-cites").inner_text()
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
        page.locator("#rq-chat button[aria-label='赞'], #rq-chat button[aria-label='Like']").first.click(timeout=WAIT_MS)
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
