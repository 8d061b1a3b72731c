"""The abuse suite for real against Docker, and `rlvr sandbox doctor`'s verdicts."""

from __future__ import annotations

import subprocess

import pytest
from typer.testing import CliRunner

import rlvr.sandbox.abuse as abuse
from rlvr.cli.main import app
from rlvr.sandbox import CASES, CaseReport, ExecResult, ExecStatus, SandboxConfig, run_abuse_suite

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def reports(sandbox_image: str) -> dict[str, CaseReport]:
    return {r.name: r for r in run_abuse_suite(SandboxConfig(image=sandbox_image))}


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_attack_is_contained(reports: dict[str, CaseReport], name: str) -> None:
    report = reports[name]
    assert report.problems == []
    assert report.next_job_s <= report.next_job_limit_s  # 1 s plus what load explains (abuse_probe)


def test_each_attack_ends_with_its_own_status(reports: dict[str, CaseReport]) -> None:
    got = {name: r.status for name, r in reports.items()}
    assert got["infinite_loop"] == got["fork_bomb"] == got["forge_verdict"] == "timeout"
    assert got["memory_bomb"] == "memory"
    assert got["stdout_flood"] == "output_limit"
    assert got["network"] == got["host_files"] == got["kill_worker"] == "ok"
    assert reports["stdout_flood"].seconds < 3.0  # killed at the cap, not after 1 GB


def test_the_suite_refuses_the_process_backend() -> None:
    with pytest.raises(ValueError, match="not a security boundary"):
        run_abuse_suite(SandboxConfig(backend="process"))


def test_doctor_passes_on_the_real_sandbox(sandbox_image: str) -> None:
    result = CliRunner().invoke(app, ["sandbox", "doctor", "--image", sandbox_image,
                                      "--case", "network", "--case", "kill_worker"])
    assert result.exit_code == 0, result.output
    assert "contained" in result.output


def test_doctor_fails_loudly_when_a_limit_does_not_hold(sandbox_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A case whose expectation this sandbox cannot meet: a sleeping job is not a memory failure.
    unmet = abuse.Case("sleepy", "sleep past a limit that is not enforced",
                       lambda ctx: "import time; time.sleep(0.1)", frozenset({ExecStatus.MEMORY}))
    monkeypatch.setattr(abuse, "CASES", [*abuse.CASES, unmet])
    monkeypatch.setattr("rlvr.sandbox.CASES", abuse.CASES)
    result = CliRunner().invoke(app, ["sandbox", "doctor", "--image", sandbox_image, "--case", "sleepy"])
    assert result.exit_code == 1
    assert "sleepy" in result.output and "not enforced" in result.output


def test_the_privilege_check_catches_an_unlocked_container(sandbox_image: str) -> None:
    # The same probe in a default `docker run` (root, capabilities, a network, writable root, exec in /tmp):
    # if the check could not see these, its passing on our sandbox would mean nothing.
    out = subprocess.run(["docker", "run", "--rm", sandbox_image, "python3", "-c", abuse._ESCALATE],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    problems = abuse._privileges(ExecResult(status=ExecStatus.OK, exit_code=0, stdout=out), None)  # type: ignore[arg-type]
    assert len(problems) == 6, problems


def test_the_network_case_catches_a_container_with_a_network(sandbox_image: str) -> None:
    # The network attack from a default `docker run` (bridge network) reaches the host's listener:
    # so the case passing on our sandbox means --network none holds, not that the target was unreachable.
    import secrets
    import socket
    from pathlib import Path

    address = abuse.host_address()
    assert address != "127.0.0.1"  # a bridge exists on this engine
    with socket.socket() as listener:
        listener.bind((address, 0))
        listener.listen(8)
        ctx = abuse.Context(secret=secrets.token_hex(4), secret_file=Path("/nonexistent"), listener=listener,
                            port=listener.getsockname()[1], host=address)
        (case,) = [c for c in abuse.CASES if c.name == "network"]
        out = subprocess.run(["docker", "run", "--rm", sandbox_image, "python3", "-c", case.code(ctx)],
                             capture_output=True, text=True, check=True, timeout=60).stdout
        problems = case.check(ExecResult(status=ExecStatus.OK, exit_code=0, stdout=out), ctx)
    assert "connected" in out and any("got 1 connection" in p for p in problems), (out, problems)


def test_doctor_says_when_there_is_no_engine(tmp_path) -> None:
    result = CliRunner().invoke(app, ["sandbox", "doctor"], env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert result.exit_code == 1
    assert "sandbox unavailable" in result.output and "does not answer" in result.output
