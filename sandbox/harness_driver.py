"""The trusted test driver of a harness job (`rlvr.sandbox.harness`), started by the worker.

Runs in the sandbox, standard library only, from the read-only folder next to
``worker.py``. It is started as root (in a container: root with a few
capabilities, non-dumpable) and reads its tests from its own stdin pipe, so
they exist nowhere a candidate's process can reach: not on disk, not in its
environment, and the candidate (another uid) can neither read this process's
memory or descriptors nor signal it. Its stdout carries ONE frame, the result list
(`harness.RESULTS_MAGIC`, the body's length, the JSON body), written after the tests ran; while they
run, fd 1 and ``sys.stdout`` are its stderr, so nothing a test prints can pass for the verdict.

``argv``: ``kind job_dir job_uid cpu_s memory_bytes file_bytes fork_server_pid``.

* ``io``: each input is fed to a fresh ``python3 solution.py`` (the job's uid,
  its own time limit, stdout capped at ``output_cap`` bytes); results carry the
  output, compared on the host.
* ``assert``: the candidate's code is loaded in ``candidate_host.py`` (the job's
  uid); only the entry point and the names the tests use that are neither builtins
  nor bound by the spec's trusted ``helpers`` (run first in each test's namespace;
  what they bind at run time or publish in ``builtins`` counts) cross, as stubs for
  functions and copies for plain values. Each test runs in a fresh namespace with
  the real builtins. A test fails if any call into the candidate raised (whatever
  the test did with the exception), timed out, sent a malformed or oversized
  answer, or exited. Loading the candidate has its own time limit, each test its
  own; the tests left when the job's budget runs short fail unrun.

Limits: a name that a test itself (not its helpers) publishes in ``builtins`` while it
runs does not take precedence over a candidate's name of the same name.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback
import types
from typing import Any

from cleanup import kill_others
from forkserver import FRESH_VM, run_script, vm_size
from limits import PR_SET_DUMPABLE, PYTHON_FLAGS, confine, demote, make_undumpable, prctl
from plain_data import PlainDataError, decode, encode
from pump import pump
from source_names import free_names, loaded_and_bound

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_MAGIC = "rlvr-results"  # as `harness.RESULTS_MAGIC`
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
# An assert test is started only with this much of the job's budget left (`harness.DRIVER_MARGIN_S`);
# the rest fail unrun, and the result list of those that ran still goes out before the worker's kill.
MIN_TEST_S = 0.05
NOT_RUN = "not run: the job's time ran out (earlier tests hung)"


class _TestTimeout(BaseException):
    pass


class CandidateFailure(BaseException):
    pass


class SpecError(Exception):
    """The spec's helpers made the test unsound at run time: every candidate fails that test."""


