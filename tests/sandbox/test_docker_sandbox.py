"""DockerSandbox against the real engine: results, container flags, replacement, no leaks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus, Job, SandboxConfig, SandboxUnavailable
from rlvr.sandbox.docker_pool import LABEL, OWNER_LABEL, TMPFS_INODES, list_containers, owner_label

pytestmark = pytest.mark.docker


def _inspect(name: str) -> dict:
    out = subprocess.run(["docker", "inspect", name], capture_output=True, text=True, check=True).stdout
    return json.loads(out)[0]


def test_runs_code_with_stdin_files_and_exit_codes(docker_sandbox: DockerSandbox) -> None:
    echo = docker_sandbox.run("import sys; print(sys.stdin.read()[::-1])", stdin="abc")
    assert (echo.status, echo.exit_code, echo.stdout) == (ExecStatus.OK, 0, "cba\n")
    failing = docker_sandbox.run("import sys; print('oops', file=sys.stderr); sys.exit(3)")
    assert (failing.status, failing.exit_code, failing.stderr) == (ExecStatus.OK, 3, "oops\n")
    files = docker_sandbox.run("import helper; print(helper.X)", files={"helper.py": "X = 41 + 1"})
    assert files.stdout == "42\n"
    assert 0 < echo.duration_s < 1.0


def test_output_that_is_not_utf8_comes_back_as_utf8_text(docker_sandbox: DockerSandbox) -> None:
    # a lone surrogate's bytes and a bad byte: decoded with replacement, never carried as a lone surrogate
    # (which no UTF-8 JSON reply, /run_code's included, could hold)
    result = docker_sandbox.run("import os\nos.write(1, b'\\xed\\xb2\\x80 \\xff')\n"
                                "os.write(2, '\\udc80'.encode('utf-8', 'surrogatepass'))")
    assert (result.stdout, result.stderr) == ("\ufffd\ufffd\ufffd \ufffd", "\ufffd\ufffd\ufffd")
    result.model_dump_json().encode("utf-8")


def test_run_many_keeps_order_and_is_fast(docker_sandbox: DockerSandbox) -> None:
    jobs = [Job(code=f"print({i} ** 2)") for i in range(20)]
    start = time.monotonic()
    results = docker_sandbox.run_many(jobs, concurrency=2)
    elapsed = time.monotonic() - start
    assert [r.stdout for r in results] == [f"{i ** 2}\n" for i in range(20)]
    assert elapsed < 5.0, f"20 trivial jobs took {elapsed:.1f} s"


def test_containers_are_locked_down(docker_sandbox: DockerSandbox) -> None:
    name = sorted(docker_sandbox.container_names())[0]
    info = _inspect(name)
    host = info["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["PidsLimit"] == 64 and host["Memory"] == 1024 << 20
    # /tmp and /dev/shm: size-limited, noexec, and a bounded number of files (clean-up stays bounded)
    mounts = docker_sandbox.run("print(open('/proc/mounts').read())").stdout.strip().splitlines()
    tmpfs = {m.split()[1]: m.split()[3] for m in mounts if m.split()[1] in ("/tmp", "/dev/shm")}
    assert "size=16384k" in tmpfs["/dev/shm"] and "size=65536k" in tmpfs["/tmp"], tmpfs
    assert all("noexec" in opts and f"nr_inodes={TMPFS_INODES}" in opts for opts in tmpfs.values()), tmpfs
    assert host["IpcMode"] == "private" and host["Sysctls"]["kernel.shm_rmid_forced"] == "1"
    ipc = docker_sandbox.run("print(*(open(f'/proc/sys/kernel/{k}').read().split() for k in "
                             "('msgmni', 'msgmnb', 'msgmax', 'sem', 'shmmni')))").stdout
    assert ipc == "['16'] ['16384'] ['8192'] ['250', '4096', '500', '64'] ['64']\n"  # IPC_SYSCTLS, in force
    assert sorted(c.removeprefix("CAP_") for c in host["CapAdd"]) == ["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL",
                                                                       "SETGID", "SETUID"]
    assert info["Config"]["Labels"][OWNER_LABEL] == owner_label()
    # The job: a high, per-container uid, no capabilities; the worker (PID 1) is another user.
    whoami = docker_sandbox.run("import os; print(os.getuid(), os.getgid(), os.getgroups())")
    uid, gid, groups = whoami.stdout.split(" ", 2)
    assert int(uid) >= 100_000 and uid == gid and groups == "[]\n"
    status = docker_sandbox.run("print(open('/proc/self/status').read())")
    assert "NoNewPrivs:\t1" in status.stdout and "CapEff:\t0000000000000000" in status.stdout
    assert "CapPrm:\t0000000000000000" in status.stdout
    assert docker_sandbox.run("print(open('/proc/1/environ').read())").exit_code == 1  # not ours to read


def test_a_killed_container_is_replaced_and_its_job_retried_there(sandbox_image: str) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        sandbox.warm_up()
        (victim,) = sandbox.container_names()
        killer = threading.Timer(0.5, lambda: subprocess.run(["docker", "kill", victim], capture_output=True))
        killer.start()
        retried = sandbox.run("import time; time.sleep(3); print('done')", timeout_s=5)
        killer.join()
        assert (retried.status, retried.stdout) == (ExecStatus.OK, "done\n"), retried
        assert sandbox.replaced == 1 and victim not in sandbox.container_names()
        start = time.monotonic()
        after = sandbox.run("print('served')")
        assert after.stdout == "served\n" and time.monotonic() - start < 3.0


def test_missing_image_is_a_clear_error() -> None:
    with pytest.raises(SandboxUnavailable, match="rlvr sandbox build"):
        DockerSandbox(SandboxConfig(image="rlvr-no-such-image:never"))


def _wait_gone(names: set[str], seconds: float = 15.0) -> set[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = names & {n for n, _ in list_containers()}
        if not left:
            return left
        time.sleep(0.2)
    return left


_OWNER_SCRIPT = """
import sys, time
from rlvr.sandbox import DockerSandbox, SandboxConfig
sandbox = DockerSandbox(SandboxConfig(image=sys.argv[1], pool_size=2))
sandbox.warm_up()
print(" ".join(sorted(sandbox.container_names())), flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_no_container_outlives_its_owner(sandbox_image: str, how: signal.Signals) -> None:
    owner = subprocess.Popen([sys.executable, "-c", _OWNER_SCRIPT, sandbox_image], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    names = set(owner.stdout.readline().split())
    assert len(names) == 2 and names <= {n for n, _ in list_containers()}
    os.kill(owner.pid, how)  # Ctrl-C runs the atexit clean-up; SIGKILL leaves the containers to exit on EOF
    owner.wait(timeout=90)  # the clean-up is `docker rm -f`, which a loaded engine can take tens of seconds over
    assert _wait_gone(names) == set()


def test_stale_containers_are_removed_at_the_next_start(sandbox_image: str) -> None:
    name = f"rlvr-sbx-stale-{os.getpid()}"
    subprocess.run(["docker", "run", "-d", "--name", name, "--label", f"{LABEL}=1",
                    "--label", f"{OWNER_LABEL}={owner_label().rsplit(':', 1)[0]}:999999999",
                    "--network", "none", sandbox_image, "sleep", "300"], check=True, capture_output=True)
    assert name in {n for n, _ in list_containers()}
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)):
        assert name not in {n for n, _ in list_containers()}


