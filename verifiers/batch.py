"""Run a verifier over many completions in worker processes, with hard deadlines.

``verify_batch`` is safe to call from any thread (a trainer's scoring thread,
an async server): it uses no signals. Each call to the verifier runs in a worker
process; one that passes its deadline is SIGKILLed, its row comes back as
``status="timeout"``, and a fresh worker takes its place. Order is preserved.

A worker that dies is not a wrong answer; what its death means depends on what it was doing:

- It dies alone while running a job (a segfault in a C extension, ``os._exit``,
  a SIGKILL from outside): the job runs again once, on a fresh worker. If the same
  input kills that worker too, the row is ``error`` (value 0, the input logged:
  crashing the verifier must not let a policy dodge a 0); otherwise the retry's
  result stands.
- It dies in the same moment (``TOGETHER_S``) as other busy workers (the OOM
  killer, a killed process group, the pool losing all its workers): that is not
  one input's doing, so each of those jobs runs again, and a job lost that way
  twice is ``infra_error`` (masked by trainers, never a 0).
- It dies before it has loaded the verifier (the verifier's module does not
  import or unpickle in a child, or the main module that a spawn / forkserver
  child re-imports fails), or workers die on every job (``pool_faults.BROKEN_AFTER_INPUTS``
  different inputs killed workers and none was answered): the pool cannot score,
  and ``map`` raises `VerifierPoolBroken` naming the cause (the worker's own
  traceback, or a probe's when the worker died before our code ran in it, and the
  likely fix) instead of returning zeros.

Limits: the verifier and every reference must pickle. Workers are forked from a
forkserver, so starting or replacing one costs milliseconds, not an interpreter
start-up; the verifier itself is pickled once per batch and sent once per worker.
Jobs travel in chunks of up to ``MAX_CHUNK``; each job's deadline starts when the
job before it in the chunk answered, and when a worker is killed the unstarted
rest of its chunk goes back to the queue. Loading the verifier in a fresh worker
has its own deadline, ``LOAD_TIMEOUT_S``: import time is never charged to a job,
and a worker that cannot load in that time counts as dying at start-up.
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
import traceback
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from .pool_faults import VerifierPoolBroken, WorkerDeaths, main_module_hint, start_probe
from .score import Score, Status, Verifier

log = logging.getLogger(__name__)

MAX_CHUNK = 16  # jobs per pipe message at most
TOGETHER_S = 0.1  # workers dying within this of each other died together: not one input's doing
STARTUP_DEATHS = 2  # workers dying before they load the verifier, in a row: broken
LOAD_TIMEOUT_S = 60.0  # for a fresh worker to import and unpickle the verifier (not a job's deadline)

# Imported once in the forkserver so that each forked worker starts warm.
_PRELOAD = ["rlvr.verifiers.score", "rlvr.verifiers.math_verifier", "sympy"]


def _worker_main(conn: Connection) -> None:
    """Worker loop: receive a verifier once, then chunks of (index, completion, reference) jobs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    verifier: Any = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if message[0] == "verifier":
            sys.path[:] = message[2]  # the caller's, as it is now: so that its modules import here too
            try:
                verifier = pickle.loads(message[1])  # imports the verifier's module in this process
            except BaseException:  # the parent turns this into VerifierPoolBroken with our traceback
                conn.send(("broken", traceback.format_exc()[-4000:]))
                return
            conn.send(("loaded",))
            continue
        for index, completion, reference in message[1]:  # one reply per job, in order
            try:
                score = verifier(completion, reference)
                if not isinstance(score, Score):
                    score = Score.failed(Status.ERROR, returned=type(score).__name__,
                                         message="verifier did not return a Score")
            except Exception as exc:  # a verifier bug: a status, never a silent 0
                score = Score.failed(Status.ERROR, exception=f"{type(exc).__name__}: {exc}"[:2000])
            conn.send(("score", index, score))


