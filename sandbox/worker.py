"""The sandbox worker: PID 1 of each container, one fresh subprocess per job.

Standard library only: it runs under the image's ``python3``, bind-mounted
read-only. It talks to the host over its own stdin/stdout (the container's
attach streams), in frames of a 4-byte big-endian length then UTF-8 JSON. A
job never gets those descriptors: it gets fresh pipes, its output travels
inside the reply as data, so nothing it prints can pass for a verdict.

Who runs as whom (in a container): the worker is root with only the
capabilities it needs (SETUID/SETGID/CHOWN to start jobs, KILL to sweep them,
DAC_OVERRIDE/FOWNER to clean up whatever they leave) and is
non-dumpable. Every job runs as ``job_uid`` (a uid the host picks per
container, so no per-uid kernel quota is shared with another container) with no
capabilities: it cannot signal PID 1, read its memory or open its descriptors.
A harness job (``harness``: "assert" or "io") runs a trusted driver from this
folder as root instead, fed its tests over its stdin pipe; the driver starts
the candidate's processes as ``job_uid`` (`harness_driver`).

Per job: a fresh session with rlimits on CPU time, address space, file size,
open files, message-queue bytes and core dumps, ``oom_score_adj`` 1000 (the OOM
killer takes the job, never PID 1); a wall-clock deadline; a byte cap on
stdout + stderr; and the memory the whole job holds (anonymous memory plus
tmpfs, ``/dev/shm``, memfd and SysV shared memory, read from the container's
memory cgroup every 10 ms) capped at ``memory_mb``. After every job every other
process is SIGKILLed and reaped, ``/tmp``, ``/dev/shm``, ``/dev/mqueue`` and
every SysV IPC object are removed (whatever the modes and depth), and the
container is proven back at its start state; if it is not, the reply says
``clean: false`` and the host replaces the container.

Outside a container (``ProcessSandbox``) the worker is not PID 1: it runs jobs
as its own user, only kills the job's process group, and only empties its
work dir.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import selectors
import signal
import stat
import struct
import subprocess
import sys
import time
from typing import Any

HEADER = struct.Struct(">I")
MAX_REQUEST_BYTES = 64 << 20
PR_SET_DUMPABLE = 4
HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_FLAGS = ["-E", "-s", "-X", "int_max_str_digits=0"]  # a correct 5,736-digit answer must print
MEMORY_STAT = ("/sys/fs/cgroup/memory/memory.stat", "/sys/fs/cgroup/memory.stat")  # cgroup v1, v2
MEMORY_USAGE = ("/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory.current")
MEMORY_POLL_S = 0.01
MQUEUE_BYTES = 256 << 10  # RLIMIT_MSGQUEUE per job (below the default hard limit, 800 KB)
CLEANUP_BUDGET_S = 5.0
# Signals PID 1 ignores (a job cannot send them anyway: it runs as another uid).
IGNORED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
           signal.SIGPIPE, signal.SIGALRM)


def make_undumpable() -> bool:
    """prctl(PR_SET_DUMPABLE, 0); False when it could not be done (no ctypes or libc)."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (ImportError, OSError, AttributeError):
        return False


