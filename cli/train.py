"""``rlvr train [CONFIG.yaml] [--set a.b=v ...] [--resume latest]``: a GRPO run.

The config is validated before anything else happens, so a bad value exits
non-zero with a message naming the field and never touches a run directory.
A verifier pool that cannot score (``VerifierPoolBroken``) or a step whose rows
failed verification (``RewardSignalLost``) stops the run with exit code 1 and
the cause, without a traceback.
Launch data-parallel with ``torchrun --nproc_per_node N -m rlvr.cli train ...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)


def train(
    config: Annotated[Path | None, typer.Argument(help="YAML config (merged over the shipped default).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override one key: --set optim.lr=1e-5")] = None,
    resume: Annotated[str | None, typer.Option(help="'latest' or a checkpoint folder to continue from.")] = None,
    print_config: Annotated[bool, typer.Option(help="Print the resolved config and exit.")] = False,
) -> None:
    """Train a policy with GRPO. With no arguments: the default model on the offline arithmetic task."""
    from rlvr.trainer.config import ConfigError, load_config

    try:
        cfg = load_config(config, set_ or [])
    except ConfigError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    if print_config:
        import yaml

        typer.echo(yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False))
        return

    from rlvr.trainer.extras import require
    from rlvr.trainer.reward_health import RewardSignalLost
    from rlvr.verifiers import VerifierPoolBroken

    require("torch")
    from rlvr.trainer.train_loop import train as run_training

    try:
        run_dir = run_training(cfg, resume=resume)
    except (FileExistsError, FileNotFoundError, ConfigError, VerifierPoolBroken, RewardSignalLost) as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    typer.echo(str(run_dir))


def register(app: typer.Typer) -> None:
    app.command("train")(train)
