"""Quick quality check of `reformqa ask` on the question set (until `reformqa eval` exists).

Run: .venv/bin/python eval/quick_check.py [--split test] [--verbose]
Per kind: a single-answer question is right when the top citation's clause
contains a gold span and the bot answers; a list question when the listed
regions equal the gold regions; an unanswerable one when the bot abstains.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from reformqa.project import Project
from reformqa.questions import load_questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test")
    parser.add_argument("--home", default=".")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    project = Project()
    right, total, failures = Counter(), Counter(), []
    top_hit = top_n = quote_hit = abstained = unanswerable = false_abstain = 0
    for gold in load_questions(Path(args.home) / "eval" / "questions.jsonl", args.split):
        answer = project.ask(gold.question, k=10)
        total[gold.kind] += 1
        if not gold.answerable:
            unanswerable += 1
            ok = not answer.answerable
            abstained += ok
        elif gold.is_list:
            listed = {c.hit.clause.region for c in answer.citations} if answer.list_question else set()
            ok = listed == set(gold.regions)
        else:
            top = answer.citations[0] if answer.citations else None
            in_top = bool(top) and any(span in top.hit.clause.text for span in gold.spans)
            top_n += 1
            top_hit += in_top
            quote_hit += bool(top) and any(span in top.quote or top.quote in span for span in gold.spans)
            false_abstain += not answer.answerable
            ok = in_top and answer.answerable
        right[gold.kind] += ok
        if not ok:
            got = answer.citations[0].hit.clause.clause_id if answer.citations else "-"
            failures.append(f"{gold.qid} {gold.kind:12} answerable={answer.answerable} top={got} p={answer.confidence:.2f} {gold.question}")
    for kind in sorted(total):
        print(f"{kind:13} {right[kind]:3}/{total[kind]:<3} {right[kind] / total[kind]:.2f}")
    print(f"{'all':13} {sum(right.values()):3}/{sum(total.values()):<3} {sum(right.values()) / sum(total.values()):.3f}")
    print(f"top citation contains the answer (single-answer questions): {top_hit}/{top_n} = {top_hit / max(top_n, 1):.3f}")
    print(f"primary quote overlaps a gold span: {quote_hit}/{top_n} = {quote_hit / max(top_n, 1):.3f}")
    print(f"unanswerable questions abstained on: {abstained}/{unanswerable}; answerable ones wrongly abstained on: {false_abstain}/{top_n}")
    if args.verbose:
        print("\n".join(failures))


if __name__ == "__main__":
    main()
