"""`CodeVerifier`: run the completion's Python against tests in the sandbox.

    verifier = CodeVerifier(SandboxConfig(pool_size=1))
    verifier(completion, {"io": [{"input": "1 2\\n", "output": "3\\n"}]})
    verifier(completion, {"asserts": ["assert add(1, 2) == 3"]})
    verifier(completion, {"check": human_eval_test_code, "entry_point": "add"})

Extraction: the text after the last ``</think>`` if any; then the last fenced
block tagged ``python``/``py``/``python3``, else the last untagged block, else
the whole text as bare code when it compiles. A last block in another language
is a ``parse_error``; nothing code-like is ``no_answer``.

Scoring: all tests of one completion run in ONE sandbox job (`rlvr.sandbox.harness`).
``reward="fraction"`` gives the fraction passed, ``"all"`` 1.0 only if every
test passes. A program that loops or runs out of memory is judged (0 for the
tests it did not pass); one that passes a size limit (the harness's output and
answer caps) is ``output_limit``, value 0; only an infrastructure failure (the sandbox reports one, or
raises) is ``infra_error``, retried ``retries`` times first, never scored as wrong. Input
that cannot be run (a completion that is not text or holds a lone surrogate) is
``parse_error``.

Safety: before scoring anything, each process makes sure the abuse suite passed
against its sandbox config (``self_check=True``; `rlvr.sandbox.self_check`: run
once, a pass shared between processes for an hour) and refuses to score (every
call returns ``infra_error`` naming the failed limits) if any limit is not
enforced. ``verify_batch`` calls `prepare()` in the calling process first, so
the check never runs inside (and never dies at) a worker's deadline. A call's own worst case
(`time_needed`: the job's timeout, ``2 + (tests + 1) * time_limit_s`` for asserts, plus the
sandbox's reply grace, the previous job's clean-up and a container start) can pass the trainer's
``verify.timeout_s``; ``verify_batch`` gives such a row that much time, so a hanging candidate
scores 0 instead of a masked ``timeout``.

Pickling: the verifier travels as its `SandboxConfig`; each process opens its own
pool for a config on first use (``verify_batch`` workers included). A live sandbox
given to the constructor is used as it is in this process (never swapped for
another one of the same config). With ``verify_batch(workers=W)`` keep
``pool_size=1``: W processes then use W containers.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rlvr.sandbox import ExecResult, ExecStatus, SandboxConfig, make_sandbox, self_check
from rlvr.sandbox.harness import assert_job, io_job, outputs_match, read_results, spec_problem
from rlvr.sandbox.jobs import Sandbox, job_problem
from rlvr.sandbox.pool import CLEANUP_WAIT_S, MEMORY_HEADROOM_MB

from .score import Score, Status

log = logging.getLogger(__name__)

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+#.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_PYTHON_TAGS = {"python", "py", "python3", "py3"}
CONTAINER_START_S = 5.0  # a replaced container's start, and a worker process's first sandbox, in `time_needed`


class IOCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    input: str = ""
    output: str


class CodeTests(BaseModel):
    """The reference for one problem: stdin/stdout cases, OR assert statements / a HumanEval check."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    io: list[IOCase] = Field(default_factory=list)
    asserts: list[str] = Field(default_factory=list)
    check: str | None = None  # code defining check(candidate), as in HumanEval
    entry_point: str | None = None  # the function under test: check() gets it
    prefix: str = ""  # prepended to the candidate (e.g. imports the prompt gave)
    # Trusted code run in each test's namespace before it (HumanEval: the prompt, so that check()
    # calls the prompt's poly / encode_cyclic): a name it binds never comes from the candidate,
    # except entry_point. A spec that would mis-score (entry_point named like a builtin, bound by
    # the helpers other than as a stub, ...: `spec_problem`) does not validate.
    helpers: str = ""
    time_limit_s: float = Field(default=2.0, gt=0, le=60)  # per test
    memory_mb: int = Field(default=256, ge=32, le=4096)

    @model_validator(mode="after")
    def _one_kind(self) -> CodeTests:
        kinds = [bool(self.io), bool(self.asserts or self.check)]
        if sum(kinds) != 1:
            raise ValueError("give either io cases, or asserts / check (not both, not neither)")
        if self.io and (self.entry_point or self.helpers):
            raise ValueError("entry_point and helpers apply to asserts / check, not io cases")
        if self.check is not None and not self.entry_point:
            raise ValueError("check needs entry_point (the function it tests)")
        problem = "" if self.io else spec_problem(self.assert_sources(), self.entry_point, self.helpers)
        if problem:  # the author's mistake, refused where the reference is built: never a candidate's score
            raise ValueError(problem)
        return self

    def assert_sources(self) -> list[str]:
        tests = list(self.asserts)
        if self.check is not None:
            tests.append(f"{self.check}\ncheck({self.entry_point})\n")
        return tests


