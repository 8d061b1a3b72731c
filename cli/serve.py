"""``rlvr serve``: verifiers and the sandbox as an HTTP service (see ``rlvr.serve``). No torch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs --token-file.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    task: Annotated[str | None, typer.Option(help="The task /get_reward scores against (OpenRLHF).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Verifier worker processes.")] = 2,
    sandbox_pool: Annotated[int, typer.Option(min=1, help="Sandbox containers for /run_code and code tasks.")] = 2,
    token_file: Annotated[Path | None, typer.Option(help="File holding the bearer token clients must send.")] = None,
    max_queue_rows: Annotated[int, typer.Option(min=1, help="Rows queued before answering 429.")] = 65536,
    request_deadline_s: Annotated[float, typer.Option(
        min=0.001, help="Seconds a request may wait past its rows' worst case (and that of the rows ahead of it) "
        "before it is a server fault (504).")] = 120.0,
    max_request_s: Annotated[float, typer.Option(
        min=0.001, help="Cap on one request's worst case on the workers (each row at its limit); larger ones get "
        "413 and are split by RemoteVerifierPool.")] = 86400.0,
) -> None:
    """Serve /v1/verify, OpenRLHF's /get_reward, SandboxFusion's /run_code, /healthz and /metrics."""
    from rlvr.trainer.extras import require

    require("uvicorn", "serve")
    require("starlette", "serve")
    require("prometheus_client", "serve")
    from rlvr.serve import serve as run_server

    try:
        run_server(host=host, port=port, task=task, workers=workers, sandbox_pool=sandbox_pool,
                   token_file=token_file, max_queue_rows=max_queue_rows,
                   request_deadline_s=request_deadline_s, max_request_s=max_request_s)
    except (ValueError, LookupError, OSError) as exc:
        console.print(str(exc), style="red", markup=False)
        raise typer.Exit(code=2) from None


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
