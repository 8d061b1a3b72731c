"""The probe after an abuse case: load is excused by the CPU wait it caused, a real stall never is."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

import rlvr.sandbox.abuse_probe as abuse_probe
from rlvr.sandbox import DockerSandbox, ExecResult, ExecStatus, SandboxConfig, run_abuse_suite

_CLEAN = ExecResult(status=ExecStatus.OK, exit_code=0,
                    stdout='{"pids": [1, 9], "self": 9, "tmp": ["job"], "shm": [], "ipc": [], "uid": 5000, '
                           '"cwd_writable": true}')


@pytest.mark.parametrize(("seconds", "cpu_wait_s", "limit_s", "problems"), [
    (1.8, 0.0, 1.15, ["the next job took 1.80 s (limit 1.15 s)"]),  # a stall on an idle host
    (1.8, 1.2, 2.35, []),  # as long, but the worker waited 1.2 s for a CPU: load
    (3.5, 1.2, 2.35, ["the next job took 3.50 s (limit 2.35 s)"]),  # load explains only part of it
])
def test_only_cpu_wait_is_excused(monkeypatch: pytest.MonkeyPatch, seconds: float, cpu_wait_s: float,
                                  limit_s: float, problems: list[str]) -> None:
    waits = iter([{1: 0.5, 2: 0.1}, {1: 0.5 + cpu_wait_s, 2: 0.1, 3: 9.0}])  # pid 3 appeared: not counted
    monkeypatch.setattr(abuse_probe, "run_delay_s", lambda pids: next(waits))
    monkeypatch.setattr(abuse_probe, "timed_probe", lambda sandbox: (_CLEAN, seconds))
    got = abuse_probe.next_job(object(), [1, 2, 3], before_s=0.05)
    assert (round(got[0], 3), round(got[1], 3), got[2]) == (seconds, limit_s, problems)


def test_run_delay_counts_time_spent_waiting_for_a_cpu() -> None:
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    try:
        me = subprocess.Popen([sys.executable, "-c", "import time\nend = time.monotonic() + 1.5\n"
                               "while time.monotonic() < end: pass"])
        time.sleep(1.0)
        waited = abuse_probe.run_delay_s([me.pid])[me.pid]
        me.wait()
    finally:
        for b in burners:
            b.kill()
            b.wait()
    assert 0.2 < waited < 1.0  # four spinners on at most two cores: a good part of that second was waiting


@pytest.mark.docker
def test_a_worker_frozen_for_two_seconds_fails_the_probe(sandbox_image: str) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        sandbox.warm_up()
        (name,) = sandbox.container_names()
        pids = abuse_probe.container_pids({name})
        before_s = abuse_probe.timed_probe(sandbox)[1]
        assert len(pids) == 2 and before_s < 0.5  # the worker and its fork server
        subprocess.run(["docker", "pause", name], check=True, capture_output=True)
        thaw = threading.Timer(2.0, lambda: subprocess.run(["docker", "unpause", name], capture_output=True))
        thaw.start()
        seconds, limit_s, problems = abuse_probe.next_job(sandbox, pids, before_s)
        thaw.join()
        assert seconds > 2.0 and limit_s < 1.0 + 3 * before_s + 0.3, (seconds, limit_s)  # frozen is not waiting
        assert problems == [f"the next job took {seconds:.2f} s (limit {limit_s:.2f} s)"]


@pytest.mark.docker
def test_the_inode_flood_case_passes_on_a_loaded_host(sandbox_image: str) -> None:
    # Spinners in containers of their own: each container's cgroup gets its share of the CPUs, as
    # other sandboxes' jobs do (spinners in our own cgroup barely slow the sandbox's container).
    # The case's next job took 1.14-1.2 s at load 6-11 and with these two ~3.5 s, against a fixed 1 s.
    names = [f"rlvr-spin-{os.getpid()}-{i}" for i in range(2)]
    for name in names:
        subprocess.run(["docker", "run", "-d", "--rm", "--name", name, "--network", "none", sandbox_image,
                        "python3", "-c", "while True: pass"], check=True, capture_output=True, timeout=60)
    try:
        (report,) = run_abuse_suite(SandboxConfig(image=sandbox_image), ["inode_flood"])
    finally:
        subprocess.run(["docker", "kill", *names], capture_output=True, timeout=60)
    assert report.problems == [], report
    assert report.next_job_s <= report.next_job_limit_s
