"""The sandbox worker: PID 1 of each container, one fresh process per job.

Standard library only: it runs under the image's ``python3``, bind-mounted
read-only. It talks to the host over its own stdin/stdout (the container's
attach streams), in frames of a 4-byte big-endian length then UTF-8 JSON. A
job never gets those descriptors: it gets fresh pipes, its output travels
inside the reply as data, so nothing it prints can pass for a verdict.

Who runs as whom (in a container): the worker is root with only the
capabilities it needs (SETUID/SETGID/CHOWN to start jobs, KILL to sweep them,
DAC_OVERRIDE/FOWNER to clean up whatever they leave) and is
non-dumpable. Every job runs as ``job_uid`` (a uid the host picks per
container, so no per-uid kernel quota is shared with another container) with no
capabilities: it cannot signal PID 1, read its memory or open its descriptors.
A harness job (``harness``: "assert" or "io") runs a trusted driver from this
folder as root instead, fed its tests over its stdin pipe; the driver starts
the candidate's processes as ``job_uid`` (`harness_driver`).

Every job's process (and every harness driver) is forked by the fork server
(`forkserver`), a pristine interpreter that has seen no job, instead of being a
fresh ``python3``. Per job: a fresh session with rlimits on CPU time, address
space, file size, open files, message-queue bytes and core dumps, ``oom_score_adj`` 1000 (the OOM
killer takes the job first, then a harness driver at 500, not PID 1 or the fork server; see
`limits` for what a job can still do about it); a wall-clock deadline; a byte cap on
stdout + stderr; and the memory the whole job holds (anonymous memory, tmpfs,
``/dev/shm``, memfd and SysV shared memory, and kernel memory such as socket and pipe
buffers, read from the container's memory cgroup every 10 ms) capped at ``memory_mb`` above what
the container held when the job started. After every job every other
process but the fork server is SIGKILLed and reaped, ``/tmp``, ``/dev/shm``,
``/dev/mqueue`` and every SysV IPC object are removed (whatever the modes and
depth), and the container is proven back at its start state (`cleanup`); if it
is not, the second frame says ``clean: false`` and the host replaces the container.
Each job gets two frames: its verdict as soon as it ended (processes swept), then the
clean-up's outcome (`tidy`): the host sends no job before that second frame.

Outside a container (``ProcessSandbox``) the worker is not PID 1: it runs jobs
as its own user, only kills the job's process group, and only empties its
work dir.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import time
from typing import Any

from cleanup import clean_up, fresh_state_usage, sweep
from forkserver import ForkServer, ForkServerError
from frames import HEADER, MAX_REQUEST_BYTES, read_exact, write_frame
from limits import IGNORED, held_memory, job_status, make_undumpable
from pump import pump

HERE = os.path.dirname(os.path.abspath(__file__))


class Spawned:
    """A process the fork server started for us: what `pump` needs of a `subprocess.Popen`."""

    def __init__(self, forks: ForkServer, pid: int, pidfd: int, stdin: int, stdout: int, stderr: int) -> None:
        self.forks, self.pid, self.pidfd = forks, pid, pidfd
        self.stdin, self.stdout, self.stderr = (os.fdopen(fd, mode, buffering=0) for fd, mode in
                                                ((stdin, "wb"), (stdout, "rb"), (stderr, "rb")))
        self.returncode: int | None = None

    def wait(self) -> int:
        if self.returncode is None:
            os.close(self.pidfd)
            self.returncode = self.forks.wait()
        return self.returncode


def spawn(forks: ForkServer, argv: list[str], **kwargs: Any) -> Spawned:
    pipes = [os.pipe() for _ in range(3)]
    try:
        pid, pidfd = forks.spawn(argv, fds=(pipes[0][0], pipes[1][1], pipes[2][1]), **kwargs)
    except ForkServerError:
        for r, w in pipes:
            os.close(r)
            os.close(w)
        raise
    for fd in (pipes[0][0], pipes[1][1], pipes[2][1]):
        os.close(fd)
    return Spawned(forks, pid, pidfd, pipes[0][1], pipes[1][0], pipes[2][0])


def _write_files(job_dir: str, files: dict[str, str], uid: int) -> None:
    """Write the job's files (names were validated by the host), owned by the job's uid."""
    os.mkdir(job_dir, 0o700)
    if uid and os.getuid() == 0:
        os.chown(job_dir, uid, uid)
    for name, text in files.items():
        path = os.path.join(job_dir, name)
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, 0o700)
            if uid and os.getuid() == 0:
                walk = parent
                while walk != job_dir:
                    os.chown(walk, uid, uid)
                    walk = os.path.dirname(walk)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with open(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if uid and os.getuid() == 0:
            os.chown(path, uid, uid)


def run_job(request: dict[str, Any], root: str, uid: int, baseline: int | None,
            forks: ForkServer) -> tuple[dict[str, Any], list[str]]:
    """Run one job: its verdict, and why the container cannot be cleaned for the next job ([]: it
    can). Never raises for anything the job does."""
    job_dir = os.path.join(root, "job")
    harness = request.get("harness")
    program = "solution.py" if harness else "main.py"
    memory = int(request["memory_mb"]) << 20
    # The job is charged for what the container holds beyond what it held before the job existed,
    # its own files on /tmp (tmpfs is memory) included: measured before they are written, or a job
    # that unlinks its code and drops its source would gain their size. Never less than the
    # container's baseline: a previous job's leftovers (reclaimable dentry slab survives clean-up;
    # past baseline + 64 MB the container is replaced) are never this job's.
    limit = None if baseline is None else max(baseline, held_memory() or 0) + memory
    try:
        _write_files(job_dir, {**request.get("files", {}), program: request["code"]}, uid)
    except OSError as exc:  # the container was proven clean and the names valid: this is ours
        return {"status": "infra_error", "detail": f"job set-up failed: {exc}"}, ["job set-up failed"]
    timeout_s = float(request["timeout_s"])
    cap = int(request["output_limit"])
    cpu_s, file_bytes = math.ceil(timeout_s) + 1, int(request["file_size_mb"]) << 20
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": job_dir, "TMPDIR": root}
    if harness:
        argv = [os.path.join(HERE, "harness_driver.py"), harness, job_dir, str(uid), str(cpu_s), str(memory),
                str(file_bytes), str(forks.pid)]
        limits: dict[str, Any] = {"uid": None, "memory": memory + (256 << 20)}  # the driver decodes answers
    else:
        argv = ["main.py"]
        limits = {"uid": uid, "cpu_s": cpu_s, "memory": memory, "file_bytes": file_bytes}
    start = time.monotonic()
    try:
        proc = spawn(forks, argv, cwd=job_dir, env=env, **limits)
    except ForkServerError as exc:
        return {"status": "infra_error", "detail": f"could not start: {exc}"}, ["the fork server failed"]
    out, err, killed_for = pump(proc, request.get("stdin", "").encode(), start + timeout_s, cap, limit, proc.pidfd)
    # Kill the rest before the fork server reaps the job: a job ptraced by its own child is a zombie
    # its parent cannot reap while the tracer lives.
    survivors = [] if sweep(proc.pid, forks.pid) else ["processes survived the sweep"]
    try:
        returncode = proc.wait()
    except ForkServerError as exc:
        return {"status": "infra_error", "detail": str(exc)}, [*survivors, "the fork server failed"]
    duration = time.monotonic() - start
    try:
        status, detail = job_status(returncode, killed_for, err)
    except Exception as exc:  # the job ended: whatever its exit looks like, it is its own verdict
        status, detail = "error", f"exit status {returncode}: {type(exc).__name__}"
    return {"status": status, "detail": detail, "exit_code": None if killed_for else returncode,
            "stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace"),
            "duration_s": round(duration, 6)}, survivors


def tidy(root: str, baseline: int | None, uid: int, survivors: list[str], forks: ForkServer,
         fresh: dict[str, tuple[int, int]] | None) -> list[str]:
    """After the verdict went out: clean the container; what is not clean ([] when all is)."""
    problems = survivors or clean_up(root, baseline, uid, fresh)
    if not forks.alive():
        problems.append("the fork server died")
    return problems


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    uid = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    # Our own channel, moved off 0/1 so that no child can ever inherit it by accident.
    chan_in, chan_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    for sig in IGNORED:
        signal.signal(sig, signal.SIG_IGN)
    undumpable = make_undumpable()
    problems = clean_up(root, None, uid)
    forks = ForkServer()
    baseline = held_memory() if os.getpid() == 1 else None
    fresh = fresh_state_usage(root) if os.getpid() == 1 else None
    write_frame(chan_out, {"hello": 1, "pid": os.getpid(), "undumpable": undumpable, "uid": os.getuid(),
                           "job_uid": uid, "python": sys.version.split()[0], "clean": not problems,
                           "unclean": problems})
    while True:
        header = read_exact(chan_in, HEADER.size)
        if header is None:
            return  # the host went away: exit, and the container goes with us
        (length,) = HEADER.unpack(header)
        body = read_exact(chan_in, length) if length <= MAX_REQUEST_BYTES else None
        if body is None:
            return
        request = json.loads(body)
        job_id = request.get("id")
        survivors: list[str] = ["the job did not finish"]
        try:
            reply, survivors = run_job(request, root, uid, baseline, forks)
        except Exception as exc:  # a worker bug: reported, and the host replaces this worker
            reply = {"status": "infra_error", "detail": f"worker: {type(exc).__name__}: {exc}"}
        # The verdict goes out first: clean-up (bounded by its own budget) is never the job's
        # time. The host hands this worker the next job only after the second frame says clean.
        write_frame(chan_out, {**reply, "id": job_id})
        # Clean-up checks that the container's memory is back near its baseline: the request (its
        # code twice, as bytes and as text) and the reply are ours, not leftovers; let them go.
        del body, request, reply
        try:
            problems = tidy(root, baseline, uid, survivors, forks, fresh)
        except Exception as exc:
            problems = [f"worker: clean-up raised {type(exc).__name__}: {exc}"]
        write_frame(chan_out, {"id": job_id, "cleaned": True, "clean": not problems,
                               "unclean": problems})


if __name__ == "__main__":
    main()
