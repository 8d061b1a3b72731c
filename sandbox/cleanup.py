"""After a job: kill and reap what it left running, and return the container to its start state.

Runs inside the sandbox as a sibling script of ``worker.py`` (standard library only). In a
container the worker is PID 1: every process but PID 1 and the fork server (`forkserver`) is
killed and reaped, ``/tmp``, ``/dev/shm``, ``/dev/mqueue`` and every SysV IPC object are
removed whatever their modes and depth, the tmpfs mounts must be back at their fresh usage (blocks
and inodes, and the AF_UNIX socket count: `fresh_state_usage`) and memory back near its baseline. Outside a
container (``ProcessSandbox``) only the job's process group is killed and the work dir emptied.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
import time

from limits import held_memory, over

CLEANUP_BUDGET_S = 5.0
# The container's tmpfs mounts (besides the job's work dir's own), whose used blocks and inodes
# must be back at the fresh container's values after each job.
MOUNTS = ("/tmp", "/dev/shm", "/dev/mqueue")
UNIX_GC_WAIT_S = 0.5


def kill_others(spare: set[int]) -> list[int]:
    """SIGKILL every process of this pid namespace but PID 1, ourselves and ``spare``; the pids signalled.

    Used where ``kill(-1)`` would be too broad: it would take the fork server too.
    """
    spare = spare | {1, os.getpid()}
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in spare]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return pids


def sweep(job_pgid: int | None, spare: int | None) -> bool:
    """Kill and reap every leftover process of the job, sparing the fork server ``spare``.
    True when none is left (in a container: no process but PID 1 and ``spare``)."""
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        if os.getpid() == 1:
            left = kill_others(set() if spare is None else {spare})
        else:
            left = []
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if job_pgid is not None:
                    os.killpg(job_pgid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        if not left:
            return True  # outside a container we only own the job's group
        time.sleep(0.002)
    return False


def empty_dir(path: str, deadline: float) -> bool:
    """Remove everything inside ``path``, whatever its modes and depth. True when it is empty.

    Iterative and at most two levels deep at any time: a subdirectory's subdirectories are
    first moved up into ``path`` (so 1,100 nested directories cost no recursion and no long
    paths), and a directory a job made unreadable is given back its permissions first.
    """
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False
    moved = 0
    try:
        while time.monotonic() < deadline:
            names = os.listdir(top)
            if not names:
                return True
            for name in names:  # the deadline holds per entry: a job may leave a million hard links
                if time.monotonic() >= deadline:
                    return False
                moved = _remove(top, name, moved, deadline)
        return False
    except OSError:
        return False
    finally:
        os.close(top)


def _remove(top: int, name: str, moved: int, deadline: float) -> int:
    with contextlib.suppress(OSError):
        if not stat.S_ISDIR(os.stat(name, dir_fd=top, follow_symlinks=False).st_mode):
            os.unlink(name, dir_fd=top)
            return moved
        with contextlib.suppress(OSError):
            os.chmod(name, 0o700, dir_fd=top, follow_symlinks=False)
        try:
            os.rmdir(name, dir_fd=top)
            return moved
        except OSError:
            pass
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
        try:
            for child in os.listdir(fd):
                if time.monotonic() >= deadline:
                    break
                with contextlib.suppress(OSError):
                    if stat.S_ISDIR(os.stat(child, dir_fd=fd, follow_symlinks=False).st_mode):
                        os.chmod(child, 0o700, dir_fd=fd, follow_symlinks=False)
                        moved += 1
                        os.rename(child, f".rlvr-rm-{os.getpid()}-{moved}", src_dir_fd=fd, dst_dir_fd=top)
                    else:
                        os.unlink(child, dir_fd=fd)
        finally:
            os.close(fd)
        os.rmdir(name, dir_fd=top)
    return moved


def _sysv_ids() -> list[tuple[str, int]]:
    ids = []
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        ids += [(kind, int(row.split()[1])) for row in rows if len(row.split()) > 1]
    return ids


def _remove_ipc() -> None:
    """SysV shared memory, message queues and semaphores; POSIX message queues."""
    ids = _sysv_ids()
    if ids:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for kind, ident in ids:  # IPC_RMID is 0 for all three
            if kind == "shm":
                libc.shmctl(ident, 0, None)
            elif kind == "msg":
                libc.msgctl(ident, 0, None)
            else:
                libc.semctl(ident, 0, 0)
    with contextlib.suppress(OSError):
        for name in os.listdir("/dev/mqueue"):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join("/dev/mqueue", name))


def _remove_ipc_as(uid: int) -> None:
    """IPC_RMID needs the owner (or CAP_SYS_ADMIN, which the worker does not hold): a child of the
    job's uid removes them. Every job of a container runs as that one uid."""
    pid = os.fork()
    if pid == 0:
        try:
            if uid:
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
            _remove_ipc()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _mqueues() -> list[str]:
    try:
        return os.listdir("/dev/mqueue")
    except OSError:
        return []


