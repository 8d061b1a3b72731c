"""Training curves of a run as PNG files, from its ``metrics.jsonl``.

``plot_run(run_dir)`` writes, into ``run_dir/plots`` (or ``out_dir``), one figure
per curve family whose keys the run logged:

- ``reward.png``: ``reward`` with a +-``reward_std`` band, and each
  ``rewards/<component>/mean``;
- ``accuracy.png``: training ``accuracy`` and every held-out ``eval/...accuracy`` key;
- ``length.png``: ``completions/{mean,min,max}_length``, and
  ``completions/clipped_ratio`` on a right-hand axis;
- ``kl.png``: ``kl`` (logged only when ``loss.beta > 0``);
- ``entropy.png``: ``entropy``.

A family none of whose keys is in the file is skipped with a
``MissingMetricsWarning`` saying which keys were looked for; a file with none of
them at all raises ``ValueError`` listing the keys it does have. ``null``
values (non-finite numbers, see ``metric_loggers``) are gaps in the curve.
A per-step training curve of 6 points or more is drawn faint with a trailing
moving average over it (window n/10, at least 3: the main job's 8 steps of 64
completions are noisy); sparse held-out curves are drawn as they are, with markers. Uses matplotlib's Agg backend: no display needed.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Series = tuple[list[int], list[float]]


class MissingMetricsWarning(UserWarning):
    """A figure was skipped because the run logged none of its keys."""


@dataclass(frozen=True)
class Figure:
    file: str
    title: str
    ylabel: str
    keys: tuple[str, ...]  # exact keys, in drawing order
    prefix: str = ""  # plus every key starting with prefix ...
    suffix: str = ""  # ... and ending with suffix
    secondary: tuple[str, ...] = ()  # keys on a right-hand axis
    band: tuple[str, str] | None = None  # (key, its std key): shaded +-std
    unit_interval: bool = False  # y from 0 to 1
    why_missing: str = ""

    def main_keys(self, available: list[str]) -> list[str]:
        matched = [k for k in available if self.prefix and k.startswith(self.prefix) and k.endswith(self.suffix)]
        return [k for k in self.keys if k in available] + [k for k in matched if k not in self.keys]


FIGURES = (
    Figure("reward.png", "Training reward", "mean reward", ("reward",), prefix="rewards/", suffix="/mean",
           band=("reward", "reward_std")),
    Figure("accuracy.png", "Accuracy", "fraction correct", ("accuracy", "eval/accuracy"), prefix="eval/",
           suffix="accuracy", unit_interval=True),
    Figure("length.png", "Completion length", "tokens",
           ("completions/mean_length", "completions/min_length", "completions/max_length"),
           secondary=("completions/clipped_ratio",)),
    Figure("kl.png", "KL to the reference policy", "KL (k3)", ("kl",),
           why_missing="'kl' is logged only when loss.beta > 0"),
    Figure("entropy.png", "Policy entropy", "nats per token", ("entropy",)),
)


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The rows of a metrics.jsonl; ``ValueError`` naming the line of a malformed one."""
    rows = []
    with Path(path).open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get("step"), int):
                raise ValueError(f"{path}:{number}: expected a JSON object with an integer 'step'")
            rows.append(row)
    return rows


def series(rows: list[dict[str, Any]], key: str) -> Series:
    """``(steps, values)`` of ``key`` over the rows that logged it; ``null`` becomes NaN (a gap)."""
    steps, values = [], []
    for row in rows:
        if key in row:
            steps.append(row["step"])
            values.append(math.nan if row[key] is None else float(row[key]))
    return steps, values


def moving_average(values: list[float], window: int) -> list[float]:
    """Trailing mean over the last ``window`` finite values (NaN where there are none yet)."""
    out = []
    for i in range(len(values)):
        recent = [v for v in values[max(0, i - window + 1):i + 1] if not math.isnan(v)]
        out.append(sum(recent) / len(recent) if recent else math.nan)
    return out


def _draw(ax: Any, rows: list[dict[str, Any]], key: str, color: str) -> None:
    steps, values = series(rows, key)
    if len(values) >= 6 and not key.startswith("eval/"):
        ax.plot(steps, values, color=color, alpha=0.3, linewidth=1)
        window = max(3, len(values) // 10)
        ax.plot(steps, moving_average(values, window), color=color, linewidth=2, label=f"{key} (mean of {window})")
    else:
        # markers: a short run, or a sparse eval curve, may have a single point
        ax.plot(steps, values, color=color, linewidth=2, label=key, marker="o", markersize=4)


def _figure(fig_spec: Figure, rows: list[dict[str, Any]], available: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    try:
        for i, key in enumerate(fig_spec.main_keys(available)):
            _draw(ax, rows, key, colors[i % len(colors)])
        if fig_spec.band and all(k in available for k in fig_spec.band):
            steps, mean = series(rows, fig_spec.band[0])
            std = dict(zip(*series(rows, fig_spec.band[1]), strict=True))
            low = [m - std.get(s, math.nan) for s, m in zip(steps, mean, strict=True)]
            high = [m + std.get(s, math.nan) for s, m in zip(steps, mean, strict=True)]
            ax.fill_between(steps, low, high, color=colors[0], alpha=0.15, label=f"± {fig_spec.band[1]}")
        handles, labels = ax.get_legend_handles_labels()
        right = [k for k in fig_spec.secondary if k in available]
        if right:
            ax2 = ax.twinx()
            for j, key in enumerate(right):
                _draw(ax2, rows, key, colors[(len(handles) + j) % len(colors)])
            ax2.set_ylabel(", ".join(right))
            more_handles, more_labels = ax2.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        if fig_spec.unit_interval:
            ax.set_ylim(-0.02, 1.02)
        ax.set_title(fig_spec.title)
        ax.set_xlabel("step")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(fig_spec.ylabel)
        ax.grid(alpha=0.3)
        ax.legend(handles, labels, fontsize=8, loc="best")
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)


def plot_run(run_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Write the run's curves as PNGs (see module docstring); returns the files written."""
    run_dir = Path(run_dir)
    metrics_path = run_dir / "metrics.jsonl"
    if not metrics_path.is_file():
        raise FileNotFoundError(f"no metrics.jsonl in {run_dir} (is it a run directory?)")
    rows = read_metrics(metrics_path)
    if not rows:
        raise ValueError(f"{metrics_path} has no rows yet")
    available = list(dict.fromkeys(k for row in rows for k in row if k != "step"))
    plans = [(spec, spec.main_keys(available) + [k for k in spec.secondary if k in available]) for spec in FIGURES]
    if not any(keys for _, keys in plans):
        wanted = sorted({k for spec in FIGURES for k in spec.keys + spec.secondary})
        raise ValueError(f"{metrics_path} has none of the keys plotted ({', '.join(wanted)}); "
                         f"it has: {', '.join(available) or 'only step'}")
    out = Path(out_dir) if out_dir is not None else run_dir / "plots"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec, keys in plans:
        if not keys:
            looked_for = ", ".join(spec.keys + spec.secondary) + (f", {spec.prefix}*{spec.suffix}" if spec.prefix else "")
            reason = f" ({spec.why_missing})" if spec.why_missing else ""
            warnings.warn(f"skipping {spec.file}: {metrics_path} has none of {looked_for}{reason}",
                          MissingMetricsWarning, stacklevel=2)
            continue
        _figure(spec, rows, available, out / spec.file)
        written.append(out / spec.file)
    return written
