"""The fork server: one pristine interpreter per worker that forks every job's process.

A fresh ``python3`` costs a job ~10 ms of CPU before its first line runs (interpreter
start-up, the start-up imports, and for a harness driver compiling this folder's modules,
which have no ``__pycache__`` in the read-only mount); a fork of an interpreter that has
done all that once costs well under 1 ms. The fork server is that interpreter. The worker
starts it before any job; it runs as the worker's user (root in a container, so a job,
another uid, can neither signal, trace nor read it) and it never holds anything of a job:
per job it gets only three pipe ends and the limits over a socket pair, never the job's
code, input or tests. Its children start as copies of a process that has seen no job.

One job at a time: it forks the job's process, sends its pid and a pidfd (opened before the
process can be reaped, so the worker never watches a recycled pid), waits for it and sends its
exit status. A job can make more children of ours (``clone(CLONE_PARENT)``): on SIGCHLD we reap
every child but the job's own, or their zombies would outlive the worker's clean-up sweep
(which spares us) and stall it. The process turns itself into what ``python3 -E -s -X
int_max_str_digits=0 <script>`` would be: the job's session, limits, uid (and dumpable
again, as after an ``exec``), environment and cwd; ``sys.argv``, ``sys.path[0]`` and a fresh
``__main__`` for the script; for an untrusted job, none of this folder's modules in
``sys.modules`` (a trusted harness driver keeps them preloaded). It writes
its pid back once set up, so a set-up failure is the worker's to report, never the job's.

Limits (how a job differs from one in a fresh interpreter): the modules imported here stay
imported (``socket``, ``ctypes``, ``json``, ``ast``, ``subprocess``...; a job gets them for
free); the ``str`` hash seed is this process's, the same for every job of one worker; the
address-space limit is raised by what this process's own imports mapped, so a job has the
same room as in a fresh interpreter; an uncaught ``KeyboardInterrupt`` exits with status 1;
at exit objects are not torn down (see `_exit`).
"""

from __future__ import annotations

import os
import sys


def vm_size() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) << 10
    return 0


FRESH_VM = vm_size()  # before the imports below: what a fresh interpreter maps

import ast  # noqa: E402,F401 -- preloaded for the harness driver, which is forked from here
import atexit  # noqa: E402
import builtins  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import traceback  # noqa: E402,F401 -- preloaded for the harness driver
from collections.abc import Iterable  # noqa: E402
from importlib.machinery import SourceFileLoader  # noqa: E402

import cleanup  # noqa: E402,F401 -- preloaded for the harness driver
import plain_data  # noqa: E402,F401 -- preloaded for the harness driver
import pump  # noqa: E402,F401 -- preloaded for the harness driver
from limits import PR_SET_DUMPABLE, PYTHON_FLAGS, confine, prctl, reset_signals, trust  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PID = struct.Struct("i")
SPAWN_TIMEOUT_S = 10.0


class ForkServerError(RuntimeError):
    """The fork server is gone or could not start a process."""


