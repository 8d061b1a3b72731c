"""The sandbox's parts without Docker: mirror parsing, harness results, worker verdicts, ProcessSandbox."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from pydantic import ValidationError

import rlvr.sandbox.limits as limits
from rlvr.sandbox import ExecResult, ExecStatus, Job, ProcessSandbox, SandboxConfig, UnsafeSandboxWarning
from rlvr.sandbox.harness import assert_job, outputs_match, read_results
from rlvr.sandbox.image import DEFAULT_MIRROR, apt_mirror
from rlvr.sandbox.limits import job_status


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
    (-40, "", b"", "error"),  # a real-time signal: no name in signal.Signals (was the worker's ValueError)
    (-signal.SIGKILL, "timeout", b"", "timeout"),
    (-signal.SIGKILL, "output_limit", b"", "output_limit"),
])
def test_worker_verdicts(returncode: int, killed_for: str, stderr: bytes, status: str) -> None:
    assert job_status(returncode, killed_for, stderr)[0] == status


@pytest.mark.parametrize(("stat", "kmem", "held"), [
    # cgroup v1: page cache (total_cache) is not held; kernel memory is its own counter
    ("cache 900\nrss 5\ntotal_cache 900\ntotal_rss 100\ntotal_shmem 20\n", "3000", 3120),
    ("total_rss 100\ntotal_shmem 20\n", None, 120),  # a kernel without the kmem counter
    # cgroup v2: `kernel` (Linux >= 5.18) plus socket buffers, `file` (page cache) not held
    ("anon 100\nfile 900\nkernel 3000\nkernel_stack 7\nslab 1000\nsock 400\nshmem 20\n", None, 3520),
    ("anon 100\nfile 900\nkernel_stack 7\npagetables 3\npercpu 5\nslab 1000\nsock 400\nshmem 20\n", None, 1535),
])
def test_held_memory_counts_kernel_memory_but_not_page_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              stat: str, kmem: str | None, held: int) -> None:
    (tmp_path / "memory.stat").write_text(stat)
    if kmem is not None:
        (tmp_path / "kmem").write_text(kmem + "\n")
    monkeypatch.setattr(limits, "MEMORY_STAT", (str(tmp_path / "missing"), str(tmp_path / "memory.stat")))
    monkeypatch.setattr(limits, "KERNEL_MEMORY_V1", str(tmp_path / "kmem"))
    assert limits.held_memory() == held


def test_the_tests_travel_on_the_drivers_stdin_not_in_files() -> None:
    job = assert_job("x = 1", ["assert x == 'KEY-7'"], time_limit_s=1, memory_mb=64, entry_point=None)
    assert job.harness == "assert" and job.files == {} and "KEY-7" not in job.code and "KEY-7" in job.stdin
    assert read_results(ExecResult(status=ExecStatus.OK, stdout="")) is None
    body = '[{"passed": false}]'
    assert read_results(ExecResult(status=ExecStatus.OK, stdout=f"rlvr-results {len(body)}\n{body}")) == [
        {"passed": False}]
    # a bare JSON line, a frame with anything after it, or a wrong length is no result at all
    for forged in (f"\n{body}\n", f"rlvr-results {len(body)}\n{body}\n{body}", f"rlvr-results 3\n{body}"):
        assert read_results(ExecResult(status=ExecStatus.OK, stdout=forged)) is None


def test_no_module_in_the_sandbox_folder_shadows_the_standard_library() -> None:
    # worker.py runs as a script: its folder is first on sys.path, for it and the harness driver.
    import sys

    import rlvr.sandbox

    names = {p.stem for p in Path(rlvr.sandbox.__file__).parent.glob("*.py")}
    assert names & set(sys.stdlib_module_names) == set()
    assert {"worker", "harness_driver", "candidate_host", "plain_data", "jobs"} <= names


@pytest.mark.parametrize(("files", "why"), [
    ({"../evil.txt": "x"}, "bad file name"),
    ({"/etc/passwd": "x"}, "bad file name"),
    ({"a\0b": "x"}, "bad file name"),
    ({"./main.py": "x"}, "collides"),
    ({"main.py": "x"}, "collides"),
    ({"main.py/x": "x"}, "collides"),
    ({"a": "file", "a/b": "under a file"}, "collides"),
    ({"x.py": "\udc80"}, "not valid Unicode"),
    ({f"f{i}": "" for i in range(1001)}, "1001 files"),
])
def test_job_problems(files: dict[str, str], why: str) -> None:
    from rlvr.sandbox.jobs import job_problem

    assert why in job_problem(Job(code="pass", files=files))
    assert job_problem(Job(code="pass", files={"data/in.txt": "42", "main2.py": ""})) == ""
    assert "collides" in job_problem(Job(code="pass", files={"solution.py": ""}, harness="io"))
    assert "stdin is not valid Unicode" in job_problem(Job(code="pass", stdin="\ud800"))
    assert "exceeds" in job_problem(Job(code="é" * (9 << 20)))


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
        assert escape.status is ExecStatus.ERROR and "bad file name" in escape.detail
        assert sandbox.run("import os; print(sorted(os.listdir('.')))").stdout == "['main.py']\n"
        huge = sandbox.run("pass", stdin="x" * (17 << 20))
        assert huge.status is ExecStatus.ERROR and "exceeds" in huge.detail
        results = sandbox.run_many([Job(code=f"print({i} * 2)") for i in range(6)], concurrency=2)
        assert [r.stdout for r in results] == [f"{i * 2}\n" for i in range(6)]


def test_a_job_may_not_ask_for_more_memory_than_its_container() -> None:
    with pytest.warns(UnsafeSandboxWarning), ProcessSandbox(
            SandboxConfig(backend="process", pool_size=1, container_memory_mb=256)) as sandbox, \
            pytest.raises(ValueError, match="container_memory_mb"):
        sandbox.run("pass", memory_mb=200)  # the worker and the driver need their share too


def test_clean_up_keeps_its_deadline_per_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import rlvr.sandbox

    monkeypatch.syspath_prepend(str(Path(rlvr.sandbox.__file__).parent))  # a sibling script of the worker
    from cleanup import empty_dir

    (tmp_path / "d").mkdir()
    for i in range(3000):
        (tmp_path / "d" / str(i)).touch()
        (tmp_path / str(i)).touch()
    start = time.monotonic()
    assert not empty_dir(str(tmp_path), time.monotonic() + 0.002)  # gives up mid-listing, does not finish it
    assert time.monotonic() - start < 0.5 and len(list(tmp_path.iterdir())) > 1000
    assert empty_dir(str(tmp_path), time.monotonic() + 30) and not list(tmp_path.iterdir())
