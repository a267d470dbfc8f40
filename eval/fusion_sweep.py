"""Compare fusion methods and span weights on the dev split: Hit@1 and MRR@10 of the top clause.

Run: .venv/bin/python eval/fusion_sweep.py [--split dev]
A clause counts as a hit when it contains one of the question's gold spans.
Only answerable, single-region questions are used (lists are scored elsewhere).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reformqa import Project, Settings
from reformqa.answer import analyse, search_request
from reformqa.evaluation import load_questions
from reformqa.search import Retriever

FUSIONS = [{"method": "rrf", "rrf_k": 60}] + [{"method": "weighted", "alpha": a} for a in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)]
CONFIGS = [
    (mode, fusion, span_weight)
    for span_weight in (0.0, 0.3, 0.5, 0.7, 1.0)
    for mode, fusion in [("bm25", None), ("dense", None)] + [(m, f) for m in ("hybrid", "full") for f in FUSIONS]
    if not (mode == "bm25" and span_weight)
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--home", default=".")
    args = parser.parse_args()
    home = Path(args.home)
    project = Project(Settings.from_env(home=home))
    stored = project.retriever().stored
    questions = [q for q in load_questions(home / "eval" / "questions.jsonl", args.split) if q.answerable and not q.is_list]
    print(f"{len(questions)} {args.split} questions")
    print(f"{'span_w':6} {'mode':8} {'fusion':26} {'Hit@1':>6} {'MRR@10':>7}")
    for mode, fusion, span_weight in CONFIGS:
        retriever = Retriever(stored, project.embedder, fusion=fusion, span_weight=span_weight)
        hit1 = mrr = 0.0
        for gold in questions:
            query = analyse(gold.question, stored.gazetteer, stored.tokenizer, stored.other_places)
            for rank, hit in enumerate(retriever.search(search_request(query, mode), mode=mode, k=10), 1):
                if any(span in hit.clause.text for span in gold.spans):
                    hit1 += rank == 1
                    mrr += 1 / rank
                    break
        label = "-" if fusion is None else ",".join(f"{k}={v}" for k, v in fusion.items())
        print(f"{span_weight:6.1f} {mode:8} {label:26} {hit1 / len(questions):6.3f} {mrr / len(questions):7.3f}")


if __name__ == "__main__":
    main()
