"""What every sandbox takes and returns: `Job`, `ExecResult`, `ExecStatus`, the `Sandbox` protocol."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class ExecStatus(str, Enum):
    OK = "ok"  # the program exited by itself (any exit code: see exit_code)
    TIMEOUT = "timeout"  # wall-clock or CPU-time limit reached; killed
    MEMORY = "memory"  # memory limit reached (MemoryError, or killed by the OOM killer)
    OUTPUT_LIMIT = "output_limit"  # stdout + stderr passed the byte cap; killed
    ERROR = "error"  # the program could not start, or died by a signal it did not choose
    INFRA_ERROR = "infra_error"  # the sandbox failed (container died, engine gone): not the program's fault


class Job(BaseModel):
    """One program to run: ``code`` is a Python source file run as ``main.py`` in a fresh work dir."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    stdin: str = ""
    files: dict[str, str] = Field(default_factory=dict)  # relative path -> text, written next to main.py
    timeout_s: float = Field(default=5.0, gt=0, le=600)
    memory_mb: int = Field(default=256, ge=16, le=16384)


class ExecResult(BaseModel):
    """The worker's verdict on one job. ``stdout``/``stderr`` are data, never parsed by the sandbox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: ExecStatus
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None  # None when killed or never started; negative: killed by that signal
    duration_s: float = 0.0
    detail: str = ""  # why, for statuses other than ok (e.g. which limit, or the infra failure)

    @property
    def ok(self) -> bool:
        """Ran to completion and exited 0."""
        return self.status is ExecStatus.OK and self.exit_code == 0


@runtime_checkable
class Sandbox(Protocol):
    """Runs untrusted Python under hard limits. Implementations never raise for what a job does."""

    def run(
        self,
        code: str,
        *,
        stdin: str = "",
        files: dict[str, str] | None = None,
        timeout_s: float = 5.0,
        memory_mb: int = 256,
    ) -> ExecResult: ...

    def run_many(self, jobs: Sequence[Job], concurrency: int | None = None) -> list[ExecResult]: ...

    def close(self) -> None: ...
