"""The UI's looks and its one script: CSS for desktop and phone, and the page script (copy, open a source, show it, language).

System font stacks only: nothing is fetched from a font CDN. At 640 px and
below the columns stack (the sources right after the answer), the comparison
table becomes one card a pilot, and nothing is wider than the screen.
"""

from __future__ import annotations

__all__ = ["CSS", "PAGE_JS"]

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#rq-top { align-items: center; flex-wrap: wrap; gap: 8px; }
.rq-header h1 { font-size: 1.45rem; margin: 0 0 2px 0; font-weight: 650; word-break: keep-all; overflow-wrap: normal; }
.rq-header p { margin: 0; color: #4b5563; font-size: 0.92rem; }
#rq-lang { flex-grow: 0; }
#rq-lang .wrap { flex-wrap: nowrap; gap: 6px; justify-content: flex-end; }
#rq-lang label.selected { background: #1d4ed8; color: white; border-color: #1d4ed8; font-weight: 650; }
#rq-lang label { border: 1px solid var(--border-color-primary); }
.gradio-container button.primary { background: #1d4ed8 !important; color: #fff !important; border-color: #1d4ed8 !important; }
.gradio-container button.stop { background: #b91c1c !important; color: #fff !important; }
.gradio-container { --body-text-color-subdued: #4b5563; --input-placeholder-color: #6b7280; --block-info-text-color: #4b5563; --block-label-text-color: #374151; }
/* Focus is always visible: keyboard users see where they are. */
.gradio-container button:focus-visible, .gradio-container a:focus-visible, .gradio-container [tabindex]:focus-visible,
.gradio-container textarea:focus, .gradio-container input:focus-visible, #rq-lang label:focus-within {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.rq-hidden { display: none !important; }
.rq-sr { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
/* The chat's own trash button clears without asking: 清空对话 below asks first. */
#rq-chat .icon-button-wrapper.top-panel, #rq-chat button[aria-label="Clear"] { display: none !important; }
#rq-tabs button[role=tab] { color: #374151; }
#rq-tabs button[role=tab][aria-selected=true] { color: #1d4ed8; font-weight: 650; }
.rq-answer, .rq-sources, .rq-asked { overflow-wrap: anywhere; word-break: normal; line-height: 1.7; }
.rq-text, .rq-asked, .rq-context { white-space: pre-wrap; }
.rq-quote { border-left: 3px solid var(--color-accent); background: var(--background-fill-secondary); padding: 6px 10px; border-radius: 4px; font-size: 1.04em; }
mark.rq-hit { background: #fef3c7; color: inherit; padding: 0 1px; border-radius: 2px; }
mark.rq-key { background: #fbbf24; color: #111827; font-weight: 650; padding: 0 2px; border-radius: 2px; }
.rq-context mark.rq-span, .rq-viewer mark.rq-span { background: #fde68a; color: inherit; text-decoration: underline 2px #b45309; text-underline-offset: 3px; }
.rq-chip { position: relative; display: inline-block; color: #1d4ed8; font-weight: 650; margin: 0 3px; padding: 0 4px; line-height: 1.4;
  border: 1px solid #93c5fd; border-radius: 6px; background: #eff6ff; cursor: pointer; font-size: 0.85em; vertical-align: baseline; }
.rq-chip:hover { background: #dbeafe; }
.rq-tip { display: none; position: absolute; z-index: 60; left: 0; bottom: calc(100% + 6px); width: max-content; max-width: min(24em, 70vw);
  background: #111827; color: #f9fafb; font-weight: 400; text-align: left; padding: 6px 8px; border-radius: 6px; white-space: normal; font-size: 0.92rem; line-height: 1.5; }
.rq-chip:hover .rq-tip, .rq-chip:focus .rq-tip { display: block; }
.rq-open-src, .rq-copy-src { display: none; }
.rq-copy, .rq-open { font-size: 0.75rem; line-height: 1.2; padding: 2px 8px; margin-left: 6px; border: 1px solid var(--border-color-primary); border-radius: 4px;
  background: var(--background-fill-primary); color: var(--body-text-color); cursor: pointer; vertical-align: middle; }
.rq-open:not(.rq-chip) { color: #1d4ed8; border-color: #93c5fd; margin-left: 0; }
.rq-copy:hover, .rq-open:hover { border-color: var(--color-accent); }
#rq-chat .message { overflow: visible !important; }
.rq-list { margin: 4px 0 4px 1.2em; padding: 0; }
.rq-list li { margin: 4px 0; }
.rq-region { font-weight: 600; }
.rq-colon::after { content: "："; }
.rq-dim .rq-text { color: #4b5563; }
.rq-none { font-weight: 600; margin-bottom: 4px; }
.rq-lead { font-weight: 600; margin: 2px 0; }
.rq-doubt { color: #92400e; background: #fffbeb; border: 1px solid #fcd34d; border-radius: 4px; padding: 2px 8px; margin: 2px 0 6px 0; font-size: 0.92em; }
.rq-cites { margin-top: 8px; border-top: 1px dashed var(--border-color-primary); padding-top: 4px; font-size: 0.85em; color: #4b5563; }
.rq-cites ul { list-style: none; margin: 0; padding: 0; }
.rq-cites li { margin: 2px 0; }
.rq-cites-label { font-weight: 600; }
.rq-cites .rq-place, .rq-answer .rq-carry, .rq-answer .rq-meta { color: #374151; }
.rq-title { font-weight: 650; }
.rq-place { color: #4b5563; margin-left: 6px; }
.rq-num { font-weight: 650; color: #1d4ed8; }
details.rq-cite, details.rq-ids { margin: 4px 0 0 0; font-size: 0.85em; }
details.rq-cite > summary, details.rq-ids > summary { cursor: pointer; color: #4b5563; }
.rq-context { margin: 4px 0 2px 0; padding: 6px 10px; background: var(--background-fill-secondary); border-radius: 4px; }
.rq-near { color: #4b5563; }
.rq-meta { font-size: 0.85em; color: #4b5563; overflow-wrap: anywhere; }
.rq-carry { font-size: 0.85em; color: #4b5563; margin-bottom: 4px; }
.rq-notice { color: #92400e; font-size: 0.92em; padding: 2px 4px; }
.rq-filter-warn { color: #92400e; background: #fffbeb; border: 1px solid #fcd34d; border-radius: 4px; padding: 4px 8px; font-size: 0.92em; }
.rq-section { font-weight: 650; font-size: 1.05rem; margin: 2px 0 4px 0; }
.rq-card { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; background: var(--background-fill-primary); }
.rq-card-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 6px; margin-bottom: 4px; }
.rq-card-head .rq-place { margin-left: 0; }
.rq-card-quote { margin-bottom: 4px; }
.rq-card-actions { display: flex; gap: 6px; flex-wrap: wrap; }
.rq-card-actions .rq-copy { margin-left: 0; }
.rq-strength { margin-left: auto; font-size: 0.8em; color: #4b5563; white-space: nowrap; display: inline-flex; align-items: center; gap: 4px; }
.rq-bar { display: inline-block; width: 44px; height: 6px; background: var(--background-fill-secondary); border-radius: 3px; overflow: hidden; border: 1px solid var(--border-color-primary); }
.rq-bar > span { display: block; height: 100%; background: #16a34a; }
.rq-s-fair .rq-bar > span { background: #d97706; }
.rq-s-weak .rq-bar > span { background: #9ca3af; }
.rq-hint { color: #4b5563; font-size: 0.92em; }
/* Gradio sets its blocks' overflow visible: a long list of sources would spill over the options and examples. */
#rq-sources { max-height: 640px; overflow-y: auto !important; }
#rq-options { margin-top: 8px; position: relative; z-index: 1; }
#rq-title .html-container, #rq-sources-title .html-container, #rq-sources .html-container, #rq-carry-bar .html-container,
#rq-notice .html-container, #rq-warn .html-container, #rq-viewer .html-container { padding-left: 0 !important; padding-right: 0 !important; }
#rq-carry-row, #rq-filter-row, #rq-answer-actions, #rq-clear-row, #rq-reason-row { align-items: center; gap: 8px; min-height: 0; flex-wrap: wrap; }
#rq-filter-row button, #rq-answer-actions button, #rq-clear-row button, #rq-undo { font-size: 0.8rem; padding: 2px 10px; white-space: nowrap; width: auto !important; flex: 0 0 auto !important; }
#rq-examples button, #rq-suggest button { font-size: 0.85rem; padding: 3px 8px; }
#rq-chat .message-row .message { max-width: 100%; }
/* The document viewer: the whole text, headings apart, the cited clause highlighted. */
.rq-viewer { line-height: 1.8; }
.rq-vhead-bar { position: sticky; top: 0; background: var(--background-fill-primary); border-bottom: 1px solid var(--border-color-primary); padding: 4px 0; z-index: 2; }
.rq-vtitle { font-weight: 650; font-size: 1.05rem; }
.rq-voutline { font-size: 0.88em; color: #4b5563; overflow-wrap: anywhere; }
.rq-viewer.rq-doc-open { max-height: 72vh; overflow-y: auto; }
.rq-vdoc { padding: 6px 2px; overflow-wrap: anywhere; }
.rq-vhead { font-weight: 650; margin: 12px 0 4px 0; white-space: pre-wrap; }
.rq-vtext, .rq-vclause { white-space: pre-wrap; margin: 4px 0; }
.rq-vcited { background: #fffbeb; border-left: 4px solid #d97706; padding: 4px 8px; border-radius: 4px; scroll-margin-top: 80px; }
/* The Compare tab: one row a pilot; 未提及 rows stay in place, muted. */
.rq-compare { line-height: 1.6; overflow-wrap: anywhere; }
.rq-coverage { font-weight: 600; font-size: 1.02rem; line-height: 1.6; overflow-wrap: anywhere; }
#rq-compare table.rq-table { width: 100%; border: none; border-collapse: collapse; table-layout: fixed; font-size: 0.95rem; margin: 0; }
#rq-compare .rq-table tr { border: none; }
.rq-table col.rq-c-region { width: 11.5em; }
.rq-table col.rq-c-state { width: 6.5em; }
.rq-table.rq-en col.rq-c-state { width: 9.5em; }
.rq-table col.rq-c-source { width: 13em; }
.rq-table th { text-align: left; font-weight: 600; padding: 6px 10px; border: none; border-bottom: 2px solid var(--border-color-primary); background: var(--background-fill-secondary); }
.rq-table td { text-align: left; padding: 7px 10px; border: none; border-bottom: 1px solid var(--border-color-primary); vertical-align: top; }
.rq-badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.85em; white-space: nowrap; line-height: 1.7; }
.rq-badge.rq-yes { background: #dcfce7; color: #166534; font-weight: 600; }
.rq-badge.rq-no { color: #4b5563; border: 1px solid var(--border-color-primary); }
tr.rq-no td { color: #4b5563; background: var(--background-fill-secondary); }
tr.rq-no .rq-text { font-size: 0.92em; }
tr.rq-no mark.rq-hit { background: transparent; text-decoration: underline dotted; }
.rq-nearest { font-size: 0.85em; margin-right: 2px; }
.rq-source .rq-place { display: block; margin: 0 0 4px 0; }
#rq-compare .html-container, #rq-compare-notice .html-container, #rq-coverage .html-container { padding-left: 0 !important; padding-right: 0 !important; }
#rq-table-bar { align-items: center; gap: 8px; flex-wrap: wrap; }
#rq-table-bar button { white-space: nowrap; width: auto !important; flex: 0 0 auto !important; }
@media (max-width: 640px) {
  .gradio-container { padding: 0 8px !important; }
  .rq-header h1 { font-size: 1.2rem; }
  #rq-top > * { min-width: 0 !important; }
  #rq-top > #rq-lang { flex: 0 0 auto !important; min-width: 190px !important; }
  #rq-main { flex-direction: column; }
  #rq-main > * { min-width: 0 !important; width: 100% !important; }
  #rq-sources { max-height: none; overflow-y: visible !important; }
  .rq-viewer.rq-doc-open { max-height: 80vh; }
  #rq-compare table.rq-table, #rq-compare .rq-table tbody, #rq-compare .rq-table tr, #rq-compare .rq-table td { display: block; width: 100%; }
  #rq-compare .rq-table thead, #rq-compare .rq-table colgroup { display: none; }
  #rq-compare .rq-table tr { border: 1px solid var(--border-color-primary); border-radius: 6px; margin-bottom: 8px; padding: 4px 0; }
  #rq-compare .rq-table td { border: none; padding: 2px 10px; }
  #rq-compare .rq-table td.rq-region { display: inline-block; width: auto; }
  #rq-compare .rq-table td.rq-state { display: inline-block; width: auto; }
  #rq-table-bar > * { min-width: 0 !important; }
  #rq-table-bar > #rq-coverage { flex: 1 1 100% !important; }
}
"""

# Copy buttons, source buttons and the language: one listener for the page.
# A source button hands its key to the hidden #rq-open-key box and presses #rq-open-go (Gradio's
# sanitiser drops data-* attributes, so the key rides in a hidden span).
PAGE_JS = """
() => {
  const fallback = (text) => {
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  const openSource = (key) => {
    const box = document.querySelector('#rq-open-key textarea, #rq-open-key input');
    const go = document.querySelector('#rq-open-go');
    if (!box || !go) return;
    box.value = key; box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => go.click(), 30);
  };
  document.addEventListener('click', (event) => {
    const opener = event.target.closest ? event.target.closest('button.rq-open') : null;
    if (opener) {
      event.preventDefault(); event.stopPropagation();
      const key = opener.querySelector('.rq-open-src');
      if (key) openSource(key.textContent);
      return;
    }
    const button = event.target.closest ? event.target.closest('button.rq-copy') : null;
    if (!button) return;
    event.preventDefault(); event.stopPropagation();
    const source = button.querySelector('.rq-copy-src'), label = button.querySelector('.rq-copy-label');
    const text = source ? source.textContent : '';
    const done = () => {
      if (!label || label.dataset.busy) return;
      const old = label.textContent; label.dataset.busy = '1'; label.textContent = '✓';
      setTimeout(() => { label.textContent = old; delete label.dataset.busy; }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => { fallback(text); done(); });
    else { fallback(text); done(); }
  }, true);
  const showCited = (cited, tries) => {
    if (!cited.isConnected) return;
    if (cited.offsetParent === null) { if (tries > 0) setTimeout(() => showCited(cited, tries - 1), 100); return; }
    cited.rqShown = true;
    cited.scrollIntoView({ block: 'center' });
    cited.focus({ preventScroll: true });
  };
  // Gradio's own controls carry English names, and the chat's messages their raw HTML as a label.
  const names = { 'Like': ['有帮助', 'Helpful'], 'Dislike': ['没帮助', 'Not helpful'], '赞': ['有帮助', 'Helpful'], '踩': ['没帮助', 'Not helpful'] };
  const tidy = () => {
    const en = document.documentElement.lang === 'en';
    document.querySelectorAll('#rq-chat button[aria-label], #rq-chat button[title]').forEach((b) => {
      for (const [key, pair] of Object.entries(names)) {
        if (b.getAttribute('aria-label') === key || pair.includes(b.getAttribute('aria-label'))) { b.setAttribute('aria-label', en ? pair[1] : pair[0]); b.removeAttribute('title'); }
      }
    });
    // A message is labelled by what it says, never by its HTML.
    document.querySelectorAll('#rq-chat [data-testid=user], #rq-chat [data-testid=bot]').forEach((m) => {
      const lead = m.dataset.testid === 'user' ? (en ? 'Question: ' : '问题：') : (en ? 'Answer: ' : '回答：');
      const content = ['.rq-asked', '.rq-quote .rq-text', '.rq-none', '.rq-list', '.rq-answer'].map((q) => m.querySelector(q)).find(Boolean);
      const label = lead + ((content && content.textContent) || '').trim().slice(0, 160);
      if (m.getAttribute('aria-label') !== label) m.setAttribute('aria-label', label);
    });
    // A clause just opened in the viewer: shown in the middle of it once its tab is on screen.
    const cited = document.querySelector('#rq-viewer .rq-vcited');
    if (cited && !cited.rqShown && !cited.rqWatched) { cited.rqWatched = true; showCited(cited, 50); }
    const log = document.querySelector('#rq-chat [role=log]');
    if (log) log.setAttribute('aria-label', en ? 'Conversation' : '对话');
  };
  new MutationObserver(tidy).observe(document.body, { childList: true, subtree: true });
  // The language: kept for the session, and declared on the page.
  const setLang = (value) => { document.documentElement.lang = value === 'en' ? 'en' : 'zh-CN'; };
  const saved = sessionStorage.getItem('rq-lang');
  setLang(saved || 'zh');
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (input && input.name && input.closest && input.closest('#rq-lang')) { sessionStorage.setItem('rq-lang', input.value); setLang(input.value); }
  });
  if (saved === 'en') {
    const pick = () => {
      const input = document.querySelector('#rq-lang input[value="en"]');
      if (!input) { setTimeout(pick, 100); return; }
      if (!input.checked) input.click();
    };
    setTimeout(pick, 300);
  }
}
"""
