"""verify_batch: deadlines enforced by killing processes, from any thread, order kept."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import pytest

from rlvr.verifiers import Score, Status, VerifierPool, verify_batch


@dataclass(frozen=True)
class SleepyVerifier:
    """Sleeps for float(completion) seconds, then returns 1.0 if it equals the reference."""

    def __call__(self, completion: str, reference: object) -> Score:
        time.sleep(float(completion))
        return Score.judged(1.0 if completion == reference else 0.0, completion, pid=os.getpid())


@dataclass(frozen=True)
class SpinVerifier:
    """Burns CPU forever in pure Python: only a process kill stops it (no sleep to interrupt)."""

    def __call__(self, completion: str, reference: object) -> Score:
        while True:
            pass


@dataclass(frozen=True)
class RaisingVerifier:
    def __call__(self, completion: str, reference: object) -> Score:
        raise ZeroDivisionError("bug in verifier")


@dataclass(frozen=True)
class CrashingVerifier:
    def __call__(self, completion: str, reference: object) -> Score:
        os._exit(3)


@dataclass(frozen=True)
class CrashesOnX:
    """Exits the worker process on the completion "x"; otherwise SleepyVerifier."""

    def __call__(self, completion: str, reference: object) -> Score:
        if completion == "x":
            os._exit(3)
        return SleepyVerifier()(completion, reference)


@dataclass(frozen=True)
class WrongTypeVerifier:
    def __call__(self, completion: str, reference: object) -> Score:
        return 1.0  # type: ignore[return-value]


@pytest.fixture(scope="module")
def pool():
    with VerifierPool(2) as p:
        yield p


def test_order_is_preserved_when_jobs_finish_out_of_order(pool):
    completions = ["0.3", "0.0", "0.2", "0.0", "0.1"]
    references = ["0.3", "x", "0.2", "0.0", "y"]
    scores = pool.map(SleepyVerifier(), completions, references, timeout_s=5)
    assert [s.extracted for s in scores] == completions
    assert [s.value for s in scores] == [1.0, 0.0, 1.0, 1.0, 0.0]
    assert len({s.details["pid"] for s in scores}) == 2  # both workers served


def test_hanging_verifier_is_killed_at_deadline_from_a_non_main_thread(pool):
    result: dict[str, object] = {}

    def run() -> None:
        start = time.monotonic()
        result["scores"] = verify_batch(SpinVerifier(), ["a", "b", "c"], [None] * 3, timeout_s=0.5, pool=pool)
        result["elapsed"] = time.monotonic() - start

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    scores = result["scores"]
    assert [s.status for s in scores] == [Status.TIMEOUT] * 3
    assert all(not s.is_scored and s.value == 0.0 for s in scores)
    # 3 jobs on 2 workers: two waves of 0.5 s, each killed within the +0.5 s budget. The second
    # wave runs on fresh workers, whose loading of the verifier (importing this test module, so
    # pytest) is not charged to a job's deadline: up to 1.5 s more on this loaded 2-core VM.
    assert result["elapsed"] < 2 * (0.5 + 0.5) + 1.5
    # The killed workers were replaced: the pool still serves.
    after = pool.map(SleepyVerifier(), ["0.0"], ["0.0"], timeout_s=5)
    assert after[0].value == 1.0


def test_only_the_slow_row_times_out(pool):
    scores = pool.map(SleepyVerifier(), ["0.0", "30", "0.0"], ["0.0", "30", "0.0"], timeout_s=1.0)
    assert [s.status for s in scores] == [Status.OK, Status.TIMEOUT, Status.OK]
    assert scores[1].details == {"timeout_s": 1.0}


def test_exceptions_and_crashes_are_statuses_not_zeros(pool, caplog):
    with caplog.at_level("WARNING", logger="rlvr.verifiers.batch"):
        raised = pool.map(RaisingVerifier(), ["x", "y"], [None, None], timeout_s=5)[0]
    assert raised.status is Status.ERROR and "ZeroDivisionError" in raised.details["exception"]
    assert "RaisingVerifier: 2 of 2 rows ended with status error" in caplog.text  # logged, not silent
    crashed = pool.map(CrashingVerifier(), ["x"], [None], timeout_s=5)[0]
    assert crashed.status is Status.ERROR and crashed.details["exit_codes"] == [3, 3]  # retried once
    wrong = pool.map(WrongTypeVerifier(), ["x"], [None], timeout_s=5)[0]
    assert wrong.status is Status.ERROR and wrong.details["returned"] == "float"
    assert pool.map(SleepyVerifier(), ["0.0"], ["0.0"], timeout_s=5)[0].value == 1.0


def test_verify_batch_uses_a_shared_pool_and_checks_lengths():
    assert [s.value for s in verify_batch(SleepyVerifier(), ["0.0", "0.0"], ["0.0", "1"], workers=1)] == [1.0, 0.0]
    with pytest.raises(ValueError, match="2 completions but 1 references"):
        verify_batch(SleepyVerifier(), ["a", "b"], ["a"], workers=1)
    with pytest.raises(ValueError, match="timeout_s"):
        verify_batch(SleepyVerifier(), ["a"], ["a"], timeout_s=0, workers=1)


def test_concurrent_callers_from_several_threads_get_their_own_results(pool):
    out: dict[int, list[float]] = {}

    def run(i: int) -> None:
        refs = ["0.0" if j % 2 == i % 2 else "no" for j in range(4)]
        out[i] = [s.value for s in pool.map(SleepyVerifier(), ["0.0"] * 4, refs, timeout_s=5)]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert out[0] == [1.0, 0.0, 1.0, 0.0]
    assert out[1] == [0.0, 1.0, 0.0, 1.0]
    assert out[2] == out[0]


def test_jobs_sent_in_chunks_keep_order_and_deadlines_and_survive_a_lost_worker(pool):
    """40 jobs go out in chunks of 5: the hanging one (index 17) times out, the crash (index 30)
    is an error, and the jobs queued behind them in their chunks are scored elsewhere, in order."""
    completions = ["0.0"] * 40
    completions[17], completions[30] = "30", "x"
    start = time.monotonic()
    scores = pool.map(CrashesOnX(), completions, ["0.0"] * 40, timeout_s=1.0)
    assert time.monotonic() - start < 1.0 + 3.0
    statuses = [s.status for s in scores]
    assert statuses[17] is Status.TIMEOUT and statuses[30] is Status.ERROR
    assert all(st is Status.OK and s.value == 1.0 for i, (st, s) in enumerate(zip(statuses, scores, strict=True))
               if i not in (17, 30))


@dataclass(frozen=True)
class NeedsTime(SleepyVerifier):
    """SleepyVerifier that says one call may need ``float(reference)`` seconds (as CodeVerifier does)."""

    def time_needed(self, reference: object) -> float:
        return float(str(reference))


def test_a_row_gets_the_time_its_verifier_needs_not_less(pool):
    # a code job's worst case passes the trainer's verify.timeout_s: killing it there would mask a 0
    scores = pool.map(NeedsTime(), ["1.5", "1.5"], ["3", "0"], timeout_s=0.5)
    assert [s.status for s in scores] == [Status.OK, Status.TIMEOUT]
    assert scores[1].details == {"timeout_s": 0.5}


def test_code_verifier_and_composites_state_their_worst_case() -> None:
    from rlvr.verifiers.batch import row_timeouts
    from rlvr.verifiers.code import CLEANUP_WAIT_S, CONTAINER_START_S, CodeVerifier
    from rlvr.verifiers.format import Gated, WeightedSum

    code = CodeVerifier({"pool_size": 1}, self_check=False)
    three = {"asserts": ["assert f()"] * 3, "time_limit_s": 2}
    margin = code._config.reply_grace_s + CLEANUP_WAIT_S + CONTAINER_START_S
    assert code.time_needed(three) == 2 + 4 * 2 + margin  # the assert job's 2 + (n + 1) * time_limit_s
    assert code.time_needed({"io": [{"output": "1"}] * 5, "time_limit_s": 2}) == 2 + 5 * 2.5 + margin
    assert code.time_needed({"io": [], "asserts": []}) == 0.0  # not a reference: it fails at once
    both = WeightedSum((("code", code, 1.0), ("sleepy", SleepyVerifier(), 1.0)))
    assert both.time_needed(three) == code.time_needed(three)
    assert Gated(code, code).time_needed(three) == 2 * code.time_needed(three)
    assert row_timeouts(code, [three, {"io": []}], 10.0) == [code.time_needed(three), 10.0]
