"""Run a verifier over many completions in worker processes, with hard deadlines.

``verify_batch`` is safe to call from any thread (a trainer's scoring thread,
an async server): it uses no signals. Each call to the verifier runs in a worker
process; one that passes its deadline is SIGKILLed, its row comes back as
``status="timeout"``, and a fresh worker takes its place. A worker that dies on
its own (a segfault in a C extension, the OOM killer) gives ``status="error"``.
Order is preserved.

Limits: the verifier and every reference must pickle. Workers are forked from a
forkserver, so starting or replacing one costs milliseconds, not an interpreter
start-up; the verifier itself is pickled once per batch and sent once per worker.
Jobs travel in chunks of up to ``MAX_CHUNK``; each job's deadline starts when the
job before it in the chunk answered, and when a worker is killed the unstarted
rest of its chunk goes back to the queue.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from .score import Score, Status, Verifier

log = logging.getLogger(__name__)

MAX_CHUNK = 16  # jobs per pipe message at most

# Imported once in the forkserver so that each forked worker starts warm.
_PRELOAD = ["rlvr.verifiers.score", "rlvr.verifiers.math_verifier", "sympy"]


def _worker_main(conn: Connection, sys_path: list[str]) -> None:
    """Worker loop: receive a verifier once, then (index, completion, reference) jobs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    sys.path[:] = sys_path  # so that verifiers defined in the caller's modules unpickle
    verifier: Any = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if message[0] == "verifier":
            verifier = pickle.loads(message[1])
            continue
        for index, completion, reference in message[1]:  # a chunk of jobs; one reply per job, in order
            try:
                score = verifier(completion, reference)
                if not isinstance(score, Score):
                    score = Score.failed(Status.ERROR, returned=type(score).__name__,
                                         message="verifier did not return a Score")
            except Exception as exc:  # a verifier bug: a status, never a silent 0
                score = Score.failed(Status.ERROR, exception=f"{type(exc).__name__}: {exc}"[:2000])
            conn.send((index, score))


class _Worker:
    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, list(sys.path)), daemon=True)
        self.process.start()
        child.close()
        self.verifier_key: str | None = None
        self.jobs: deque[int] = deque()  # sent, not yet answered; the first one is running
        self.deadline = 0.0  # of the running job

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(timeout=1)
        self.kill()


class ScoringPool(Protocol):
    """What a trainer scores with: `VerifierPool` (worker processes here) or
    `rlvr.verifiers.remote.RemoteVerifierPool` (`rlvr serve` replicas)."""

    def map(self, verifier: Verifier, completions: Sequence[str], references: Sequence[Any], *,
            timeout_s: float = 5.0) -> list[Score]: ...

    def close(self) -> None: ...


