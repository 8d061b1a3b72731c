"""``serve()``: run the app on uvicorn, refusing to listen beyond loopback without a token."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from rlvr.verifiers.remote import read_token

from .app import ServeConfig, create_app

GRACEFUL_SHUTDOWN_S = 60  # on SIGTERM/SIGINT: stop accepting, finish in-flight requests for at most this long
# Idle keep-alive connections live this long: past uvicorn's 5 s, a busy client's pooled connection is
# less often closed just as it sends on it (the request then fails in transit and must be retried).
KEEP_ALIVE_S = 75


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8000, task: str | None = None, workers: int = 2,
          sandbox_pool: int = 2, token_file: str | Path | None = None, **limits: Any) -> None:
    """Serve until SIGINT/SIGTERM. ``limits``: the other `ServeConfig` fields (caps, deadlines).

    Raises ValueError before listening when ``host`` is not loopback and there is no token, or
    when ``task`` is unknown.
    """
    token = read_token(token_file)
    if token is None and not is_loopback(host):
        raise ValueError(f"binding to {host} serves the network: give --token-file (a bearer token)")
    if task is not None:
        from rlvr.tasks import get_task

        get_task(task).verifier()  # an unknown task or verifier fails here, not at the first request
    config = ServeConfig(task=task, workers=workers, sandbox_pool=sandbox_pool, token=token, **limits)

    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, timeout_keep_alive=KEEP_ALIVE_S, lifespan="on")
