"""`DockerSandbox`: a pool of locked-down, long-lived containers, one job at a time each.

Each container runs the worker (``worker.py``, bind-mounted read-only with the
harness driver beside it) as PID 1 and talks to the host only through ``docker
run -i``'s stdin/stdout. Container flags: no network, read-only root, a
size-limited tmpfs ``/tmp`` (the only writable place besides a size-limited
``/dev/shm``, both ``noexec`` (a dropped binary cannot run) and with at most
``TMPFS_INODES`` files each), memory and pids limits, one CPU, ``no-new-privileges``,
its own IPC namespace with SysV shared memory capped (``kernel.shmmax``/``shmall``)
and removed with its last user (``shm_rmid_forced``) and the SysV objects a job may
create bounded (`IPC_SYSCTLS`), no log driver (job output must not pile up on the
host's disk). The worker is root with only the capabilities it needs to start, sweep
and clean up after jobs; jobs run as a uid drawn at random per container (so no
per-uid kernel quota, like POSIX message-queue bytes, is shared with another
container) with no capabilities at all (see ``worker.py``).

No container outlives its pool: they carry the label ``rlvr.sandbox`` and the
owner's pid; they exit on their own when their ``docker run`` client's stdin
closes (even if the host process is SIGKILLed), are removed on ``close()`` and at
interpreter exit, and a new pool removes those whose owner is dead.

Limits: containers share the host kernel; this is the isolation Docker gives,
not a VM's. The docker CLI must be on PATH and the engine reachable.
"""

from __future__ import annotations

import atexit
import os
import secrets
import socket
import subprocess
import weakref
from collections.abc import Sequence
from pathlib import Path

from .channel import ChannelError, WorkerChannel
from .config import SandboxConfig
from .image import ImageBuildError, docker_cli, image_exists
from .jobs import ExecResult, Job
from .pool import SandboxUnavailable, WorkerPool

LABEL = "rlvr.sandbox"
OWNER_LABEL = "rlvr.sandbox.owner"  # "<hostname>:<pid>" of the process that started it
WORKER = Path(__file__).with_name("worker.py")
# What the worker runs besides itself, mounted read-only beside it.
SHIPPED = ("worker.py", "frames.py", "limits.py", "cleanup.py", "pump.py", "forkserver.py", "harness_driver.py",
           "candidate_host.py", "plain_data.py", "source_names.py")
WORKER_CAPABILITIES = ("SETUID", "SETGID", "CHOWN", "KILL", "DAC_OVERRIDE", "FOWNER")
# Files, directories and hard links (tmpfs charges each link too) per tmpfs: what clean-up must
# remove after a job is bounded (a flood of empty directories or links made it outlast the reply
# deadline). The clean-up's own deadline (`cleanup.empty_dir`) is the second bound.
TMPFS_INODES = 1 << 14
JOB_UIDS = (100_000, 1 << 30)  # a per-container job uid is drawn from this range
# SysV IPC objects are kernel memory that outlives the job's processes until clean-up removes them,
# so they are bounded in the container's IPC namespace far below any job's memory_mb (the memory
# poll counts kernel memory too, but what survives the job must never fill the container before
# the verdict goes out). With the kernel's defaults a job pinned 583 MB in 518 message queues of
# 0-byte messages (a queue holds msgmnb messages, each ~70 bytes of slab: ~1.1 MB a queue; 32,000
# queues allowed) and 500 MB in 32,000 semaphore arrays. Here: 16 queues (~18 MB at worst), 4,096
# semaphores in 64 arrays (~0.3 MB), 64 shared memory segments (their pages: shmall). The per-queue
# bytes and message size stay at the kernel's defaults, so programs that use queues still run.
IPC_SYSCTLS = {"kernel.msgmni": "16", "kernel.msgmnb": "16384", "kernel.msgmax": "8192",
               "kernel.sem": "250 4096 500 64", "kernel.shmmni": "64"}
# A second layer under the jobs' seccomp filter (no network sockets): TCP buffers in the container's
# own network namespace stay small. (SO_SNDBUF/SO_RCVBUF are capped by net.core.*mem_max, which is
# not per namespace: Docker cannot set it.)
NET_SYSCTLS = {"net.ipv4.tcp_rmem": "4096 16384 65536", "net.ipv4.tcp_wmem": "4096 16384 65536"}
_LIVE: weakref.WeakSet[DockerSandbox] = weakref.WeakSet()


def owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([docker_cli(), *args], capture_output=True, text=True, timeout=timeout)


def list_containers(owner: str | None = None) -> list[tuple[str, str]]:
    """``(name, owner)`` of every rlvr sandbox container, or only ``owner``'s."""
    result = _docker("ps", "-a", "--filter", f"label={LABEL}", "--format",
                     f'{{{{.Names}}}} {{{{.Label "{OWNER_LABEL}"}}}}')
    rows = [tuple(line.split(" ", 1)) for line in result.stdout.splitlines() if " " in line]
    return [(name, who) for name, who in rows if owner is None or who == owner]


def live_container_names() -> set[str]:
    """Containers held by every open `DockerSandbox` of this process."""
    return set().union(*(sandbox.container_names() for sandbox in list(_LIVE)))


def remove_containers(names: Sequence[str]) -> None:
    if names:
        _docker("rm", "-f", *names, timeout=120)


