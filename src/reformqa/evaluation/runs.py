"""A run of `reformqa eval`: every question asked through `Project.ask` in each mode, scored and saved as JSON.

A run is plain JSON (format: eval/README.md) that the report and
``--compare`` read back.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..contract import answer_to_json
from ..errors import ReformqaError
from ..records import Answer
from ..search import MODES, Retriever
from .answer_kinds import by_answer_kind
from .by_document import by_document
from .languages import by_language, language_of, twin_pairs
from .metrics import EVAL_K, MAX_P, Observed, Relevant, Scores, failures, relevant_clauses, score_questions, summarize, threshold_sweep
from .questions import KINDS, GoldQuestion, answerable_here
from .significance import compare_modes

__all__ = ["RUN_FORMAT", "Asker", "ask_questions", "assemble_run", "evaluate_questions", "save_run", "load_run"]

RUN_FORMAT = 1
_QUOTES_KEPT = 3
Progress = Callable[[int, int], None]


class Asker(Protocol):
    """What evaluation needs of a project: answers, the opened index, and a fresh copy of itself."""

    def ask(self, question: str, *, k: int = ..., mode: str = ...) -> Answer: ...

    def retriever(self, *, auto_build: bool = ...) -> Retriever: ...

    def reopened(self) -> Asker: ...


def _question_record(gold: GoldQuestion, relevant: dict[str, str | None]) -> dict[str, Any]:
    return {
        "id": gold.qid, "question": gold.question, "kind": gold.kind, "answer_kind": gold.answer_kind, "split": gold.split, "answerable": gold.answerable,
        "regions": list(gold.regions), "spans": list(gold.spans), "spans_by_region": {k: list(v) for k, v in gold.spans_by_region.items()},
        "docs": list(gold.docs), "article": gold.article, "relevant": sorted(relevant), "lang": language_of(gold), "twin": gold.twin, "modes": {},
    }


def ask_questions(project: Asker, golds: Sequence[GoldQuestion], modes: Sequence[str] = MODES,
                  progress: Progress | None = None) -> dict[str, dict[str, Observed]]:
    """Ask every question in every mode through Project.ask(k=10), timing each call: mode -> question id -> Observed."""
    if unknown := [m for m in modes if m not in MODES]:
        raise ReformqaError(f"unknown mode(s) {', '.join(unknown)}; expected some of {', '.join(MODES)}")
    project.retriever()  # builds a missing or stale index, exactly as ask does
    observed: dict[str, dict[str, Observed]] = {}
    done, total = 0, len(golds) * len(modes)
    for mode in modes:
        # A fresh Project a mode: the query-vector cache of one mode must not make the next look fast.
        asker = project.reopened()
        asker.retriever(auto_build=False)
        asker.ask("试点范围包括哪些地方？", k=EVAL_K, mode=mode)  # warm-up (jieba, the embedder), not timed
        observed[mode] = {}
        for gold in golds:
            t0 = time.perf_counter()
            try:
                answer = asker.ask(gold.question, k=EVAL_K, mode=mode)
            except ReformqaError as exc:
                raise ReformqaError(f"question {gold.qid} ({mode}): {exc}") from None
            latency = (time.perf_counter() - t0) * 1000
            observed[mode][gold.qid] = Observed.from_json(answer_to_json(answer), latency)
            done += 1
            if progress:
                progress(done, total)
    return observed


def _by_region(golds: Sequence[GoldQuestion], relevant: Relevant, observed: dict[str, Observed], scores: Scores,
               regions: Sequence[str]) -> dict[str, Any]:
    out = {}
    for region in [*regions, None]:
        group = [g for g in golds if g.answerable and not g.is_list and (region in g.regions if region else not g.regions)]
        listed = [g for g in golds if g.is_list and region in g.regions]
        found = sum(1 for g in listed if region in {relevant[g.qid].get(k, "~") for k, _ in observed[g.qid].cited[:EVAL_K]})
        if group or listed:
            out[region or "(document)"] = {**summarize(group, observed, scores), "list_found": found, "list_total": len(listed)}
    return out


def assemble_run(golds: Sequence[GoldQuestion], relevant: Relevant, observed: dict[str, dict[str, Observed]], *,
                 index: dict[str, Any], name: str, split: str, source: str, runtime_s: float = 0.0) -> dict[str, Any]:
    """Score the observed answers and lay the run out as JSON-ready data (format: eval/README.md).

    ``index`` describes what was asked: folder, embedder, corpus_hash, clauses,
    regions (names in document order), threshold, fitted_on.
    """
    if not golds:
        raise ReformqaError("no questions to evaluate: check --split, --limit and the questions file")
    modes = list(observed)
    threshold = float(index.get("threshold", 0.5))
    scores = {mode: score_questions(golds, relevant, observed[mode]) for mode in modes}
    questions = [_question_record(g, relevant[g.qid]) for g in golds]
    gold_hash = hashlib.sha256("\n".join(json.dumps(q, ensure_ascii=False, sort_keys=True) for q in questions).encode()).hexdigest()[:16]
    for record, gold in zip(questions, golds):
        for mode in modes:
            seen, mine = observed[mode][gold.qid], scores[mode][gold.qid]
            keep = len(seen.quotes) if seen.list_answer else _QUOTES_KEPT
            record["modes"][mode] = {
                "answered": seen.answered, "list_answer": seen.list_answer, "confidence": seen.confidence,
                "latency_ms": round(seen.latency_ms, 2), "cited": [list(c) for c in seen.cited], "quotes": list(seen.quotes[:keep]),
                "article": seen.articles[0] if seen.articles else "",
                "scores": mine, "failure": failures(gold, seen, mine, relevant[gold.qid], threshold),
            }
    kinds = [k for k in KINDS if any(g.kind == k for g in golds)] + sorted({g.kind for g in golds} - set(KINDS))
    folder = index.get("folder")
    return {
        "format_version": RUN_FORMAT,
        "name": name,
        "split": split,
        "questions_file": source,
        "gold_sha256": gold_hash,
        "k": EVAL_K,
        "modes": modes,
        "embedder": index.get("embedder"),
        "index": {"folder": folder, "corpus_hash": index.get("corpus_hash"), "clauses": index.get("clauses")},
        "calibration": {"threshold": threshold, "file": f"index/{folder}/calibration.json", "fitted_on": index.get("fitted_on")},
        "stat_test": f"two-sided paired Student t-test (ranx), significant at p <= {MAX_P}",
        "gold_problems": [g.qid for g in golds if g.answerable and (not relevant[g.qid] or set(g.regions) - set(relevant[g.qid].values()))],
        "summary": {mode: summarize(golds, observed[mode], scores[mode]) for mode in modes},
        "by_kind": {mode: {k: summarize([g for g in golds if g.kind == k], observed[mode], scores[mode]) for k in kinds} for mode in modes},
        "by_answer_kind": {mode: by_answer_kind(golds, observed[mode], scores[mode]) for mode in modes},
        "by_region": {mode: _by_region(golds, relevant, observed[mode], scores[mode], index.get("regions", ())) for mode in modes},
        "by_document": {mode: by_document(golds, observed[mode], scores[mode]) for mode in modes},
        "by_language": {mode: by_language(golds, observed[mode], scores[mode]) for mode in modes},
        "twins": {mode: twin_pairs(golds, scores[mode]) for mode in modes},
        "comparisons": compare_modes(golds, relevant, observed, scores),
        "threshold_sweep": threshold_sweep(golds, observed["full"], scores["full"], threshold) if "full" in modes else None,
        "questions": questions,
        "runtime_s": round(runtime_s, 1),
    }


def evaluate_questions(project: Asker, golds: Sequence[GoldQuestion], *, modes: Sequence[str] = MODES, name: str = "", split: str = "",
                       source: str = "", progress: Progress | None = None) -> dict[str, Any]:
    """Ask and score: the whole run of `reformqa eval` as JSON-ready data."""
    started = time.perf_counter()
    present = set(project.retriever().stored.documents)
    # A question about a document this index does not hold is not asked: it would count as a miss.
    texts = [d.text for d in project.retriever().stored.documents.values()]
    skipped = [g.qid for g in golds if not answerable_here(g, present, texts)]
    golds = [g for g in golds if answerable_here(g, present, texts)]
    observed = ask_questions(project, golds, modes, progress)
    stored = project.retriever().stored
    calibration = stored.calibration or {}
    index = {
        "folder": stored.path.name, "embedder": stored.manifest.get("embedder"), "corpus_hash": stored.manifest.get("corpus_hash"),
        "clauses": len(stored.clauses), "regions": [r.name for r in stored.regions],
        "threshold": float(calibration.get("threshold", 0.5)), "fitted_on": calibration.get("fitted_on"),
    }
    relevant = {g.qid: relevant_clauses(g, stored.clauses) for g in golds}
    run = assemble_run(golds, relevant, observed, index=index, name=name, split=split, source=source)
    run["skipped_absent_documents"] = skipped
    run["runtime_s"] = round(time.perf_counter() - started, 1)
    return run


def save_run(run: dict[str, Any], path: Path) -> Path:
    """Write a run as JSON (one file, readable, stable key order)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def load_run(path: Path) -> dict[str, Any]:
    """Read a run saved by save_run, checking its format."""
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReformqaError(f"cannot read the saved run {path}: {exc}. Run: reformqa eval --name {path.stem}") from None
    if not isinstance(run, dict) or run.get("format_version") != RUN_FORMAT:
        raise ReformqaError(f"{path} is not a reformqa eval run of format {RUN_FORMAT}; rerun: reformqa eval --name {path.stem}")
    return run