def test_a_wedged_worker_is_replaced_within_a_second(sandbox_image: str) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1, reply_grace_s=1.0)) as sandbox:
        sandbox.warm_up()
        (frozen,) = sandbox.container_names()
        subprocess.run(["docker", "pause", frozen], check=True, capture_output=True)
        start = time.monotonic()
        retried = sandbox.run("print(1)", timeout_s=0.5)  # wedged, then run again in a fresh container
        assert (retried.status, retried.stdout) == (ExecStatus.OK, "1\n"), retried
        assert time.monotonic() - start < 5.0 and sandbox.replaced == 1
        start = time.monotonic()
        assert sandbox.run("print(2)").stdout == "2\n"
        assert time.monotonic() - start < 1.0
        assert frozen not in sandbox.container_names()
    assert _wait_gone({frozen}) == set()


def test_workers_start_on_demand(sandbox_image: str) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=2)) as sandbox:
        for _ in range(3):
            assert sandbox.run("print(1)").stdout == "1\n"
        assert len(sandbox.container_names()) == 1  # one job at a time needs one container
        sandbox.run_many([Job(code="import time; time.sleep(0.3)") for _ in range(2)], concurrency=2)
        assert len(sandbox.container_names()) == 2


def test_build_is_a_fast_no_op_when_the_image_exists(sandbox_image: str, tmp_path) -> None:
    from typer.testing import CliRunner

    from rlvr.cli.main import app
    from rlvr.sandbox import ImageBuildError, build_image

    start = time.monotonic()
    result = CliRunner().invoke(app, ["sandbox", "build", "--image", sandbox_image])
    assert result.exit_code == 0 and "already exists" in result.output
    assert time.monotonic() - start < 5.0
    with pytest.raises(ImageBuildError, match="no Dockerfile"):
        build_image("rlvr-no-such-image:never", dockerfile=tmp_path / "Dockerfile")
