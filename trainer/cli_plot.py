"""Placeholder while this command group is being written (replaced by its owner)."""

import typer


def register(app: typer.Typer) -> None:
    pass