def remove_stale_containers() -> list[str]:
    """Remove this host's sandbox containers whose owning process is gone. Returns their names."""
    host = socket.gethostname()
    stale = []
    for name, owner in list_containers():
        owner_host, _, pid = owner.rpartition(":")
        if owner_host == host and pid.isdigit() and not Path(f"/proc/{pid}").exists():
            stale.append(name)
    remove_containers(stale)
    return stale


class DockerSandbox:
    """The real sandbox. Thread-safe; picklable only as its `SandboxConfig` (see `CodeVerifier`)."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        try:
            probe = _docker("version", "--format", "{{.Server.Version}}", timeout=30)
        except (ImageBuildError, OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailable(f"no usable docker CLI or engine: {exc}") from exc
        if probe.returncode != 0:
            raise SandboxUnavailable(f"the Docker engine does not answer: {probe.stderr.strip()[:500]}")
        if not image_exists(self.config.image):
            raise SandboxUnavailable(f"sandbox image {self.config.image!r} is missing: run `rlvr sandbox build`")
        remove_stale_containers()
        self._names: set[str] = set()
        self._pool = WorkerPool(self.config, self._start_container, self._stop_container)
        _LIVE.add(self)

    def _argv(self, name: str, job_uid: int) -> list[str]:
        c = self.config
        shm_bytes = c.shm_mb << 20
        caps = [flag for cap in WORKER_CAPABILITIES for flag in ("--cap-add", cap)]
        mounts = [flag for f in SHIPPED for flag in ("-v", f"{WORKER.with_name(f)}:/opt/rlvr/{f}:ro")]
        return [
            docker_cli(), "run", "-i", "--rm", "--sig-proxy=false", "--name", name,
            "--label", f"{LABEL}=1", "--label", f"{OWNER_LABEL}={owner_label()}",
            "--network", "none", "--read-only", "--hostname", "sandbox", "--log-driver", "none",
            "--tmpfs", f"/tmp:rw,nosuid,nodev,noexec,size={c.tmpfs_mb}m,mode=1777,nr_inodes={TMPFS_INODES}",
            "--tmpfs", f"/dev/shm:rw,nosuid,nodev,noexec,size={c.shm_mb}m,mode=1777,nr_inodes={TMPFS_INODES}",
            "--memory", f"{c.container_memory_mb}m", "--memory-swap", f"{c.container_memory_mb}m",
            "--pids-limit", str(c.pids_limit), "--cpus", str(c.cpus),
            "--cap-drop", "ALL", *caps, "--security-opt", "no-new-privileges", "--user", "0:0",
            "--ipc", "private", "--sysctl", f"kernel.shmmax={shm_bytes}",
            "--sysctl", f"kernel.shmall={shm_bytes // 4096}", "--sysctl", "kernel.shm_rmid_forced=1",
            *(flag for name, value in {**IPC_SYSCTLS, **NET_SYSCTLS}.items() for flag in ("--sysctl", f"{name}={value}")),
            *mounts,
            c.image, "python3", "-E", "-s", "/opt/rlvr/worker.py", "/tmp", str(job_uid),
        ]

    def _start_container(self) -> WorkerChannel:
        name = f"rlvr-sbx-{os.getpid()}-{secrets.token_hex(4)}"
        self._names.add(name)
        job_uid = secrets.randbelow(JOB_UIDS[1] - JOB_UIDS[0]) + JOB_UIDS[0]
        channel = WorkerChannel(self._argv(name, job_uid), name=name, start_timeout_s=self.config.start_timeout_s)
        hello = channel.hello
        if not hello.get("undumpable") or hello.get("pid") != 1 or hello.get("job_uid") != job_uid:
            self._stop_container(channel)
            raise SandboxUnavailable(f"the worker is not a non-dumpable PID 1 ({hello}); refusing to run jobs")
        if not hello.get("clean"):
            self._stop_container(channel)
            raise ChannelError(f"a new container did not start clean: {hello.get('unclean')}")
        return channel

    def _stop_container(self, channel: WorkerChannel) -> None:
        if channel.name:  # kill first: a wedged worker would not exit on EOF
            _docker("kill", channel.name, timeout=30)
            self._names.discard(channel.name)
        channel.close()

    def warm_up(self) -> None:
        self._pool.warm_up()

    @property
    def replaced(self) -> int:
        return self._pool.replaced

    def run(self, code: str, *, stdin: str = "", files: dict[str, str] | None = None,
            timeout_s: float = 5.0, memory_mb: int = 256) -> ExecResult:
        return self._pool.run(Job(code=code, stdin=stdin, files=files or {}, timeout_s=timeout_s,
                                  memory_mb=memory_mb))

    def run_job(self, job: Job) -> ExecResult:
        return self._pool.run(job)

    def run_many(self, jobs: Sequence[Job], concurrency: int | None = None) -> list[ExecResult]:
        return self._pool.run_many(jobs, concurrency)

    def container_names(self) -> set[str]:
        return set(self._names)

    def close(self) -> None:
        self._pool.close()
        remove_containers(sorted(self._names))
        self._names.clear()

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@atexit.register
def _close_all() -> None:
    for sandbox in list(_LIVE):
        sandbox.close()
