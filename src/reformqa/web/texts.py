"""The UI's words: labels in Chinese and English, example questions and topics, the pilots' English names.

Kept apart from ``render`` (which turns answers into HTML), ``styles`` (CSS and
scripts) and ``app`` (which lays the page out), so a wording is changed in one place.
"""

from __future__ import annotations

__all__ = ["LANGS", "TEXTS", "EXAMPLES", "TOPICS", "REGION_NAMES", "MESSAGES"]

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
    "strong": ("强", "strong"),
    "fair": ("中", "fair"),
    "weak": ("弱", "weak"),
    "match": ("匹配度：", "match: "),
    "open_doc": ("查看原文", "Open in document"),
    "chip_label": ("引文 {n}：{where}（打开原文）", "Citation {n}: {where} (open the document)"),
    "details": ("上下文与编号", "Context and ids"),
    "low_confidence": ("匹配较弱：这段引文可能没有直接回答问题，请核对原文。", "Weak match: this quote may not answer the question directly; check the document."),
    "filter_warn": ("问题提到「{asked}」，但当前只在「{region}」中查找。", "The question names {asked}, but only {region} is being searched."),
    "drop_filter": ("取消限定并重新回答", "Drop the filter and answer again"),
    "filter_chip": ("试点：{name} ✕", "Pilot: {name} ✕"),
    "doc_chip": ("文件：{name} ✕", "Document: {name} ✕"),
    "remove_filter": ("移除筛选：{name}", "Remove the filter: {name}"),
    "outline": ("在文件中的位置：", "Place in the document: "),
    "tab_viewer": ("原文", "Document"),
    "viewer_empty": ("点击回答或对比表中的引文编号 [1] 或“查看原文”，这里显示整份文件，引文所在条款高亮。", "Click a citation [1] or “Open in document” in an answer or in the comparison: the whole document is shown here with the cited clause highlighted."),
    "viewer_missing": ("找不到这条引文所在的文件，索引可能已更新。请重新提问。", "The document of this citation is no longer in the index; please ask again."),
    "back": ("返回", "Back"),
    "clear": ("清空对话", "Clear the chat"),
    "clear_confirm": ("确认清空", "Yes, clear it"),
    "clear_cancel": ("取消", "Cancel"),
    "clear_ask": ("清空后对话无法恢复，确定吗？", "The conversation cannot be restored once cleared. Clear it?"),
    "export_chat": ("导出对话（Markdown）", "Export the chat (Markdown)"),
    "compare_this": ("对比各试点", "Compare across pilots"),
    "suggest": ("接着问", "Ask next"),
    "suggest_region": ("{region}{topic}", "{topic} in {region}"),
    "next_clause": ("下一段：", "Next clause: "),
    "lang_label": ("界面语言", "Page language"),
    "question_label": ("输入问题", "Your question"),
    "topic_label": ("对比主题", "Topic to compare"),
    "like": ("有帮助", "Helpful"),
    "dislike": ("没帮助", "Not helpful"),
    "reason": ("没帮助的原因（可选）", "Why was it not helpful? (optional)"),
    "reason_placeholder": ("例如：引文不对、没回答问题、地区错了", "e.g. wrong quote, does not answer, wrong place"),
    "reason_send": ("提交原因", "Send the reason"),
    "thanks": ("谢谢反馈", "Thanks for the feedback"),
    "not_saved": ("反馈未能保存", "The feedback could not be saved"),
    "export_title": ("政策条款问答 · 对话记录", "Policy clause Q&A · conversation"),
    "export_q": ("问", "Q"),
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
EXAMPLES: dict[str, tuple[str, ...]] = {  # one of each kind of question the bot handles, in each language
    "zh": (
        "无锡的科研经费怎么管理？",
        "合肥都市圈的科研人员可以获得多少比例的成果所有权？",
        "寿县属于哪个试点？",
        "深圳对科技成果转化收益分享有什么规定？",
        "哪些试点实行首席科学家负责制？",
        "合肥都市圈的科研人員可以獲得多少比例的成果所有權？",
        "上海的人才政策是什么？",
    ),
    "en": (
        "How is research funding managed in Wuxi?",
        "What share of ownership can researchers in the Hefei metropolitan area get?",
        "Which pilot does Shou County belong to?",
        "Which pilots run a chief-scientist system?",
        "What does Shenzhen say about sharing income from technology transfer?",
        "What is Shanghai's talent policy?",
    ),
}
TOPICS: dict[str, tuple[str, ...]] = {  # the Compare tab's examples
    "zh": ("经费包干制", "首席科学家负责制", "企业创新积分制", "知识产权质押融资", "创新联合体"),
    "en": ("lump-sum research funding", "chief scientist system", "innovation points for enterprises", "IP pledge financing", "innovation consortium"),
}