def extract_code(completion: str) -> tuple[str | None, str | None]:
    """``(code, None)``, or ``(None, why)`` where why is ``"no_answer"`` or ``"parse_error: ..."``."""
    text = completion.rsplit("</think>", 1)[-1]
    blocks = [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]
    if blocks:
        python = [body for tag, body in blocks if tag in _PYTHON_TAGS]
        untagged = [body for tag, body in blocks if not tag]
        if python:
            return python[-1], None
        if untagged:
            return untagged[-1], None
        return None, f"parse_error: code is in {blocks[-1][0]!r}, not Python"
    bare = text.strip()
    if not bare:
        return None, "no_answer"
    try:
        compile(bare, "<completion>", "exec")
    except (SyntaxError, ValueError):
        return None, "no_answer"
    except (RecursionError, MemoryError) as e:  # "-" * 3000 + "1": too deep for the host's compiler
        return None, f"parse_error: unfenced text too deeply nested to compile ({type(e).__name__})"
    return bare, None


# One sandbox per (config, process) for verifiers built from a config: pools never cross a fork.
_SANDBOXES: dict[tuple[str, int], Sandbox] = {}
_CHECKED: dict[tuple[str, int], list[str]] = {}  # failed self-check cases, [] when all held
_LOCK = threading.Lock()


