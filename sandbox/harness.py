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
prompt) defines it; otherwise it crosses from the candidate like any free name.
"""

from __future__ import annotations

import json
from typing import Any

from .jobs import ExecResult, Job

IO_OUTPUT_CAP = 8 << 20
ANSWER_CAP = 16 << 20
JOB_OUTPUT_CAP = 64 << 20
RESULTS_MAGIC = "rlvr-results"  # the driver's one stdout frame (`harness_driver.RESULTS_MAGIC`)


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
    the candidate, except ``entry_point``."""
    spec = {"tests": tests, "limit": time_limit_s, "load_limit": time_limit_s, "answer_cap": ANSWER_CAP,
            "entry_point": entry_point, "helpers": helpers}
    return Job(code=code, stdin=json.dumps(spec), harness="assert", output_limit_bytes=JOB_OUTPUT_CAP,
               timeout_s=min(600.0, 2.0 + (len(tests) + 1) * time_limit_s), memory_mb=memory_mb)


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
