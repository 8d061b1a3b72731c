"""A job's size is measured on what is sent (outside red team round 8, #9), run for real against Docker.

On 5776bf6 code of 11.5 M control characters (11.5 MB of UTF-8, under MAX_JOB_BYTES) became a 69 MB
request once JSON-escaped (6 bytes each), past the worker's MAX_REQUEST_BYTES: the channel raised,
the row was infra_error (masked by the trainer) and the container was replaced, every attempt.
"""

from __future__ import annotations

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus, SandboxConfig
from rlvr.sandbox.frames import MAX_REQUEST_BYTES
from rlvr.sandbox.jobs import MAX_JOB_BYTES
from rlvr.verifiers import Status
from rlvr.verifiers.code import CodeVerifier

pytestmark = pytest.mark.docker

CONTROLS = "\x01" * 11_500_000  # 6 bytes each once escaped: 69 MB
assert len(CONTROLS) < MAX_JOB_BYTES < MAX_REQUEST_BYTES < 6 * len(CONTROLS)


@pytest.fixture(scope="module")
def box(sandbox_image: str):
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        yield sandbox


def test_a_completion_that_escapes_past_the_request_cap_is_the_candidates_fault(box: DockerSandbox) -> None:
    verifier = CodeVerifier(box, self_check=False, retries=0)
    reference = {"asserts": ["assert f(1) == 2"]}
    replaced = box.replaced
    score = verifier(f"```python\n{CONTROLS}\n```", reference)
    assert score.status is Status.PARSE_ERROR and score.value == 0.0, score  # was infra_error
    assert "JSON-encoded" in score.details["reason"], score
    assert box.replaced == replaced  # no container was touched
    assert verifier("```python\ndef f(x): return x + 1\n```", reference).value == 1.0


@pytest.mark.parametrize("where", ["code", "stdin", "file"])
def test_the_pool_refuses_what_would_not_fit_in_a_request_before_sending_it(box: DockerSandbox,
                                                                             where: str) -> None:
    replaced = box.replaced
    code = CONTROLS if where == "code" else "print('x')"
    result = box.run(code, stdin=CONTROLS if where == "stdin" else "",
                     files={"data.txt": CONTROLS} if where == "file" else None)
    assert result.status is ExecStatus.ERROR and "bad job" in result.detail, result  # was infra_error
    assert box.replaced == replaced


def test_a_job_that_fits_once_escaped_still_runs(box: DockerSandbox) -> None:
    stdin = "\x01" * 2_000_000  # 12 MB escaped
    result = box.run("import sys\nprint(len(sys.stdin.read()))", stdin=stdin, timeout_s=20)
    assert result.status is ExecStatus.OK and result.stdout == "2000000\n", result
