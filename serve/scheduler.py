"""A bounded queue in front of the verifier pool: admission, coalescing, deadlines.

Requests become jobs in one queue counted in rows. A job that would push the queue past
``max_queue_rows`` is refused at once (`Overloaded`, answered 429) so memory stays bounded
under any load. One thread feeds the pool: it takes the oldest job and every queued job with the
same verifier and row timeout (up to ``max_batch_rows``), runs them as one ``VerifierPool.map``
(so many small requests cost one pool round, not one each), and hands each job its rows back.
A job whose request deadline passed while it waited is dropped before it runs.

Deadlines are promises kept under any legitimate load: a job's deadline is its arrival, plus the
worst case of every row queued or running ahead of it, plus its own rows' worst case on this
pool (`worst_case_s`: rows that hang to their own limits are an ordinary load, not a fault), plus
``grace_s``. A job joins an earlier job's pool call only when the merged call still ends within
the deadline of every job in the call and of every job it overtakes, so merging never pushes a
request past its deadline. What passes a deadline is then a real fault of the server.

Limits: one pool call at a time (the pool itself spreads a call over its worker processes);
jobs with other verifiers wait their turn in arrival order. Worst cases are upper bounds (a row's
full limit), so a deadline can lie far beyond the time the rows actually take.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rlvr.verifiers import Verifier, VerifierPool

log = logging.getLogger(__name__)


class Overloaded(RuntimeError):
    """The queue is full; the caller should retry after ``retry_after_s``."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"queue full, retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class DeadlineExceeded(TimeoutError):
    """The request's deadline passed before its rows were scored."""


@dataclass
class _Job:
    key: str
    verifier: Verifier
    completions: Sequence[str]
    references: Sequence[Any]
    timeout_s: float
    need_s: float  # the rows' worst case on the pool (`worst_case_s`)
    deadline: float  # time.monotonic()
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)


# A row killed at its deadline costs its worker's replacement too (a fresh process that imports and
# unpickles the verifier: about a second on the 2-core VM, more under load); an allowance, not a bound.
RESPAWN_S = 5.0


def worst_case_s(limits: Sequence[float], workers: int) -> float:
    """An upper bound on one pool call of rows with these deadlines on ``workers`` processes: each
    worker takes the next row when free, so none finishes later than an even share of the total
    plus one longest row, each row with a worker's replacement (`RESPAWN_S`)."""
    if not limits:
        return 0.0
    return (sum(limits) + RESPAWN_S * len(limits)) / workers + max(limits) + RESPAWN_S


class VerifyScheduler:
    def __init__(self, pool: VerifierPool, *, workers: int, max_queue_rows: int, max_batch_rows: int) -> None:
        self.pool, self.workers = pool, workers
        self.max_queue_rows, self.max_batch_rows = max_queue_rows, max_batch_rows
        self.queued_rows = 0
        self._queued_need_s = 0.0  # the worst case of the queued jobs, each alone
        self._running_until = 0.0  # time.monotonic() by which the running pool call ends at worst
        self.rows_per_second = 1000.0  # measured as it runs; sizes Retry-After
        self._jobs: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="rlvr-serve-verify", daemon=True)
        self._thread.start()

    def submit(self, key: str, verifier: Verifier, completions: Sequence[str], references: Sequence[Any],
               *, timeout_s: float, limits: Sequence[float], grace_s: float) -> tuple[concurrent.futures.Future, float]:
        """Queue one request's rows (``limits``: each row's deadline on the pool); -> the future that
        gets its scores, in order, and the request's deadline (time.monotonic()). ``key`` names the
        verifier: jobs with equal keys and timeouts may share a pool call."""
        need = worst_case_s(limits, self.workers)
        with self._cond:
            if self._closing:
                raise Overloaded(1)
            if self.queued_rows and self.queued_rows + len(completions) > self.max_queue_rows:
                raise Overloaded(max(1, round(self.queued_rows / self.rows_per_second)))
            now = time.monotonic()
            ahead = max(0.0, self._running_until - now) + self._queued_need_s
            job = _Job(key, verifier, completions, references, timeout_s, need, now + ahead + need + grace_s)
            self._jobs.append(job)
            self.queued_rows += len(completions)
            self._queued_need_s += need
            self._cond.notify()
        return job.future, job.deadline

    def _take(self) -> list[_Job] | None:
        """The oldest job and the queued jobs that can share its pool call; None once closed and empty."""
        with self._cond:
            while not self._jobs and not self._closing:
                self._cond.wait()
            if not self._jobs:
                return None
            now = time.monotonic()
            first = self._jobs.popleft()
            batch, rows, rest = [first], len(first.completions), deque[_Job]()
            need = first.need_s
            # The most the call may need: every job in it ends by its deadline, and every job
            # overtaken (queued before a merged one) still ends by its own after the call.
            slack, overtaken_s = first.deadline - now, 0.0
            while self._jobs:
                job = self._jobs.popleft()
                merged = need + job.need_s  # `worst_case_s` of the union is at most the sum
                fits = rows + len(job.completions) <= self.max_batch_rows and merged <= slack
                if fits and job.key == first.key and job.timeout_s == first.timeout_s:
                    batch.append(job)
                    rows += len(job.completions)
                    need, slack = merged, min(slack, job.deadline - now)
                else:
                    rest.append(job)
                    overtaken_s += job.need_s
                    slack = min(slack, job.deadline - now - overtaken_s)
            self._jobs = rest
            self.queued_rows -= rows
            self._queued_need_s = sum(job.need_s for job in rest)  # summed afresh: no float drift
            self._running_until = now + need
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            now = time.monotonic()
            live = []
            for job in batch:
                if not job.future.set_running_or_notify_cancel():
                    continue  # the request gave up (client gone or deadline) while it waited
                if job.deadline <= now:
                    job.future.set_exception(DeadlineExceeded("request deadline passed in the queue"))
                    continue
                live.append(job)
            if not live:
                continue
            completions = [c for job in live for c in job.completions]
            references = [r for job in live for r in job.references]
            started = time.monotonic()
            try:
                scores = self.pool.map(live[0].verifier, completions, references, timeout_s=live[0].timeout_s)
            except Exception as exc:  # a pool fault fails these requests (5xx: clients retry), not the server
                log.exception("verifier pool failed on %d rows", len(completions))
                for job in live:
                    job.future.set_exception(exc)
                continue
            self._running_until = time.monotonic()  # ended: no longer ahead of anyone
            elapsed = max(self._running_until - started, 1e-6)
            self.rows_per_second = 0.8 * self.rows_per_second + 0.2 * (len(completions) / elapsed)
            start = 0
            for job in live:
                job.future.set_result(scores[start:start + len(job.completions)])
                start += len(job.completions)

    def close(self, timeout_s: float = 60.0) -> None:
        """Stop taking jobs, finish the queued ones, then return."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout_s)

