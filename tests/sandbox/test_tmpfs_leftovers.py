"""Round 9 of issue 9, run for real against Docker: tmpfs files kept alive after their job.

On ec64b41 a job unlinked files on /dev/shm and /tmp and left their descriptors in flight in a
unix socket that holds itself (an SCM_RIGHTS cycle). No process held them: the sweep killed
nothing, both directories looked empty, memory stayed under baseline + 64 MB and the container was
kept with /dev/shm full, so the next correct candidates (multiprocessing.Lock() makes a file in
/dev/shm) scored 0.0 with ENOSPC until the kernel's unix GC ran for someone else's socket.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus, SandboxConfig
from rlvr.verifiers.code import CodeVerifier

GHOST = r"""
import array, os, socket
fds = []
for path, mb in (('/dev/shm/g', 15), ('/tmp/g0', 15), ('/tmp/g1', 10)):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        for _ in range(mb + 1):
            os.write(fd, b'x' * (1 << 20))
    except OSError:
        pass
    os.unlink(path)
    fds.append(fd)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
b.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [a.fileno(), *fds]))])
b.sendmsg([b'y'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [b.fileno()]))])
st = os.statvfs('/dev/shm')
print((st.f_blocks - st.f_bfree) * st.f_frsize >> 20)
"""
USAGE = r"""
import json, os
out = {}
for p in ('/tmp', '/dev/shm'):
    st = os.statvfs(p)
    out[p] = [st.f_blocks - st.f_bfree, st.f_files - st.f_ffree]
print(json.dumps(out))
"""
GOOD = """```python
import multiprocessing

def f(xs):
    lock = multiprocessing.Lock()  # a POSIX semaphore: a small file in /dev/shm
    with lock:
        return [x * x for x in xs]
```"""
REFERENCE = {"asserts": ["assert f([1, 2, 3]) == [1, 4, 9]"], "memory_mb": 256, "time_limit_s": 5}


@pytest.fixture(scope="module")
def box(sandbox_image: str) -> Iterator[DockerSandbox]:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        yield sandbox


@pytest.mark.docker
def test_files_in_flight_in_a_socket_cycle_do_not_outlive_their_job(box: DockerSandbox) -> None:
    verifier = CodeVerifier(box, self_check=False)
    before = box.run(USAGE)
    assert before.status is ExecStatus.OK, before
    replaced = box.replaced
    for _ in range(2):
        ghost = box.run(GHOST, memory_mb=256)
        assert ghost.status is ExecStatus.OK and int(ghost.stdout) >= 15, ghost  # /dev/shm (16 MB) was full
        after = box.run(USAGE)
        assert json.loads(after.stdout) == json.loads(before.stdout)  # blocks and inodes, as fresh
        score = verifier(GOOD, REFERENCE)
        assert score.value == 1.0, score.details
    # Forcing the kernel's unix GC freed them: the container was kept, not replaced.
    assert box.replaced == replaced


def test_clean_up_reports_a_mount_not_back_at_its_fresh_usage(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import rlvr.sandbox

    monkeypatch.syspath_prepend(str(Path(rlvr.sandbox.__file__).parent))  # a sibling script of the worker
    from cleanup import _usage_back, fresh_state_usage

    now = fresh_state_usage(str(tmp_path))[str(tmp_path)]
    assert now[0] > 0 and now[1] > 0  # blocks and inodes in use (this test's own directory)
    fresh = {str(tmp_path): (now[0] - 256, now[1] - 1)}  # as if a job left 1 MB in one file
    start = time.monotonic()
    problems = _usage_back(str(tmp_path), fresh, time.monotonic() + 5)
    # One forced unix GC, then half a second at most: the container is replaced, not waited for.
    assert 0.45 < time.monotonic() - start < 1.0
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path} holds")


# Round 10: what is in flight need not take memory or tmpfs space. Empty pipes with 1 MiB buffers
# held the job uid's pipe-user-pages-soft, so each pipe of the next job got 8 KiB instead of 64 KiB
# (a correct solution that joins a multiprocessing.Process before reading its queue deadlocked):
# no mount differed, no GC was forced and the container was kept. The cycle's sockets still show in
# the container's socket table, so clean-up counts them too.
PIPE_GHOST = r"""
import array, fcntl, os, socket
s, t = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
t.sendmsg([b'y'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [s.fileno(), t.fileno()]))])
for _ in range(80):
    r, w = os.pipe()
    try:
        fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ
    except OSError:
        break
    t.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [w]))])
    os.close(r)
    os.close(w)
r, w = os.pipe()
print(fcntl.fcntl(w, 1032))  # F_GETPIPE_SZ: the quota is spent in this job already
"""
PIPE_SIZE = "import fcntl, os\nr, w = os.pipe()\nprint(fcntl.fcntl(w, 1032))\n"


@pytest.mark.docker
def test_quotas_held_in_flight_in_a_socket_cycle_do_not_outlive_their_job(box: DockerSandbox) -> None:
    fresh = box.run(PIPE_SIZE)
    assert fresh.status is ExecStatus.OK and int(fresh.stdout) == 65536, fresh
    for _ in range(2):
        ghost = box.run(PIPE_GHOST, memory_mb=256)
        assert ghost.status is ExecStatus.OK and int(ghost.stdout) < 65536, ghost
        after = box.run(PIPE_SIZE)
        assert after.status is ExecStatus.OK and int(after.stdout) == 65536, after