class Driver:
    def __init__(self, job_dir: str, uid: int, cpu_s: int, memory: int, file_bytes: int, fork_server: int) -> None:
        self.job_dir, self.uid, self.fork_server = job_dir, uid, fork_server
        self.limits = (uid, cpu_s, memory, file_bytes)
        self.env = {**ENV, "HOME": job_dir, "TMPDIR": "/tmp" if uid else job_dir}

    def spawn(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, *PYTHON_FLAGS, *argv], cwd=self.job_dir, env=self.env,
                                close_fds=True, preexec_fn=lambda: demote(*self.limits), **kwargs)

    def kill_all(self, proc: subprocess.Popen[bytes] | Prefork) -> None:
        """Kill the candidate and everything it started (in a container: every process but PID 1,
        the fork server and this driver)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if self.uid:
            kill_others({self.fork_server})
        proc.wait()


def run_io(driver: Driver, spec: dict[str, Any]) -> list[dict[str, Any]]:
    results = []
    for stdin in spec["inputs"]:
        proc = driver.spawn(["solution.py"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        out, err, killed_for = pump(proc, stdin.encode(), time.monotonic() + spec["limit"], spec["output_cap"])
        driver.kill_all(proc)  # before reaping it: a solution ptraced by its own child is a zombie until the tracer dies
        code = proc.returncode
        status = killed_for or ("ok" if code == 0 else "error")
        results.append({"status": status, "exit_code": None if killed_for else code,
                        "stdout": out.decode("utf-8", "replace"), "stderr": err[-500:].decode("utf-8", "replace")})
    return results


class Prefork:
    """The first candidate process of an assert job, forked before the driver reads its tests (so it
    holds none of them): told the names the tests want, it becomes the job's uid and runs
    ``candidate_host.py`` in-process, sparing the start of a fresh interpreter. A host restarted
    after a timeout is a fresh ``python3`` (`Driver.spawn`)."""

    def __init__(self, driver: Driver) -> None:
        self.requests, self.answers = os.pipe(), os.pipe()
        go_r, self.go = os.pipe()
        extra_vm = max(0, vm_size() - FRESH_VM)  # the room a fresh interpreter would have
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.go)
            self._become(driver, go_r, extra_vm)
        os.close(go_r)
        os.close(self.requests[0])
        os.close(self.answers[1])

    def _become(self, driver: Driver, go: int, extra_vm: int) -> None:
        try:
            names = b""
            while chunk := os.read(go, 1 << 16):
                names += chunk
            if not names:  # never needed
                os._exit(0)
            devnull = os.open(os.devnull, os.O_RDWR)
            for target in (0, 1, 2):  # fd 0 was the driver's: the tests not read yet
                os.dup2(devnull, target)
            keep = sorted((self.requests[0], self.answers[1]))
            os.closerange(3, keep[0])
            os.closerange(keep[0] + 1, keep[1])
            os.closerange(keep[1] + 1, 1 << 20)
            uid, cpu_s, memory, file_bytes = driver.limits
            confine(uid, cpu_s, memory + extra_vm, file_bytes)
            prctl(PR_SET_DUMPABLE, 1)
            os.environ.clear()
            os.environ.update(driver.env)
        except BaseException:
            os._exit(126)
        run_script([os.path.join(HERE, "candidate_host.py"), str(self.requests[0]), str(self.answers[1]),
                    names.decode()], fresh=True)

    def start(self, names: list[str]) -> tuple[int, int]:
        """Let it run with ``names``; the driver's ends of its request and answer pipes."""
        data = json.dumps(names).encode()
        while data:
            data = data[os.write(self.go, data):]
        os.close(self.go)
        return self.requests[1], self.answers[0]

    def wait(self) -> int:
        return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])


