"""Test harnesses: run a candidate program against many tests in ONE sandbox job.

Two kinds of test:

* stdin/stdout (`io_job`): a driver runs ``solution.py`` once per input, as its
  own process with its own time limit, stdout to a file capped by the job's
  file-size limit. Only the inputs enter the sandbox; the expected outputs stay
  on the host and are compared there (`outputs_match`), so no candidate can
  learn or forge them.
* assert-style (`assert_job`): the candidate's source is executed, then each
  test (a statement such as ``assert f(2) == 4``, or HumanEval's
  ``check(candidate)``) runs in the same interpreter under a per-test timer.

Both print one result line, prefixed by a random nonce the host sends on the
job's stdin and that is read before the candidate runs, so a candidate that
exits early, prints fake results, or reads its own files cannot fake a pass.

Given the function under test (``entry_point``), the assert runner lets it
return only plain data (exact builtin scalars and containers of them), so an
object whose ``__eq__`` always says True fails rather than passing every
``assert f(x) == y``.

Limits: assert-style tests share the candidate's interpreter, so a candidate
that walks the harness's frames (``gc``, ``sys._getframe``) could find the nonce
or patch the test, and the plain-data guard covers the entry point's return
value only. Prefer stdin/stdout tests where the reward matters; the per-test timer cannot interrupt a long C call
(the job's wall-clock limit still does).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from .types import ExecResult, Job

_IO_DRIVER = r'''
import json, os, subprocess, sys
nonce = sys.stdin.readline().strip()
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

_ASSERT_RUNNER = r'''
import json, os, signal, sys, traceback
nonce = sys.stdin.readline().strip()
out = os.dup(1)
tests = json.load(open("tests.json"))
class _TestTimeout(BaseException):
    pass
def _alarm(signum, frame):
    raise _TestTimeout()
signal.signal(signal.SIGALRM, _alarm)
def _run(source, namespace, limit):
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        exec(compile(source, "test.py", "exec"), namespace)
        return {"passed": True}
    except _TestTimeout:
        return {"passed": False, "error": "time limit"}
    except BaseException as e:
        return {"passed": False, "error": "".join(traceback.format_exception_only(type(e), e))[-500:]}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
_type, _all = type, all  # bound before the candidate runs: it cannot swap them under us
_PLAIN = frozenset({int, float, complex, str, bytes, bool, type(None)})
def _plain(value, depth=0):
    kind = _type(value)
    if kind in _PLAIN:
        return True
    if depth > 50:
        return False
    if kind in (list, tuple, set, frozenset):
        return _all(_plain(v, depth + 1) for v in value)
    if kind is dict:
        return _all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return False
def _guard(fn):
    def guarded(*args, **kwargs):
        value = fn(*args, **kwargs)
        if not _plain(value):
            raise TypeError("returned a %s, not plain data" % _type(value).__name__)
        return value
    return guarded
namespace = {"__name__": "__candidate__"}
loaded = _run(open("solution.py").read(), namespace, tests["load_limit"])
entry = tests["entry_point"]
if loaded["passed"] and entry and callable(namespace.get(entry)):
    namespace[entry] = _guard(namespace[entry])
results = []
for source in tests["tests"]:
    if loaded["passed"]:
        results.append(_run(source, namespace, tests["limit"]))
    else:
        results.append({"passed": False, "error": "solution did not load: " + loaded.get("error", "")})
os.write(out, ("\n" + nonce + json.dumps(results) + "\n").encode())
'''


def io_job(code: str, inputs: list[str], *, time_limit_s: float, memory_mb: int,
           output_cap: int = 1 << 16) -> tuple[Job, str]:
    """One job running ``code`` on every input. Returns the job and the nonce to read its results with."""
    nonce = secrets.token_hex(16)
    job = Job(code=_IO_DRIVER.replace("CAP", str(output_cap)), stdin=nonce + "\n",
              files={"solution.py": code, "tests.json": json.dumps([[i, time_limit_s] for i in inputs])},
              timeout_s=min(600.0, 2.0 + len(inputs) * (time_limit_s + 0.5)), memory_mb=memory_mb)
    return job, nonce


def assert_job(code: str, tests: list[str], *, time_limit_s: float, memory_mb: int,
               entry_point: str | None = None) -> tuple[Job, str]:
    """One job loading ``code`` then running each test statement in its namespace.

    With ``entry_point``, that function is wrapped so that it may only return plain
    data (exact builtin scalars and containers of them): an object with a rigged
    ``__eq__`` fails instead of passing every ``assert f(x) == y``.
    """
    nonce = secrets.token_hex(16)
    payload = {"tests": tests, "limit": time_limit_s, "load_limit": time_limit_s, "entry_point": entry_point}
    job = Job(code=_ASSERT_RUNNER, stdin=nonce + "\n",
              files={"solution.py": code, "tests.json": json.dumps(payload)},
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
