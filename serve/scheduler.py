"""A bounded queue in front of the verifier pool: admission, coalescing, deadlines.

Requests become jobs in one queue counted in rows. A job that would push the queue past
``max_queue_rows`` is refused at once (`Overloaded`, answered 429) so memory stays bounded
under any load. One thread feeds the pool: it takes the oldest job and every queued job with the
same verifier and row timeout (up to ``max_batch_rows``), runs them as one ``VerifierPool.map``
(so many small requests cost one pool round, not one each), and hands each job its rows back.
A job whose request deadline passed while it waited is dropped before it runs.

Limits: one pool call at a time (the pool itself spreads a call over its worker processes);
jobs with other verifiers wait their turn in arrival order.
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
    deadline: float  # time.monotonic()
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)


class VerifyScheduler:
    def __init__(self, pool: VerifierPool, *, max_queue_rows: int, max_batch_rows: int) -> None:
        self.pool = pool
        self.max_queue_rows, self.max_batch_rows = max_queue_rows, max_batch_rows
        self.queued_rows = 0
        self.rows_per_second = 1000.0  # measured as it runs; sizes Retry-After
        self._jobs: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="rlvr-serve-verify", daemon=True)
        self._thread.start()

    def submit(self, key: str, verifier: Verifier, completions: Sequence[str], references: Sequence[Any],
               *, timeout_s: float, deadline: float) -> concurrent.futures.Future:
        """Queue one request's rows; the future gets its scores, in order. ``key`` names the verifier:
        jobs with equal keys and timeouts may share a pool call."""
        job = _Job(key, verifier, completions, references, timeout_s, deadline)
        with self._cond:
            if self._closing:
                raise Overloaded(1)
            if self.queued_rows and self.queued_rows + len(completions) > self.max_queue_rows:
                raise Overloaded(max(1, round(self.queued_rows / self.rows_per_second)))
            self._jobs.append(job)
            self.queued_rows += len(completions)
            self._cond.notify()
        return job.future

    def _take(self) -> list[_Job] | None:
        """The oldest job and the queued jobs that can share its pool call; None once closed and empty."""
        with self._cond:
            while not self._jobs and not self._closing:
                self._cond.wait()
            if not self._jobs:
                return None
            first = self._jobs.popleft()
            batch, rows, rest = [first], len(first.completions), deque[_Job]()
            while self._jobs:
                job = self._jobs.popleft()
                fits = rows + len(job.completions) <= self.max_batch_rows
                if fits and job.key == first.key and job.timeout_s == first.timeout_s:
                    batch.append(job)
                    rows += len(job.completions)
                else:
                    rest.append(job)
            self._jobs = rest
            self.queued_rows -= rows
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
            elapsed = max(time.monotonic() - started, 1e-6)
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

