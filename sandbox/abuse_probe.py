"""The abuse suite's probe: the job after a case must be served in time, into a clean container.

The probe lists the processes it can see and what is left in ``/tmp``, ``/dev/shm`` and the IPC
namespaces. Its time after a case includes the rest of the case's clean-up (the worker takes the
next job only once it is done), so "served in time" is what bounds a clean-up that stalls the next
job: at most ``STALL_ALLOWANCE_S`` plus 3x a probe run in the same container right before the case,
plus the time the container's worker and fork server sat runnable waiting for a CPU during the
probe (their ``run_delay`` in ``/proc/<pid>/task/*/schedstat``). On a loaded host the clean-up is
slowed by exactly that wait; a clean-up that works or blocks for seconds fails on any host. A
second probe would not do: it runs after the clean-up ended, so it cannot tell a stall from load.

Limits: the host-side relay (the ``docker run -i`` client and the engine's shim) also waits for
CPU under load and is not excused; without ``/proc/<pid>/schedstat`` (another kernel, or the
worker's pid not visible) nothing is excused.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from pathlib import Path

from .abuse_programs import PIDS
from .image import docker_cli
from .jobs import ExecResult, ExecStatus

STALL_ALLOWANCE_S = 1.0

PROBE = PIDS + """
import json
def ls(d):
    try: return sorted(os.listdir(d))
    except OSError as e: return ['<%s>' % e]
ipc = [k for k in ('shm', 'msg', 'sem') if open('/proc/sysvipc/' + k).read().count('\\n') > 1]
print(json.dumps({'pids': pids, 'self': os.getpid(), 'tmp': ls(os.environ.get('TMPDIR', '/tmp')),
                  'shm': ls('/dev/shm'), 'ipc': ipc + ls('/dev/mqueue'), 'uid': os.getuid(),
                  'cwd_writable': os.access('.', os.W_OK)}))
"""


def timed_probe(sandbox: object) -> tuple[ExecResult, float]:
    start = time.monotonic()
    probe = sandbox.run(PROBE, timeout_s=5.0)  # type: ignore[attr-defined]
    return probe, time.monotonic() - start


def container_pids(names: set[str]) -> list[int]:
    """Host pids of each named container's worker (its PID 1) and the worker's children (the fork server)."""
    pids: list[int] = []
    for name in sorted(names):
        out = subprocess.run([docker_cli(), "inspect", "-f", "{{.State.Pid}}", name], capture_output=True, text=True,
                             timeout=60).stdout.strip()
        if out.isdigit() and int(out) > 0:
            pids.append(int(out))
            with contextlib.suppress(OSError):
                pids += [int(p) for p in Path(f"/proc/{out}/task/{out}/children").read_text().split()]
    return pids


def run_delay_s(pids: list[int]) -> dict[int, float]:
    """Seconds each process's threads have spent runnable but waiting for a CPU, by pid (those readable)."""
    delays: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
            delays[pid] = sum(int((t / "schedstat").read_text().split()[1]) for t in tasks) / 1e9
    return delays


def next_job(sandbox: object, pids: list[int], before_s: float) -> tuple[float, float, list[str]]:
    """Run the probe after a case: (its seconds, the limit it had, the problems it found).

    ``before_s``: the probe's time right before the case; ``pids``: the processes whose CPU wait is
    excused (`container_pids`)."""
    waited = run_delay_s(pids)
    probe, seconds = timed_probe(sandbox)
    now = run_delay_s(pids)
    cpu_wait_s = sum(max(0.0, now[pid] - waited[pid]) for pid in now.keys() & waited.keys())
    limit_s = STALL_ALLOWANCE_S + 3 * before_s + cpu_wait_s
    return seconds, limit_s, probe_problems(probe, seconds, limit_s)


def probe_problems(probe: ExecResult, seconds: float, limit_s: float) -> list[str]:
    if probe.status is not ExecStatus.OK or probe.exit_code != 0:
        return [f"the next job failed: {probe.status.value} {probe.detail} {probe.stderr[-300:]}"]
    problems = [f"the next job took {seconds:.2f} s (limit {limit_s:.2f} s)"] if seconds > limit_s else []
    seen = json.loads(probe.stdout)
    others = [p for p in seen["pids"] if p not in (1, seen["self"])]
    if others:
        problems.append(f"{len(others)} process(es) left behind")
    if seen["tmp"] != ["job"] or seen["shm"]:
        problems.append(f"files left behind: tmp={seen['tmp'][:5]} shm={seen['shm'][:5]}")
    if seen["ipc"]:
        problems.append(f"IPC objects left behind: {seen['ipc'][:5]}")
    if not seen["cwd_writable"]:
        problems.append("the next job's work dir is not writable")
    if seen["uid"] == 0:
        problems.append("jobs run as root")
    return problems
