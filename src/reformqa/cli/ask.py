"""`reformqa ask` and `reformqa compare`: a question answered, a topic compared, printed for a terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..contract import answer_to_json, error_to_json
from ..errors import ReformqaError
from ..records import Answer
from ..search import MODES
from ..settings import DEFAULT_TOP_K
from .main import BACKEND, EMBEDDER, HOME, main, project_for

__all__ = ["render_answer", "ask", "compare"]


def render_answer(answer: Answer) -> str:
    """A person-readable answer: the quote first, then where each quote comes from."""
    lines = [f"问：{answer.question}"]
    if answer.matched_terms:  # an English question: the documents' terms it was matched through
        lines.append("按文件用语匹配：" + "、".join(f"{en} → {zh}" for en, zh in answer.matched_terms))
    single_doc = len({c.hit.clause.doc_id for c in answer.citations}) <= 1
    if not answer.answerable:
        lines.append(f"答：{answer.message}")
    elif answer.list_question:
        lines.append(f"答：{len(answer.citations)} 个试点有相关条款：{answer.message}")
    for c in answer.citations:
        clause = c.hit.clause
        place = clause.region or (clause.place if clause.article else "") or (" › ".join(clause.breadcrumb[1:]) if len(clause.breadcrumb) > 1 else "正文")
        where = f"[{c.rank}] {place} · {clause.clause_id}" + ("" if single_doc else f" · 《{clause.doc_short_title or clause.doc_title}》")
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


@main.command()
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1, 50), default=DEFAULT_TOP_K, show_default=True, help="How many citations to show.")
@click.option("--region", default=None, help="Answer only from this pilot (name, alias or place).")
@click.option("--mode", type=click.Choice(MODES), default="full", show_default=True, help="Retrieval mode.")
@click.option("--doc", default=None, help="Answer only from this document: id, file name, title or part of it, short title, or number.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract instead of text.")
@HOME
@EMBEDDER
@BACKEND
def ask(question: str, k: int, region: str | None, mode: str, doc: str | None, as_json: bool, home: str | None, embedder: str | None, backend: str | None) -> None:
    """Answer QUESTION; with QUESTION '-', answer one question per stdin line."""
    project = project_for(home, embedder, backend)
    if question != "-":
        answer = project.ask(question, k=k, region=region, mode=mode, doc=doc)
        click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else render_answer(answer))
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
        click.echo(json.dumps(answer_to_json(answer), ensure_ascii=False) if as_json else render_answer(answer) + "\n")


@main.command()
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="Print {topic, coverage, rows} as JSON.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the table as CSV to this file.")
@click.option("--markdown", "md_file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the table as Markdown to this file.")
@HOME
@EMBEDDER
@BACKEND
def compare(topic: str, as_json: bool, csv_file: Path | None, md_file: Path | None, home: str | None, embedder: str | None, backend: str | None) -> None:
    """What each pilot says about TOPIC: one row a region, 提及 with its quote, or 未提及.

    \b
    Examples:
      reformqa compare 经费包干制
      reformqa compare 首席科学家负责制 --csv table.csv --markdown table.md
    """
    from ..answer import to_csv, to_json, to_markdown

    table = project_for(home, embedder, backend).compare(topic)
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