def read_exact(fd: int, n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def write_frame(fd: int, message: dict[str, Any]) -> None:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
    data = HEADER.pack(len(body)) + body
    while data:
        data = data[os.write(fd, data):]


def demote(uid: int, cpu_s: int, memory_bytes: int, file_bytes: int) -> None:
    """Runs in an untrusted process between fork and exec: its own session, limits, no privileges."""
    os.setsid()
    for sig in IGNORED:
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")
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


def _trusted(memory_bytes: int) -> None:
    """Runs in a harness driver between fork and exec: root, killable by the OOM killer first."""
    os.setsid()
    for sig in IGNORED:
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def held_memory() -> int | None:
    """Bytes the container holds that a job can hold: anonymous memory plus shmem (tmpfs, memfd, SysV)."""
    for path in MEMORY_STAT:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        fields = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
        if "total_rss" in fields:
            return int(fields["total_rss"]) + int(fields.get("total_shmem", 0))
        return int(fields.get("anon", 0)) + int(fields.get("shmem", 0))
    return None


def used_memory() -> int | None:
    """The container's whole usage, page cache included: an upper bound of `held_memory`, 20x cheaper."""
    for path in MEMORY_USAGE:
        try:
            with open(path) as f:
                return int(f.read())
        except (OSError, ValueError):
            continue
    return None


def over(limit: int) -> bool:
    """True when the job's memory passed ``limit``: the cheap bound first, the exact count only then."""
    used = used_memory()
    if used is not None and used <= limit:
        return False
    held = held_memory()
    return held is not None and held > limit


def sweep(job_pgid: int | None) -> bool:
    """Kill and reap every leftover process of the job. True when none is left."""
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        try:
            if os.getpid() == 1:
                os.kill(-1, signal.SIGKILL)  # every process we can signal, except PID 1
            elif job_pgid is not None:
                os.killpg(job_pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            while True:
                pid, _ = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
        except ChildProcessError:
            return True  # no children left at all
        if os.getpid() != 1:
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
            for name in names:
                moved = _remove(top, name, moved)
        return False
    except OSError:
        return False
    finally:
        os.close(top)


def _remove(top: int, name: str, moved: int) -> int:
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


def clean_up(root: str, baseline: int | None, uid: int = 0) -> list[str]:
    """Return the container to its start state (run after `sweep`: no process is left);
    what is still not clean ([] when all is)."""
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
    if baseline is not None and over(baseline + (64 << 20)):
        problems.append(f"memory not back to baseline ({(held_memory() or 0) >> 20} MB held, "
                        f"baseline {baseline >> 20} MB)")
    return problems


def _status(returncode: int, killed_for: str, stderr: bytes) -> tuple[str, str]:
    if killed_for:
        return killed_for, {"timeout": "wall-clock limit", "output_limit": "stdout+stderr byte cap",
                            "memory": "memory the job held (incl. shared memory) passed memory_mb"}[killed_for]
    if returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return "timeout", "CPU-time limit"
    if returncode != 0 and b"MemoryError" in stderr[-4096:]:
        return "memory", "MemoryError (address-space limit)"
    if returncode == -signal.SIGKILL:
        return "memory", "killed by SIGKILL (the OOM killer)"
    if returncode < 0:
        return "error", f"killed by signal {signal.Signals(-returncode).name}"
    return "ok", ""


def _write_files(job_dir: str, files: dict[str, str], uid: int) -> None:
    """Write the job's files (names were validated by the host), owned by the job's uid."""
    os.mkdir(job_dir, 0o700)
    if uid and os.getuid() == 0:
        os.chown(job_dir, uid, uid)
    for name, text in files.items():
        path = os.path.join(job_dir, name)
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, 0o700)
            if uid and os.getuid() == 0:
                walk = parent
                while walk != job_dir:
                    os.chown(walk, uid, uid)
                    walk = os.path.dirname(walk)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with open(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if uid and os.getuid() == 0:
            os.chown(path, uid, uid)


def run_job(request: dict[str, Any], root: str, uid: int, baseline: int | None) -> dict[str, Any]:
    """Run one job and describe how it ended. Never raises for anything the job does."""
    job_dir = os.path.join(root, "job")
    harness = request.get("harness")
    program = "solution.py" if harness else "main.py"
    try:
        _write_files(job_dir, {**request.get("files", {}), program: request["code"]}, uid)
    except OSError as exc:  # the container was proven clean and the names valid: this is ours
        return {"status": "infra_error", "detail": f"job set-up failed: {exc}", "clean": False}
    timeout_s = float(request["timeout_s"])
    memory = int(request["memory_mb"]) << 20
    cap = int(request["output_limit"])
    cpu_s, file_bytes = math.ceil(timeout_s) + 1, int(request["file_size_mb"]) << 20
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": job_dir, "TMPDIR": root}
    if harness:
        argv = [sys.executable, *PYTHON_FLAGS, os.path.join(HERE, "harness_driver.py"), harness, job_dir,
                str(uid), str(cpu_s), str(memory), str(file_bytes)]
        preexec = lambda: _trusted(memory + (256 << 20))  # noqa: E731 -- the driver decodes answers
    else:
        argv = [sys.executable, *PYTHON_FLAGS, "main.py"]
        preexec = lambda: demote(uid, cpu_s, memory, file_bytes)  # noqa: E731
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=job_dir, env=env, close_fds=True, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec)
    except OSError as exc:
        return {"status": "infra_error", "detail": f"could not start: {exc}", "clean": False}
    limit = None if baseline is None else baseline + memory
    out, err, killed_for = pump(proc, request.get("stdin", "").encode(), start + timeout_s, cap, limit)
    returncode = proc.wait()
    duration = time.monotonic() - start
    status, detail = _status(returncode, killed_for, err)
    swept = sweep(proc.pid)
    problems = (clean_up(root, baseline, uid) if swept else ["processes survived the sweep"])
    return {"status": status, "detail": detail, "exit_code": None if killed_for else returncode,
            "stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace"),
            "duration_s": round(duration, 6), "clean": not problems, "unclean": problems}