class VerifierPool:
    """A fixed set of worker processes that run verifiers under deadlines.

    Reuse one pool across batches (a trainer keeps one for the whole run); it is
    closed at interpreter exit, or explicitly with ``close()`` / ``with``.
    Calls from several threads are serialised.
    """

    def __init__(self, workers: int = 2, *, start_method: str = "forkserver") -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self._ctx = mp.get_context(start_method)
        if start_method == "forkserver":
            self._ctx.set_forkserver_preload(_PRELOAD)
        self._size = workers
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self.replaced = 0  # workers killed or lost and replaced, for logging

    def _ensure_workers(self) -> None:
        self._workers = [w for w in self._workers if w.process.is_alive()]
        while len(self._workers) < self._size:
            self._workers.append(_Worker(self._ctx))

    def map(
        self,
        verifier: Verifier,
        completions: Sequence[str],
        references: Sequence[Any],
        *,
        timeout_s: float = 5.0,
    ) -> list[Score]:
        if len(completions) != len(references):
            raise ValueError(f"{len(completions)} completions but {len(references)} references")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s}")
        prepare = getattr(verifier, "prepare", None)
        if callable(prepare):  # one-time set-up (CodeVerifier's sandbox self-check), outside the deadlines
            prepare()
        blob = pickle.dumps(verifier)
        key = hashlib.sha1(blob).hexdigest()
        results: list[Score | None] = [None] * len(completions)
        with self._lock:
            self._ensure_workers()
            pending = deque(range(len(completions)))
            # Jobs go out in chunks (one pipe message each) so that fast verifiers are not
            # bound by a round trip per completion; small chunks keep the workers balanced.
            chunk = max(1, min(MAX_CHUNK, len(completions) // (4 * self._size)))
            idle = list(self._workers)
            busy: dict[Connection, _Worker] = {}
            while pending or busy:
                while pending and idle:
                    worker = idle.pop()
                    jobs = [pending.popleft() for _ in range(min(chunk, len(pending)))]
                    if worker.verifier_key != key:
                        worker.conn.send(("verifier", blob))
                        worker.verifier_key = key
                    worker.conn.send(("jobs", [(i, completions[i], references[i]) for i in jobs]))
                    worker.jobs = deque(jobs)
                    worker.deadline = time.monotonic() + timeout_s
                    busy[worker.conn] = worker
                next_deadline = min(w.deadline for w in busy.values())
                ready = wait(list(busy), timeout=max(0.0, next_deadline - time.monotonic()))
                for ready_conn in ready:
                    worker = busy[ready_conn]  # type: ignore[index]
                    try:
                        index, score = worker.conn.recv()
                    except (EOFError, OSError):
                        del busy[ready_conn]  # type: ignore[arg-type]
                        worker.process.join(timeout=1)  # reap it, so the exit code is known
                        code = worker.process.exitcode
                        results[worker.jobs.popleft()] = Score.failed(
                            Status.ERROR, message=f"verifier worker died (exit code {code})")
                        pending.extendleft(reversed(worker.jobs))  # the rest of its chunk runs elsewhere
                        idle.append(self._replace(worker))
                        continue
                    results[index] = score
                    worker.jobs.popleft()
                    worker.deadline = time.monotonic() + timeout_s  # the next job of the chunk starts now
                    if not worker.jobs:
                        del busy[ready_conn]  # type: ignore[arg-type]
                        idle.append(worker)
                now = time.monotonic()
                for conn, worker in list(busy.items()):
                    if worker.deadline <= now:
                        del busy[conn]
                        results[worker.jobs.popleft()] = Score.failed(Status.TIMEOUT, timeout_s=timeout_s)
                        pending.extendleft(reversed(worker.jobs))
                        idle.append(self._replace(worker))
        scores = [r for r in results if r is not None]
        _log_failures(verifier, scores)
        return scores

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        self.replaced += 1
        fresh = _Worker(self._ctx)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.stop()
            self._workers = []

    def __enter__(self) -> VerifierPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _log_failures(verifier: Verifier, scores: list[Score]) -> None:
    """A verifier that raised, timed out or lost its worker is a warning, with the first detail:
    such rows are never silently a 0 (the trainer also counts them per status)."""
    for status in (Status.ERROR, Status.TIMEOUT):
        hit = [s for s in scores if s.status is status]
        if hit:
            log.warning("%s: %d of %d rows ended with status %s (first: %s)", type(verifier).__name__,
                        len(hit), len(scores), status.value, str(hit[0].details)[:300])


_shared_pools: dict[int, VerifierPool] = {}
_shared_lock = threading.Lock()


def shared_pool(workers: int) -> VerifierPool:
    """One long-lived pool per size per process, closed at exit."""
    with _shared_lock:
        if workers not in _shared_pools:
            _shared_pools[workers] = VerifierPool(workers)
        return _shared_pools[workers]


@atexit.register
def _close_shared_pools() -> None:
    if os.getpid() == _owner_pid:
        for pool in _shared_pools.values():
            pool.close()


_owner_pid = os.getpid()


def verify_batch(
    verifier: Verifier,
    completions: Sequence[str],
    references: Sequence[Any],
    *,
    timeout_s: float = 5.0,
    workers: int = 2,
    pool: VerifierPool | None = None,
) -> list[Score]:
    """Score ``completions[i]`` against ``references[i]`` for all i, in order.

    A call that passes ``timeout_s`` is killed and scored ``status="timeout"``.
    Uses ``pool`` when given, else a shared pool of ``workers`` processes.
    """
    return (pool or shared_pool(workers)).map(verifier, completions, references, timeout_s=timeout_s)
