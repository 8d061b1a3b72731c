"""Failures of ours under load never cost a row: a fork-server race, a dead fork server, a retry.

On a loaded 2-core machine about 1 trivial job in 800 came back ``infra_error`` ("fork server
could not start main.py (b'')"): the fork server, descheduled between ``fork`` and recording the
job's pid, let its SIGCHLD handler reap the already finished job as a stray, then died opening the
job's pidfd. ``strace`` (needs root over the container's processes) replays that schedule on every
job by delaying the fork server's return from ``clone``.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus, SandboxConfig

pytestmark = pytest.mark.docker


def _fork_server(sandbox: DockerSandbox) -> int:
    """The host pid of the fork server in the sandbox's only container."""
    (name,) = sandbox.container_names()
    worker = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", name], capture_output=True, text=True,
                            check=True).stdout.strip()
    (pid,) = [int(c) for c in _children(int(worker)) if b"forkserver.py" in Path(f"/proc/{c}/cmdline").read_bytes()]
    return pid


def _children(pid: int) -> list[str]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return f.read().split()


@contextmanager
def _slow_return_from_fork(pid: int, delay_s: float) -> Iterator[None]:
    """Every fork of ``pid`` returns to it only after ``delay_s``; its child runs at once."""
    assert shutil.which("strace"), "strace is needed (scripts/setup.sh --test installs it)"
    tracer = subprocess.Popen(["strace", "-qq", "-o", "/dev/null", "-p", str(pid), "-e", "trace=clone,clone3",
                               "-e", f"inject=clone,clone3:delay_exit={int(delay_s * 1e6)}"])
    try:
        time.sleep(1.0)  # attached (strace has no "ready" signal; attaching takes milliseconds)
        yield
    finally:
        tracer.terminate()
        tracer.wait(timeout=10)


def test_a_job_that_ends_before_fork_returns_is_still_the_job(sandbox_image: str) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        assert sandbox.run("print(0)").stdout == "0\n"
        with _slow_return_from_fork(_fork_server(sandbox), 0.3):
            results = [sandbox.run(f"print({i})") for i in range(1, 4)]
        assert [(r.status, r.stdout) for r in results] == [(ExecStatus.OK, f"{i}\n") for i in range(1, 4)], results
        assert sandbox.replaced == 0  # served by the same fork server: no retry hid a failure
        assert all(r.duration_s >= 0.3 for r in results)  # the delay did hit every fork


def test_a_fork_server_killed_mid_job_is_retried_in_a_fresh_container(sandbox_image: str,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        sandbox.warm_up()
        (first,) = sandbox.container_names()
        forks = _fork_server(sandbox)

        def kill_once_the_job_runs() -> None:
            deadline = time.monotonic() + 10
            while not _children(forks) and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(forks, signal.SIGKILL)

        killer = threading.Thread(target=kill_once_the_job_runs)
        killer.start()
        with caplog.at_level(logging.WARNING, logger="rlvr.sandbox.pool"):
            result = sandbox.run("import time\ntime.sleep(0.5)\nprint('done')")
        killer.join()
        assert (result.status, result.stdout) == (ExecStatus.OK, "done\n"), result
        assert sandbox.replaced == 1 and first not in sandbox.container_names()
        assert sum("retried in a fresh worker" in r.message for r in caplog.records) == 1


def test_a_persistent_failure_of_ours_is_retried_once_then_infra_error(sandbox_image: str,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1, start_timeout_s=0.01)) as sandbox:
        with caplog.at_level(logging.WARNING, logger="rlvr.sandbox.pool"):
            result = sandbox.run("print(1)")
        assert result.status is ExecStatus.INFRA_ERROR and "did not start" in result.detail, result
        assert sum("retried in a fresh worker" in r.message for r in caplog.records) == 1


@pytest.mark.parametrize(("code", "status"), [
    ("raise SystemExit(3)", ExecStatus.OK),
    ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", ExecStatus.OK),  # the fork server: not the job's
    ("while True:\n    pass", ExecStatus.TIMEOUT),
])
def test_a_failure_the_job_causes_is_its_own_and_runs_once(docker_sandbox: DockerSandbox, code: str,
                                                           status: ExecStatus, caplog: pytest.LogCaptureFixture) -> None:
    replaced = docker_sandbox.replaced
    with caplog.at_level(logging.WARNING, logger="rlvr.sandbox.pool"):
        result = docker_sandbox.run(code, timeout_s=1)
    assert result.status is status and result.exit_code != 0, result
    assert docker_sandbox.replaced == replaced
    assert not any("retried" in r.message for r in caplog.records)