class ForkServer:
    """The worker's end: starts the fork server and asks it for processes."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen([sys.executable, *PYTHON_FLAGS, os.path.abspath(__file__), str(theirs.fileno())],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, close_fds=True,
                                     pass_fds=(theirs.fileno(),), preexec_fn=reset_signals)
        theirs.close()
        ours.settimeout(SPAWN_TIMEOUT_S)
        self.sock = ours
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, argv: list[str], *, cwd: str, env: dict[str, str], fds: tuple[int, int, int],
              uid: int | None, cpu_s: int = 0, memory: int = 0, file_bytes: int = 0) -> tuple[int, int]:
        """Start ``argv[0]`` as a Python script with ``fds`` as its stdin, stdout, stderr; its pid and a
        pidfd (ours to close) that becomes readable when it exits.

        ``uid`` None: a trusted harness driver (root, `trust`); else an untrusted job (`confine`)."""
        request = {"argv": argv, "cwd": cwd, "env": env, "uid": uid, "cpu_s": cpu_s, "memory": memory,
                   "file_bytes": file_bytes}
        try:
            socket.send_fds(self.sock, [json.dumps(request).encode()], list(fds))
            reply, pidfds, _, _ = socket.recv_fds(self.sock, 64, 1)
        except OSError as exc:
            raise ForkServerError(f"fork server: {exc}") from exc
        if len(reply) != PID.size or PID.unpack(reply)[0] <= 0 or len(pidfds) != 1:
            for fd in pidfds:
                os.close(fd)
            raise ForkServerError(f"fork server could not start {argv[0]} ({reply!r})")
        return int(PID.unpack(reply)[0]), pidfds[0]

    def wait(self) -> int:
        """The exit status of the process last spawned (as `subprocess.Popen.returncode`), once it exits."""
        try:
            reply = self.sock.recv(64)
        except OSError as exc:
            raise ForkServerError(f"fork server: {exc}") from exc
        if len(reply) != PID.size:
            raise ForkServerError(f"fork server sent no exit status ({reply!r})")
        return int(PID.unpack(reply)[0])


def run_script(argv: list[str], fresh: bool) -> None:
    """Run ``argv[0]`` as ``__main__`` the way ``python3 <script>`` does, then exit the process."""
    path = os.path.abspath(argv[0])
    if getattr(sys.modules.get("__main__"), "__file__", None) == os.path.abspath(__file__):
        sys.modules["forkserver"] = sys.modules["__main__"]  # the fork server's own module, for a driver
    if fresh:
        for name, module in list(sys.modules.items()):
            if os.path.dirname(getattr(module, "__file__", None) or "") == HERE:
                del sys.modules[name]
    sys.argv = list(argv)
    sys.orig_argv = [sys.executable, *PYTHON_FLAGS, *argv]
    sys.path[0] = os.path.dirname(path)
    main = type(sys)("__main__")
    main.__dict__.update({"__file__": path, "__cached__": None, "__builtins__": builtins, "__annotations__": {},
                          "__loader__": SourceFileLoader("__main__", path)})
    sys.modules["__main__"] = main
    status = 0
    try:
        with open(path, "rb") as f:
            code = compile(f.read(), path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as e:
        status = _exit_status(e)
    except BaseException as e:  # what the interpreter does with an uncaught exception, minus our frame
        tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
        e = e.with_traceback(None if isinstance(e, SyntaxError) else tb)
        sys.excepthook(type(e), e, e.__traceback__)
        status = 1
    _exit(status, main.__dict__.values())


def _exit_status(e: SystemExit) -> int:
    """The exit status ``raise SystemExit(code)`` gives a script (printing a non-integer code)."""
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code & 0xFF
    with contextlib.suppress(Exception):
        print(e.code, file=sys.stderr)
    return 1


def _exit(status: int, script_globals: Iterable[object]) -> None:
    """Leave like the interpreter does, minus tearing down its objects: that would write to every
    page this process shares with the fork server, a copy costing more than a fresh interpreter.

    Waits for non-daemon threads, runs ``atexit`` functions, flushes the standard streams and any
    file object the script holds in a global (what an interpreter's teardown would flush that the
    job's output could depend on); a stdout that cannot be flushed gives status 120, as it does in
    the interpreter. Limit: ``__del__`` methods and files held anywhere else are not finalized.
    """
    with contextlib.suppress(BaseException):
        threading = sys.modules.get("threading")
        if threading is not None:
            threading._shutdown()  # what Py_Finalize calls first
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    files = [value for value in script_globals if isinstance(value, io.IOBase)]
    for stream in (*files, sys.stderr, sys.stdout):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except BaseException:
            if stream is sys.stdout and status == 0:
                status = 120
    os._exit(status)


def _become(request: dict, fds: list[int], ready: int, extra_vm: int) -> None:
    """In the job's process: take its descriptors, session, limits, uid, cwd and environment."""
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, ready)
        os.closerange(ready + 1, 1 << 20)
        if request["uid"] is None:
            trust(request["memory"] + extra_vm)
        else:
            confine(request["uid"], request["cpu_s"], request["memory"] + extra_vm, request["file_bytes"])
            prctl(PR_SET_DUMPABLE, 1)  # as after an exec: the job may read its own /proc entries
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.write(ready, PID.pack(os.getpid()))
        os.close(ready)
    except BaseException:
        os._exit(126)  # no ready byte: the worker reports that it could not start the job
    run_script(request["argv"], fresh=request["uid"] is not None)


_job_pid = 0  # the job's own process: reaped by `serve`, after its pidfd is open


def _reap_strays(signum: int, frame: object) -> None:
    """Reap (zombie) children that are not the job's process: ones a job made ours with CLONE_PARENT."""
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as f:
            children = [int(p) for p in f.read().split()]
    except OSError:
        return
    for child in children:
        if child != _job_pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, os.WNOHANG)


def serve(sock: socket.socket) -> None:
    """Fork a process per request until the worker closes its end; send its pid, then its exit status."""
    global _job_pid
    signal.signal(signal.SIGCHLD, _reap_strays)
    extra_vm = max(0, vm_size() - FRESH_VM)
    prctl(PR_SET_DUMPABLE, 1)  # loads libc for our children (we are dumpable anyway: a fresh process)
    gc.freeze()  # a job's garbage collections never visit (and so never copy) the objects it shares with us
    while True:
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        if not data:
            return
        request = json.loads(data)
        r, w = os.pipe()
        # SIGCHLD waits until `_job_pid` names the new process: a loaded machine can deschedule us
        # between `fork` and that assignment long enough for a short job to run to its end, and
        # `_reap_strays` would then reap it as a stray before we open its pidfd (we died of it).
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            pid = _job_pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            sock.close()
            os.close(r)
            _become(request, fds, w, extra_vm)  # never returns: it ends in os._exit
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for fd in (*fds, w):
            os.close(fd)
        ready = b""
        while pid > 0 and (chunk := os.read(r, 16)):  # the job's pid, once it is set up; none if that failed
            ready += chunk
        os.close(r)
        if len(ready) != PID.size:
            if pid > 0:
                os.waitpid(pid, 0)
            sock.send(PID.pack(-1))
            continue
        pidfd = os.pidfd_open(pid)  # before we reap it: the worker watches it by this, never by its pid
        socket.send_fds(sock, [ready], [pidfd])
        os.close(pidfd)
        sock.send(PID.pack(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])))


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
