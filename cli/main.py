"""The ``rlvr`` command line. Starts without torch: every command that needs it
imports it inside the command, and says which extra to install when it is missing.

Each command group lives in its own module of ``rlvr.cli`` with a ``register(app)``.
``python -m rlvr.cli`` is the same program (``torchrun ... -m rlvr.cli train``).
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="rlvr",
    help="Reinforcement learning with verifiable rewards: score, evaluate and train with rule-based verifiers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """rlvr: score completions with rule-based verifiers, run code in a sandbox,
    evaluate models on task suites, and train them with GRPO."""


_COMMAND_MODULES = [
    "rlvr.cli.verify",  # rlvr verify
    "rlvr.cli.sandbox",  # rlvr sandbox build | doctor
    "rlvr.cli.tasks",  # rlvr tasks ls | show | validate
    "rlvr.cli.eval",  # rlvr eval
    "rlvr.cli.train",  # rlvr train
    "rlvr.cli.plot",  # rlvr plot
    "rlvr.cli.serve",  # rlvr serve
]
for _module in _COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    from rlvr.trainer.extras import MissingExtraError

    try:
        app()
    except MissingExtraError as exc:  # a missing extra is an instruction, not a traceback
        from rich.console import Console

        Console(stderr=True).print(str(exc), style="red", markup=False, highlight=False)
        raise SystemExit(2) from None

