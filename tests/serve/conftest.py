"""Real `rlvr serve` processes on loopback, started through the CLI, one per test that asks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

SERVE = [sys.executable, "-m", "rlvr.cli", "serve"]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path
    headers: dict[str, str] | None = None

    def metric(self, name: str, **labels: str) -> float:
        """The sum of /metrics samples called ``name`` with these labels (0 when none)."""
        text = httpx.get(f"{self.url}/metrics", headers=self.headers, timeout=10).text
        return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
                   if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp_path: Path, *args: str, token: str | None = None) -> Server:
    port = free_port()
    argv = [*SERVE, "--port", str(port), *args]
    if token:
        (tmp_path / f"token-{port}").write_text(token + "\n")
        argv += ["--token-file", str(tmp_path / f"token-{port}")]
    log = tmp_path / f"server-{port}.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    process = subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    server = Server(f"http://127.0.0.1:{port}", process, log,
                    {"Authorization": f"Bearer {token}"} if token else None)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not answer /healthz within 60 s: {log.read_text()[-2000:]}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def serve_factory(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def factory(*args: str, token: str | None = None) -> Server:
        server = start_server(tmp_path, *args, token=token)
        started.append(server)
        return server

    yield factory
    for server in started:
        stop_server(server)


@pytest.fixture(scope="module")
def math_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One arithmetic server shared by a module's protocol tests."""
    server = start_server(tmp_path_factory.mktemp("serve"), "--task", "arithmetic", "--workers", "1")
    yield server
    stop_server(server)
