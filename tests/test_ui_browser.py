"""The chat UI in headless Chromium at desktop (1280x900) and phone (390x844) size: chips open the document viewer,
nothing overlaps or scrolls sideways, filters show as chips with a warning, doubt is shown, the chat exports, axe finds
no serious or critical violation.

Saves screenshots of the chat, 对比 and the viewer at both widths to tests/artifacts/ (chat-1280.png, viewer-390.png…).
Needs /usr/bin/chromium and CJK fonts; without them the tests are skipped (REFORMQA_REQUIRE_BROWSER=1 makes that a failure).
"""

from __future__ import annotations

import pytest
from test_ui_e2e import ARTIFACTS, WAIT_MS, _ask, app, browser  # noqa: F401  (fixtures)

from reformqa.project import Project
from reformqa.web.render import LOW_CONFIDENCE

SIZES = [pytest.param((1280, 900), id="desktop"), pytest.param((390, 844), id="phone")]
pytestmark = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
# Boxes of the page's parts that must never cover one another.
PARTS = ["#rq-chat", "#rq-question", "#rq-send", "#rq-sources", "#rq-options", "#rq-examples", "#rq-clear-row", "#rq-suggest", "#rq-compare-this"]
OVERLAPS = """(selectors) => {
  const boxes = [];
  for (const s of selectors) { const e = document.querySelector(s); if (!e || e.offsetParent === null) continue;
    const r = e.getBoundingClientRect(); if (r.width && r.height) boxes.push([s, r]); }
  const cards = [...document.querySelectorAll('#rq-sources .rq-card')].map((e, i) => ['card' + i, e.getBoundingClientRect()]);
  const all = boxes.concat(cards.map(([n, r]) => [n, r]));
  const hits = [];
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) {
    const [a, ra] = all[i], [b, rb] = all[j];
    if (a.startsWith('card') && b === '#rq-sources' || b.startsWith('card') && a === '#rq-sources') continue;
    const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left), y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (x > 1 && y > 1) hits.push(a + ' / ' + b);
  }
  return hits;
}"""


def _page(browser, size: tuple[int, int], **options):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", **options)
    return context, context.new_page()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#rq-question textarea", timeout=WAIT_MS)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:8]]}" for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("size", SIZES)
