"""Kernel memory a job can pin (issue 9, fifth round), run for real against Docker.

On ef4620d a job with memory_mb=256 held 600 MB of SysV message queues with status ok (the memory
poll counted anonymous memory and shmem only), and a job that filled the container with socket
buffers after lowering its oom_score_adj got PID 1 OOM-killed: infra_error.
"""

from __future__ import annotations

import json

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus, SandboxConfig
from rlvr.sandbox.docker_pool import IPC_SYSCTLS
from rlvr.sandbox.limits import OOM_SCORE_DRIVER, OOM_SCORE_JOB
from rlvr.verifiers import Status
from rlvr.verifiers.code import CodeVerifier

pytestmark = pytest.mark.docker

USAGE = r'''
import ctypes, json, os, socket
libc = ctypes.CDLL(None, use_errno=True)
def usage_mb():
    for p in ("/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory.current"):
        try:
            return int(open(p).read()) >> 20
        except OSError:
            pass
'''
# The red team's a03: queues of 16 messages of 1 KB until the container holds 600 MB.
MESSAGES_1K = USAGE + r'''
buf = ctypes.create_string_buffer(8 + 1024)
ctypes.memmove(buf, (1).to_bytes(8, "little"), 8)
made = 0
while usage_mb() < 600 and made < 32000:
    q = libc.msgget(0, 0o1600)
    if q < 0:
        break
    made += 1
    for _ in range(16):
        libc.msgsnd(q, buf, 1024, 0o4000)
print(json.dumps({"made": made, "peak_mb": usage_mb()}))
'''
# The costliest: a queue holds msgmnb messages of 0 bytes, ~70 bytes of slab each (~1.1 MB a queue).
MESSAGES_0B = USAGE + r'''
buf = ctypes.create_string_buffer(8)
ctypes.memmove(buf, (1).to_bytes(8, "little"), 8)
made = 0
while usage_mb() < 600 and made < 32000:
    q = libc.msgget(0, 0o1600)
    if q < 0:
        break
    made += 1
    while libc.msgsnd(q, buf, 0, 0o4000) == 0:
        pass
print(json.dumps({"made": made, "peak_mb": usage_mb()}))
'''
SEMAPHORES = USAGE + r'''
made = 0
while usage_mb() < 600 and made < 32000:
    if libc.semget(0, 250, 0o1600) < 0:
        break
    made += 1
print(json.dumps({"made": made, "peak_mb": usage_mb()}))
'''


@pytest.fixture(scope="module")
def box(sandbox_image: str):
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        yield sandbox


