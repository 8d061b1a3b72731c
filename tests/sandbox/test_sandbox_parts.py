"""The sandbox's parts without Docker: mirror parsing, harness results, worker verdicts, ProcessSandbox."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from pydantic import ValidationError

from rlvr.sandbox import ExecResult, ExecStatus, Job, ProcessSandbox, SandboxConfig, UnsafeSandboxWarning
from rlvr.sandbox.harness import assert_job, outputs_match, read_results
from rlvr.sandbox.image import DEFAULT_MIRROR, apt_mirror
from rlvr.sandbox.worker import _status


def test_apt_mirror_reads_deb822_and_skips_security(tmp_path: Path) -> None:
    (tmp_path / "debian.sources").write_text(
        "Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n")
    assert apt_mirror([tmp_path]) == "http://mirror.example/debian"


def test_apt_mirror_reads_one_line_format_and_falls_back(tmp_path: Path) -> None:
    listing = tmp_path / "sources.list"
    listing.write_text("# comment\ndeb [arch=amd64] http://ftp.example/debian bookworm main\n")
    assert apt_mirror([listing]) == "http://ftp.example/debian"
    assert apt_mirror([tmp_path / "missing.list"]) == DEFAULT_MIRROR


def test_job_and_config_reject_bad_limits() -> None:
    with pytest.raises(ValidationError, match="timeout_s"):
        Job(code="pass", timeout_s=0)
    with pytest.raises(ValidationError, match="pool_size"):
        SandboxConfig(pool_size=0)
    with pytest.raises(ValidationError, match="extra"):
        SandboxConfig(memory=5)  # type: ignore[call-arg]


@pytest.mark.parametrize(("returncode", "killed_for", "stderr", "status"), [
    (0, "", b"", "ok"),
    (3, "", b"boom", "ok"),
    (1, "", b"Traceback...\nMemoryError\n", "memory"),
    (-signal.SIGXCPU, "", b"", "timeout"),
    (-signal.SIGKILL, "", b"", "memory"),
    (-signal.SIGSEGV, "", b"", "error"),
    (-signal.SIGKILL, "timeout", b"", "timeout"),
    (-signal.SIGKILL, "output_limit", b"", "output_limit"),
])
def test_worker_verdicts(returncode: int, killed_for: str, stderr: bytes, status: str) -> None:
    assert _status(returncode, killed_for, stderr)[0] == status


def test_results_need_the_nonce() -> None:
    job, nonce = assert_job("x = 1", ["assert x == 1"], time_limit_s=1, memory_mb=64)
    assert job.stdin == nonce + "\n" and nonce not in job.files["solution.py"]
    forged = ExecResult(status=ExecStatus.OK, exit_code=0, stdout='[{"passed": true}]\n' + "0" * 32 + "[]\n")
    assert read_results(forged, nonce) is None
    real = ExecResult(status=ExecStatus.OK, stdout=f"noise\n{nonce}" + json.dumps([{"passed": False}]) + "\n")
    assert read_results(real, nonce) == [{"passed": False}]


def test_output_comparison_ignores_trailing_whitespace_only() -> None:
    assert outputs_match("3 \n4\n\n", "3\n4")
    assert not outputs_match("3 4", "3\n4")
    assert not outputs_match("34", "3 4")


def test_process_sandbox_warns_and_enforces_limits() -> None:
    with pytest.warns(UnsafeSandboxWarning, match="not a security boundary"):
        sandbox = ProcessSandbox(SandboxConfig(backend="process", pool_size=1, output_limit_bytes=4096))
    with sandbox:
        echo = sandbox.run("import sys; print(sys.stdin.read().upper())", stdin="abc")
        assert (echo.status, echo.exit_code, echo.stdout) == (ExecStatus.OK, 0, "ABC\n")
        loop = sandbox.run("while True: pass", timeout_s=0.5)
        assert loop.status is ExecStatus.TIMEOUT and 0.5 <= loop.duration_s < 2.0
        flood = sandbox.run("print('x' * 100000)")
        assert flood.status is ExecStatus.OUTPUT_LIMIT and len(flood.stdout) <= 4096
        hog = sandbox.run("b = bytearray(2 << 30)", memory_mb=128)
        assert hog.status is ExecStatus.MEMORY
        crash = sandbox.run("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
        assert crash.status is ExecStatus.ERROR and crash.exit_code == -signal.SIGSEGV
        files = sandbox.run("print(open('data/in.txt').read())", files={"data/in.txt": "42"})
        assert files.stdout == "42\n"
        escape = sandbox.run("print(1)", files={"../evil.txt": "x"})
        assert escape.status is ExecStatus.ERROR and "outside" in escape.detail
        clash = sandbox.run("print(1)", files={"a": "file", "a/b": "under a file"})
        assert clash.status is ExecStatus.ERROR and "could not write" in clash.detail
        assert sandbox.run("import os; print(sorted(os.listdir('.')))").stdout == "['main.py']\n"
        huge = sandbox.run("pass", stdin="x" * (17 << 20))
        assert huge.status is ExecStatus.ERROR and "exceeds" in huge.detail
        results = sandbox.run_many([Job(code=f"print({i} * 2)") for i in range(6)], concurrency=2)
        assert [r.stdout for r in results] == [f"{i * 2}\n" for i in range(6)]


def test_a_job_may_not_ask_for_more_memory_than_its_container() -> None:
    with pytest.warns(UnsafeSandboxWarning), ProcessSandbox(
            SandboxConfig(backend="process", pool_size=1, container_memory_mb=256)) as sandbox, \
            pytest.raises(ValueError, match="container_memory_mb"):
        sandbox.run("pass", memory_mb=512)