def test_a_chip_opens_the_whole_document_at_the_highlighted_clause(browser, app, project: Project, size):
    url, _ = app
    question = "合肥都市圈的科研人员可以获得多少比例的成果所有权？"
    quote = project.ask(question).citations[0].quote
    context, page = _page(browser, size)
    try:
        _open(page, url)
        answer = _ask(page, question, 0)
        assert "不低于70%" in answer.locator("mark.rq-key").all_inner_texts()  # the figure asked for, marked as the answer
        _fits(page, size[0])
        assert page.evaluate(OVERLAPS, PARTS) == []
        lang = page.locator("#rq-lang").bounding_box()  # the language choice stays on screen at any width
        assert lang is not None and lang["width"] > 150 and lang["x"] + lang["width"] <= size[0]
        # The source card reads as people cite: the pilot and the place, not ids.
        card = page.locator("#rq-sources .rq-card").first
        assert card.locator(".rq-title").inner_text() == "合肥都市圈" and "hefei-" not in card.locator(".rq-card-head").inner_text()
        assert card.locator(".rq-strength").inner_text().startswith("匹配度")
        page.locator("#rq-options").click()  # the options panel opens below the cards, over nothing
        page.wait_for_timeout(300)
        assert page.evaluate(OVERLAPS, PARTS) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"chat-{size[0]}.png"), full_page=True)
        assert _serious(page) == []

        chip = answer.locator(".rq-chip").first
        chip.focus()
        tip = chip.locator(".rq-tip")
        assert tip.is_visible() and quote[:20] in tip.inner_text()  # focus previews the quote and its place
        chip.click()
        cited = page.locator("#rq-viewer .rq-vcited")
        cited.wait_for(state="visible", timeout=WAIT_MS)
        assert cited.locator("mark.rq-span").inner_text() == quote
        page.wait_for_timeout(500)
        box, view = cited.bounding_box(), page.viewport_size
        assert box is not None and 0 <= box["y"] < view["height"], "the cited clause is scrolled into view"
        assert page.locator("#rq-viewer .rq-vhead").count() >= 3  # the document's headings, set apart
        assert "合肥都市圈要素市场化配置综合改革试点实施方案" in page.inner_text("#rq-viewer .rq-voutline")
        _fits(page, size[0])
        page.screenshot(path=str(ARTIFACTS / f"viewer-{size[0]}.png"))
        assert _serious(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_compare_cards_open_their_source(browser, app, size):
    url, _ = app
    context, page = _page(browser, size)
    try:
        _open(page, url)
        page.locator("#rq-compare-tab-button").click()
        page.fill("#rq-topic textarea", "经费包干制")
        page.keyboard.press("Enter")
        page.wait_for_selector("#rq-compare table.rq-table", timeout=WAIT_MS)
        _fits(page, size[0])
        rows = page.locator("#rq-compare tbody tr")
        assert rows.count() == 10
        if size[0] < 640:  # a card a pilot: the quote as wide as the card, not one character
            widths = page.evaluate("[...document.querySelectorAll('#rq-compare td.rq-quote-cell')].map(td => td.getBoundingClientRect().width)")
            assert min(widths) > 0.7 * size[0]
        for button in ("#rq-csv", "#rq-md"):  # the downloads on screen, their labels on one line
            box = page.locator(button).bounding_box()
            assert box is not None and box["x"] + box["width"] <= size[0] and box["height"] < 48
        page.screenshot(path=str(ARTIFACTS / f"compare-{size[0]}.png"), full_page=True)
        assert _serious(page) == []
        rows.filter(has_text="成都市").locator(".rq-open").click()
        page.locator("#rq-viewer .rq-vcited").wait_for(state="visible", timeout=WAIT_MS)
        assert "经费包干制" in page.inner_text("#rq-viewer .rq-vcited mark.rq-span")
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_filter_shows_as_a_chip_and_warns_when_the_question_names_another_pilot(browser, app, size):
    url, _ = app
    context, page = _page(browser, size)
    try:
        _open(page, url)
        page.locator("#rq-options").click()
        page.locator("#rq-region input").click()
        page.locator("[role=listbox] [role=option]").filter(has_text="合肥都市圈").click()
        chip = page.locator("#rq-region-chip")
        chip.wait_for(state="visible", timeout=WAIT_MS)
        assert "合肥都市圈" in chip.inner_text()
        answer = _ask(page, "无锡的科研经费怎么管理？", 0)
        warning = page.locator("#rq-warn .rq-filter-warn")
        warning.wait_for(state="visible", timeout=WAIT_MS)
        assert "苏南重点城市" in warning.inner_text() and "合肥都市圈" in warning.inner_text()
        assert "合肥都市圈" in answer.locator(".rq-cites").inner_text()
        _fits(page, size[0])
        assert page.evaluate(OVERLAPS, PARTS) == []
        page.locator("#rq-drop").click()  # drop the filter: the question answered again, about 无锡
        page.wait_for_function("document.querySelector('#rq-chat .rq-answer:last-of-type') && !document.querySelector('#rq-warn .rq-filter-warn')", timeout=WAIT_MS)
        page.wait_for_function("document.querySelectorAll('#rq-chat .rq-answer')[0].innerText.includes('苏南重点城市')", timeout=WAIT_MS)
        chip.wait_for(state="hidden", timeout=WAIT_MS)
    finally:
        context.close()


def test_a_weak_answer_says_so_and_the_chat_exports_and_clears_on_confirmation(browser, app, project: Project):
    url, _ = app
    weak, strong = "重庆的人才怎么评价？", "合肥都市圈的科研人员可以获得多少比例的成果所有权？"
    assert project.ask(weak).answerable and project.ask(weak).confidence < LOW_CONFIDENCE <= project.ask(strong).confidence
    context, page = _page(browser, (1280, 900), accept_downloads=True)
    try:
        _open(page, url)
        first = _ask(page, strong, 0)
        assert first.locator(".rq-doubt").count() == 0
        second = _ask(page, weak, 1)
        assert second.locator(".rq-doubt").is_visible() and "匹配较弱" in second.locator(".rq-doubt").inner_text()
        assert second.locator(".rq-doubt").bounding_box()["y"] < second.locator(".rq-quote").bounding_box()["y"]  # above the quote
        with page.expect_download(timeout=WAIT_MS) as download:
            page.locator("#rq-export").click()
        text = open(download.value.path(), encoding="utf-8").read()
        quote = project.ask(strong).citations[0].quote
        assert f"## 问：{strong}" in text and quote in text and "hefei-02" in text and "《" in text
        page.locator("#rq-clear").click()
        page.locator("#rq-clear-yes").wait_for(state="visible", timeout=WAIT_MS)
        assert page.locator("#rq-chat .rq-answer").count() == 2  # nothing cleared before the confirmation
        page.locator("#rq-clear-yes").click()
        page.wait_for_function("document.querySelectorAll('#rq-chat .rq-answer').length === 0", timeout=WAIT_MS)
    finally:
        context.close()


def test_english_is_kept_and_declared(browser, app):
    url, _ = app
    context, page = _page(browser, (1280, 900))
    try:
        _open(page, url)
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        page.get_by_text("English", exact=True).click()
        page.wait_for_function("(document.querySelector('#rq-examples') || {innerText: ''}).innerText.includes('Wuxi')", timeout=WAIT_MS)
        assert page.evaluate("document.documentElement.lang") == "en"
        _ask(page, "How is research funding managed in Wuxi?", 0)
        assert page.locator("#rq-lang input[value=en]").is_checked()
        page.reload()
        page.wait_for_function("(document.querySelector('#rq-examples') || {innerText: ''}).innerText.includes('Wuxi')", timeout=WAIT_MS)
        assert page.evaluate("document.documentElement.lang") == "en" and page.locator("#rq-lang input[value=en]").is_checked()
    finally:
        context.close()


def test_dislike_takes_a_reason_and_an_answer_opens_its_comparison(browser, app):
    url, feedback = app
    context, page = _page(browser, (1280, 900))
    try:
        _open(page, url)
        page.locator("#rq-question textarea").focus()
        ring = "(e) => { const s = getComputedStyle(e); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"
        assert page.locator("#rq-question textarea").evaluate(ring)  # focus is visible
        _ask(page, "无锡的科研经费怎么管理？", 0)
        before = len(feedback.read())
        page.locator("#rq-chat button[aria-label='没帮助']").last.click(timeout=WAIT_MS)
        page.locator("#rq-reason textarea").wait_for(state="visible", timeout=WAIT_MS)
        page.fill("#rq-reason textarea", "引文不对")
        page.locator("#rq-reason-send").click()
        page.locator("#rq-reason textarea").wait_for(state="hidden", timeout=WAIT_MS)
        page.locator("#rq-chat button[aria-label='有帮助']").last.click(timeout=WAIT_MS)  # a changed mind
        page.wait_for_timeout(1000)
        records = feedback.read()[before:]
        assert len(records) == 1 and records[0]["liked"] is True and records[0]["question"] == "无锡的科研经费怎么管理？"  # one line, updated

        page.locator("#rq-compare-this").click()  # 对比各试点: the 对比 tab, filled in and compared
        page.wait_for_selector("#rq-compare table.rq-table", timeout=WAIT_MS)
        assert page.locator("#rq-topic textarea").input_value() == "科研经费管理"
        assert page.locator("#rq-compare tbody tr").count() == 10
    finally:
        context.close()


def test_many_sources_scroll_inside_their_panel_and_cover_nothing(browser, app):
    url, _ = app
    context, page = _page(browser, (1280, 900))
    try:
        _open(page, url)
        _ask(page, "哪些试点实行首席科学家负责制？", 0)  # five pilots: five cards, taller than the panel
        page.wait_for_selector("#rq-sources .rq-card >> nth=4", timeout=WAIT_MS)
        assert page.evaluate("getComputedStyle(document.querySelector('#rq-sources')).overflowY") == "auto"
        # What shows at the middle of the options and the examples is theirs, not a card spilling over them.
        on_top = """(sel) => { const e = document.querySelector(sel); e.scrollIntoView({block: 'center'});
          const r = e.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 20));
          return e.contains(hit); }"""
        assert page.evaluate(on_top, "#rq-options") and page.evaluate(on_top, "#rq-examples")
    finally:
        context.close()
