"""`SandboxConfig`: every limit of a sandbox in one validated, picklable object, and `make_sandbox`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .image import DEFAULT_IMAGE
from .jobs import Sandbox


class SandboxConfig(BaseModel):
    """Container-wide limits (a backstop) plus per-job defaults.

    Per-job ``timeout_s`` and ``memory_mb`` come with each job; the worker turns
    them into a wall-clock deadline, ``RLIMIT_CPU`` and ``RLIMIT_AS``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: Literal["docker", "process"] = "docker"
    image: str = DEFAULT_IMAGE
    pool_size: int = Field(default=2, ge=1, le=64)  # more jobs in flight than cores causes false timeouts
    container_memory_mb: int = Field(default=1024, ge=64)
    # Processes and threads per container. A container runs one job at a time, so this is the
    # job's process-count limit (RLIMIT_NPROC is not used: it counts per uid across the whole
    # host kernel, and every container's jobs share the uid "nobody").
    pids_limit: int = Field(default=64, ge=8)
    cpus: float = Field(default=1.0, gt=0)
    tmpfs_mb: int = Field(default=64, ge=4)  # the writable work dir, /tmp
    shm_mb: int = Field(default=16, ge=1)
    file_size_mb: int = Field(default=16, ge=1)  # RLIMIT_FSIZE per job
    output_limit_bytes: int = Field(default=16 << 20, ge=1024)  # stdout + stderr per plain job
    reply_grace_s: float = Field(default=5.0, gt=0)  # past the job's own deadline, the worker is wedged
    start_timeout_s: float = Field(default=60.0, gt=0)

    def key(self) -> str:
        return self.model_dump_json()


def make_sandbox(config: SandboxConfig | None = None) -> Sandbox:
    """The sandbox the config asks for. Never falls back from docker to process."""
    config = config or SandboxConfig()
    if config.backend == "docker":
        from .docker_pool import DockerSandbox

        return DockerSandbox(config)
    from .process import ProcessSandbox

    return ProcessSandbox(config)
