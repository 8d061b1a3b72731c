"""`ProcessSandbox`: the same worker as a plain host subprocess, for machines without Docker.

NOT A SECURITY BOUNDARY. Jobs get the same rlimits, deadlines and output caps
as in Docker, but they run as the calling user on the host: they can reach the
network, read every file that user can, see every host process, write outside
their work dir, and a job that ``setsid``s away outlives its sweep. Use it for
trusted code (tests, reference solutions) or where nothing else exists. It is
only ever chosen explicitly (``SandboxConfig(backend="process")``), never as a
fallback when Docker was asked for, and it warns when it starts.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

from .channel import WorkerChannel
from .config import SandboxConfig
from .jobs import ExecResult, Job
from .pool import WorkerPool

WORKER = Path(__file__).with_name("worker.py")


class UnsafeSandboxWarning(UserWarning):
    pass


class ProcessSandbox:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig(backend="process")
        warnings.warn("ProcessSandbox is not a security boundary: jobs run on the host as this user, "
                      "with the network and the file system. Use DockerSandbox for model-written code.",
                      UnsafeSandboxWarning, stacklevel=2)
        self._dirs: list[str] = []
        self._pool = WorkerPool(self.config, self._start_worker, self._stop_worker)

    def _start_worker(self) -> WorkerChannel:
        work_dir = tempfile.mkdtemp(prefix="rlvr-sbx-")  # the worker empties it after every job
        self._dirs.append(work_dir)
        return WorkerChannel([sys.executable, "-E", "-s", str(WORKER), work_dir], name="",
                             start_timeout_s=self.config.start_timeout_s)

    def _stop_worker(self, channel: WorkerChannel) -> None:
        channel.process.kill()
        channel.close()

    def run(self, code: str, *, stdin: str = "", files: dict[str, str] | None = None,
            timeout_s: float = 5.0, memory_mb: int = 256) -> ExecResult:
        return self._pool.run(Job(code=code, stdin=stdin, files=files or {}, timeout_s=timeout_s,
                                  memory_mb=memory_mb))

    def run_job(self, job: Job) -> ExecResult:
        return self._pool.run(job)

    def run_many(self, jobs: Sequence[Job], concurrency: int | None = None) -> list[ExecResult]:
        return self._pool.run_many(jobs, concurrency)

    def close(self) -> None:
        self._pool.close()
        for work_dir in self._dirs:
            shutil.rmtree(work_dir, ignore_errors=True)
        self._dirs.clear()

    def __enter__(self) -> ProcessSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
