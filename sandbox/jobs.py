"""What every sandbox takes and returns: `Job`, `ExecResult`, `ExecStatus`, the `Sandbox` protocol,
and `job_problem`, the boundary check every job passes before it is sent.

(Named ``jobs``, not ``types``: this folder is first on ``sys.path`` of the worker, which runs as a
script, and no module here may shadow a standard-library one.)
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from enum import Enum
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class ExecStatus(str, Enum):
    OK = "ok"  # the program exited by itself (any exit code: see exit_code)
    TIMEOUT = "timeout"  # wall-clock or CPU-time limit reached; killed
    MEMORY = "memory"  # memory limit reached (MemoryError, or killed by the OOM killer)
    OUTPUT_LIMIT = "output_limit"  # stdout + stderr passed the byte cap; killed
    ERROR = "error"  # the program could not start, or died by a signal it did not choose
    INFRA_ERROR = "infra_error"  # the sandbox failed (container died, engine gone): not the program's fault


class Job(BaseModel):
    """One program to run: ``code`` is a Python source file run as ``main.py`` in a fresh work dir.

    With ``harness`` ("io" or "assert"), ``code`` is the candidate (``solution.py``) and ``stdin`` is
    the trusted driver's test spec (`rlvr.sandbox.harness`); ``output_limit_bytes`` overrides the
    sandbox's output cap for this job.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    stdin: str = ""
    files: dict[str, str] = Field(default_factory=dict)  # relative path -> text, written next to main.py
    timeout_s: float = Field(default=5.0, gt=0, le=600)
    memory_mb: int = Field(default=256, ge=16, le=16384)
    harness: Literal["io", "assert"] | None = None
    output_limit_bytes: int | None = Field(default=None, ge=1024)


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

    def run_job(self, job: Job) -> ExecResult: ...

    def run_many(self, jobs: Sequence[Job], concurrency: int | None = None) -> list[ExecResult]: ...

    def close(self) -> None: ...


# Code + stdin + files (names included) as the host sends them: UTF-8 JSON strings, where a control
# character costs 6 bytes (\u0001), so 16 MiB of them would be a 96 MiB request, past the worker's
# MAX_REQUEST_BYTES (64 MiB). Measured on that encoding, a job always fits in one request.
MAX_JOB_BYTES = 16 << 20
MAX_FILES = 1000
MAX_NAME_BYTES = 1024


def _text_problem(what: str, text: object) -> str:
    if not isinstance(text, str):
        return f"{what} is a {type(text).__name__}, not text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{what} is not valid Unicode text ({exc.reason} at {exc.start})"
    return ""


def _sent_bytes(text: str) -> int:
    """The bytes ``text`` costs in the worker channel's request (`channel.WorkerChannel.request`)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


def job_problem(job: Job) -> str:
    """Why ``job`` cannot be run as given ("" when it can): text that is not valid Unicode (a lone
    surrogate), file names that are absolute, leave the work dir, hold a NUL, collide after
    normalisation or replace the program, too many files, or more than ``MAX_JOB_BYTES`` in all, as
    JSON-encoded for the worker channel."""
    program = "solution.py" if job.harness else "main.py"
    size = 0
    for what, text in (("code", job.code), ("stdin", job.stdin)):
        problem = _text_problem(what, text)
        if problem:
            return problem
        size += _sent_bytes(text)
    if len(job.files) > MAX_FILES:
        return f"{len(job.files)} files (at most {MAX_FILES})"
    seen: set[str] = {program}
    for name, text in job.files.items():
        problem = _text_problem(f"file name {name!r}", name) or _text_problem(f"file {name!r}", text)
        if problem:
            return problem
        size += _sent_bytes(name) + _sent_bytes(text)
        normal = os.path.normpath(name)
        if ("\0" in name or not name or os.path.isabs(name) or normal == ".." or normal.startswith("../") or normal == "."
                or len(name.encode("utf-8")) > MAX_NAME_BYTES
                or any(len(part.encode("utf-8")) > 255 for part in normal.split("/"))):
            return f"bad file name {name[:100]!r} (relative, inside the work dir, no NUL, short)"
        if normal in seen or any(s.startswith(normal + "/") or normal.startswith(s + "/")
                                                      for s in seen):
            return f"file name {name[:100]!r} collides with {program} or another file"
        seen.add(normal)
    if size > MAX_JOB_BYTES:
        return f"job of {size} bytes (JSON-encoded, as sent to the sandbox) exceeds {MAX_JOB_BYTES}"
    return ""
