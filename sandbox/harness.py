"""Test harnesses: run a candidate program against many tests in ONE sandbox job.

Two kinds of test:

* stdin/stdout (`io_job`): a driver runs ``solution.py`` once per input, as its
  own process with its own time limit, stdout to a file capped by the job's
  file-size limit. Only the inputs enter the sandbox; the expected outputs stay
  on the host and are compared there (`outputs_match`), so no candidate can
  learn or forge them.
* assert-style (`assert_job`): the test statements (``assert f(2) == 4``, or
  HumanEval's ``check(candidate)``) run in a trusted driver process under a
  per-test timer. The candidate's code never runs there: it is loaded in a
  separate process (``host.py``); every top-level function it defines is a
  stub in the tests' namespace, and every top-level plain-data value is copied
  there as it stood after loading. A stub sends the call's arguments over a pipe and
  gets back the return value, or the name of the exception raised. Both cross
  as plain data (``plain_data``: exact builtin types, rebuilt in the driver), so
  the comparisons happen on values the candidate cannot rig (an object whose
  ``__eq__`` is always True cannot cross). All the candidate controls is what
  its functions return.

Both drivers print one result line, prefixed by a random nonce the host sends on
the job's stdin. The nonce lives only in the driver: it reads it before any
candidate code starts, makes itself non-dumpable (a process of the same uid can
then neither read its memory nor open its file descriptors through ``/proc``),
and imports nothing from the writable job folder afterwards. A candidate that
exits early, prints fake results, kills the driver or reads its own files
cannot fake a pass.

Limits: a test may pass only plain data to the candidate's functions and get
only plain data back, so tests that exchange callables, generators or class
instances with the candidate fail (HumanEval's do not). Exceptions raised by
the candidate are re-raised in the tests as the builtin type of the same name
(any other type as ``CandidateError``), with the message only. The per-test
timer kills a stuck solution process and the next test starts a fresh one.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from .types import ExecResult, Job

_PLAIN_DATA_SOURCE = (Path(__file__).parent / "plain_data.py").read_text()

_IO_DRIVER = r'''
import json, os, subprocess, sys
del sys.path[0]  # the job folder is writable by the candidate: nothing is imported from it
nonce = sys.stdin.readline().strip()
try:  # non-dumpable: the candidate (same uid) cannot read this process's memory or open its fds
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
except Exception:
    pass
tests = json.load(open("tests.json"))
out = os.dup(1)
results = []
for i, (stdin, limit) in enumerate(tests):
    with open("in.txt", "w") as f:
        f.write(stdin)
    try:
        with open("in.txt") as fin, open("out.txt", "wb") as fout, open("err.txt", "wb") as ferr:
            code = subprocess.run([sys.executable, "-E", "-s", "solution.py"], stdin=fin, stdout=fout,
                                  stderr=ferr, timeout=limit, close_fds=True).returncode
        status = "ok" if code == 0 else "error"
    except subprocess.TimeoutExpired:
        status, code = "timeout", None
    except OSError as e:
        status, code = "error", None
    with open("out.txt", "rb") as f:
        stdout = f.read(CAP).decode("utf-8", "replace")
    with open("err.txt", "rb") as f:
        stderr = f.read()[-500:].decode("utf-8", "replace")
    results.append({"status": status, "exit_code": code, "stdout": stdout, "stderr": stderr})
os.write(out, ("\n" + nonce + json.dumps(results) + "\n").encode())
'''

_ASSERT_DRIVER = r"""
import builtins, json, os, signal, subprocess, sys, traceback
from plain import PlainDataError, decode, encode
del sys.path[0]  # the job folder is writable by the candidate: nothing is imported from it from now on
nonce = sys.stdin.readline().strip()
try:  # non-dumpable: the candidate (same uid) cannot read this process's memory or open its fds
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
except Exception:
    pass
out = os.dup(1)
spec = json.load(open("tests.json"))
LINE_CAP = CAP


class _TestTimeout(BaseException):
    pass


class CandidateError(Exception):
    pass


def _alarm(signum, frame):
    raise _TestTimeout()


signal.signal(signal.SIGALRM, _alarm)
_BUILTIN_ERRORS = {name: obj for name, obj in vars(builtins).items()
                   if isinstance(obj, type) and issubclass(obj, Exception)}


class Host:
    # the candidate's process: loads solution.py, then answers calls; all it sends is plain data
    def __init__(self):
        self.proc, self.names, self.values, self.load_error = None, [], {}, None

    def start(self):
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        with open("candidate_stderr.txt", "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-E", "-s", "host.py", str(r1), str(w2)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                         pass_fds=(r1, w2), close_fds=True)
        os.close(r1)
        os.close(w2)
        self.w, self.r = os.fdopen(w1, "wb"), os.fdopen(r2, "rb")
        hello = self.receive()
        self.load_error = hello.get("error")
        self.names = [str(n) for n in hello.get("callables", [])]
        self.values = {}
        for name, tree in dict(hello.get("values", {})).items():
            try:
                self.values[str(name)] = decode(tree)
            except (PlainDataError, RecursionError, ValueError):
                pass

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.w.close()
            self.r.close()
            self.proc = None

    def receive(self):
        line = self.r.readline(LINE_CAP)
        if not line.endswith(b"\n"):
            raise CandidateError("the solution process exited or sent an oversized answer")
        try:
            message = json.loads(line)
        except ValueError:
            raise CandidateError("malformed answer from the solution process") from None
        if not isinstance(message, dict):
            raise CandidateError("malformed answer from the solution process")
        return message

    def call(self, name, args, kwargs):
        if self.proc is None:
            raise CandidateError("the solution process is gone")
        try:
            request = json.dumps({"call": name, "args": encode(list(args)), "kwargs": encode(dict(kwargs))})
        except PlainDataError as exc:
            raise CandidateError("a test passed an argument that is not plain data: %s" % exc) from None
        try:
            self.w.write(request.encode() + b"\n")
            self.w.flush()
        except OSError:
            raise CandidateError("the solution process exited") from None
        answer = self.receive()
        if "value" in answer:
            try:
                return decode(answer["value"])
            except (PlainDataError, RecursionError, ValueError) as exc:
                raise CandidateError("bad answer: %s" % exc) from None
        if "raised" in answer:
            kind = _BUILTIN_ERRORS.get(str(answer["raised"]), CandidateError)
            raise kind(str(answer.get("message", ""))[:500])
        raise CandidateError(str(answer.get("bad", "malformed answer"))[:500])


