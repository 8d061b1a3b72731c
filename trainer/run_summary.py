"""The lines a finished run ends with, for a person to read at a glance.

``run_summary(rows, ...)`` takes the run's metrics rows (what ``metrics.jsonl``
holds: ``{"step": k, ...}``) and says: held-out accuracy before the first step,
after the last one and at its best (``eval/accuracy``, the mean over tasks), the
training reward at the start and over the last steps, how the policy ended
(entropy, with ``policy_warnings``' verdict), the wall time of this process
(model load, every step and evaluation; a resumed run counts only its own part),
the run directory, and the exact command that draws the curves.
"""

from __future__ import annotations

import math
import shlex
from pathlib import Path
from typing import Any

from .run_metrics import ENTROPY_FLOOR


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _finite(rows: list[dict[str, Any]], key: str) -> list[tuple[int, float]]:
    return [(r["step"], float(r[key])) for r in rows
            if r.get(key) is not None and math.isfinite(float(r[key]))]


def run_summary(rows: list[dict[str, Any]], *, run_dir: Path, wall_s: float, held_out_rows: int) -> str:
    """The summary text (several lines, no trailing newline); see the module docstring."""
    steps = [r for r in rows if "reward" in r]
    last = steps[-1]["step"] if steps else 0
    lines = [f"GRPO run finished: step {last}, wall time {_clock(wall_s)} (this process: start-up, steps and "
             f"evaluations)"]
    evals = _finite(rows, "eval/accuracy")
    if evals:
        (s0, a0), (s1, a1) = evals[0], evals[-1]
        best_step, best = max(evals, key=lambda e: (e[1], -e[0]))
        lines.append(f"held-out accuracy ({held_out_rows} problems, greedy): {a0:.0%} at step {s0} -> {a1:.0%} at "
                     f"step {s1} (best {best:.0%} at step {best_step})")
    else:
        lines.append("held-out accuracy: not evaluated (eval.limit=0)")
    rewards = _finite(steps, "reward")
    if rewards:
        tail = [v for _, v in rewards[-3:]]
        lines.append(f"training reward: {rewards[0][1]:.3f} at step {rewards[0][0]}, "
                     f"{sum(tail) / len(tail):.3f} over the last {len(tail)} step(s)")
    entropy = _finite(steps, "entropy")
    if entropy:
        state = "collapsed" if entropy[-1][1] < ENTROPY_FLOOR else "healthy"
        lines.append(f"token entropy: {entropy[0][1]:.3f} -> {entropy[-1][1]:.3f} nats ({state}; "
                     f"warning below {ENTROPY_FLOOR})")
    where = shlex.quote(str(run_dir))
    lines.append(f"run directory: {run_dir}")
    lines.append(f"curves: rlvr plot {where}   (PNGs into {Path(run_dir) / 'plots'})")
    return "\n".join(lines)
