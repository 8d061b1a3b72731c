"""A job forked by the fork server behaves as in a fresh ``python3 main.py``, and starts fresh every time."""

from __future__ import annotations

import time

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus
from rlvr.sandbox.jobs import Job

pytestmark = pytest.mark.docker


@pytest.mark.parametrize(("code", "exit_code", "stdout", "stderr_end"), [
    ("import sys\nsys.exit(3)", 3, "", ""),
    ("import sys\nsys.exit('bye')", 1, "", "bye\n"),
    ("raise SystemExit(None)", 0, "", ""),
    ("raise SystemExit(256 + 7)", 7, "", ""),
    ("def f():\n    raise ValueError('no')\nf()", 1, "", "ValueError: no\n"),
    ("def f(:\n    pass", 1, "", "SyntaxError: invalid syntax\n"),
    # what the interpreter does at exit: join non-daemon threads, run atexit, flush files in globals
    ("import threading, time\ndef late():\n    time.sleep(0.2)\n    print('thread')\n"
     "threading.Thread(target=late).start()", 0, "thread\n", ""),
    ("import atexit\natexit.register(print, 'atexit')\nprint('main')", 0, "main\natexit\n", ""),
    ("out = open(1, 'w', closefd=False)\nout.write('global file')", 0, "global file", ""),
    ("import sys\nsys.stdout.write('no newline')", 0, "no newline", ""),
])
def test_exit_matches_a_fresh_interpreter(docker_sandbox: DockerSandbox, code: str, exit_code: int, stdout: str,
                                          stderr_end: str) -> None:
    result = docker_sandbox.run(code)
    assert (result.status, result.exit_code, result.stdout) == (ExecStatus.OK, exit_code, stdout), result
    assert result.stderr.endswith(stderr_end), result.stderr
    assert "forkserver" not in result.stderr  # no frame of ours in a traceback


def test_the_script_is_main_and_the_folder_is_its_own(docker_sandbox: DockerSandbox) -> None:
    code = ("import os, sys\nimport limits, frames\n"
            "print(__name__, __file__, sys.argv, sys.path[0] == os.getcwd(), limits.MINE, frames.MINE,\n"
            "      sys.modules['__main__'].__dict__ is globals())")
    result = docker_sandbox.run(code, files={"limits.py": "MINE = 'job limits'", "frames.py": "MINE = 'job frames'"})
    assert result.stdout == "__main__ /tmp/job/main.py ['main.py'] True job limits job frames True\n", result


def test_nothing_a_job_changes_in_its_interpreter_reaches_the_next(docker_sandbox: DockerSandbox) -> None:
    poison = ("import json, os, sys, builtins\njson.dumps = lambda *a, **k: 'poisoned'\nbuiltins.len = None\n"
              "sys.modules['math'] = None\nsys.path.insert(0, '/dev/shm')\nos.environ['LEFT'] = '1'\nprint('set')")
    check = ("import json, math, os, sys\nprint(json.dumps([1]), len('ab'), math.pi > 3, '/dev/shm' in sys.path,"
             " 'LEFT' in os.environ)")
    for _ in range(4):  # the pool has two containers: poison and check in each
        assert docker_sandbox.run(poison).stdout == "set\n"
        assert docker_sandbox.run(check).stdout == "[1] 2 True False False\n"


def test_a_job_has_the_memory_room_of_a_fresh_interpreter(docker_sandbox: DockerSandbox) -> None:
    fits = docker_sandbox.run("x = bytearray(40 << 20)\nprint(len(x) >> 20)", memory_mb=64)
    assert (fits.status, fits.stdout) == (ExecStatus.OK, "40\n"), fits
    too_big = docker_sandbox.run("x = bytearray(80 << 20)", memory_mb=64)
    assert too_big.status is ExecStatus.MEMORY, too_big


CLONE_PARENT_ZOMBIES = '''
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
for _ in range(3):  # raw clone(CLONE_PARENT | SIGCHLD): the fork server's children, not the job's
    if libc.syscall(56, 0x8000 | 17, 0, 0, 0, 0) == 0:
        time.sleep(100); os._exit(0)
sys.stdout.buffer.write(b"\\x01" * %d); sys.stdout.flush()
time.sleep(100)
'''


@pytest.mark.parametrize("output_bytes", [10, (16 << 20) - 4096])
def test_children_a_job_gives_the_fork_server_are_reaped_and_never_stall_the_pool(docker_sandbox: DockerSandbox,
                                                                                   output_bytes: int) -> None:
    # Outside red-team, seventh round: their zombies outlived the clean-up sweep (which spares the fork
    # server), so it spun its 3 s; with a near-cap reply that grows 6x in the frame, the reply missed its
    # deadline, the container could not be killed in 30 s and the pool stalled for minutes.
    pids = "import os; print(len([p for p in os.listdir('/proc') if p.isdigit()]))"
    before = docker_sandbox.run(pids).stdout
    start = time.monotonic()
    result = docker_sandbox.run_job(Job(code=CLONE_PARENT_ZOMBIES % output_bytes, timeout_s=3, memory_mb=256))
    assert result.status is ExecStatus.TIMEOUT, result.detail
    assert time.monotonic() - start < 3 + docker_sandbox.config.reply_grace_s
    assert docker_sandbox.run(pids).stdout == before  # nothing left: no zombie, no sleeper
