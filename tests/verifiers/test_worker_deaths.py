"""A verifier worker that dies is not a wrong answer: real worker processes that exit on one
input, die at start-up, crash on every job, or are SIGKILLed from outside during a batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from rlvr.verifiers import Score, Status, VerifierPool, VerifierPoolBroken, verify_batch


@dataclass(frozen=True)
class ExitsOnX:
    """Exits its process on the completion "x" (each attempt logged to ``folder``); else 1.0 if it equals the reference."""

    folder: str

    def __call__(self, completion: str, reference: object) -> Score:
        if completion == "x":
            with open(Path(self.folder) / "x.log", "a") as f:
                f.write(f"{os.getpid()}\n")
            os._exit(3)
        return Score.judged(float(completion == reference), completion)


@dataclass(frozen=True)
class ExitsOnceOnB:
    """Exits its process the first time it sees "b" (a marker file remembers); judges it the second time."""

    folder: str

    def __call__(self, completion: str, reference: object) -> Score:
        marker = Path(self.folder) / "b.seen"
        if completion == "b" and not marker.exists():
            marker.write_text("")
            os._exit(9)
        return Score.judged(float(completion == reference), completion)


@dataclass(frozen=True)
class SlowAndTells:
    """Writes its pid to ``folder`` when it starts a job, then sleeps 0.4 s and judges."""

    folder: str

    def __call__(self, completion: str, reference: object) -> Score:
        (Path(self.folder) / f"{os.getpid()}.pid").write_text("")
        time.sleep(0.4)
        return Score.judged(float(completion == reference), completion, pid=os.getpid())


@dataclass(frozen=True)
class AlwaysExits:
    def __call__(self, completion: str, reference: object) -> Score:
        os._exit(7)


@pytest.fixture
def pool():
    with VerifierPool(2) as p:
        yield p


def test_an_input_that_kills_its_worker_is_retried_once_then_error(pool, tmp_path, caplog):
    completions = ["1", "2", "3", "x", "5", "6", "7", "8"]
    with caplog.at_level("ERROR", logger="rlvr.verifiers"):
        scores = pool.map(ExitsOnX(str(tmp_path)), completions, ["1", "2", "3", "x", "5", "6", "7", "0"],
                          timeout_s=5)
    assert len((tmp_path / "x.log").read_text().split()) == 2  # one retry, on another process
    assert len(set((tmp_path / "x.log").read_text().split())) == 2
    assert scores[3].status is Status.ERROR and scores[3].value == 0.0
    assert scores[3].details["exit_codes"] == [3, 3]
    assert [(s.status, s.value) for i, s in enumerate(scores) if i != 3] == [(Status.OK, 1.0)] * 6 + [(Status.OK, 0.0)]
    assert "input 3 killed its verifier worker twice" in caplog.text and "Input: 'x'" in caplog.text
    assert pool.map(ExitsOnX(str(tmp_path)), ["1"], ["1"], timeout_s=5)[0].value == 1.0  # the pool still serves


def test_a_retry_that_survives_stands(pool, tmp_path):
    scores = pool.map(ExitsOnceOnB(str(tmp_path)), ["a", "b", "c", "d"], ["a", "b", "c", "x"], timeout_s=5)
    assert [(s.status, s.value) for s in scores] == [(Status.OK, 1.0)] * 3 + [(Status.OK, 0.0)]
    assert (tmp_path / "b.seen").exists()  # it did die once


def _kill_workers_during_batch(folder: Path, how_many: int) -> list[int]:
    """Wait until ``how_many`` workers have started a job, then SIGKILL them all at once."""
    deadline = time.monotonic() + 20
    pids: list[int] = []
    while len(pids) < how_many and time.monotonic() < deadline:
        pids = sorted({int(p.stem) for p in folder.glob("*.pid")})
        time.sleep(0.01)
    for pid in pids[:how_many]:
        os.kill(pid, signal.SIGKILL)
    return pids[:how_many]


@pytest.mark.parametrize("killed", [1, 2], ids=["one worker", "all workers"])
def test_workers_sigkilled_from_outside_are_rescored_never_error(pool, tmp_path, killed):
    completions = [str(i) for i in range(6)]
    references = ["0", "1", "2", "no", "4", "5"]
    out: list[int] = []
    killer = threading.Thread(target=lambda: out.extend(_kill_workers_during_batch(tmp_path, killed)))
    killer.start()
    scores = pool.map(SlowAndTells(str(tmp_path)), completions, references, timeout_s=10)
    killer.join()
    assert len(out) == killed
    assert all(s.status is not Status.ERROR for s in scores)
    assert all(s.status in (Status.OK, Status.INFRA_ERROR) for s in scores)
    ok = [i for i, s in enumerate(scores) if s.status is Status.OK]
    assert len(ok) >= 6 - killed and all(scores[i].value == float(i != 3) for i in ok)
    assert not any(scores[i].details["pid"] in out for i in ok)  # no answer from a killed worker


def test_a_verifier_that_cannot_import_in_a_worker_fails_fast_with_its_traceback(pool, unimportable_verifier):
    start = time.monotonic()
    with pytest.raises(VerifierPoolBroken) as info:
        pool.map(unimportable_verifier, ["a"] * 8, ["a"] * 8, timeout_s=5)
    assert time.monotonic() - start < 30
    message = str(info.value)
    assert "Unimportable: a verifier worker cannot load the verifier" in message
    assert "ImportError: worker_unimportable needs the parent's set-up" in message  # the worker's own traceback
    assert "must work in a child process" in message
    assert pool.map(ExitsOnceOnB("/nonexistent"), ["a"], ["a"], timeout_s=5)[0].value == 1.0  # usable again


def test_a_worker_that_exits_before_its_jobs_are_sent_still_gives_the_cause(pool, unimportable_verifier, monkeypatch):
    """The race behind a CI failure: under load the parent is descheduled between sending the verifier
    and the jobs, the worker fails to import, reports and exits, and the jobs' send hits a closed pipe.
    That BrokenPipeError escaped ``map`` (``rlvr verify`` exited 1 with no message); the worker's
    report is read instead. The parent's sends are slowed here so the race is certain."""
    import multiprocessing.connection as mpc

    send = mpc.Connection.send

    def slow_send(self, obj):  # only in this process: the workers run their own, unpatched code
        send(self, obj)
        if obj is not None and obj[0] == "verifier":
            time.sleep(1.0)  # the worker loads (and fails), reports and exits meanwhile

    monkeypatch.setattr(mpc.Connection, "send", slow_send)
    with pytest.raises(VerifierPoolBroken) as info:
        pool.map(unimportable_verifier, ["a"] * 4, ["a"] * 4, timeout_s=5)
    assert "ImportError: worker_unimportable needs the parent's set-up" in str(info.value)