@pytest.mark.parametrize(("attack", "bound"), [
    (MESSAGES_1K, int(IPC_SYSCTLS["kernel.msgmni"])),
    (MESSAGES_0B, int(IPC_SYSCTLS["kernel.msgmni"])),
    (SEMAPHORES, int(IPC_SYSCTLS["kernel.sem"].split()[1]) // 250),
])
def test_sysv_objects_cannot_pin_more_than_the_jobs_memory(box: DockerSandbox, attack: str, bound: int) -> None:
    result = box.run(attack, timeout_s=20, memory_mb=256)
    if result.status is ExecStatus.MEMORY:  # the poll counts kernel memory too
        return
    assert result.status is ExecStatus.OK, result
    seen = json.loads(result.stdout)
    assert seen["made"] <= bound  # was 18,408 queues (600 MB) and 32,000 arrays (500 MB)
    assert seen["peak_mb"] < 64


SOCKETS = USAGE + r'''
kind = socket.SOCK_DGRAM if {dgram} else socket.SOCK_STREAM
held = []
while usage_mb() < 400:
    a, b = socket.socketpair(socket.AF_UNIX, kind)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 << 20)
    a.setblocking(False)
    try:
        while True:
            a.send(b"k" * (256 if {dgram} else 262144))
    except OSError:
        pass
    held.append((a, b))
print("held", usage_mb())
'''
PIPES = USAGE + r'''
import fcntl
held = []
for _ in range(120):
    r, w = os.pipe()
    try:
        fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ
    except OSError:
        pass
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"p" * 65536)
    except BlockingIOError:
        pass
    held.append((r, w))
print("held", usage_mb())
'''


@pytest.mark.parametrize("attack", [SOCKETS.format(dgram=False), SOCKETS.format(dgram=True), PIPES],
                         ids=["unix_stream", "unix_dgram", "pipes"])
def test_kernel_memory_counts_against_memory_mb(box: DockerSandbox, attack: str) -> None:
    # the pipes hold ~64 MB (the per-user pipe quota); the sockets would fill the container
    result = box.run(attack, timeout_s=20, memory_mb=32)
    assert result.status is ExecStatus.MEMORY and "held" not in result.stdout, result
    assert box.run("print('next')").stdout == "next\n"


# Forked fillers lower their oom_score_adj to 0 (the worker's), then fill socket buffers: memory no
# process's RSS shows, so on ef4620d the OOM killer took PID 1 or the fork server.
FILL = r'''
import os, socket, time
def _fill():
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("0")
    except OSError:
        pass
    held = []
    while True:
        try:
            a, b = socket.socketpair()
        except OSError:
            break
        a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 << 20)
        a.setblocking(False)
        try:
            while True:
                a.send(b"x" * 262144)
        except OSError:
            pass
        held.append((a, b))
    time.sleep(30)
for _i in range(8):
    if os.fork() == 0:
        try:
            _fill()
        finally:
            os._exit(0)
time.sleep(1)
'''


@pytest.mark.parametrize(("body", "reference", "good"), [
    ("def f(x):\n    return x + 1\n", {"asserts": ["assert f(1) == 2", "assert f(2) == 3"]},
     "def f(x):\n    return x + 1"),
    ("print('x')\n", {"io": [{"input": "", "output": "x"}]}, "print('x')"),
])
@pytest.mark.parametrize("memory_mb", [256, 512])
def test_filling_the_container_with_kernel_memory_never_costs_the_verdict(box: DockerSandbox, body: str,
                                                                          reference: dict, good: str,
                                                                          memory_mb: int) -> None:
    verifier = CodeVerifier(box, self_check=False, retries=0)
    replaced = box.replaced
    reference = {**reference, "memory_mb": memory_mb, "time_limit_s": 5.0}
    score = verifier(f"```python\n{FILL}{body}```", reference)
    assert score.status is Status.OK and score.value == 0.0, score  # judged: killed for memory
    # by the memory poll at the job's own limit, not by the kernel's OOM killer at the container's
    assert score.details["sandbox"] == "memory" and "passed memory_mb" in score.details["why"], score
    assert verifier(f"```python\n{good}\n```", reference).value == 1.0
    assert box.replaced == replaced


def test_the_oom_killer_takes_the_candidate_then_the_driver_never_the_worker(box: DockerSandbox) -> None:
    verifier = CodeVerifier(box, self_check=False)
    candidate = ("import os\ndef adj():\n    return [int(open(f'/proc/{p}/oom_score_adj').read()) "
                 "for p in ('self', os.getppid(), 1)]\n")
    expected = [OOM_SCORE_JOB, OOM_SCORE_DRIVER, 0]
    score = verifier(f"```python\n{candidate}```", {"asserts": [f"assert adj() == {expected}"]})
    assert score.value == 1.0, score


# Outside red team round 8 (#9): ~150k stats of missing paths leave ~30-55 MB of dentry slab charged to
# the container after the job; clean-up keeps the container (under baseline + 64 MB), and on 5776bf6
# the memory poll charged it to the next job: a correct candidate 30 MB under its limit was killed.
DENTRIES = ("import os\nfor i in range({n}):\n    try:\n        os.stat('/usr/lib/{tag}%07d' % i)\n"
            "    except OSError:\n        pass\n")
NEAR_THE_LIMIT = "x = bytearray(30 << 20)\nx[::4096] = b'\\1' * len(x[::4096])\n"


def test_what_a_job_leaves_behind_never_counts_against_the_next_job(box: DockerSandbox) -> None:
    verifier = CodeVerifier(box, self_check=False, retries=0)
    io = {"io": [{"input": "", "output": "ok\n"}], "memory_mb": 64}
    good = f"```python\n{NEAR_THE_LIMIT}print('ok')\n```"
    assert verifier(good, io).value == 1.0
    for tag in ("x", "y"):  # twice: the second job's leftovers sit on the first's
        assert verifier(f"```python\n{DENTRIES.format(n=150_000, tag=tag)}print('nope')\n```", io).value == 0.0
        scores = [verifier(good, io) for _ in range(3)]
        assert [s.value for s in scores] == [1.0, 1.0, 1.0], scores  # was [0.0, 1.0, 0.0]: killed for memory


def test_a_correct_candidate_cannot_sink_its_sibling_with_leftover_slab(box: DockerSandbox) -> None:
    # A correct candidate that also fills the dentry cache must not cost the next correct one its score:
    # in GRPO a sibling's lost reward is this one's advantage.
    verifier = CodeVerifier(box, self_check=False, retries=0)
    ref = {"check": "def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(41) == 42\n",
           "entry_point": "inc", "memory_mb": 96}
    inc = "def inc(x):\n    return x + 1\n"
    good = f"```python\nbuf = bytearray(56 << 20)\nbuf[::4096] = b'\\1' * len(buf[::4096])\n{inc}```"
    for tag in ("a", "b"):
        assert verifier(f"```python\n{DENTRIES.format(n=140_000, tag=tag)}{inc}```", ref).value == 1.0
        scores = [verifier(good, ref) for _ in range(2)]
        assert [s.value for s in scores] == [1.0, 1.0], scores
