"""``rlvr sandbox build | doctor``: make the sandbox image, and prove its limits hold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)

sandbox_app = typer.Typer(help="Build the sandbox image and check that its limits are enforced.",
                          no_args_is_help=True)


@sandbox_app.command("build")
def build(
    image: Annotated[str, typer.Option(help="Image name to build.")] = "rlvr-sandbox:bookworm",
    mirror: Annotated[str | None, typer.Option(help="Debian mirror (default: from the machine's apt sources).")] = None,
    dockerfile: Annotated[Path | None, typer.Option(help="Build with `docker build` from this Dockerfile instead.")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when the image exists.")] = False,
) -> None:
    """Build the sandbox image (offline with debootstrap by default). A no-op when it exists."""
    from rlvr.sandbox.image import ImageBuildError, apt_mirror, build_image

    if dockerfile is None and not force:
        console.print(f"building [bold]{image}[/] unless it exists (mirror {mirror or apt_mirror()})")
    try:
        built = build_image(image, mirror=mirror, dockerfile=dockerfile, force=force)
    except ImageBuildError as exc:
        console.print(f"[red]sandbox image build failed:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"[green]built[/] {image}" if built else f"{image} already exists (use --force to rebuild)")


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
