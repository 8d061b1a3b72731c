"""What confines one job's process, and how a job ended: rlimits, uid, memory accounting, verdicts.

Runs inside the sandbox as a sibling script of ``worker.py`` (standard library only, no
imports from this folder), and on the host as ``rlvr.sandbox.limits``.

The memory a job holds is what its container holds that a job can hold: anonymous memory,
shmem (tmpfs, ``/dev/shm``, memfd and SysV shared memory) and kernel memory (socket and pipe
buffers, SysV message queues and semaphores, page tables, inotify and epoll watches...), read
from the container's memory cgroup; page cache is not counted (the kernel reclaims it).
``used_memory`` (one small file, page cache and kernel memory included) is an upper bound
checked first; the exact ``held_memory`` (the whole ``memory.stat``, and on cgroup v1 the
kernel memory counter) is read only when the bound passes the limit.

A job opens no network socket (`deny_sockets`: a seccomp filter): cgroup v1 does not charge TCP
buffers to the job's memory cgroup, so loopback connections could pin host-wide TCP memory.

A job is charged for what the container holds beyond what it held when the job started (the
worker passes ``over`` that plus ``memory_mb``): what earlier jobs left (dentry slab survives
clean-up) is never the next job's.

Limits: kernel memory counts reclaimable slab too (dentries, inodes; cgroup v1 shows no split,
``memory.kmem.slabinfo`` is empty on this kernel), so a job that stats millions of distinct paths
is charged for its own cache; if the kernel reclaims a previous job's leftover slab during a job,
that job may hold up to the leftover more (clean-up bounds it: 64 MB).
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import signal
import struct
from typing import Any

PR_SET_DUMPABLE = 4
PYTHON_FLAGS = ["-E", "-s", "-X", "int_max_str_digits=0"]  # a correct 5,736-digit answer must print
MEMORY_STAT = ("/sys/fs/cgroup/memory/memory.stat", "/sys/fs/cgroup/memory.stat")  # cgroup v1, v2
MEMORY_USAGE = ("/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory.current")
# cgroup v1 keeps kernel memory out of memory.stat, in a counter of its own (also part of usage_in_bytes).
KERNEL_MEMORY_V1 = "/sys/fs/cgroup/memory/memory.kmem.usage_in_bytes"
# cgroup v2's memory.stat: `kernel` is all kernel memory since Linux 5.18 (before it, its parts);
# socket buffers are charged apart, as `sock`.
KERNEL_PARTS_V2 = ("kernel_stack", "pagetables", "percpu", "vmalloc", "slab")
MQUEUE_BYTES = 256 << 10  # RLIMIT_MSGQUEUE per job (below the default hard limit, 800 KB)
# Signals PID 1 ignores (a job cannot send them anyway: it runs as another uid).
IGNORED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
           signal.SIGPIPE, signal.SIGALRM)


_libc: Any = None


def prctl(option: int, value: int) -> bool:
    """prctl(option, value); False when it could not be done (no ctypes or libc).

    libc is loaded once per process: a fork server's children find it loaded (loading it costs
    a job ~4 ms of CPU)."""
    global _libc
    try:
        if _libc is None:
            import ctypes

            _libc = ctypes.CDLL(None, use_errno=True)
        return bool(_libc.prctl(option, value, 0, 0, 0) == 0)
    except (ImportError, OSError, AttributeError):
        return False


PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
# The native ABI per machine: (AUDIT_ARCH, socket, io_uring_setup). Any other ABI (i386 and x32 on
# x86_64, arm32 on aarch64: socketcall and their own socket numbers) kills the process.
SECCOMP_ABIS = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
X32_SYSCALL_BIT = 0x40000000
AF_UNIX, EACCES, ENOSYS = 1, 13, 38
_RET_ALLOW, _RET_KILL_PROCESS, _RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06  # classic BPF opcodes
_filter: bytes | None = None


def _socket_filter() -> bytes:
    """The BPF program of `deny_sockets` for this machine (struct sock_filter[], native order)."""
    arch, nr_socket, nr_io_uring_setup = SECCOMP_ABIS[platform.machine()]
    allow, kill = 10, 11  # the indices of the last two instructions; jumps count from the next one
    prog = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 0, kill - 2, arch),
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (_JGE_K, kill - 4, 0, X32_SYSCALL_BIT),
        (_JEQ_K, 2, 0, nr_socket),
        (_JEQ_K, 0, allow - 6, nr_io_uring_setup),  # io_uring can open sockets (IORING_OP_SOCKET)
        (_RET_K, 0, 0, _RET_ERRNO | ENOSYS),
        (_LD_W_ABS, 0, 0, 16),  # socket(domain, ...): args[0], its low half (both ABIs little-endian)
        (_JEQ_K, allow - 9, 0, AF_UNIX),
        (_RET_K, 0, 0, _RET_ERRNO | EACCES),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),
    ]
    return b"".join(struct.pack("=HBBI", *ins) for ins in prog)


def deny_sockets() -> None:
    """From now on, in this process and its children: socket() fails with EACCES for every domain
    but AF_UNIX (no TCP/UDP, raw, packet or netlink socket: their buffers are kernel memory no
    cgroup v1 charges), io_uring_setup with ENOSYS, and a syscall of another ABI kills the process.
    Raises OSError when the filter cannot be installed: a job never runs without it.

    Limits: the native ABIs of x86_64 and aarch64 only (KeyError elsewhere); a socket passed in
    over a unix socket would still work (nothing outside the job hands one)."""
    global _filter
    import ctypes

    if _filter is None:
        _filter = _socket_filter()
    program = ctypes.create_string_buffer(_filter, len(_filter))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(_filter) // 8, ctypes.addressof(program))
    libc = ctypes.CDLL(None, use_errno=True) if _libc is None else _libc
    if (libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            or libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0):
        raise OSError(ctypes.get_errno(), "could not install the seccomp filter")


def make_undumpable() -> bool:
    return prctl(PR_SET_DUMPABLE, 0)


def reset_signals() -> None:
    """Before an exec: the new program starts with default dispositions (the worker ignores some)."""
    for sig in IGNORED:
        signal.signal(sig, signal.SIG_DFL)


# When the container runs out of memory the kernel's OOM killer takes the job's processes first,
# then the harness driver (which holds the verdict of the tests that ran), never the worker (PID 1)
# or the fork server (0, as the container starts). Limit: raising needs no privilege, but only
# CAP_SYS_RESOURCE could forbid lowering it back (to 0, the worker's): a job that does so is still
# the first victim when it holds more memory than the worker, and the memory poll kills it first.
OOM_SCORE_JOB = 1000
OOM_SCORE_DRIVER = 500


def _oom_score(adj: int) -> None:
    with contextlib.suppress(OSError):
        fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
        try:
            os.write(fd, str(adj).encode())
        finally:
            os.close(fd)


def confine(uid: int, cpu_s: int, memory_bytes: int, file_bytes: int) -> None:
    """Make this process an untrusted job's: its own session, limits, no privileges."""
    os.setsid()
    _oom_score(OOM_SCORE_JOB)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (MQUEUE_BYTES, MQUEUE_BYTES))
    if uid and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # every uid non-zero: the capabilities go too
    deny_sockets()


