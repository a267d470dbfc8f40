"""`reformqa index` and `reformqa add`: build the index, add documents, and say what was done."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .main import BACKEND, EMBEDDER, HOME, main, progress_bar, project_for

if TYPE_CHECKING:
    from ..project import BuildReport

__all__ = ["index", "add"]


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild even if the index is up to date.")
@HOME
@EMBEDDER
@BACKEND
def index(rebuild: bool, home: str | None, embedder: str | None, backend: str | None) -> None:
    """Build index/ from seeds/ (atomically; the old index serves until done).

    \b
    Examples:
      reformqa index
      reformqa index --backend milvus                                    # Milvus Lite: index/milvus.db
      REFORMQA_MILVUS_URI=http://milvus:19530 reformqa index --rebuild   # a Milvus server: new collection, then the alias
    """
    project = project_for(home, embedder, backend)
    with progress_bar("embedding new or changed texts") as progress:
        report = project.build(rebuild=rebuild, progress=progress)
    _print_build(report)


def _print_build(report: BuildReport) -> None:
    from ..corpus import shown  # the intake's module: loaded by the commands that build, not by `ask`

    counts = report.manifest["counts"]
    state = "built" if report.built else "up to date"
    click.echo(f"{report.path}: {state} - {counts['documents']} documents, {counts['clauses']} clauses, {counts['spans']} spans, {counts['regions']} regions ({report.manifest['embedder']})")
    if report.built:
        ch = report.manifest["changes"]
        click.echo(f"clauses: {ch['added']} added, {ch['changed']} changed, {ch['removed']} removed; texts embedded: {ch['embedded']}, reused: {ch['reused']}")
    fitted = (report.calibration or {}).get("fitted_on")
    click.echo(f"calibration: {'fitted on ' + str(fitted['questions']) + ' dev questions' if fitted else 'defaults (no eval/questions.jsonl)'}")
    for line in report.skipped:
        click.echo(f"skipped {shown(line)}", err=True)


# What a document's structure counts, as the add command names it (corpus/legal.py counts them).
_UNITS = (("books", "编 books"), ("chapters", "章 chapters"), ("sections", "节 sections"), ("parts", "一、 parts"), ("articles", "条 articles"), ("items", "项 items"))


def _what_was_read(document: dict[str, Any]) -> list[str]:
    """Title, issuer, number, date and structure of one document, '—' where the text does not give it."""
    title = document["title"] + (f" (short: {document['short_title']})" if document.get("short_title") else "")
    dates = ", ".join(f"{k} {v}" for k, v in document.get("dates", {}).items())
    facts = [document.get("issuer") or "issuer —", document.get("doc_number") or "number —",
             (document.get("date") or "date —") + (f" ({dates})" if dates else ""), document.get("jurisdiction") or "jurisdiction —"]
    counts = document.get("structure", {})
    shape = ", ".join(f"{counts[key]} {label}" for key, label in _UNITS if counts.get(key) or key in ("chapters", "articles", "items"))
    return [title, " · ".join(facts), shape]


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@HOME
@EMBEDDER
@BACKEND
def add(paths: tuple[Path, ...], home: str | None, embedder: str | None, backend: str | None) -> None:
    """Copy policy documents (.txt .md .html .docx .pdf, or folders) into seeds/ and index them.

    \b
    Example:
      reformqa add ~/Downloads/notice.pdf ~/Downloads/plans/
    """
    from ..corpus import shown

    project = project_for(home, embedder, backend)
    with progress_bar("embedding new or changed texts") as progress:
        added, report = project.add(list(paths), progress=progress)
    read = {d["path"]: d for d in report.manifest.get("documents", [])}
    for name in added:
        click.echo(f"added seeds/{shown(name)}")  # a newline in a file name must not forge a line
        if name in read:
            for line in _what_was_read(read[name]):
                click.echo("    " + shown(line))
    if not added:
        click.echo("nothing new: every file is already in seeds/")
    _print_build(report)
