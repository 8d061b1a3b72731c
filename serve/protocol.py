"""The wire formats `rlvr serve` speaks: rlvr's own, OpenRLHF's remote reward model, SandboxFusion's runner.

The peer formats are copied field for field from the peers' own code:

- OpenRLHF (``openrlhf/utils/agent.py``, ``SingleTurnAgentExecutor._fetch_rewards_via_http``, 0.11)
  posts ``{"query": [...], "prompts": [...], "labels": [...]}``, where ``query[i]`` is the decoded
  prompt plus response, and reads ``rewards``, then ``scores`` (falling back to ``rewards``) and
  ``extra_logs`` from the reply; older versions (``remote_rm_utils.request_api_wrapper``) read ``rewards``.
- SandboxFusion (``sandbox/server/sandbox_api.py`` and the ``sandbox-fusion`` client's ``models.py``):
  ``RunCodeRequest`` / ``RunCodeResponse`` / ``CommandRunResult`` below. Unknown fields are ignored
  (pydantic's default there, and ours here) so newer clients still work.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rlvr.sandbox import ExecResult, ExecStatus
from rlvr.verifiers import Score


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- rlvr's own: POST /v1/verify ------------------------------------------------------------


class VerifySpec(_Strict):
    """One registered verifier in a weighted sum: the same fields as a task's ``verifiers`` entry."""

    name: str
    params: dict[str, Any] = {}
    weight: float = Field(1.0, gt=0)
    label: str | None = None


class VerifyRequest(_Strict):
    """Score ``completions[i]`` against ``references[i]``: with a task the server knows by name, or
    with a weighted sum of registered verifiers (``verifiers``). Exactly one of the two."""

    task: str | None = None
    verifiers: list[VerifySpec] | None = Field(None, min_length=1)
    completions: list[str]
    references: list[Any]
    timeout_s: float | None = Field(None, gt=0, le=600)  # per completion; default: the server's


class VerifyResponse(_Strict):
    scores: list[Score]


# -- OpenRLHF: POST /get_reward -------------------------------------------------------------


class RewardRequest(BaseModel):
    """OpenRLHF's remote reward model request. ``prompts`` and ``labels`` are optional in its
    oldest clients (``{"query": [...]}`` only); scoring needs the labels (the references)."""

    query: list[str]
    prompts: list[str] | None = None
    labels: list[Any] | None = None


def completion_of(query: str, prompt: str | None) -> str:
    """The response part of OpenRLHF's ``query`` (prompt and response decoded together).

    When the decoded text does not start with the prompt exactly (a tokenizer that does not
    round-trip), what the two share is cut off, so an answer quoted in the prompt (a worked
    example's ``\\boxed{}``) is never read as the model's.
    """
    if not prompt:
        return query
    if query.startswith(prompt):
        return query[len(prompt):]
    return query[len(os.path.commonprefix([query, prompt])):]  # noqa: RUF071 (characters, not paths)


def reference_of(label: Any) -> Any:
    """A label is the row's reference: a gold answer string, or JSON text for structured ones
    (a JSON object, as ``trl_dataset`` writes code tests); any other JSON value is used as it is."""
    if isinstance(label, str) and label.lstrip().startswith("{"):
        try:
            decoded = json.loads(label)
        except ValueError:
            return label
        return decoded if isinstance(decoded, dict) else label
    return label


# -- SandboxFusion: POST /run_code ----------------------------------------------------------

# SandboxFusion's `Language` literal: a name outside it is a validation error (422), a name in it
# that this server does not run gets SandboxFusion's own SandboxError reply.
Language = Literal["python", "python2", "cpp", "nodejs", "go", "go_test", "java", "php", "csharp", "bash",
                   "typescript", "sql", "rust", "cuda", "lua", "R", "perl", "D_ut", "ruby", "scala", "julia",
                   "pytest", "junit", "kotlin_script", "jest", "verilog", "python_gpu", "lean", "swift",
                   "racket", "gtest", "react"]
SUPPORTED_LANGUAGES = frozenset({"python"})


class RunCodeRequest(BaseModel):
    compile_timeout: float = 10
    run_timeout: float = Field(10, gt=0)
    memory_limit_MB: int = -1  # SandboxFusion's default: no limit of its own (here: the sandbox's default)
    code: str
    stdin: str | None = None
    language: Language
    files: dict[str, str | None] = {}  # path -> base64 content
    fetch_files: list[str] = []


class CommandRunResult(BaseModel):
    status: Literal["Finished", "Error", "TimeLimitExceeded"]
    execution_time: float | None = None
    cpu_time: float | None = None
    return_code: int | None = None
    stdout: str | None = None
    stderr: str | None = None


class RunCodeResponse(BaseModel):
    status: Literal["Success", "Failed", "SandboxError"]
    message: str
    compile_result: CommandRunResult | None = None
    run_result: CommandRunResult | None = None
    executor_pod_name: str | None = None
    files: dict[str, str] = {}


def sandbox_error(message: str) -> RunCodeResponse:
    """SandboxFusion's reply for anything it could not run; its client retries these, then raises."""
    return RunCodeResponse(status="SandboxError", message=message)


def decode_files(files: dict[str, str | None]) -> dict[str, str]:
    """SandboxFusion sends file contents base64-encoded; the sandbox takes text files."""
    out = {}
    for path, content in files.items():
        if content is None:
            continue
        try:
            out[path] = base64.b64decode(content, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"file {path!r}: not base64 of UTF-8 text ({exc})") from None
    return out


def run_code_response(result: ExecResult, pod: str | None) -> RunCodeResponse:
    """An `ExecResult` in SandboxFusion's terms: the program's own outcomes are ``Finished`` (with its
    return code) or ``TimeLimitExceeded``; only our faults (infra_error) are ``SandboxError``."""
    if result.status is ExecStatus.INFRA_ERROR:
        return RunCodeResponse(status="SandboxError", message=result.detail or "sandbox failure",
                               run_result=CommandRunResult(status="Error", stderr=result.detail),
                               executor_pod_name=pod)
    if result.status is ExecStatus.TIMEOUT:
        run = CommandRunResult(status="TimeLimitExceeded", execution_time=result.duration_s,
                               stdout=result.stdout, stderr=result.stderr)
    else:
        # memory, output_limit and error are the program's doing: a non-zero return code, as a killed
        # or failed process has under SandboxFusion (1 when the sandbox killed it with no code).
        code = result.exit_code if result.exit_code is not None else 1
        run = CommandRunResult(status="Finished", execution_time=result.duration_s, return_code=code,
                               stdout=result.stdout, stderr=result.stderr)
    ok = run.status == "Finished" and run.return_code == 0
    return RunCodeResponse(status="Success" if ok else "Failed",
                           message="" if result.status is ExecStatus.OK else f"{result.status.value}: {result.detail}",
                           run_result=run, executor_pod_name=pod)