@dataclass
class CodeVerifier:
    """``sandbox``: a `SandboxConfig` (or its fields as a dict), or a live sandbox that has a
    ``config`` (`DockerSandbox`, `ProcessSandbox`); a live one is used in this process and
    travels to other processes as its config only."""

    sandbox: SandboxConfig | dict[str, Any] | Sandbox | None = None
    reward: Literal["fraction", "all"] = "fraction"
    retries: int = 2
    self_check: bool = True
    _config: SandboxConfig = field(init=False, repr=False)
    _live: Sandbox | None = field(init=False, repr=False, default=None)
    _live_pid: int = field(init=False, repr=False, default=0)

    def __post_init__(self) -> None:
        live_config = getattr(self.sandbox, "config", None)
        if isinstance(self.sandbox, SandboxConfig):
            self._config = self.sandbox
        elif isinstance(live_config, SandboxConfig):
            self._config = live_config
            self._live, self._live_pid = cast(Sandbox, self.sandbox), os.getpid()
        elif isinstance(self.sandbox, dict) or self.sandbox is None:
            self._config = SandboxConfig(**(self.sandbox or {}))
        else:
            raise TypeError(f"sandbox must be a SandboxConfig, a dict or a sandbox with a config, "
                            f"got {type(self.sandbox).__name__}")
        if self.reward not in ("fraction", "all"):
            raise ValueError(f"reward must be 'fraction' or 'all', got {self.reward!r}")
        if self.self_check and self._config.backend != "docker":
            raise ValueError("self_check needs the docker backend; pass self_check=False to use the "
                             "process backend knowingly (it is not a security boundary)")

    def _sandbox(self) -> tuple[Sandbox | None, list[str]]:
        key = (self._config.key(), os.getpid())
        with _LOCK:
            if key not in _CHECKED:
                failed: list[str] = []
                if self.self_check:
                    failed = self_check(self._config)
                    if failed:
                        log.error("sandbox failed its self-check, refusing to score: %s", failed)
                _CHECKED[key] = failed
            if _CHECKED[key]:
                return None, _CHECKED[key]
            if self._live is not None and self._live_pid == os.getpid():
                return self._live, []
            if key not in _SANDBOXES:
                _SANDBOXES[key] = make_sandbox(self._config)
            return _SANDBOXES[key], []

    def prepare(self) -> list[str]:
        """Run the self-check now (``verify_batch`` calls this before its workers start).

        Returns the failed cases, ``[]`` when the sandbox is safe to score with. Never raises:
        a sandbox that cannot start is reported here and as ``infra_error`` by every call.
        """
        try:
            return self._sandbox()[1]
        except Exception as exc:
            log.error("code verifier: sandbox unavailable: %s", exc)
            return [f"sandbox unavailable: {type(exc).__name__}: {exc}"]

    def time_needed(self, reference: Any) -> float:
        """Seconds one call on ``reference`` may take at worst, one attempt (0 for a reference that
        is not valid: it fails at once). Infra-error retries are not counted: a row masked after them
        was masked anyway."""
        try:
            tests = reference if isinstance(reference, CodeTests) else CodeTests.model_validate(reference)
        except ValidationError:
            return 0.0
        if tests.io:
            job = io_job("", [c.input for c in tests.io], time_limit_s=tests.time_limit_s, memory_mb=tests.memory_mb)
        else:
            job = assert_job("", tests.assert_sources(), time_limit_s=tests.time_limit_s, memory_mb=tests.memory_mb)
        return job.timeout_s + self._config.reply_grace_s + CLEANUP_WAIT_S + CONTAINER_START_S

    def __call__(self, completion: str, reference: Any) -> Score:
        try:
            tests = reference if isinstance(reference, CodeTests) else CodeTests.model_validate(reference)
        except ValidationError as exc:
            return Score.failed(Status.ERROR, reason=f"bad reference: {exc.errors()[0]['msg']}")
        if tests.memory_mb + MEMORY_HEADROOM_MB > self._config.container_memory_mb:
            return Score.failed(Status.ERROR, reason=f"bad reference: memory_mb={tests.memory_mb} needs "
                                f"container_memory_mb >= {tests.memory_mb + MEMORY_HEADROOM_MB}")
        if not isinstance(completion, str):
            return Score.failed(Status.PARSE_ERROR, reason=f"completion is a {type(completion).__name__}, not text")
        code, why = extract_code(completion)
        if code is None:
            status = Status.NO_ANSWER if why == "no_answer" else Status.PARSE_ERROR
            return Score.failed(status, reason=why)
        code = tests.prefix + ("\n" if tests.prefix else "") + code
        try:
            sandbox, failed = self._sandbox()
        except Exception as exc:  # no engine, no image: the machinery, not the completion
            return Score.failed(Status.INFRA_ERROR, code, reason=f"{type(exc).__name__}: {exc}"[:1000])
        if sandbox is None:
            return Score.failed(Status.INFRA_ERROR, code, reason="sandbox failed its self-check", failed=failed)
        if tests.io:
            job = io_job(code, [c.input for c in tests.io], time_limit_s=tests.time_limit_s,
                         memory_mb=tests.memory_mb)
        else:
            job = assert_job(code, tests.assert_sources(), time_limit_s=tests.time_limit_s,
                             memory_mb=tests.memory_mb, entry_point=tests.entry_point, helpers=tests.helpers)
        problem = job_problem(job)
        if problem:  # e.g. a lone surrogate in the code: nothing a sandbox could run
            return Score.failed(Status.PARSE_ERROR, None, reason=problem)
        attempts = 0
        while True:
            attempts += 1
            try:
                result = sandbox.run_job(job)
            except Exception as exc:  # the sandbox refused or broke (ours): never the completion's error
                result = ExecResult(status=ExecStatus.INFRA_ERROR, detail=f"sandbox raised {type(exc).__name__}: "
                                    f"{exc}"[:2000])
            if result.status is not ExecStatus.INFRA_ERROR:
                return self._judge(code, tests, result, attempts)
            log.warning("code verifier: infra error (attempt %d): %s", attempts, result.detail[:300])
            if attempts > self.retries:
                return Score.failed(Status.INFRA_ERROR, code, reason=result.detail, attempts=attempts)

    def _judge(self, code: str, tests: CodeTests, result: ExecResult, attempts: int) -> Score:
        runs = read_results(result)
        n = len(tests.io) or len(tests.assert_sources())
        details: dict[str, Any] = {"sandbox": result.status.value, "duration_s": result.duration_s,
                                   "attempts": attempts}
        limited = [r for r in runs or [] if isinstance(r, dict) and r.get("status") == "output_limit"]
        if result.status is ExecStatus.OUTPUT_LIMIT or limited:
            why = limited[0].get("error", "output cap") if limited else result.detail
            return Score.failed(Status.OUTPUT_LIMIT, code, **details, why=str(why)[:500])
        if runs is None or len(runs) != n:
            # Killed, crashed or exited before reporting: every test counts as failed.
            details.update(passed=[False] * n, why=result.detail or "no result from the harness",
                           stderr=result.stderr[-500:])
            return Score.judged(0.0, code, **details)
        if tests.io:
            passed = [r["status"] == "ok" and outputs_match(r["stdout"], case.output)
                      for r, case in zip(runs, tests.io, strict=True)]
            errors = [r["stderr"] or ("wrong answer" if r["status"] == "ok" else r["status"])
                      for r, ok in zip(runs, passed, strict=True) if not ok]
        else:
            passed = [bool(r.get("passed")) for r in runs]
            errors = [r.get("error", "") for r in runs if not r.get("passed")]
        details.update(passed=passed, first_error=errors[0][-500:] if errors else None)
        if self.reward == "all":
            return Score.judged(float(all(passed)), code, **details)
        return Score.judged(sum(passed) / n, code, **details)

    def __getstate__(self) -> dict[str, Any]:
        return {"sandbox": self._config.model_dump(), "reward": self.reward, "retries": self.retries,
                "self_check": self.self_check}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]
