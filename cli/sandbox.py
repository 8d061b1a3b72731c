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
    image: Annotated[str | None, typer.Option(help="Image name to build (default: the sandbox's DEFAULT_IMAGE, "
                                                "rlvr.sandbox.image).")] = None,
    mirror: Annotated[str | None, typer.Option(help="Debian mirror (default: from the machine's apt sources).")] = None,
    dockerfile: Annotated[Path | None, typer.Option(help="Build with `docker build` from this Dockerfile instead.")] = None,
    registry: Annotated[bool, typer.Option("--registry", help="Build from the shipped Dockerfile "
                                           "(needs an image registry).")] = False,
    force: Annotated[bool, typer.Option(help="Rebuild even when the image exists.")] = False,
) -> None:
    """Build the sandbox image (offline with debootstrap by default). A no-op when it exists."""
    from rlvr.sandbox.image import DEFAULT_IMAGE, DOCKERFILE, ImageBuildError, apt_mirror, build_image

    image = image or DEFAULT_IMAGE  # imported here: `rlvr --help` does not load the sandbox package

    if registry:
        dockerfile = dockerfile or DOCKERFILE

    if dockerfile is None and not force:
        console.print(f"building [bold]{image}[/] unless it exists (mirror {mirror or apt_mirror()})")
    try:
        built = build_image(image, mirror=mirror, dockerfile=dockerfile, force=force)
    except ImageBuildError as exc:
        console.print(f"[red]sandbox image build failed:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"[green]built[/] {image}" if built else f"{image} already exists (use --force to rebuild)")


@sandbox_app.command("doctor")
def doctor(
    image: Annotated[str | None, typer.Option(help="Sandbox image to check (default: DEFAULT_IMAGE).")] = None,
    case: Annotated[list[str] | None, typer.Option(help="Run only this case (repeatable).")] = None,
) -> None:
    """Run the abuse suite against the live Docker sandbox; exit 1 if any limit is not enforced."""
    from rich.table import Table

    from rlvr.sandbox import CASES, DEFAULT_IMAGE, SandboxConfig, SandboxUnavailable, run_abuse_suite

    image = image or DEFAULT_IMAGE

    unknown = sorted(set(case or []) - {c.name for c in CASES})
    if unknown:
        raise typer.BadParameter(f"unknown case(s) {unknown}; known: {[c.name for c in CASES]}", param_hint="--case")
    try:
        reports = run_abuse_suite(SandboxConfig(image=image), names=case or None)
    except SandboxUnavailable as exc:
        console.print(f"[red]sandbox unavailable:[/] {exc}")
        raise typer.Exit(1) from exc
    table = Table(title=f"rlvr sandbox doctor: {image}")
    for column in ("case", "attack", "status", "expected", "s", "next job s (limit)", "verdict"):
        table.add_column(column)
    for r in reports:
        verdict = "[green]contained[/]" if r.passed else "[red]" + "; ".join(r.problems) + "[/]"
        table.add_row(r.name, r.attack, r.status, r.expected, f"{r.seconds:.2f}", f"{r.next_job_s:.3f} ({r.next_job_limit_s:.2f})", verdict)
    Console(width=150).print(table)
    failed = [r.name for r in reports if not r.passed]
    if failed:
        console.print(f"[red]{len(failed)} limit(s) not enforced:[/] {', '.join(failed)}")
        raise typer.Exit(1)
    console.print(f"[green]all {len(reports)} attacks contained[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