class Remote:
    def __init__(self, host, name):
        self.host, self.__name__ = host, name

    def __call__(self, *args, **kwargs):
        return self.host.call(self.__name__, args, kwargs)


host = Host()
namespace = {"__name__": "__test__"}
results = []


def run(source, limit):
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        if host.proc is None:
            host.start()
            namespace.update(host.values)  # plain globals as they were after loading
            namespace.update({name: Remote(host, name) for name in host.names})
        if host.load_error is not None:
            return {"passed": False, "error": "solution did not load: " + str(host.load_error)[-500:]}
        exec(compile(source, "test.py", "exec"), namespace)
        return {"passed": True}
    except _TestTimeout:
        host.stop()  # stuck mid-call: the next test gets a fresh solution process
        return {"passed": False, "error": "time limit"}
    except BaseException as e:
        return {"passed": False, "error": "".join(traceback.format_exception_only(type(e), e))[-500:]}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


for source in spec["tests"]:
    results.append(run(source, spec["limit"] + (spec["load_limit"] if host.proc is None else 0)))
host.stop()
os.write(out, ("\n" + nonce + json.dumps(results) + "\n").encode())
"""

_CANDIDATE_HOST = r"""
import json, os, sys, traceback
from plain import PlainDataError, decode, encode
requests, answers = os.fdopen(int(sys.argv[1]), "rb"), os.fdopen(int(sys.argv[2]), "wb")


def send(message):
    answers.write(json.dumps(message).encode() + b"\n")
    answers.flush()


namespace = {"__name__": "__candidate__"}
try:
    exec(compile(open("solution.py").read(), "solution.py", "exec"), namespace)
except BaseException as e:
    send({"error": "".join(traceback.format_exception_only(type(e), e))[-500:]})
    sys.exit(0)
callables, values = [], {}
for k, v in list(namespace.items()):
    if k.startswith("__") or type(v).__name__ == "module":
        continue
    if callable(v):
        callables.append(k)
        continue
    try:
        values[k] = encode(v)
    except (PlainDataError, RecursionError, ValueError):
        pass  # not plain data: the tests cannot see it
send({"callables": callables, "values": values})
for line in requests:
    try:
        request = json.loads(line)
        value = namespace[request["call"]](*decode(request["args"]), **decode(request["kwargs"]))
    except BaseException as e:
        send({"raised": type(e).__name__, "message": str(e)[:500]})
        continue
    try:
        send({"value": encode(value)})
    except (PlainDataError, RecursionError, ValueError) as e:
        send({"bad": "returned %s" % e})
"""


def io_job(code: str, inputs: list[str], *, time_limit_s: float, memory_mb: int,
           output_cap: int = 1 << 16) -> tuple[Job, str]:
    """One job running ``code`` on every input. Returns the job and the nonce to read its results with."""
    nonce = secrets.token_hex(16)
    job = Job(code=_IO_DRIVER.replace("CAP", str(output_cap)), stdin=nonce + "\n",
              files={"solution.py": code, "tests.json": json.dumps([[i, time_limit_s] for i in inputs])},
              timeout_s=min(600.0, 2.0 + len(inputs) * (time_limit_s + 0.5)), memory_mb=memory_mb)
    return job, nonce


def assert_job(code: str, tests: list[str], *, time_limit_s: float, memory_mb: int,
               output_cap: int = 1 << 20) -> tuple[Job, str]:
    """One job that runs each test statement in a trusted driver, against the candidate's
    functions served from a separate process (see the module docstring)."""
    nonce = secrets.token_hex(16)
    payload = {"tests": tests, "limit": time_limit_s, "load_limit": time_limit_s}
    job = Job(code=_ASSERT_DRIVER.replace("CAP", str(output_cap)), stdin=nonce + "\n",
              files={"solution.py": code, "tests.json": json.dumps(payload), "host.py": _CANDIDATE_HOST,
                     "plain.py": _PLAIN_DATA_SOURCE},
              timeout_s=min(600.0, 2.0 + (len(tests) + 1) * time_limit_s), memory_mb=memory_mb)
    return job, nonce


def read_results(result: ExecResult, nonce: str) -> list[dict[str, Any]] | None:
    """The harness's result list, or None when the job never wrote one (killed, crashed, exited early)."""
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(nonce):
            try:
                parsed = json.loads(line[len(nonce):])
            except ValueError:
                return None
            return parsed if isinstance(parsed, list) else None
    return None


def normalise_output(text: str) -> str:
    """Trailing spaces on each line and blank lines at the ends do not count."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def outputs_match(got: str, expected: str) -> bool:
    return normalise_output(got) == normalise_output(expected)
