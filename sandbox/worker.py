"""The sandbox worker: PID 1 of each container, one fresh subprocess per job.

Standard library only: it runs under the image's ``python3``, bind-mounted
read-only. It talks to the host over its own stdin/stdout (the container's
attach streams), in frames of a 4-byte big-endian length then UTF-8 JSON. A
job never gets those descriptors: it gets fresh pipes, its output travels
inside the reply as data, so nothing it prints can pass for a verdict. The
worker is non-dumpable, so a job running under the same uid cannot open
``/proc/1/fd/1`` or read its memory.

Per job: a fresh process group (``setsid``) with rlimits on CPU time, address
space, file size, open files and core dumps; a wall-clock deadline; a byte cap
on stdout + stderr. After every job, every other process in the container is
SIGKILLed (``kill(-1)`` from PID 1 spares only PID 1) and reaped, and the work
dir and ``/dev/shm`` are emptied, so no job sees what the previous one left.

Outside a container (``ProcessSandbox``) the worker is not PID 1: it only kills
the job's process group, and a job that ``setsid``s away survives it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import time
from typing import Any

HEADER = struct.Struct(">I")
MAX_REQUEST_BYTES = 64 << 20
PR_SET_DUMPABLE = 4


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
    body = json.dumps(message).encode()
    data = HEADER.pack(len(body)) + body
    while data:
        data = data[os.write(fd, data):]


def _limits(cpu_s: int, memory_bytes: int, file_bytes: int) -> None:
    """Runs in the child between fork and exec."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _empty_dir(path: str) -> None:
    def force(func: Any, target: str, _exc: Any) -> None:
        try:  # a job may have left a read-only or unreadable dir
            os.chmod(os.path.dirname(target) or target, 0o700)
            os.chmod(target, 0o700)
            func(target)
        except OSError:
            pass

    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        target = os.path.join(path, name)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target, onerror=force)
        else:
            with contextlib.suppress(OSError):
                os.unlink(target)


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


def _status(returncode: int, killed_for: str, stderr: bytes) -> tuple[str, str]:
    if killed_for:
        return killed_for, {"timeout": "wall-clock limit", "output_limit": "stdout+stderr byte cap"}[killed_for]
    if returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return "timeout", "CPU-time limit"
    if returncode != 0 and b"MemoryError" in stderr[-4096:]:
        return "memory", "MemoryError (address-space limit)"
    if returncode == -signal.SIGKILL:
        return "memory", "killed by SIGKILL (the OOM killer)"
    if returncode < 0:
        return "error", f"killed by signal {signal.Signals(-returncode).name}"
    return "ok", ""


def _write_files(job_dir: str, files: dict[str, str]) -> str:
    """Write the job's files; a message saying why not, or "" when all were written."""
    for name, text in files.items():
        path = os.path.normpath(os.path.join(job_dir, name))
        if not path.startswith(job_dir + os.sep):
            return f"file name outside the work dir: {name!r}"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            return f"could not write {name!r}: {exc}"
    return ""


def run_job(request: dict[str, Any], root: str) -> dict[str, Any]:
    """Run one job and describe how it ended. Never raises for anything the job does."""
    job_dir = os.path.join(root, "job")
    problem = _write_files(job_dir, {**request.get("files", {}), "main.py": request["code"]})
    if problem:
        _empty_dir(root)
        return {"status": "error", "detail": problem, "clean": True}
    timeout_s = float(request["timeout_s"])
    cap = int(request["output_limit"])
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": job_dir, "TMPDIR": root,
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-E", "-s", "main.py"], cwd=job_dir, env=env, close_fds=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=lambda: _limits(math.ceil(timeout_s) + 1, int(request["memory_mb"]) << 20,
                                       int(request["file_size_mb"]) << 20),
        )
    except OSError as exc:
        return {"status": "error", "detail": f"could not start: {exc}"}
    out, err, killed_for = _pump(proc, request.get("stdin", "").encode(), start + timeout_s, cap)
    returncode = proc.wait()
    duration = time.monotonic() - start
    status, detail = _status(returncode, killed_for, err)
    clean = sweep(proc.pid)
    _empty_dir(root)
    if os.getpid() == 1:
        _empty_dir("/dev/shm")
    return {"status": status, "detail": detail, "exit_code": None if killed_for else returncode,
            "stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace"),
            "duration_s": round(duration, 6), "clean": clean}


def _pump(proc: subprocess.Popen[bytes], stdin: bytes, deadline: float, cap: int) -> tuple[bytes, bytes, str]:
    """Feed stdin, read stdout/stderr under a byte cap until the job exits or the deadline."""
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
    # Our own channel, moved off 0/1 so that no child can ever inherit it by accident.
    chan_in, chan_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    undumpable = make_undumpable()
    write_frame(chan_out, {"hello": 1, "pid": os.getpid(), "undumpable": undumpable,
                           "python": sys.version.split()[0]})
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
            reply = run_job(request, root)
        except Exception as exc:  # a worker bug: reported, and the host replaces this worker
            reply = {"status": "infra_error", "detail": f"worker: {type(exc).__name__}: {exc}", "clean": False}
        reply["id"] = request.get("id")
        write_frame(chan_out, reply)


if __name__ == "__main__":
    main()
