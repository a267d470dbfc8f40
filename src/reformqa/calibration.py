"""Fitting one index's answer model when it is built: the English bridge, abstention on the question sets, the comparison cut.

A project's question sets (every eval/questions*.jsonl, dev split) and
comparison topics (eval/compare_topics.jsonl) are read here, at build time
only; a project without them is still fitted, on questions made from the
corpus's own clauses and the shipped out-of-domain set (answer/calibrate.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .answer import Bridge, Example, Lexicon, build_bridge, fit_calibration, fit_min_match, topic_query
from .search import Embedder, Retriever, Searchable, StoredIndex
from .search.query_memo import RememberingEmbedder, read_query_vectors, write_query_vectors
from .settings import Settings

__all__ = ["COMPARE_TOPICS", "QUESTION_SETS", "calibrate_index"]

QUESTION_SETS = Path("eval")
COMPARE_TOPICS = Path("eval") / "compare_topics.jsonl"


def calibrate_index(home: Path, stored: Searchable, embedder: Embedder, bridge: Bridge | None = None, workers: int | None = None) -> dict[str, Any]:
    """Fit abstention and the comparison cut for an opened index; English questions go through its bridge.

    An index folder being built keeps the query vectors used (search/query_memo.py): the next build of the
    same embedder embeds only the questions that are new to it, in one batch across the build's `workers`
    (default: REFORMQA_BUILD_WORKERS, else one per usable core).
    """
    from .evaluation import answerable_here, load_questions, load_topics, question_files  # only a build reads the question sets

    folder = stored.path if isinstance(stored, StoredIndex) else None  # Milvus keeps no files of ours
    memo = RememberingEmbedder(embedder, read_query_vectors(folder, embedder.model_id) if folder else None)
    retriever = Retriever(stored, memo)
    bridge = bridge or build_bridge(retriever.stored)
    present = set(retriever.stored.documents)
    texts = [d.text for d in retriever.stored.documents.values()]
    # Dev questions of every set whose documents this index holds: the others' answers are not here to find.
    examples = [
        Example(q.question, q.answerable, frozenset(q.regions) if q.is_list else None)
        for path in question_files(home / QUESTION_SETS)
        for q in load_questions(path, split="dev")
        if answerable_here(q, present, texts)
    ]
    spread = workers if workers is not None else Settings.from_env(home=home).workers_for_build
    # One process embeds the questions as they are asked: a batch saves no work, only workers save time.
    prefetch = (lambda texts: memo.prefetch(texts, spread)) if spread > 1 else None
    calibration = fit_calibration(retriever, Lexicon(retriever.idf, retriever.max_idf), examples, bridge=bridge, prefetch=prefetch)
    topics = load_topics(home / COMPARE_TOPICS, split="dev") if (home / COMPARE_TOPICS).exists() else []
    calibration["compare_min_match"] = fit_min_match(retriever, [(topic_query(retriever, t.topic, bridge)[0], set(t.mentioned)) for t in topics])
    calibration["fitted_on"]["compare_topics"] = len(topics)
    if folder is not None:
        write_query_vectors(folder, embedder.model_id, memo.used, embedder.dim)
    return calibration