class Host:
    """The candidate's process (``candidate_host.py``): loads solution.py, then answers calls.
    ``names`` (what it is asked for) are set at its first start and kept for restarts."""

    def __init__(self, driver: Driver, answer_cap: int, prefork: Prefork | None) -> None:
        self.driver, self.cap, self.prefork = driver, answer_cap, prefork
        self.names: list[str] | None = None
        self.proc: subprocess.Popen[bytes] | Prefork | None = None
        self.callables: list[str] = []
        self.values: dict[str, Any] = {}
        self.load_error: str | None = None
        self.failure: str | None = None  # why the current test fails, set by any bad call
        self.status = "failed"

    def start(self) -> None:
        if self.prefork is not None:
            self.proc, self.prefork = self.prefork, None
            w1, r2 = self.proc.start(self.names or [])
        else:
            r1, w1 = os.pipe()
            r2, w2 = os.pipe()
            self.proc = self.driver.spawn([os.path.join(HERE, "candidate_host.py"), str(r1), str(w2),
                                           json.dumps(self.names or [])],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, pass_fds=(r1, w2))
            os.close(r1)
            os.close(w2)
        self.w, self.r = os.fdopen(w1, "wb"), os.fdopen(r2, "rb")
        hello = self.receive()
        self.load_error = hello.get("error")
        names = self.names or []
        self.callables = [str(n) for n in hello.get("callables", []) if n in names]
        self.values = {str(k): v for k, v in dict(hello.get("values", {})).items() if k in names}

    def stop(self) -> None:
        """Kill the candidate's processes and drop the pipes. Never raises: closing a writer whose
        reader is gone flushes what a failed call left buffered (BrokenPipeError), and the
        verdicts of the tests that ran must still go out."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        self.driver.kill_all(proc)
        for pipe in (self.w, self.r):
            with contextlib.suppress(OSError):
                pipe.close()

    def fail(self, why: str, status: str = "failed") -> CandidateFailure:
        if self.failure is None:
            self.failure, self.status = why, status
        return CandidateFailure(why)

    def receive(self) -> dict[str, Any]:
        line = self.r.readline(self.cap + 1)
        if len(line) > self.cap:
            raise self.fail(f"the solution's answer passed {self.cap} bytes", "output_limit")
        if not line.endswith(b"\n"):
            raise self.fail("the solution process exited")
        try:  # the candidate writes these bytes: whatever the parse raises (a RecursionError for
            # 200,000 '[') is the candidate's failure, never an exception the test could catch
            message = json.loads(line)
        except (ValueError, RecursionError, MemoryError):
            raise self.fail("malformed answer from the solution process") from None
        if not isinstance(message, dict):
            raise self.fail("malformed answer from the solution process")
        return message

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.proc is None:
            raise self.fail("the solution process is gone")
        try:
            request = json.dumps({"call": name, "args": encode(list(args)), "kwargs": encode(dict(kwargs))})
        except PlainDataError as exc:
            raise self.fail(f"a test passed an argument that is not plain data: {exc}") from None
        try:
            self.w.write(request.encode() + b"\n")
            self.w.flush()
        except OSError:
            raise self.fail("the solution process exited") from None
        answer = self.receive()
        if "value" in answer:
            try:
                return decode(answer["value"])
            except Exception as exc:  # the candidate wrote these bytes: any decode failure (KeyError,
                # OverflowError, ...) is its own, never an exception the test could catch
                raise self.fail(f"bad answer: {type(exc).__name__}: {exc}"[:500]) from None
        if "raised" in answer:
            raise self.fail(f"the solution raised {str(answer['raised'])[:100]}: {str(answer.get('message'))[:400]}")
        raise self.fail(str(answer.get("bad", "malformed answer"))[:500])


class Remote:
    def __init__(self, host: Host, name: str) -> None:
        self.host, self.__name__ = host, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.host.call(self.__name__, args, kwargs)


def trusted_names(namespace: dict[str, Any], entry: set[str]) -> set[str]:
    """What a test run in ``namespace`` (after the helpers ran in it) resolves without the candidate:
    the namespace's own names, its ``__builtins__`` and the builtins module, where helpers can
    publish a name (``builtins.EPS = ...``, ``setattr(builtins, ...)``: it stays there for the
    later tests of the job, trusted in all of them).

    Raises SpecError when the helpers made the entry point something other than the candidate's
    (published it as a builtin) or replaced ``__builtins__`` with what cannot be listed."""
    table = namespace.get("__builtins__")
    if isinstance(table, types.ModuleType):
        table = vars(table)
    if type(table) is not dict:
        raise SpecError(f"the helpers replaced __builtins__ with a {type(table).__name__}")
    published = set(table) | set(vars(builtins))
    if entry & published:
        raise SpecError(f"the helpers publish the entry point {sorted(entry)[0]!r} as a builtin: the tests "
                        "would not call the candidate's")
    return set(namespace) | published


def _arm(seconds: float, deadline: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(0.001, min(seconds, deadline - time.monotonic())))


def _disarm() -> float:
    """Stop the timer; the seconds it had left."""
    return signal.setitimer(signal.ITIMER_REAL, 0)[0]


def run_asserts(driver: Driver, spec: dict[str, Any], prefork: Prefork | None,
                deadline: float) -> list[dict[str, Any]]:
    helpers = spec.get("helpers") or ""
    entry = {spec["entry_point"]} if spec.get("entry_point") else set()
    # What the tests read and never bind; builtins now (before any helper ran) excepted. Names the
    # helpers bind, in their source or at run time, are taken off at the host's first start.
    wanted = free_names(spec["tests"]) - (loaded_and_bound([helpers])[1] if helpers else set())
    host = Host(driver, spec["answer_cap"], prefork)

    def alarm(signum: int, frame: Any) -> None:
        host.fail("time limit")  # recorded first: a test that catches the exception still fails
        raise _TestTimeout()

    signal.signal(signal.SIGALRM, alarm)
    results = []
    for source in spec["tests"]:
        host.failure, host.status = None, "failed"
        if deadline - time.monotonic() < MIN_TEST_S:
            results.append({"passed": False, "status": "failed", "error": NOT_RUN})
            continue
        error = None
        try:
            # The test's time (the helpers' too); the first load shares the first test's, as the job's
            # timeout funds one load.
            _arm(spec["limit"] + (spec["load_limit"] if host.names is None else 0), deadline)
            namespace: dict[str, Any] = {"__name__": "__test__", "__builtins__": builtins}
            if helpers:  # trusted (HumanEval: the prompt); then the candidate's names, which exclude its
                exec(compile(helpers, "helpers.py", "exec"), namespace)
            # The entry point is the candidate's alone: a helper's stub of it goes, so a candidate
            # without one fails. Whatever else the helpers bound, at run time too, is trusted.
            for name in entry:
                namespace.pop(name, None)
            trusted_now = trusted_names(namespace, entry)
            if host.names is None:
                host.names = sorted((wanted - trusted_now) | entry)
                host.start()
            elif host.proc is None:  # a reload after a hang has its own time: this test keeps its limit
                left = _disarm()
                _arm(spec["load_limit"], deadline)
                host.start()
                _disarm()
                _arm(left, deadline)
            if host.load_error is not None:
                error = "solution did not load: " + str(host.load_error)[-500:]
            else:
                for name, tree in host.values.items():
                    if name not in trusted_now:
                        with contextlib.suppress(PlainDataError, RecursionError, ValueError):
                            namespace[name] = decode(tree)
                namespace.update({name: Remote(host, name) for name in host.callables if name not in trusted_now})
                exec(compile(source, "test.py", "exec"), namespace)
        except _TestTimeout:
            pass
        except BaseException as e:
            error = "".join(traceback.format_exception_only(type(e), e))[-500:]
        finally:
            _disarm()
        if host.failure == "time limit" or host.status == "output_limit":
            host.stop()  # stuck mid-call, or mid-answer: the next test gets a fresh solution process
        why = host.failure or error
        results.append({"passed": why is None, "status": "ok" if why is None else host.status,
                        **({"error": why} if why else {})})
    host.stop()
    return results


def main() -> None:
    started = time.monotonic()
    sys.set_int_max_str_digits(0)
    make_undumpable()  # first, before any candidate process exists
    kind, job_dir, uid, cpu_s, memory, file_bytes, fork_server = sys.argv[1:8]
    driver = Driver(job_dir, int(uid), int(cpu_s), int(memory), int(file_bytes), int(fork_server))
    prefork = Prefork(driver) if kind == "assert" else None  # before the tests exist in this process
    spec = json.loads(sys.stdin.buffer.read())
    out = os.dup(1)
    os.dup2(2, 1)  # what the tests print goes to stderr: the verdict's fd is written once, below
    results = run_io(driver, spec) if kind == "io" else run_asserts(driver, spec, prefork, started + spec["budget"])
    body = json.dumps(results)
    data = f"{RESULTS_MAGIC} {len(body)}\n{body}".encode()
    while data:
        data = data[os.write(out, data):]


if __name__ == "__main__":
    main()
