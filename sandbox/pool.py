"""A pool of worker channels shared by `DockerSandbox` and `ProcessSandbox`.

Each slot holds one worker. A job takes an idle slot, sends one request, and
waits at most its own timeout plus a grace period. A job that cannot be run as given (`job_problem`) is
an ``error`` result before anything is sent. A worker that died or missed its
deadline is torn down and started afresh, and that job is run once more in the fresh worker
(as is one whose worker reported a failure of its own) before it comes back as ``infra_error``,
never as a verdict. The worker replies with a job's verdict as soon as the job
ended, then cleans up and sends a second frame saying whether its container is back at its
start state; the slot takes its next job only after that frame (read, with its own deadline
``CLEANUP_WAIT_S``, when the slot is next used). A worker whose clean-up fails or is late is
replaced, and the job's own result stands: what a job leaves behind is never that job's nor the
next job's verdict.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from .channel import ChannelError, WorkerChannel
from .config import SandboxConfig
from .jobs import ExecResult, ExecStatus, Job, job_problem

log = logging.getLogger(__name__)
_request_ids = itertools.count()
MEMORY_HEADROOM_MB = 128  # the worker, its fork server and the harness driver live in the container beside the job


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run anything at all (no engine, no image, worker unsafe)."""


CLEANUP_WAIT_S = 10.0  # for the worker's clean-up frame: its own budget (cleanup.CLEANUP_BUDGET_S) and more


class _Slot:
    def __init__(self, start: Callable[[], WorkerChannel], stop: Callable[[WorkerChannel], None]) -> None:
        self._start, self._stop = start, stop
        self.channel: WorkerChannel | None = None
        self.cleaning: int | None = None  # the request whose clean-up frame is still to come

    def ensure(self) -> WorkerChannel:
        if self.channel is not None and not self.channel.alive():
            self.discard()
        if self.channel is None:
            self.channel = self._start()
        return self.channel

    def discard(self) -> None:
        if self.channel is not None:
            channel, self.channel, self.cleaning = self.channel, None, None
            self._stop(channel)


class WorkerPool:
    """``pool_size`` workers; ``start`` makes one, ``stop`` tears one down for good."""

    def __init__(self, config: SandboxConfig, start: Callable[[], WorkerChannel],
                 stop: Callable[[WorkerChannel], None]) -> None:
        self.config = config
        self._slots = [_Slot(start, stop) for _ in range(config.pool_size)]
        # Last in, first out: a caller running one job at a time only ever starts one worker;
        # the others start on demand when jobs overlap.
        self._idle: queue.LifoQueue[_Slot] = queue.LifoQueue()
        for slot in self._slots:
            self._idle.put(slot)
        self._closed = threading.Event()
        self.replaced = 0  # workers torn down after a failure, for logging

    def warm_up(self) -> None:
        """Start every worker now, in parallel (container start-up is the slow part)."""
        with ThreadPoolExecutor(len(self._slots)) as ex:
            list(ex.map(lambda slot: slot.ensure(), self._slots))

    def run(self, job: Job) -> ExecResult:
        if job.memory_mb + MEMORY_HEADROOM_MB > self.config.container_memory_mb:
            # Past the container's own limit the OOM killer, not the job's limit, would decide.
            raise ValueError(f"job memory_mb={job.memory_mb} needs container_memory_mb >= "
                             f"{job.memory_mb + MEMORY_HEADROOM_MB}, got {self.config.container_memory_mb}")
        problem = job_problem(job)
        if problem:
            return ExecResult(status=ExecStatus.ERROR, detail=f"bad job: {problem}")
        if self._closed.is_set():
            return ExecResult(status=ExecStatus.INFRA_ERROR, detail="sandbox is closed")
        slot = self._idle.get()
        try:
            result = self._run_on(slot, job)
            if result.status is ExecStatus.INFRA_ERROR and not self._closed.is_set():
                # Ours, and maybe transient (a fork server or container that died under load): the
                # slot's worker is replaced (now, or on its unclean frame when `_run_on` settles it),
                # so the one retry runs in a fresh container. What a job does is never infra_error,
                # so a job's own failure is never run twice.
                log.warning("sandbox job retried in a fresh worker after: %s", result.detail[:300])
                result = self._run_on(slot, job)
            return result
        finally:
            self._idle.put(slot)

    def _run_on(self, slot: _Slot, job: Job) -> ExecResult:
        if slot.cleaning is not None:
            self._settle(slot)
        try:
            channel = slot.ensure()
        except (ChannelError, OSError) as exc:
            return ExecResult(status=ExecStatus.INFRA_ERROR, detail=f"worker did not start: {exc}")
        request_id = next(_request_ids)
        request = {"id": request_id, "code": job.code, "stdin": job.stdin, "files": job.files,
                   "timeout_s": job.timeout_s, "memory_mb": job.memory_mb,
                   "file_size_mb": self.config.file_size_mb, "harness": job.harness,
                   "output_limit": job.output_limit_bytes or self.config.output_limit_bytes}
        try:
            reply = channel.request(request, job.timeout_s + self.config.reply_grace_s)
        except ChannelError as exc:
            self._replace(slot, f"job failed in transit: {exc}")
            return ExecResult(status=ExecStatus.INFRA_ERROR, detail=str(exc)[:2000])
        if reply.get("id") != request["id"]:
            self._replace(slot, "reply out of order")
            return ExecResult(status=ExecStatus.INFRA_ERROR, detail="worker replied to another request")
        slot.cleaning = request_id
        try:
            return ExecResult(status=ExecStatus(reply["status"]), stdout=reply.get("stdout", ""),
                              stderr=reply.get("stderr", ""), exit_code=reply.get("exit_code"),
                              duration_s=reply.get("duration_s", 0.0), detail=reply.get("detail", ""))
        except (KeyError, ValueError) as exc:
            self._replace(slot, f"malformed reply: {exc}")
            return ExecResult(status=ExecStatus.INFRA_ERROR, detail=f"malformed reply: {exc}")

    def _settle(self, slot: _Slot) -> None:
        """Read the clean-up frame of the slot's last job; replace the worker if it is late or unclean."""
        request_id, slot.cleaning = slot.cleaning, None
        if slot.channel is None:
            return
        try:
            frame = slot.channel.receive(CLEANUP_WAIT_S)
        except ChannelError as exc:
            self._replace(slot, f"clean-up not confirmed: {exc}")
            return
        if frame.get("id") != request_id or not frame.get("cleaned"):
            self._replace(slot, "clean-up frame out of order")
        elif not frame.get("clean"):
            self._replace(slot, f"container not clean after a job: {frame.get('unclean')}")

    def _replace(self, slot: _Slot, why: str) -> None:
        """Tear the worker down and start its successor now, so the next job does not wait for it."""
        log.warning("sandbox worker replaced: %s", why)
        self.replaced += 1
        slot.discard()
        if not self._closed.is_set():
            try:
                slot.ensure()
            except (ChannelError, OSError) as exc:  # retried lazily by the next job on this slot
                log.warning("sandbox worker did not restart: %s", exc)

    def run_many(self, jobs: Sequence[Job], concurrency: int | None = None) -> list[ExecResult]:
        """Run ``jobs`` at most ``concurrency`` at a time (default: the pool size); order preserved."""
        workers = max(1, min(concurrency or len(self._slots), len(self._slots), len(jobs) or 1))
        with ThreadPoolExecutor(workers) as ex:
            return list(ex.map(self.run, jobs))

    def close(self) -> None:
        self._closed.set()
        for slot in self._slots:
            slot.discard()