class _Worker:
    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        try:
            self.process.start()
        except OSError as exc:  # no processes left, no memory to fork: nothing can score
            raise VerifierPoolBroken(f"cannot start a verifier worker process: {exc}") from exc
        finally:
            child.close()
        self.verifier_key: str | None = None
        self.loaded = False  # has it answered that it loaded the verifier of verifier_key
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
        self._start_method = start_method
        self._size = workers
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._startup_deaths = 0  # workers that died before loading a verifier, since one last loaded
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
        """Score every completion; raises `VerifierPoolBroken` when the workers cannot score at all."""
        if len(completions) != len(references):
            raise ValueError(f"{len(completions)} completions but {len(references)} references")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s}")
        prepare = getattr(verifier, "prepare", None)
        if callable(prepare):  # one-time set-up (CodeVerifier's sandbox self-check), outside the deadlines
            prepare()
        limits = row_timeouts(verifier, references, timeout_s)
        blob = pickle.dumps(verifier)
        key = hashlib.sha1(blob).hexdigest()
        results: list[Score | None] = [None] * len(completions)
        deaths = WorkerDeaths(verifier, completions)
        with self._lock:
            busy: dict[Connection, _Worker] = {}
            try:
                self._ensure_workers()
                pending = deque(range(len(completions)))
                # Jobs go out in chunks (one pipe message each) so that fast verifiers are not
                # bound by a round trip per completion; small chunks keep the workers balanced.
                chunk = max(1, min(MAX_CHUNK, len(completions) // (4 * self._size)))
                idle = list(self._workers)
                while pending or busy:
                    while pending and idle:
                        worker = idle.pop()  # the last one: a fresh replacement takes a retried job
                        jobs = [pending.popleft() for _ in range(min(chunk, len(pending)))]
                        # A worker that has already exited (it reported that it cannot load the verifier,
                        # or it was killed) makes a send raise: the wait below reads its report or buries it.
                        with contextlib.suppress(OSError):
                            if worker.verifier_key != key:
                                worker.verifier_key, worker.loaded = key, False
                                worker.conn.send(("verifier", blob, list(sys.path)))
                            worker.conn.send(("jobs", [(i, completions[i], references[i]) for i in jobs]))
                        worker.jobs = deque(jobs)
                        worker.deadline = time.monotonic() + (limits[jobs[0]] if worker.loaded else LOAD_TIMEOUT_S)
                        busy[worker.conn] = worker
                    next_deadline = min(w.deadline for w in busy.values())
                    ready = wait(list(busy), timeout=max(0.0, next_deadline - time.monotonic()))
                    dead = self._read(ready, busy, idle, results, deaths, verifier, limits)
                    if dead:  # workers dying in the same moment show up within TOGETHER_S
                        time.sleep(TOGETHER_S)
                        dead += self._read(wait(list(busy), timeout=0), busy, idle, results, deaths, verifier,
                                           limits)
                        self._bury(dead, pending, idle, results, deaths, verifier)
                    now = time.monotonic()
                    late = [w for w in busy.values() if w.deadline <= now]
                    for worker in late:
                        del busy[worker.conn]
                        if worker.loaded:
                            row = worker.jobs.popleft()
                            results[row] = Score.failed(Status.TIMEOUT, timeout_s=limits[row])
                    self._bury(late, pending, idle, results, deaths, verifier, killed=True)
            except BaseException:  # raised mid-batch: late replies must never reach another batch
                for worker in busy.values():
                    worker.kill()
                self._workers = [w for w in self._workers if w not in busy.values()]
                raise
        scores = [r for r in results if r is not None]
        _log_failures(verifier, scores)
        return scores

    def _read(self, ready: list[Any], busy: dict[Connection, _Worker], idle: list[_Worker],
              results: list[Score | None], deaths: WorkerDeaths, verifier: Verifier,
              limits: list[float]) -> list[_Worker]:
        """Take every message waiting on ``ready``; -> the workers found dead (taken out of ``busy``)."""
        dead = []
        for conn in ready:
            worker = busy[conn]
            while worker.jobs and worker.conn.poll():
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    del busy[conn]
                    dead.append(worker)
                    break
                if message[0] == "broken":
                    raise VerifierPoolBroken(self._broken_message(verifier, message[1]))
                if message[0] == "loaded":
                    worker.loaded, self._startup_deaths = True, 0
                    worker.deadline = time.monotonic() + limits[worker.jobs[0]]  # loading is not the first job's time
                    continue
                _, index, score = message
                results[index] = score
                deaths.answered += 1
                worker.jobs.popleft()
                if worker.jobs:  # the next job of the chunk starts now
                    worker.deadline = time.monotonic() + limits[worker.jobs[0]]
            if conn in busy and not worker.jobs:
                del busy[conn]
                idle.append(worker)
        return dead

    def _bury(self, dead: list[_Worker], pending: deque[int], idle: list[_Worker], results: list[Score | None],
              deaths: WorkerDeaths, verifier: Verifier, *, killed: bool = False) -> None:
        """Replace dead workers (or, ``killed``, ones past their deadline, whose timed-out job is
        already scored); score, requeue or give up on the jobs they held (see the module doc)."""
        running = [w for w in dead if w.loaded]
        codes = []
        for worker in dead:
            worker.process.join(timeout=0 if killed else 1)  # reap it, so the exit code is known
            code = worker.process.exitcode
            codes.append(code)
            if killed:
                self._startup_deaths += not worker.loaded  # it could not load the verifier in LOAD_TIMEOUT_S
            elif worker.loaded:
                row = worker.jobs.popleft()
                score = deaths.died(row, code, together=len(running) > 1)
                if score is None:
                    worker.jobs.appendleft(row)
                else:
                    results[row] = score
            else:
                self._startup_deaths += 1
            pending.extendleft(reversed(worker.jobs))  # retried first, on the fresh worker
            idle.append(self._replace(worker))
        if self._startup_deaths >= STARTUP_DEATHS:
            hint = main_module_hint(self._start_method)
            if killed:
                raise VerifierPoolBroken(
                    f"{type(verifier).__name__}: verifier workers take more than {LOAD_TIMEOUT_S:.0f} s to load "
                    f"the verifier ({self._startup_deaths} in a row): the pool cannot score. Does importing its "
                    f"module hang or wait for something? {hint}".strip())
            raise VerifierPoolBroken(
                f"{type(verifier).__name__}: verifier workers exit before they load the verifier "
                f"({self._startup_deaths} in a row, exit codes {codes}): the pool cannot score. "
                f"{start_probe(self._start_method)}\n{hint}".strip())
        why = deaths.broken()
        if why:
            raise VerifierPoolBroken(why)

    def _broken_message(self, verifier: Verifier, worker_traceback: str) -> str:
        hint = main_module_hint(self._start_method) if "__main__" in worker_traceback else (
            "A worker imports the verifier's module afresh, with this process's sys.path: that import must "
            "work in a child process.")
        return (f"{type(verifier).__name__}: a verifier worker cannot load the verifier, so the pool cannot "
                f"score. The worker's traceback:\n{worker_traceback.rstrip()}\n{hint}")

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


def row_timeouts(verifier: Verifier, references: Sequence[Any], timeout_s: float) -> list[float]:
    """Each row's deadline: ``timeout_s``, or more where the verifier says one call on that reference
    may need more (``time_needed(reference)``, e.g. a code job's own worst case). A row killed at a
    deadline shorter than its verifier's own limits would be masked as ``timeout``: a policy could
    turn its 0 into a masked row just by hanging."""
    needed = getattr(verifier, "time_needed", None)
    if not callable(needed):
        return [timeout_s] * len(references)
    return [max(timeout_s, float(needed(reference))) for reference in references]


def _log_failures(verifier: Verifier, scores: list[Score]) -> None:
    """A verifier that raised, timed out or lost its worker is a warning, with the first detail:
    such rows are never silently a 0 (the trainer also counts them per status)."""
    for status in (Status.ERROR, Status.TIMEOUT, Status.INFRA_ERROR):
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

    A call that passes ``timeout_s`` (or its verifier's ``time_needed(reference)``, when larger: see
    `row_timeouts`) is killed and scored ``status="timeout"``; a worker
    that dies is retried or masked as the module doc says. Raises `VerifierPoolBroken`
    when the workers cannot score at all. Uses ``pool`` when given, else a shared pool
    of ``workers`` processes.
    """
    return (pool or shared_pool(workers)).map(verifier, completions, references, timeout_s=timeout_s)