UNIX_SOCKETS = "/proc/net/unix"  # every AF_UNIX socket of the container's network namespace


def fresh_state_usage(root: str) -> dict[str, tuple[int, int]]:
    """Used blocks and used inodes of each tmpfs mount a job can write to (``root``'s and `MOUNTS`),
    and the number of AF_UNIX sockets alive in the container (under `UNIX_SOCKETS`, as ``(n, 0)``).

    Empty directories are not enough: a file unlinked while open keeps its pages and inode, and
    a job can leave such files open with no process left, their descriptors in flight in a unix
    socket that holds itself (an SCM_RIGHTS cycle) until the kernel's unix garbage collector runs.
    What is in flight need not be a file (empty pipes with big buffers, unlinked message queues,
    plain descriptors): it holds the job uid's per-user quotas for the next job, and shows only as
    the cycle's sockets, which no process holds but the namespace's socket table still lists.
    """
    usage = {}
    for path in dict.fromkeys((root, *MOUNTS)):
        with contextlib.suppress(OSError):
            st = os.statvfs(path)
            usage[path] = (st.f_blocks - st.f_bfree, st.f_files - st.f_ffree)
    with contextlib.suppress(OSError), open(UNIX_SOCKETS, "rb") as f:
        usage[UNIX_SOCKETS] = (f.read().count(b"\n") - 1, 0)  # less the header line
    return usage


def _collect_unix_garbage() -> None:
    """Make the kernel run its unix-socket garbage collector now: it runs when an AF_UNIX socket is
    released while any descriptors are in flight (host-wide), which the job's cycle guarantees."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.close()
    b.close()


def _usage_back(root: str, fresh: dict[str, tuple[int, int]], deadline: float) -> list[str]:
    """Which mounts (or the socket count) still differ from ``fresh`` after one forced unix GC and a short wait."""
    collected = False
    while True:
        now = fresh_state_usage(root)
        differ = [p for p, used in fresh.items() if now.get(p) != used]
        if not differ or time.monotonic() >= deadline:
            return [f"{p} holds {now.get(p)} (blocks, inodes; sockets for {UNIX_SOCKETS}), fresh {fresh[p]}"
                    for p in differ]
        if not collected:  # the GC and the last fput of its files run in kernel workers: re-check
            _collect_unix_garbage()
            collected = True
            deadline = min(deadline, time.monotonic() + UNIX_GC_WAIT_S)
        time.sleep(0.005)


def clean_up(root: str, baseline: int | None, uid: int = 0,
             fresh: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """Return the container to its start state (run after `sweep`: no process is left);
    what is still not clean ([] when all is). ``fresh``: `fresh_state_usage` of the fresh container;
    any difference left after a forced unix GC (half a second at most) is a problem."""
    deadline = time.monotonic() + CLEANUP_BUDGET_S
    problems = [] if empty_dir(root, deadline) else [f"{root} not empty"]
    if os.getpid() != 1:
        return problems
    if not empty_dir("/dev/shm", deadline):
        problems.append("/dev/shm not empty")
    if _sysv_ids() or _mqueues():
        _remove_ipc_as(uid)
        if _sysv_ids():
            problems.append("SysV IPC objects left")
        if _mqueues():
            problems.append("POSIX message queues left")
    if fresh is not None and not problems:  # an unclean container is replaced anyway: no GC wait
        problems += _usage_back(root, fresh, deadline)
    if baseline is not None and over(baseline + (64 << 20)):
        problems.append(f"memory not back to baseline ({(held_memory() or 0) >> 20} MB held, "
                        f"baseline {baseline >> 20} MB)")
    return problems
