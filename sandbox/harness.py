"""Test harnesses: run a candidate program against many tests in ONE sandbox job.

A harness job carries the candidate's code (written as ``solution.py``) and a
test spec that travels over the trusted driver's own stdin pipe
(`harness_driver`, run by the worker from its read-only folder): the tests
never touch the job's folder, and the candidate's processes run as another uid
than the driver, so they cannot read them from its memory or descriptors.

* stdin/stdout (`io_job`): each input runs through a fresh ``python3
  solution.py``; the outputs come back and are compared on the host
  (`outputs_match`): the expected outputs never enter the sandbox.
* assert-style (`assert_job`): the test statements (``assert f(2) == 4``, or
  HumanEval's ``check(candidate)``) run in the driver; the candidate's code runs
  in its own process, and only the names the tests use that are not builtins
  cross (functions as stubs that send plain data both ways, ``plain_data``;
  plain values as copies). The tests run with the real builtins, so a candidate's
  ``abs`` or ``all`` changes nothing. Any exception raised by the candidate fails
  that test, whatever the test does with it.

Limits (sized for real tasks; passing one gives the test the status
``output_limit``, never a wrong answer): io stdout ``IO_OUTPUT_CAP`` bytes per
test; an assert answer ``ANSWER_CAP`` bytes of JSON; the whole job's output
``JOB_OUTPUT_CAP``. A test may pass only plain data to the candidate's functions
and get only plain data back: tests that exchange callables, generators or class
instances with the candidate fail (HumanEval's do not). A helper the tests call
by name (HumanEval/32's ``poly``) is trusted only when the spec's ``helpers`` (the
prompt) defines it or publishes it in ``builtins``; otherwise it crosses from the candidate
like any free name. A spec that would mis-score (an entry point named like a builtin, or
that the helpers define for real: `spec_problem`) is refused before anything runs.
"""

from __future__ import annotations

import ast
import builtins
import json
import keyword
from typing import Any

from .jobs import ExecResult, Job
from .source_names import bindings, parse

IO_OUTPUT_CAP = 8 << 20
ANSWER_CAP = 16 << 20
JOB_OUTPUT_CAP = 64 << 20
RESULTS_MAGIC = "rlvr-results"  # the driver's one stdout frame (`harness_driver.RESULTS_MAGIC`)
# The driver starts no assert test this close to the job's timeout, so that its result list (the tests
# that did run) goes out before the worker kills it: a hang costs its own tests, never the rest.
DRIVER_MARGIN_S = 1.0


def io_job(code: str, inputs: list[str], *, time_limit_s: float, memory_mb: int) -> Job:
    """One job running ``code`` on every input."""
    spec = {"inputs": inputs, "limit": time_limit_s, "output_cap": IO_OUTPUT_CAP}
    return Job(code=code, stdin=json.dumps(spec), harness="io", output_limit_bytes=JOB_OUTPUT_CAP,
               timeout_s=min(600.0, 2.0 + len(inputs) * (time_limit_s + 0.5)), memory_mb=memory_mb)


def assert_job(code: str, tests: list[str], *, time_limit_s: float, memory_mb: int,
               entry_point: str | None = None, helpers: str = "") -> Job:
    """One job that runs each test statement in the trusted driver, against the candidate's
    functions served from a separate process (see the module docstring). ``helpers``: trusted code
    run in each test's namespace first (HumanEval: the prompt); a name it binds never comes from
    the candidate, except ``entry_point``. Raises ValueError for a spec that `spec_problem` refuses.

    Time: loading the candidate gets ``time_limit_s``, each test ``time_limit_s`` more; a test that
    hangs costs its own limit and a reload, and once the job's time is short the tests left fail
    unrun while those that ran keep their verdicts."""
    problem = spec_problem(tests, entry_point, helpers)
    if problem:
        raise ValueError(problem)
    timeout_s = min(600.0, 2.0 + (len(tests) + 1) * time_limit_s)
    spec = {"tests": tests, "limit": time_limit_s, "load_limit": time_limit_s, "answer_cap": ANSWER_CAP,
            "entry_point": entry_point, "helpers": helpers, "budget": timeout_s - DRIVER_MARGIN_S}
    return Job(code=code, stdin=json.dumps(spec), harness="assert", output_limit_bytes=JOB_OUTPUT_CAP,
               timeout_s=timeout_s, memory_mb=memory_mb)


def _is_stub(node: ast.AST) -> bool:
    """A def that computes nothing: its body only a docstring, ``pass``, ``...`` or imports (HumanEval's
    prompt stubs: a docstring; HumanEval/115's also ``import math``)."""
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and all(
        isinstance(s, (ast.Pass, ast.Import, ast.ImportFrom)) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in node.body)


def spec_problem(tests: list[str], entry_point: str | None, helpers: str = "") -> str:
    """Why an assert spec would mis-score ("" when it is sound): the task author's mistake, refused
    before any candidate runs.

    * a test or the helpers that do not parse (every candidate would score 0);
    * an ``entry_point`` that is not a plain name, or names a builtin: the candidate's function
      would replace the builtin inside the tests, so ``assert candidate(x) == sorted(x)`` holds for
      any ``sorted``;
    * helpers that bind ``entry_point`` other than as a stub def (a docstring, ``pass``, imports): the
      tests would call the candidate's function where the author meant the helpers' one;
    * a test that binds ``entry_point`` in its module namespace: the candidate would never be called.

    Limits: reads the source only; the driver fails a test whose helpers publish the entry point in
    ``builtins`` at run time."""
    for what, source in [("helpers", helpers), *((f"test {i}", t) for i, t in enumerate(tests))]:
        try:
            parse(source)
        except (SyntaxError, ValueError) as exc:
            return f"{what} is not valid Python: {exc}"
    if entry_point is None:
        return ""
    if not entry_point.isidentifier() or keyword.iskeyword(entry_point):
        return f"entry_point {entry_point!r} is not a Python name"
    if entry_point in vars(builtins) or entry_point == "__builtins__":
        return (f"entry_point {entry_point!r} is a builtin's name: the candidate's function would replace "
                f"the builtin inside the tests (rename the function under test)")
    for name, node, top in bindings(helpers):
        if name == entry_point and not (top and _is_stub(node)):
            return (f"the helpers bind entry_point {entry_point!r} (line {getattr(node, 'lineno', '?')}) other "
                    f"than as a stub def: the tests would call the candidate's function in its place")
    for i, test in enumerate(tests):
        for name, node, top in bindings(test):
            if name == entry_point and top:
                return (f"test {i} binds entry_point {entry_point!r} itself (line {getattr(node, 'lineno', '?')}): "
                        f"the candidate's function would never be called")
    return ""


def read_results(result: ExecResult) -> list[dict[str, Any]] | None:
    """The driver's result list, or None when it never wrote one (killed, crashed).

    The driver's stdout is exactly one frame, ``RESULTS_MAGIC <length>\\n<JSON>`` (ASCII), written
    once after the tests ran (what they print goes to stderr): anything else is no result."""
    head, newline, body = result.stdout.partition("\n")
    magic, _, length = head.partition(" ")
    if magic != RESULTS_MAGIC or not newline or not length.isdigit() or int(length) != len(body):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


def normalise_output(text: str) -> str:
    """Trailing spaces on each line and blank lines at the ends do not count."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def outputs_match(got: str, expected: str) -> bool:
    return normalise_output(got) == normalise_output(expected)
