"""Why verifier workers die, and what that means for a batch (used by ``batch.VerifierPool``).

- ``WorkerDeaths``: per-row death counts in one batch. A worker that dies alone on a row gets that
  row retried once on a fresh worker; the same row killing the retry is that input's ``error``.
  Workers dying together (the OOM killer, a SIGKILL from outside, the pool losing its workers) are
  not one input's doing: the row runs again, and twice lost that way is ``infra_error``.
- ``VerifierPoolBroken``: workers that cannot score at all; its message carries the cause, read by
  ``start_probe`` (the traceback of a worker that died before any of our code ran) and
  ``main_module_hint`` (the missing ``if __name__ == "__main__":`` guard).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .score import Score, Status, Verifier

log = logging.getLogger(__name__)

BROKEN_AFTER_INPUTS = 3  # this many different inputs killed workers and none was answered: broken
PROBE_S = 60.0  # for the process that shows why workers die at start-up


class VerifierPoolBroken(RuntimeError):
    """The verifier pool cannot score: its workers die at start-up or on every job.

    The message names the cause (the worker's traceback when it could send one)
    and the likely fix; the pool has discarded its workers and can be used again.
    """



class WorkerDeaths:
    """What dead workers have cost one batch: per-row death counts, and the verdicts they lead to."""

    def __init__(self, verifier: Verifier, completions: Sequence[str]) -> None:
        self.name, self.completions = type(verifier).__name__, completions
        self.alone: dict[int, list[int | None]] = {}  # row -> exit codes of lone deaths running it
        self.together: Counter[int] = Counter()  # row -> deaths shared with other workers
        self.codes: list[int | None] = []  # exit codes of every death while running a job
        self.answered = 0  # jobs answered in this batch

    def died(self, row: int, code: int | None, *, together: bool) -> Score | None:
        """The worker running ``row`` died: its final score, or None to run it again."""
        self.codes.append(code)
        if together:
            self.together[row] += 1
            if self.together[row] < 2:
                return None
            return Score.failed(Status.INFRA_ERROR, message="verifier workers died together twice while "
                                f"running this row (last exit code {code}): not this input's doing")
        codes = self.alone.setdefault(row, [])
        codes.append(code)
        if len(codes) < 2:
            return None
        log.error("%s: input %d killed its verifier worker twice (exit codes %s); scored error. Input: %r",
                  self.name, row, codes, self.completions[row][:1000])
        return Score.failed(Status.ERROR, message=f"this input killed the verifier's worker twice (exit codes "
                            f"{codes})", exit_codes=codes)

    def broken(self) -> str | None:
        """Why the pool cannot score, when workers die on every job."""
        rows = self.alone.keys() | self.together.keys()
        if self.answered or len(rows) < BROKEN_AFTER_INPUTS:
            return None
        return (f"{self.name}: verifier workers die on every job ({len(rows)} different inputs killed them, "
                f"none was answered; exit codes {sorted(set(self.codes), key=str)}). The verifier crashes its process (a C extension "
                f"fault, os._exit, memory): run it once in this process to see how.")


def _probe_target() -> None:
    """What a start-up probe runs: reaching it means a worker process can start."""


def start_probe(start_method: str) -> str:
    """Start one process as the workers start, with its stderr captured: the traceback that
    killed them (it ran before any of our code in the child, so the child cannot send it).

    A forkserver child prints to the forkserver's stderr, out of reach: the probe uses spawn,
    which re-imports the main module the same way. fd 2 points at a file only while the probe
    starts, a few milliseconds in which another thread's stderr output would land there too.
    """
    ctx: Any = mp.get_context("spawn" if start_method == "forkserver" else start_method)
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            probe = ctx.Process(target=_probe_target, daemon=True)
            probe.start()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        probe.join(timeout=PROBE_S)
        if probe.exitcode is None:
            probe.kill()
            probe.join()
        captured.seek(0)
        text = captured.read().decode(errors="replace").strip()
    if probe.exitcode == 0:
        return "A probe process started fine, so the deaths may come and go; see this process's stderr."
    tail = text if len(text) <= 3000 else "...\n" + text[-3000:].partition("\n")[2]  # whole lines
    return f"A probe process started as a worker exited with code {probe.exitcode}; its stderr:\n{tail}"


def main_module_hint(start_method: str) -> str:
    """The missing ``__main__`` guard, when the start method makes each worker re-import the main module."""
    if start_method == "fork":
        return ""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    where = name or getattr(main, "__file__", None)  # as multiprocessing.spawn decides what to re-import
    if not where or (name and name.endswith("__main__")):  # `python -m pkg` runs pkg/__main__.py: not re-run
        return ""
    return (f"With start method {start_method!r} every worker first re-imports the main module ({where}) as "
            f"'__mp_main__'. If that script trains, scores or starts processes at its top level, put that "
            f"code under `if __name__ == \"__main__\":`.")
