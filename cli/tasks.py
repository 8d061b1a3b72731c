"""``rlvr tasks ls | show NAME | validate [NAME...] | export NAME``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

tasks_app = typer.Typer(help="List, inspect and validate tasks.", no_args_is_help=True)


def _task(name: str, task_file: Path | None = None):  # -> Task (lazy import keeps `rlvr --help` fast)
    from rlvr.tasks import Task, TaskError, UnknownTaskError, get_task

    try:
        return Task.from_yaml(task_file) if task_file else get_task(name)
    except (UnknownTaskError, TaskError, LookupError) as exc:
        raise typer.BadParameter(str(exc), param_hint="NAME") from None


@tasks_app.command("ls")
def ls() -> None:
    """List the tasks (built-in, registered, plug-ins) and the suites."""
    from rlvr.tasks import available_tasks, get_task
    from rlvr.tasks.suites import available_suites, get_suite

    table = Table(title="tasks (and reasoning_gym:<dataset> for any reasoning-gym dataset)")
    for column in ("name", "source", "verifiers", "max new tokens", "description"):
        table.add_column(column)
    for name in available_tasks():
        task = get_task(name)
        verifiers = ", ".join(f"{v.key}:{v.weight:g}" for v in task.verifiers)
        table.add_row(name, task.source.kind, verifiers, str(task.generation.max_new_tokens), task.description)
    console.print(table)
    suites = Table(title="suites")
    for column in ("name", "tasks (rows)", "offline", "description"):
        suites.add_column(column)
    for name in available_suites():
        suite = get_suite(name)
        entries = ", ".join(f"{e.task} ({e.limit or 'all'})" for e in suite.tasks)
        suites.add_row(name, entries, "yes" if suite.offline else "no", suite.description)
    console.print(suites)


@tasks_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Task name, e.g. arithmetic or reasoning_gym:leg_counting.")],
    rows: Annotated[int, typer.Option(help="Example rows of the eval split to print.")] = 1,
) -> None:
    """Print a task's full definition (YAML) and its first rows as chat messages with their gold answer."""
    task = _task(name)
    console.print(yaml.safe_dump(task.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
    if rows <= 0:
        return
    from rlvr.tasks.sources import SourceUnavailableError

    try:
        examples = task.load(split=task.eval_split, limit=rows)
    except (SourceUnavailableError, FileNotFoundError, ImportError) as exc:
        err.print(f"[yellow]rows unavailable here: {exc}[/yellow]")
        return
    for row in examples:
        console.rule(f"row {row['id']}")
        for message in task.build_messages(row):
            console.print(f"[bold]{message['role']}:[/bold] {message['content']}", markup=True, highlight=False)
        console.print(f"[bold]reference:[/bold] {task.reference(row)!r}"[:2000], highlight=False)
        console.print(f"[bold]gold:[/bold] {task.gold_completion(row)}"[:2000], highlight=False)


@tasks_app.command("validate")
def validate(
    names: Annotated[list[str] | None, typer.Argument(help="Tasks to check (default: every listed task).")] = None,
    task_file: Annotated[Path | None, typer.Option("--file", help="Validate a task YAML file instead.")] = None,
    limit: Annotated[int, typer.Option(help="Rows per split whose gold answers are scored.")] = 20,
    strict: Annotated[bool, typer.Option(help="Count unavailable tasks (no Hub, no Docker) as failures.")] = False,
) -> None:
    """Check each task's schema and that every gold answer scores 1.0 through its own verifiers.

    Exit code 1 if any task fails (or, with --strict, is unavailable here).
    """
    from rlvr.tasks import available_tasks
    from rlvr.tasks.validate import validate_task
    from rlvr.verifiers import VerifierPool

    tasks = [_task("", task_file)] if task_file else [_task(n) for n in (names or available_tasks())]
    table = Table(title="task validation")
    for column in ("task", "status", "golds scored", "problems"):
        table.add_column(column)
    bad = 0
    lines: list[str] = []
    with VerifierPool(workers=2) as pool:
        for task in tasks:
            report = validate_task(task, limit=limit, pool=pool)
            colour = {"ok": "green", "failed": "red", "unavailable": "yellow"}[report.status]
            table.add_row(task.name, f"[{colour}]{report.status}[/{colour}]", str(report.rows_checked),
                          str(len(report.problems)))
            lines += [f"{task.name}: {p}" for p in report.problems[:5] + report.notes]
            bad += report.status == "failed" or (strict and report.status == "unavailable")
    console.print(table)
    for line in lines:  # printed whole, never wrapped inside a table cell
        console.print(line, markup=False, highlight=False)
    if bad:
        raise typer.Exit(code=1)


@tasks_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="Task name.")],
    out: Annotated[Path, typer.Option(help="JSONL to write: id, messages, reference per row.")],
    split: Annotated[str | None, typer.Option(help="Split (default: the task's eval split).")] = None,
    limit: Annotated[int | None, typer.Option(help="Rows to export.")] = None,
) -> None:
    """Write a task's prompts as chat messages, to generate completions elsewhere (an API, vLLM).

    Score them with ``rlvr eval --task NAME --completions FILE`` (lines with ``id`` and ``completion``).
    """
    task = _task(name)
    rows = task.load(split=split or task.eval_split, limit=limit)
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({"task": task.name, "id": row["id"], "messages": task.build_messages(row),
                                "reference": task.reference(row)}, default=str) + "\n")
    err.print(f"{len(rows)} prompts written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(tasks_app, name="tasks")
