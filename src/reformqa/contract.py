"""The JSON contract of an answer, shared by `ask --json`, the UI and evaluation.

Stable fields (add, never rename): question, answerable, answer, message,
list_question, regions_asked, confidence, citations[]. Each citation has
rank, doc, doc_title, region (as the document writes it; null for
document-level text), clause_id, section, breadcrumb (document › section ›
item, never part of the quote), text (the whole clause, verbatim), quote
(the quoted span, verbatim), start/end (the quote's offsets in the source
file: source[start:end] == quote), clause_start/clause_end, score, signals,
doc_short_title (促进科技成果转化法; empty when the document has none), article
(第十二条; empty outside articles), place (where the clause sits as people cite
it: 第十二条第三款第（三）项, 二、（三）), cited_as (the citation as people say it:
《北京市促进科技成果转化条例》第十二条第三款第（三）项).
matched_terms: for an English question, the Chinese terms of the documents it
was matched through, [{"en": "lump-sum funding", "zh": "经费包干制"}, …]; for a
Chinese question, the spoken forms read in the documents' words, with the form
under "en" ([{"en": "卖掉", "zh": "转让"}]: the key is kept for compatibility);
[] when there are none.
items: how many leading citations answer together, a law's lead-in and the
items (项) it introduces, in the text's order (第十六条第（一）项…第（六）项 for
科技成果持有者可以采用哪些方式转化); 0 when the first citation alone answers.
"""

from __future__ import annotations

from typing import Any

from .records import Answer

__all__ = ["CONTRACT_VERSION", "answer_to_json", "error_to_json"]

CONTRACT_VERSION = 1


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """Serialise an answer to the contract's plain JSON object."""
    return {
        "question": answer.question,
        "answerable": answer.answerable,
        "answer": answer.text,
        "message": answer.message,
        "list_question": answer.list_question,
        "items": answer.items,
        "regions_asked": list(answer.regions_asked),
        "confidence": round(answer.confidence, 4),
        "features": {k: round(v, 4) for k, v in answer.features.items() if k != "bias"},
        "matched_terms": [{"en": en, "zh": zh} for en, zh in answer.matched_terms],
        "citations": [
            {
                "rank": c.rank,
                "doc": c.hit.clause.doc_id,
                "doc_title": c.hit.clause.doc_title,
                "region": c.hit.clause.region,
                "clause_id": c.hit.clause.clause_id,
                "section": c.hit.clause.section,
                "breadcrumb": list(c.hit.clause.breadcrumb),
                "text": c.hit.clause.text,
                "quote": c.quote,
                "start": c.quote_start,
                "end": c.quote_end,
                "clause_start": c.hit.clause.start,
                "clause_end": c.hit.clause.end,
                "score": round(c.hit.score, 4),
                "signals": {k: round(v, 4) for k, v in c.hit.signals.items()},
                "doc_short_title": c.hit.clause.doc_short_title,
                "article": c.hit.clause.article,
                "place": c.hit.clause.place,
                "cited_as": c.hit.clause.cited_as,
            }
            for c in answer.citations
        ],
        "contract_version": CONTRACT_VERSION,
    }


def error_to_json(question: str, message: str) -> dict[str, Any]:
    """The object printed for a question that could not be asked."""
    return {"question": question, "answerable": False, "answer": "", "error": message, "citations": [], "contract_version": CONTRACT_VERSION}
