"""What a training step reports: TRL-named metrics, sample rows, loggers, the progress bar.

Metric names follow TRL's GRPOTrainer so that curves compare one to one:
``reward``, ``reward_std`` (mean of the groups' stds), ``rewards/<name>/mean``
(one per component of the task's composite verifier, from ``Score.details``; the
task's name when the verifier has no components), ``frac_reward_zero_std``,
``completions/{mean,min,max}_length``, ``completions/clipped_ratio``,
``completions/mean_terminated_length`` (rows that ended with EOS). Ours on
top: ``accuracy`` (rows judged fully correct, ``Score.correct``) and ``verification/masked_rows``
(timeout / infra_error rows, left out of the loss); the counts per status,
``verification/<status>``, come from ``reward_health``; ``entropy``, ``clip_ratio/*``
and ``kl`` come from the training pass (``optimise``).

``policy_warnings`` turns two numbers into the progress line's warnings: token
entropy below ``ENTROPY_FLOOR`` (the policy has collapsed onto nearly one answer
per prompt: little left to explore, held-out accuracy stops moving) and more than
``ZERO_STD_CEILING`` of the groups with no reward variance (all right or all
wrong: they add nothing to the gradient).
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from rlvr.verifiers import Score

from .rollouts import Group

# Thresholds of the progress line's warnings. 0.1 nats/token: in the recipe sweep, runs whose
# entropy fell below it stopped gaining held-out accuracy (benchmarks/README.md, "Recipe sweep").
ENTROPY_FLOOR = 0.1
ZERO_STD_CEILING = 0.5  # "most groups": more than half of them teach nothing


def _is_score_dict(value: Any) -> bool:
    return isinstance(value, dict) and {"value", "status"} <= value.keys()


@dataclass(frozen=True)
class GroupSummary:
    """What the step's rollout metrics need from one group: small, so every rank can send its own."""

    task: str
    scores: tuple[Score, ...]
    lengths: tuple[int, ...]  # completion tokens, EOS included
    clipped: tuple[bool, ...]

    @classmethod
    def of(cls, group: Group, tasks: list[Any]) -> GroupSummary:
        return cls(tasks[group.prompt.task_index].name, group.scores,
                   tuple(group.completion_mask.sum(1).tolist()), group.clipped)


def rollout_metrics(per_rank: list[list[GroupSummary]]) -> dict[str, float]:
    """Group summaries from every rank -> the step's rollout metrics."""
    groups = [g for rank in per_rank for g in rank]
    scores = [s for g in groups for s in g.scores]
    scored = [s for s in scores if s.is_scored]
    lengths = [n for g in groups for n in g.lengths]
    ended = [n for g in groups for n, clipped in zip(g.lengths, g.clipped, strict=True) if not clipped]
    stds, zero_std = [], 0
    for g in groups:
        values = [s.value for s in g.scores if s.is_scored]
        std = statistics.stdev(values) if len(values) > 1 else 0.0
        stds.append(std)
        zero_std += std == 0.0
    out = {
        "reward": statistics.fmean(s.value for s in scored) if scored else 0.0,
        "reward_std": statistics.fmean(stds) if stds else 0.0,
        "frac_reward_zero_std": zero_std / max(len(groups), 1),
        "accuracy": sum(s.correct for s in scored) / max(len(scored), 1),
        "completions/mean_length": statistics.fmean(lengths) if lengths else 0.0,
        "completions/min_length": float(min(lengths, default=0)),
        "completions/max_length": float(max(lengths, default=0)),
        "completions/clipped_ratio": sum(c for g in groups for c in g.clipped) / max(len(lengths), 1),
        # completions that ended with EOS; 0 on a step where every row was clipped (as TRL)
        "completions/mean_terminated_length": statistics.fmean(ended) if ended else 0.0,
        "verification/masked_rows": float(len(scores) - len(scored)),
    }
    components: dict[str, list[float]] = {}
    for g in groups:
        for s in g.scores:
            # a composite keeps each component's Score, dumped, in details under its name
            parts = {k: float(v["value"]) for k, v in s.details.items() if _is_score_dict(v)}
            for name, value in (parts or {g.task: s.value}).items():
                components.setdefault(name, []).append(value)
    out |= {f"rewards/{name}/mean": statistics.fmean(v) for name, v in components.items()}
    return out


def sample_rows(step: int, groups: list[Group], advantages: list[torch.Tensor],
                tasks: list[Any]) -> list[dict[str, Any]]:
    """One JSON row per completion: what was asked, answered, scored and reinforced."""
    rows = []
    for g, adv in zip(groups, advantages, strict=True):
        for i, text in enumerate(g.texts):
            rows.append({
                "step": step, "slot": g.prompt.slot, "task": tasks[g.prompt.task_index].name,
                "id": g.prompt.row.get("id"), "prompt": g.prompt_text, "completion": text,
                "score": g.scores[i].model_dump(mode="json"), "advantage": float(adv[i]),
                "clipped": g.clipped[i],
            })
    return rows


def open_loggers(run_dir: Path, names: list[str], *, resumed_at: int | None) -> list[Any]:
    """The run's metric loggers. On resume, metrics.jsonl loses the rows logged after the
    checkpoint (a killed run may have logged a step it never saved), so the file reads
    as if the run had never stopped."""
    from .metric_loggers import make_loggers

    path = run_dir / "metrics.jsonl"
    if resumed_at is not None and path.exists():
        kept = [line for line in path.read_text().splitlines()
                if line.strip() and json.loads(line).get("step", 0) <= resumed_at]
        path.write_text("".join(line + "\n" for line in kept))
    return make_loggers(run_dir, names)


def policy_warnings(metrics: dict[str, float]) -> list[str]:
    """The step's warnings about the policy itself (empty when healthy); see the module docstring."""
    out = []
    entropy = metrics.get("entropy", math.nan)
    if entropy < ENTROPY_FLOOR:  # NaN (no token trained this step) compares False
        out.append(f"entropy collapsed: {entropy:.3f} < {ENTROPY_FLOOR} nats/token")
    zero_std = metrics.get("frac_reward_zero_std", 0.0)
    if zero_std > ZERO_STD_CEILING:
        out.append(f"{zero_std:.0%} of groups have zero reward variance (> {ZERO_STD_CEILING:.0%}): they teach nothing")
    return out


class StepProgress:
    """A rich progress bar with the live reward, on rank 0; silent when disabled. The line ends
    with ``policy_warnings`` when there are any."""

    def __init__(self, total: int, start: int, *, enabled: bool) -> None:
        self._bar: Any = None
        if not enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("[bold]GRPO"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[stats]}"), TimeRemainingColumn())
        self._task = self._bar.add_task("train", total=total, completed=start, stats="")
        self._bar.start()

    def update(self, step: int, metrics: dict[str, float]) -> None:
        if self._bar is None:
            return
        stats = f"reward {metrics['reward']:.3f}  len {metrics['completions/mean_length']:.0f}  " \
                f"masked {metrics['verification/masked_rows']:.0f}  error {metrics['verification/error']:.0f}  " \
                f"{metrics['step_time']:.1f}s/step"
        if "entropy" in metrics:
            stats += f"  entropy {metrics['entropy']:.3f}  zero-var {metrics['frac_reward_zero_std']:.2f}"
        if "eval/accuracy" in metrics:
            stats += f"  eval {metrics['eval/accuracy']:.3f}"
        warnings = policy_warnings(metrics)
        if warnings:
            stats += "  [bold red]WARNING: " + "; ".join(warnings) + "[/]"
        self._bar.update(self._task, completed=step, stats=stats)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
