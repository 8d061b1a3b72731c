"""Feed a process its stdin and collect its stdout and stderr under a byte cap and a deadline.

Used by the worker for every job and by the harness driver for each run of an io test.
Standard library only; runs inside the sandbox as a sibling script of ``worker.py``.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time
from typing import IO, Protocol

from limits import over

MEMORY_POLL_S = 0.01


class Process(Protocol):
    """What `pump` needs of a process: a `subprocess.Popen` or the worker's `Spawned`."""

    pid: int
    stdin: IO[bytes] | None
    stdout: IO[bytes] | None
    stderr: IO[bytes] | None


def pump(proc: Process, stdin: bytes, deadline: float, cap: int, memory_limit: int | None = None,
         pidfd: int | None = None) -> tuple[bytes, bytes, str]:
    """Feed stdin, read stdout/stderr under a byte cap until the job exits or the deadline;
    with ``memory_limit``, kill the job once the container holds more than that. ``pidfd``
    (the caller's) tells when the job exits; without it, one is opened on ``proc.pid`` (a child
    of ours, not yet waited for)."""
    assert proc.stdin and proc.stdout and proc.stderr
    sel = selectors.DefaultSelector()
    buffers = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    for fd in buffers:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    exit_fd = os.pidfd_open(proc.pid) if pidfd is None else pidfd
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
    if pidfd is None:
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