def pump(proc: subprocess.Popen[bytes], stdin: bytes, deadline: float, cap: int,
         memory_limit: int | None = None) -> tuple[bytes, bytes, str]:
    """Feed stdin, read stdout/stderr under a byte cap until the job exits or the deadline;
    with ``memory_limit``, kill the job once the container holds more than that."""
    assert proc.stdin and proc.stdout and proc.stderr
    sel = selectors.DefaultSelector()
    buffers = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    for fd in buffers:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    exit_fd = os.pidfd_open(proc.pid)
    sel.register(exit_fd, selectors.EVENT_READ)
    pending = memoryview(stdin)
    in_fd = proc.stdin.fileno()
    if pending:
        os.set_blocking(in_fd, False)
        sel.register(in_fd, selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    killed_for = ""
    exited = False
    while not killed_for:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            killed_for = "timeout"
            break
        if memory_limit is not None:
            if over(memory_limit):
                killed_for = "memory"
                break
            remaining = min(remaining, MEMORY_POLL_S)
        for key, _ in sel.select(timeout=remaining):
            fd = int(key.fd)
            if fd == exit_fd:
                exited = True
            elif fd == in_fd:
                try:
                    pending = pending[os.write(in_fd, pending):]
                except BlockingIOError:
                    continue
                except BrokenPipeError:  # the job stopped reading stdin: not an error
                    pending = pending[len(pending):]
                if not pending:
                    sel.unregister(in_fd)
                    proc.stdin.close()
            else:
                _drain(fd, buffers[fd], sel, cap)
        if sum(len(b) for b in buffers.values()) > cap:
            killed_for = "output_limit"
        elif exited:
            for fd in list(buffers):  # what the job wrote before exiting; never wait on its children
                _drain(fd, buffers[fd], None, cap)
            if sum(len(b) for b in buffers.values()) > cap:
                killed_for = "output_limit"
            break
    if killed_for:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    sel.close()
    os.close(exit_fd)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if not stream.closed:
            stream.close()
    out, err = (bytes(b[:cap]) for b in buffers.values())
    return out, err, killed_for


def _drain(fd: int, buffer: bytearray, sel: selectors.BaseSelector | None, cap: int) -> bool:
    """Read what is there now, stopping just past ``cap``. False once the pipe is at EOF (and unregistered)."""
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return True
        except OSError:
            chunk = b""
        if not chunk:
            if sel is not None and fd in sel.get_map():
                sel.unregister(fd)
            return False
        buffer += chunk
        if len(buffer) > cap:  # enough to know the cap is passed; the caller kills the job
            return True


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    uid = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    # Our own channel, moved off 0/1 so that no child can ever inherit it by accident.
    chan_in, chan_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    for sig in IGNORED:
        signal.signal(sig, signal.SIG_IGN)
    undumpable = make_undumpable()
    problems = clean_up(root, None, uid)
    baseline = held_memory() if os.getpid() == 1 else None
    write_frame(chan_out, {"hello": 1, "pid": os.getpid(), "undumpable": undumpable, "uid": os.getuid(),
                           "job_uid": uid, "python": sys.version.split()[0], "clean": not problems,
                           "unclean": problems})
    while True:
        header = read_exact(chan_in, HEADER.size)
        if header is None:
            return  # the host went away: exit, and the container goes with us
        (length,) = HEADER.unpack(header)
        body = read_exact(chan_in, length) if length <= MAX_REQUEST_BYTES else None
        if body is None:
            return
        request = json.loads(body)
        try:
            reply = run_job(request, root, uid, baseline)
        except Exception as exc:  # a worker bug: reported, and the host replaces this worker
            reply = {"status": "infra_error", "detail": f"worker: {type(exc).__name__}: {exc}", "clean": False}
        reply["id"] = request.get("id")
        write_frame(chan_out, reply)


if __name__ == "__main__":
    main()