def demote(uid: int, cpu_s: int, memory_bytes: int, file_bytes: int) -> None:
    """Runs in an untrusted process between fork and exec."""
    reset_signals()
    confine(uid, cpu_s, memory_bytes, file_bytes)


def trust(memory_bytes: int) -> None:
    """Make this process a harness driver's: root, its own session, killed by the OOM killer after
    the candidate's processes, before the worker's."""
    os.setsid()
    _oom_score(OOM_SCORE_DRIVER)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def held_memory() -> int | None:
    """Bytes the container holds that a job can hold: anonymous memory, shmem (tmpfs, memfd, SysV)
    and kernel memory (see the module docstring); None outside a memory cgroup."""
    for path in MEMORY_STAT:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        fields = {k: int(v) for k, _, v in (line.partition(" ") for line in text.splitlines()) if v.isdigit()}
        if "total_rss" in fields:  # cgroup v1
            return fields["total_rss"] + fields.get("total_shmem", 0) + (_read_int(KERNEL_MEMORY_V1) or 0)
        kernel = fields["kernel"] if "kernel" in fields else sum(fields.get(k, 0) for k in KERNEL_PARTS_V2)
        return fields.get("anon", 0) + fields.get("shmem", 0) + kernel + fields.get("sock", 0)
    return None


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def used_memory() -> int | None:
    """The container's whole usage, page cache included: an upper bound of `held_memory`, 20x cheaper."""
    for path in MEMORY_USAGE:
        used = _read_int(path)
        if used is not None:
            return used
    return None


def over(limit: int) -> bool:
    """True when the job's memory passed ``limit``: the cheap bound first, the exact count only then."""
    used = used_memory()
    if used is not None and used <= limit:
        return False
    held = held_memory()
    return held is not None and held > limit


def job_status(returncode: int, killed_for: str, stderr: bytes) -> tuple[str, str]:
    """``(status, detail)`` of a job that exited with ``returncode`` or was killed for ``killed_for``."""
    if killed_for:
        return killed_for, {"timeout": "wall-clock limit", "output_limit": "stdout+stderr byte cap",
                            "memory": "memory the job held (incl. shared and kernel memory) passed memory_mb"}[killed_for]
    if returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return "timeout", "CPU-time limit"
    if returncode != 0 and b"MemoryError" in stderr[-4096:]:
        return "memory", "MemoryError (address-space limit)"
    if returncode == -signal.SIGKILL:
        return "memory", "killed by SIGKILL (the OOM killer)"
    if returncode < 0:  # a real-time signal (34-64) has no name in signal.Signals
        names = {int(s): s.name for s in signal.Signals}
        return "error", f"killed by signal {names.get(-returncode, -returncode)}"
    return "ok", ""
