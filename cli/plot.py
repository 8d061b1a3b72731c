"""``rlvr plot``: a run's training curves as PNG files (see ``rlvr.trainer.plot``)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)  # never wrap file paths mid-line


def plot(
    run_dir: Annotated[Path, typer.Argument(help="Run directory holding metrics.jsonl.")],
    out: Annotated[Path | None, typer.Option(help="Where to write the PNGs (default: RUN_DIR/plots).")] = None,
) -> None:
    """Plot reward, accuracy (training and held-out eval), completion length, KL and entropy."""
    from rlvr.trainer.extras import require

    require("matplotlib")
    from rlvr.trainer.plot import MissingMetricsWarning, plot_run

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingMetricsWarning)
        try:
            written = plot_run(run_dir, out)
        except (FileNotFoundError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=1) from None
    for warning in caught:  # recorded, so printed here rather than lost
        console.print(f"[yellow]{warning.message}[/yellow]")
    for path in written:
        typer.echo(path)


def register(app: typer.Typer) -> None:
    app.command("plot")(plot)
