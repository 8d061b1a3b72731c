"""Is the reward signal alive? Rows per verification status, and a verdict on each step.

A step whose rows mostly failed verification trains on nothing (``infra_error``
rows are masked) or on noise (``error`` rows score 0: the verifier crashed on the
input or has a bug). ``reward_health(scores, verify)`` counts a step's rows per
status, ``verification/<status>`` for every `Status` (zeros included, so every
metrics row has every count), and ``verification/failed_share``, the share that
is ``error`` or ``infra_error``. Its verdict: ``stop`` when that share is at
least ``verify.stop_failed_share`` (default 1.0: every row failed), ``warn`` when
at least ``verify.warn_failed_share``, else ``ok``. Timeouts are not failures
here: the completion may simply be slow to check; they are masked and counted.

Pure: the training loop raises `RewardSignalLost` on ``stop`` (before the
optimizer step and before the step is logged) and logs ``warn``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rlvr.verifiers import Score, Status

FAILED = (Status.ERROR, Status.INFRA_ERROR)


class RewardSignalLost(RuntimeError):
    """A step's rows failed verification at or beyond ``verify.stop_failed_share``: the run stops."""


@dataclass(frozen=True)
class RewardHealth:
    metrics: dict[str, float]  # verification/<status> for every status, verification/failed_share
    verdict: Literal["ok", "warn", "stop"]
    message: str  # why, for warn and stop; "" when ok


def reward_health(scores: Iterable[Score | Mapping[str, Any]], verify: Any) -> RewardHealth:
    """``scores``: a step's rows from every rank, as `Score` objects or their JSON dicts.
    ``verify``: the run's ``VerifyConfig`` (``warn_failed_share``, ``stop_failed_share``)."""
    counts: Counter[Status] = Counter()
    first: dict[Status, Any] = {}
    for s in scores:
        status = s.status if isinstance(s, Score) else Status(s["status"])
        counts[status] += 1
        first.setdefault(status, s.details if isinstance(s, Score) else s.get("details"))
    rows = sum(counts.values())
    failed = sum(counts[s] for s in FAILED)
    share = failed / rows if rows else 0.0
    metrics = {f"verification/{s.value}": float(counts[s]) for s in Status}
    metrics["verification/failed_share"] = share
    if not failed or share < verify.warn_failed_share:
        return RewardHealth(metrics, "ok", "")
    stop = share >= verify.stop_failed_share
    name, limit = ("stop", verify.stop_failed_share) if stop else ("warn", verify.warn_failed_share)
    causes = "; ".join(f"{counts[s]} {s.value} (first: {str(first[s])[:300]})" for s in FAILED if counts[s])
    message = (f"{failed} of {rows} rows failed verification ({share:.0%}, at or above verify.{name}_failed_share={limit}): {causes}. "
               + ("The reward signal is lost: stopping the run, this step was not trained on." if stop else
                  "Those rows are masked (infra_error) or scored 0 (error)."))
    return RewardHealth(metrics, "stop" if stop else "warn", message)
