"""Round 9 of issue 9, run for real against Docker: a job's memory start is measured before its files.

On ec64b41 the worker measured the container's held memory (the job's start) after writing
solution.py to /tmp (tmpfs is memory). An assert-mode candidate padded with a 15 MB comment
unlinked solution.py and dropped its source string, and held memory_mb + ~15 MB: a plain one was
killed at memory_mb - 15 MB, the padded one passed at memory_mb. And after a ~15 MB request the
worker still held its body during clean-up: memory not back to baseline, the container replaced.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus, SandboxConfig
from rlvr.verifiers.code import CodeVerifier

pytestmark = pytest.mark.docker

MEMORY_MB = 64
PAD_MB = 15
# The red team's pad_own_start.py: memory_mb across six processes (RLIMIT_AS is per process).
GRAB = f"""
import gc, os, sys, time
sys.modules["__main__"].source = None  # candidate_host keeps the source string alive
gc.collect()
try:
    os.unlink("solution.py")
except OSError:
    pass
def grab(mb):
    b = bytearray(mb << 20)
    b[::4096] = b'\\1' * len(b[::4096])
    return b
kids = []
for i in range(5):
    pid = os.fork()
    if pid == 0:
        keep = grab({MEMORY_MB} // 6)
        time.sleep(1.5)
        os._exit(0)
    kids.append(pid)
keep = grab({MEMORY_MB} // 6)
time.sleep(1.5)
for pid in kids:
    os.waitpid(pid, 0)
def f(x):
    return x + 1
"""
REFERENCE = {"asserts": ["assert f(1) == 2"], "memory_mb": MEMORY_MB, "time_limit_s": 5}


@pytest.fixture(scope="module")
def box(sandbox_image: str) -> Iterator[DockerSandbox]:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        yield sandbox


def test_a_job_cannot_raise_its_own_memory_start_with_its_code(box: DockerSandbox) -> None:
    verifier = CodeVerifier(box, self_check=False)
    plain = verifier(f"```python\n{GRAB}```", REFERENCE)
    padded = verifier(f"```python\n{GRAB}#{'x' * (PAD_MB << 20)}\n```", REFERENCE)
    assert plain.value == 0.0, plain.details  # memory_mb of its own, plus an interpreter: over
    assert padded.value == 0.0, padded.details  # its 15 MB of code bought it nothing


def test_a_big_request_leaves_the_container_clean(box: DockerSandbox) -> None:
    replaced = box.replaced
    for _ in range(3):
        result = box.run(f"print(6 * 7)\n#{'x' * (PAD_MB << 20)}\n", memory_mb=256)
        assert result.status is ExecStatus.OK and result.stdout == "42\n", result
    assert box.replaced == replaced  # the worker let the request go before checking its memory
