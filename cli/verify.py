"""``rlvr verify``: score a JSONL file of completions with any registered verifier."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(stderr=True, soft_wrap=True)  # never wrap file paths mid-line


def parse_params(params: list[str]) -> dict[str, Any]:
    """``key=value`` pairs, each value read by the one override parser (``--set``'s: ``1e-6`` is a float)."""
    from rlvr.trainer.config import ConfigError, parse_override  # torch-free

    parsed: dict[str, Any] = {}
    for item in params:
        try:
            key, value = parse_override(item)
        except ConfigError:
            raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="--param") from None
        parsed[key] = value
    return parsed


def status_table(scores: list[Any]) -> Table:
    counts: Counter[str] = Counter()
    values: dict[str, list[float]] = defaultdict(list)
    for score in scores:
        counts[score.status.value] += 1
        values[score.status.value].append(score.value)
    table = Table(title=f"{len(scores)} completions scored")
    for column in ("status", "count", "share", "mean value"):
        table.add_column(column, justify="left" if column == "status" else "right")
    for status, count in counts.most_common():
        mean = sum(values[status]) / count
        table.add_row(status, str(count), f"{count / len(scores):.1%}", f"{mean:.3f}")
    if scores:
        mean_all = sum(s.value for s in scores) / len(scores)
        table.add_row("all", str(len(scores)), "100.0%", f"{mean_all:.3f}", style="bold")
    return table


def verify(
    verifier: Annotated[str, typer.Option(help="Registered verifier name (see `rlvr verify --list`).")] = "math",
    completions: Annotated[
        Path | None, typer.Option(help="JSONL file, one object per line with `completion` and `reference`.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write scores (default: FILE.scores.jsonl).")] = None,
    param: Annotated[list[str] | None, typer.Option(help="Verifier parameter key=value (repeatable).")] = None,
    timeout_s: Annotated[float, typer.Option(help="Deadline per completion; past it the worker is killed.")] = 5.0,
    workers: Annotated[int, typer.Option(help="Verifier worker processes.")] = 2,
    list_: Annotated[bool, typer.Option("--list", help="List the registered verifiers and exit.")] = False,
) -> None:
    """Score completions with a verifier: writes a scores JSONL and prints counts by status.

    Malformed lines are reported with their line numbers; the other lines are
    still scored, and the command then exits with code 1.
    """
    from rlvr.verifiers import (
        UnknownVerifierError,
        VerifierPoolBroken,
        available_verifiers,
        get_verifier,
        verify_batch,
    )

    if list_:
        for name in available_verifiers():
            typer.echo(name)
        return
    if completions is None:
        raise typer.BadParameter("give a JSONL file", param_hint="--completions")
    if not completions.is_file():
        raise typer.BadParameter(f"{completions} does not exist", param_hint="--completions")
    try:
        checker = get_verifier(verifier, **parse_params(param or []))
    except UnknownVerifierError as exc:
        raise typer.BadParameter(str(exc), param_hint="--verifier") from exc
    except (TypeError, ValueError) as exc:
        raise typer.BadParameter(f"verifier {verifier!r}: {exc}", param_hint="--param") from exc

    from rlvr.evals.completions import read_completion_lines

    lines, problems = read_completion_lines(completions, ("completion", "reference"))
    rows = [(number, record["completion"], record["reference"]) for number, record in lines]
    for number, why in problems:
        console.print(f"[yellow]{completions}:{number}: skipped, {why}[/yellow]")
    try:
        scores = verify_batch(
            checker, [r[1] for r in rows], [r[2] for r in rows], timeout_s=timeout_s, workers=workers
        )
    except VerifierPoolBroken as exc:  # the cause, not a traceback, and no file of zeros
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    out = out or completions.with_suffix(".scores.jsonl")
    with out.open("w", encoding="utf-8") as f:
        for (number, _, _), score in zip(rows, scores, strict=False):
            f.write(json.dumps({"line": number, **score.model_dump(mode="json")}) + "\n")
    console.print(status_table(scores))
    console.print(f"scores written to {out}")
    if problems:
        console.print(f"[red]{len(problems)} malformed line(s) skipped[/red]")
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
