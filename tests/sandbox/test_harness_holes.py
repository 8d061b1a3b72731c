"""Issue 9, the outside red-team's fourth round on the assert harness, each attack run for real
against Docker: every one scored a wrong answer higher (or a right one lower) on 08f910e."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rlvr.sandbox import DockerSandbox, SandboxConfig, harness
from rlvr.sandbox.abuse_programs import JUNK_THEN_EXIT
from rlvr.verifiers import Status
from rlvr.verifiers.code import CodeTests, CodeVerifier

pytestmark = pytest.mark.docker


def fenced(body: str) -> str:
    return f"```python\n{body}\n```"


@pytest.fixture(scope="module")
def verifier(sandbox_image: str):
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        yield CodeVerifier(sandbox, self_check=False)


# --- 1. an entry point that replaces what the check trusts ----------------------------------------

@pytest.mark.parametrize(("name", "args"), [
    ("sorted", "[3, 1, 2]"), ("len", "'abc'"), ("abs", "-3"), ("max", "[1, 5, 2]"), ("min", "[4, 2]"),
    ("sum", "[1, 2]"),
])
def test_an_entry_point_named_like_a_builtin_is_refused_not_scored(verifier: CodeVerifier, name: str,
                                                                   args: str) -> None:
    # on 08f910e the candidate's function replaced the builtin inside check(): 1.0 for `return 0`
    reference = {"check": f"def check(candidate):\n    assert candidate({args}) == {name}({args})\n",
                 "entry_point": name}
    score = verifier(fenced(f"def {name}(*args, **kwargs):\n    return 0"), reference)
    assert (score.status, score.value) == (Status.ERROR, 0.0), score
    assert "builtin" in score.details["reason"]
    with pytest.raises(ValidationError, match="builtin"):
        CodeTests.model_validate(reference)


def test_a_real_helper_named_like_the_entry_point_is_refused(verifier: CodeVerifier) -> None:
    # the helpers' reference implementation was dropped for the candidate's: `candidate(x) == ref(x)`
    reference = {"check": "def check(candidate):\n    assert candidate([2, 1]) == ref([2, 1])\n", "entry_point": "ref",
                 "helpers": "def ref(xs):\n    return sorted(xs)\n"}
    score = verifier(fenced("def ref(xs):\n    return None"), reference)
    assert (score.status, score.value) == (Status.ERROR, 0.0), score
    # HumanEval's shape, a stub holding only a docstring (and imports, as HumanEval/115's), stays valid
    stub = {**reference, "helpers": 'def ref(xs):\n    import math\n    """Sort xs."""\n',
            "check": "def check(candidate):\n    assert candidate([2, 1]) == [1, 2]\n"}
    assert verifier(fenced("def ref(xs):\n    return sorted(xs)"), stub).value == 1.0
    assert verifier(fenced("def ref(xs):\n    return None"), stub).value == 0.0


@pytest.mark.parametrize(("tests", "entry", "helpers", "why"), [
    (["f = lambda x: 2\nassert f(1) == 2"], "f", "", "never be called"),
    (["def check(candidate):\n    pass\ncheck(check)"], "check", "", "never be called"),
    (["assert f(1) == 2"], "f", "def g():\n    global f\n    f = abs\n", "helpers bind"),
    (["assert f(1) == 2"], "f", "from math import *\nf = floor\n", "helpers bind"),
    (["assert f(1) =="], "f", "", "not valid Python"),
    (["assert f(1) == 2"], "f(0) or f", "", "not a Python name"),
    (["assert f(1) == 2"], "__builtins__", "", "builtin"),
])
def test_specs_that_would_misscore_are_refused(tests: list[str], entry: str, helpers: str, why: str) -> None:
    assert why in harness.spec_problem(tests, entry, helpers)
    with pytest.raises(ValidationError, match=why):
        CodeTests.model_validate({"asserts": tests, "entry_point": entry, "helpers": helpers})


# --- 2. names the helpers publish through the builtins module -------------------------------------

# The candidate reads what it is asked for (argv[3] of its host): the published name must not be.
ASKED = "import json, sys\ndef asked():\n    return json.loads(sys.argv[3])\n"


@pytest.mark.parametrize("helpers", [
    "import builtins\nbuiltins.EPS = 1e-6\n",
    "setattr(__import__('builtins'), 'EPS', 1e-6)\n",
    "__builtins__.EPS = 1e-6\n",
    "vars(__builtins__)['EPS'] = 1e-6\n",
    "__builtins__ = dict(vars(__builtins__), EPS=1e-6)\n",
])
def test_names_the_helpers_publish_in_builtins_are_trusted(verifier: CodeVerifier, helpers: str) -> None:
    # on 08f910e EPS was a free name of the tests and not a builtin yet: the candidate's EPS = 10 won
    tests = ["assert abs(f(2.0) - 4.0) < EPS", "assert abs(f(3.0) - 9.0) < EPS", "assert 'EPS' not in asked()"]
    reference = {"asserts": tests, "entry_point": "f", "helpers": helpers}
    cheat = verifier(fenced(ASKED + "EPS = 10.0\ndef f(x):\n    return 0.0"), reference)
    assert cheat.status is Status.OK and cheat.details["passed"] == [False, False, True], cheat.details
    gold = verifier(fenced(ASKED + "def f(x):\n    return x * x"), reference)
    assert gold.value == 1.0, gold.details


def test_an_entry_point_the_helpers_publish_as_a_builtin_fails_every_candidate(verifier: CodeVerifier) -> None:
    # trusted as a builtin, the helpers' f would be tested in place of the candidate's: fail closed
    reference = {"asserts": ["assert f(1) == 2"], "entry_point": "f",
                 "helpers": "import builtins\nbuiltins.f = lambda x: x + 1\n"}
    for code in ("def f(x):\n    return 0", "def f(x):\n    return x + 1"):
        score = verifier(fenced(code), reference)
        assert (score.status, score.value) == (Status.OK, 0.0), score.details
        assert "publish the entry point" in score.details["first_error"]


# --- 3. partial credit ------------------------------------------------------------------------------

def test_partial_credit_survives_a_candidate_that_hangs(verifier: CodeVerifier) -> None:
    # on 08f910e each reload after a hang got time_limit_s twice (load + test), the job's timeout
    # killed the driver and the two passing tests scored with the rest: 0.0
    tests = ["assert f(0) == 0", *(f"assert f({i}) == {i}" for i in range(1, 7)), "assert f(-1) == -1"]
    hangs = "def f(x):\n    while x > 0:\n        pass\n    return x"
    score = verifier(fenced(hangs), {"asserts": tests, "time_limit_s": 1.0})
    assert score.status is Status.OK and score.details["passed"] == [True, *[False] * 6, True], score.details
    assert score.value == 0.25


def test_when_the_jobs_time_runs_short_the_tests_that_ran_keep_their_verdicts(verifier: CodeVerifier) -> None:
    # each reload costs this candidate 0.9 s: past the job's timeout the worker killed the driver
    # and every verdict was lost; now the tests left fail unrun and the list goes out in time
    tests = ["assert f(0) == 0", *(f"assert f({i}) == {i}" for i in range(1, 7)), "assert f(-1) == -1"]
    slow = "import time\ntime.sleep(0.9)\ndef f(x):\n    while x > 0:\n        pass\n    return x"
    score = verifier(fenced(slow), {"asserts": tests, "time_limit_s": 1.0})
    assert score.status is Status.OK and score.details["sandbox"] == "ok", score.details
    assert score.details["passed"] == [True, *[False] * 7] and score.value == 0.125, score.details


def test_a_candidate_that_dies_after_junk_keeps_the_tests_it_passed(verifier: CodeVerifier) -> None:
    # on 08f910e the driver crashed in Host.stop (closing the request pipe flushed the call it had
    # buffered: BrokenPipeError): no result list, 0.0 for the test f passed
    score = verifier(fenced(JUNK_THEN_EXIT), {"asserts": ["assert f(1) == 1", "assert g() == 1", "assert f(3) == 3"]})
    assert score.status is Status.OK and score.details["passed"] == [True, False, False], score.details