def test_verify_batch_raises_for_a_verifier_that_kills_every_worker():
    start = time.monotonic()
    with pytest.raises(VerifierPoolBroken, match="die on every job"):
        verify_batch(AlwaysExits(), ["a"] * 16, [None] * 16, workers=2)
    assert time.monotonic() - start < 30


def test_a_script_without_a_main_guard_stops_with_the_fix(tmp_path):
    """The audit's case: a script that scores at its top level. Each worker re-imports it as
    __mp_main__ and dies starting its own pool; the script must stop, naming the guard."""
    script = tmp_path / "score_it.py"
    script.write_text(textwrap.dedent("""
        from rlvr.verifiers import ExactMatch, VerifierPoolBroken, verify_batch

        try:
            print(verify_batch(ExactMatch(), ["1", "2"], ["1", "1"], workers=2))
        except VerifierPoolBroken as exc:
            print(exc)
            raise SystemExit(1)
    """))
    start = time.monotonic()
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert time.monotonic() - start < 30
    assert proc.returncode == 1, proc.stdout
    message = proc.stdout
    assert message.startswith("ExactMatch: verifier workers exit before they load the verifier (2 in a row")
    assert "A probe process started as a worker exited with code 1; its stderr:" in message
    assert f'File "{script}", line 5, in <module>' in message  # the worker's traceback: our verify_batch call
    assert "current process has finished its bootstrapping phase" in message
    assert f"re-imports the main module ({script})" in message and 'if __name__ == "__main__":' in message
    assert "Score(" not in message  # no batch of zeros


SLOW_IMPORT_MODULE = '''
import multiprocessing, time
from dataclasses import dataclass
from rlvr.verifiers import Score

if multiprocessing.parent_process() is not None:
    time.sleep({seconds})  # a heavy import in every fresh worker

@dataclass(frozen=True)
class SlowToImport:
    def __call__(self, completion, reference):
        return Score.judged(float(completion == reference))
'''


def _slow_import_verifier(folder: Path, monkeypatch, name: str, seconds: float):
    (folder / f"{name}.py").write_text(SLOW_IMPORT_MODULE.format(seconds=seconds))
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return __import__(name).SlowToImport()


def test_loading_the_verifier_is_not_charged_to_the_first_job(tmp_path, monkeypatch):
    verifier = _slow_import_verifier(tmp_path, monkeypatch, "slow_import_1s", 1.0)
    with VerifierPool(2) as pool:
        scores = pool.map(verifier, ["a", "b", "c"], ["a", "b", "x"], timeout_s=0.5)
    assert [(s.status, s.value) for s in scores] == [(Status.OK, 1.0), (Status.OK, 1.0), (Status.OK, 0.0)]


def test_workers_that_cannot_load_within_the_load_deadline_fail_fast(tmp_path, monkeypatch):
    from rlvr.verifiers import batch

    monkeypatch.setattr(batch, "LOAD_TIMEOUT_S", 1.0)
    verifier = _slow_import_verifier(tmp_path, monkeypatch, "slow_import_30s", 30.0)
    start = time.monotonic()
    with VerifierPool(2) as pool, pytest.raises(VerifierPoolBroken, match="take more than 1 s to load"):
        pool.map(verifier, ["a"] * 4, ["a"] * 4, timeout_s=5)
    assert time.monotonic() - start < 10
