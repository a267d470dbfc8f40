"""The UI's words and looks: labels in Chinese and English, example questions and topics, CSS, the copy script.

Kept apart from ``render`` (which turns answers into HTML) and ``app`` (which
lays the page out), so a wording or a colour is changed in one place.
"""

from __future__ import annotations

__all__ = ["LANGS", "TEXTS", "EXAMPLES", "TOPICS", "CSS", "COPY_JS", "REGION_NAMES", "MESSAGES"]

LANGS = ("zh", "en")
# Every label in both languages, side by side: (中文, English).
_LABELS: dict[str, tuple[str, str]] = {
    "title": ("政策条款问答", "Policy clause Q&A"),
    "subtitle": ("只引用文件原文，逐条注明出处；文件没有写的，直接说没有。", "Quotes the documents word for word, with a citation for every quote; says so when they are silent."),
    "chat": ("对话", "Chat"),
    "placeholder": ("例如：无锡的科研经费怎么管理？（Enter 发送）", "e.g. How is research funding managed in Wuxi? (Enter to send)"),
    "send": ("提问", "Ask"),
    "examples": ("示例问题", "Example questions"),
    "options": ("选项", "Options"),
    "region": ("限定试点", "Pilot"),
    "all": ("全部", "All"),
    "mode": ("检索方式", "Retrieval"),
    "doc": ("限定文件", "Document"),
    "all_docs": ("全部文件", "All documents"),
    "sources": ("来源", "Sources"),
    "sources_empty": ("提问后，这里列出每条引文在原文中的位置。", "After a question, each quote is shown here in its place in the document."),
    "undo_carry": ("不沿用，按原问题回答", "Don't carry it over"),
    "copy": ("复制", "Copy"),
    "preamble": ("文件正文", "Document text"),
    "list_lead": ("{n} 个试点有相关条款：", "{n} pilots have a matching clause:"),
    "nearest": ("可能相关的条款：", "Possibly related clauses:"),
    "chars": ("原文第 {start}–{end} 字", "characters {start}–{end}"),
    "quote_at": ("引文第 {start}–{end} 字", "quote at {start}–{end}"),
    "carry_topic": ("沿用上一问的话题「{carried}」，改问：{question}", "Carried over the previous topic “{carried}”; asked: {question}"),
    "carry_region": ("沿用上一问的地区「{carried}」，实际提问：{question}", "Carried over the previous place “{carried}”; asked: {question}"),
    "empty": ("请输入一个问题，例如：合肥都市圈的科研人员可以获得多少比例的成果所有权？", "Please type a question, e.g. What share of ownership can researchers in the Hefei metropolitan area get?"),
    "too_long": ("问题有 {n} 个字，请控制在 {max} 字以内，一次问一个问题。", "The question has {n} characters; please keep it under {max}, one question at a time."),
    "error": ("无法回答：{message}", "Cannot answer: {message}"),
    "internal": ("出了点问题，没能回答这个问题。请换个说法再试一次。", "Something went wrong and this question was not answered. Please try again or rephrase it."),
    # An English question's words and the documents' terms it was matched through (Answer.matched_terms).
    "matched": ("按文件用语匹配：{terms}", "Matched through the documents' terms: {terms}"),
    "term_sep": ("、", ", "),
    # A pilot's name: in English, the English name with the document's own beside it.
    "region_label": ("{zh}", "{en} ({zh})"),
    "modes": ("完整（推荐）|混合|语义|关键词", "Full (recommended)|Hybrid|Dense|BM25"),
    "tab_chat": ("问答", "Ask"),
    "tab_compare": ("对比", "Compare"),
    "compare": ("对比", "Compare"),
    "topics": ("示例主题", "Example topics"),
    "topic_placeholder": ("输入一个主题，例如：经费包干制（Enter 对比）", "A topic, e.g. 经费包干制 or chief scientist system (Enter to compare)"),
    "compare_hint": ("输入一个主题，逐个试点列出文件原文：提及的给出引文和出处；未提及的也列出，附最接近的条款。", "Type a topic to see each pilot's own words on it: a quote and its source where a pilot mentions it, and the nearest clause where it does not."),
    # The Compare tab's coverage line: in Chinese it is Comparison.coverage itself.
    "coverage": ("", "{n}/{total} pilots mention “{topic}”{via}: {names}"),
    "via": ("", " (matched through the documents' wording “{pivot}”)"),
    "none": ("无", "none"),
    "col_region": ("试点", "Pilot"),
    "col_mentioned": ("是否提及", "Mentioned?"),
    "col_quote": ("原文", "Quote"),
    "col_source": ("出处", "Source"),
    "mentioned": ("提及", "Mentioned"),
    "not_mentioned": ("未提及", "Not mentioned"),
    "nearest_quote": ("最接近：", "Nearest: "),
    "no_clause": ("该试点没有条款", "No clause for this pilot"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_md": ("下载 Markdown", "Download Markdown"),
    "topic_empty": ("请输入一个主题，例如：经费包干制", "Please type a topic, e.g. 经费包干制 (lump-sum research funding)."),
    "topic_too_long": ("主题有 {n} 个字，请控制在 {max} 字以内。", "The topic has {n} characters; please keep it under {max}."),
    "compare_error": ("无法对比：{message}", "Cannot compare: {message}"),
    "compare_internal": ("出了点问题，没能完成对比。请换个说法再试一次。", "Something went wrong and the comparison was not made. Please try again or rephrase the topic."),
}
TEXTS: dict[str, dict[str, str]] = {lang: {key: pair[i] for key, pair in _LABELS.items()} for i, lang in enumerate(LANGS)}
# The pilots' English names, shown beside the names the documents give them (合肥都市圈 -> Hefei Metropolitan Area).
REGION_NAMES: dict[str, str] = {
    "北京城市副中心": "Beijing Sub-center",
    "苏南重点城市": "Key Cities of Southern Jiangsu",
    "杭甬温": "Hangzhou-Ningbo-Wenzhou",
    "合肥都市圈": "Hefei Metropolitan Area",
    "福厦泉": "Fuzhou-Xiamen-Quanzhou",
    "郑州市": "Zhengzhou",
    "长株潭": "Changsha-Zhuzhou-Xiangtan",
    "粤港澳大湾区内地九市": "Nine Mainland Cities of the Greater Bay Area",
    "重庆市": "Chongqing",
    "成都市": "Chengdu",
}
# The answer's own fixed sentences (answer/compose.py) in English; quotes are never translated.
MESSAGES: tuple[tuple[str, str], ...] = (
    ("文件中没有找到与该问题直接相关的条款。", "The documents have no clause that answers this question directly. "),
    (r"问题提到的“(.+?)”不在文件所列的试点范围内。", r"The question names “\1”, which is outside the pilot regions the documents cover. "),
    ("以下是可能相关的条款，仅供参考。", "Below are clauses that may be related, for reference only."),
)
EXAMPLES = (  # one of each kind of question the bot handles
    "无锡的科研经费怎么管理？",
    "合肥都市圈的科研人员可以获得多少比例的成果所有权？",
    "寿县属于哪个试点？",
    "深圳对科技成果转化收益分享有什么规定？",
    "哪些试点实行首席科学家负责制？",
    "Which pilots run a chief-scientist system?",
    "合肥都市圈的科研人員可以獲得多少比例的成果所有權？",
    "上海的人才政策是什么？",
)
TOPICS = ("经费包干制", "首席科学家负责制", "企业创新积分制", "知识产权质押融资", "创新联合体", "chief scientist system")  # the Compare tab's examples

# System font stacks only: nothing is fetched from a font CDN.
CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#rq-top { align-items: center; }
.rq-header h1 { font-size: 1.45rem; margin: 0 0 2px 0; font-weight: 650; }
.rq-header p { margin: 0; color: var(--body-text-color-subdued); font-size: 0.92rem; }
#rq-lang { flex-grow: 0; }
#rq-lang .wrap { flex-wrap: nowrap; gap: 6px; justify-content: flex-end; }
.rq-answer, .rq-sources, .rq-asked { overflow-wrap: anywhere; word-break: normal; line-height: 1.7; }
.rq-text, .rq-asked, .rq-context { white-space: pre-wrap; }
.rq-quote { border-left: 3px solid var(--color-accent); background: var(--background-fill-secondary); padding: 6px 10px; border-radius: 4px; font-size: 1.04em; }
.rq-answer mark.rq-hit, .rq-sources mark.rq-hit { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.rq-context mark.rq-span { background: #fef3c7; color: inherit; text-decoration: underline 2px #d97706; text-underline-offset: 3px; }
.rq-ref { color: var(--color-accent); font-weight: 600; margin: 0 2px; }
.rq-copy { font-size: 0.75rem; line-height: 1.2; padding: 1px 7px; margin-left: 6px; border: 1px solid var(--border-color-primary); border-radius: 4px; background: var(--background-fill-primary); color: var(--body-text-color-subdued); cursor: pointer; vertical-align: middle; }
.rq-copy-src { display: none; }
.rq-copy:hover { color: var(--body-text-color); border-color: var(--color-accent); }
.rq-list { margin: 4px 0 4px 1.2em; padding: 0; }
.rq-list li { margin: 4px 0; }
.rq-list .rq-region { margin-right: 2px; }
.rq-region { font-weight: 600; }
.rq-colon::after { content: "："; }
.rq-doc { display: inline-block; max-width: 15em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
.rq-id { font-family: var(--font-mono); font-size: 0.92em; }
.rq-dim .rq-text { color: var(--body-text-color-subdued); }
.rq-none { font-weight: 600; margin-bottom: 4px; }
.rq-lead { font-weight: 600; margin: 2px 0; }
.rq-cites { margin-top: 8px; border-top: 1px solid var(--border-color-primary); padding-top: 4px; font-size: 0.9em; }
details.rq-cite { margin: 3px 0; }
details.rq-cite > summary { cursor: pointer; color: var(--body-text-color-subdued); }
details.rq-cite[open] > summary { color: var(--body-text-color); }
.rq-num { font-weight: 650; color: var(--color-accent); }
.rq-context { margin: 4px 0 2px 0; padding: 6px 10px; background: var(--background-fill-secondary); border-radius: 4px; }
.rq-near { color: var(--body-text-color-subdued); opacity: 0.9; }
.rq-clause { color: var(--body-text-color); }
.rq-meta { font-size: 0.8em; color: var(--body-text-color-subdued); }
.rq-carry { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.rq-notice { color: #b45309; font-size: 0.92em; padding: 2px 4px; }
.rq-section { font-weight: 650; font-size: 1.05rem; margin: 2px 0 4px 0; }
.rq-card { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; background: var(--background-fill-primary); }
.rq-card-quote { margin-bottom: 2px; }
.rq-hint { color: var(--body-text-color-subdued); font-size: 0.92em; }
#rq-sources { max-height: 640px; overflow-y: auto; }
#rq-title .html-container, #rq-sources-title .html-container, #rq-sources .html-container, #rq-carry-bar .html-container, #rq-notice .html-container { padding-left: 0 !important; padding-right: 0 !important; }
#rq-carry-row { align-items: center; gap: 8px; min-height: 0; }
#rq-carry-row .rq-carry { margin: 0; }
#rq-undo { font-size: 0.8rem; padding: 2px 10px; }
#rq-examples button { font-size: 0.85rem; padding: 3px 8px; }
#rq-chat .message-row .message { max-width: 100%; }
/* The Compare tab: one row a pilot; 未提及 rows stay in place, muted. */
.rq-compare { line-height: 1.6; overflow-wrap: anywhere; }
.rq-coverage { font-weight: 600; font-size: 1.02rem; line-height: 1.6; overflow-wrap: anywhere; }
#rq-compare table.rq-table { width: 100%; border: none; border-collapse: collapse; table-layout: fixed; font-size: 0.95rem; margin: 0; }
#rq-compare .rq-table tr { border: none; }  /* Gradio's prose draws a box round every row */
.rq-table col.rq-c-region { width: 11.5em; }
.rq-table col.rq-c-state { width: 6.5em; }
.rq-table.rq-en col.rq-c-state { width: 9.5em; }
.rq-table col.rq-c-source { width: 16em; }
.rq-table th { text-align: left; font-weight: 600; padding: 6px 10px; border: none; border-bottom: 2px solid var(--border-color-primary); background: var(--background-fill-secondary); }
.rq-table td { text-align: left; padding: 7px 10px; border: none; border-bottom: 1px solid var(--border-color-primary); vertical-align: top; }
.rq-table .rq-text { white-space: pre-wrap; }
.rq-table mark.rq-hit { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.rq-badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.85em; white-space: nowrap; line-height: 1.7; }
.rq-badge.rq-yes { background: #dcfce7; color: #166534; font-weight: 600; }
.rq-badge.rq-no { color: var(--body-text-color-subdued); border: 1px solid var(--border-color-primary); }
tr.rq-no td { color: var(--body-text-color-subdued); background: var(--background-fill-secondary); }
tr.rq-no .rq-region { font-weight: 500; }
tr.rq-no .rq-text { font-size: 0.92em; }
tr.rq-no mark.rq-hit { background: transparent; text-decoration: underline dotted; }
.rq-nearest { font-size: 0.85em; margin-right: 2px; }
.rq-source .rq-id { display: block; }
.rq-source .rq-doc { display: block; max-width: 100%; font-size: 0.88em; color: var(--body-text-color-subdued); }
#rq-compare .html-container, #rq-compare-notice .html-container, #rq-coverage .html-container { padding-left: 0 !important; padding-right: 0 !important; }
#rq-table-bar { align-items: center; gap: 8px; }
"""

# The copy buttons: copy the hidden verbatim text beside each label (navigator.clipboard,
# or a textarea where the page is not a secure context, e.g. plain http on an intranet).
COPY_JS = """
() => {
  const fallback = (text) => {
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  document.addEventListener('click', (event) => {
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
}
"""
