"""Where a run's metrics go: one ``MetricLogger`` protocol, a few real sinks, one fake.

Public API::

    loggers = make_loggers(run_dir, ["jsonl", "tensorboard"])   # names: LOGGER_NAMES
    for logger in loggers:
        logger.log({"reward": 0.25, "kl": 0.0}, step=1)
    for logger in loggers:
        logger.close()

Sinks:
- ``jsonl``: ``run_dir/metrics.jsonl``, one JSON object per ``log`` call with a
  ``"step"`` key first; appended (a resumed run keeps its history) and flushed per
  line, so a killed run loses at most the line being written. Non-finite values
  (NaN, inf) are written as ``null`` because strict JSON readers (jq, browsers)
  reject ``NaN``; readers of the file must accept ``null``.
- ``tensorboard``: event files under ``run_dir/tensorboard`` (needs ``tensorboard``;
  torch's ``SummaryWriter``), flushed every step.
- ``trackio``: a local Trackio run (project ``rlvr``, run name = the run directory's
  name); needs the ``trackio`` package from PyPI. Nothing leaves the machine
  unless the user configures a Trackio Space through Trackio's own settings.
- ``console``: one line per step on stderr with the headline metrics, for logs of
  non-interactive jobs (CI, batch schedulers) where the progress bar is off.

``RecordingLogger`` is the test fake: it keeps every call in memory.

Values must be numbers (``bool``/``int``/``float`` or anything with ``__float__``,
such as numpy scalars and one-element tensors); anything else raises ``TypeError``
naming the key, so a bug in the caller is found at the first step, not when
the curves are plotted.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from rlvr.verifiers._user_input import unknown_name

LOGGER_NAMES = ("jsonl", "tensorboard", "trackio", "console")


@runtime_checkable
class MetricLogger(Protocol):
    def log(self, metrics: dict[str, float], step: int) -> None: ...

    def close(self) -> None: ...


def _as_float(key: str, value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"metric {key!r} must be a number, got {type(value).__name__}: {value!r}") from None


def numeric(metrics: dict[str, Any]) -> dict[str, float]:
    """The metrics as plain floats; ``TypeError`` naming the first key that is not a number."""
    return {key: _as_float(key, value) for key, value in metrics.items()}


class JsonlLogger:
    """Appends one JSON object per step to ``path`` (flushed per line)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = self.path.open("a", encoding="utf-8")

    def log(self, metrics: dict[str, float], step: int) -> None:
        if self._file is None:
            raise RuntimeError(f"JsonlLogger({self.path}) is closed")
        row: dict[str, Any] = {"step": int(step)}
        for key, value in numeric(metrics).items():
            if key == "step":
                continue  # the step argument is the authority
            row[key] = value if math.isfinite(value) else None
        self._file.write(json.dumps(row, allow_nan=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class TensorBoardLogger:
    """Scalars into TensorBoard event files under ``log_dir``."""

    def __init__(self, log_dir: Path) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as exc:  # torch present but tensorboard missing, or no torch
            raise ImportError(
                "the 'tensorboard' logger needs torch and tensorboard: pip install 'rlvr[train]' tensorboard"
            ) from exc
        self.log_dir = Path(log_dir)
        self._writer: Any = SummaryWriter(log_dir=str(self.log_dir))

    def log(self, metrics: dict[str, float], step: int) -> None:
        for key, value in numeric(metrics).items():
            self._writer.add_scalar(key, value, global_step=int(step))
        self._writer.flush()  # a step takes seconds to minutes: flushing each one costs nothing

    def close(self) -> None:
        self._writer.close()


class TrackioLogger:
    """A local Trackio run; its dashboard: ``trackio show --project rlvr``."""

    def __init__(self, name: str, *, project: str = "rlvr", config: dict[str, Any] | None = None) -> None:
        try:
            import trackio
        except ImportError as exc:
            raise ImportError("the 'trackio' logger needs the trackio package: pip install trackio") from exc
        # resume="allow": a resumed rlvr run continues the same Trackio run.
        self._run: Any = trackio.init(project=project, name=name, config=config, resume="allow", embed=False)

    def log(self, metrics: dict[str, float], step: int) -> None:
        self._run.log(numeric(metrics), step=int(step))

    def close(self) -> None:
        self._run.finish()


class ConsoleLogger:
    """One line per step on ``stream`` (stderr by default) with the keys that exist."""

    HEADLINE = ("reward", "reward_std", "eval/accuracy", "completions/mean_length", "kl", "entropy", "step_time")

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream

    def log(self, metrics: dict[str, float], step: int) -> None:
        values = numeric(metrics)
        shown = [f"{key} {values[key]:.4g}" for key in self.HEADLINE if key in values]
        print(f"step {int(step)} | " + " | ".join(shown), file=self._stream or sys.stderr, flush=True)

    def close(self) -> None:
        pass  # the stream belongs to the caller


class RecordingLogger:
    """Test fake: keeps ``(step, metrics)`` for every call; ``closed`` after ``close()``."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, dict[str, float]]] = []
        self.closed = False

    def log(self, metrics: dict[str, float], step: int) -> None:
        if self.closed:
            raise RuntimeError("RecordingLogger is closed")
        self.calls.append((int(step), numeric(metrics)))

    def close(self) -> None:
        self.closed = True

    def series(self, key: str) -> list[tuple[int, float]]:
        """``(step, value)`` for every call that logged ``key``."""
        return [(step, metrics[key]) for step, metrics in self.calls if key in metrics]


def validate_logger_names(names: list[str]) -> list[str]:
    """``names`` unchanged when every one is known and none repeats; ``ValueError`` otherwise."""
    for name in names:
        if name not in LOGGER_NAMES:
            raise ValueError(unknown_name("logger", name, LOGGER_NAMES))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"logger(s) listed twice: {', '.join(repeated)}")
    return names


def make_loggers(run_dir: Path, names: list[str]) -> list[MetricLogger]:
    """The loggers named in ``names`` (see ``LOGGER_NAMES``) for the run in ``run_dir``.

    Names are checked before anything is opened; if one logger fails to open (a
    missing package), the ones already opened are closed before the error propagates.
    """
    run_dir = Path(run_dir)
    validate_logger_names(names)
    opened: list[MetricLogger] = []
    try:
        for name in names:
            if name == "jsonl":
                opened.append(JsonlLogger(run_dir / "metrics.jsonl"))
            elif name == "tensorboard":
                opened.append(TensorBoardLogger(run_dir / "tensorboard"))
            elif name == "trackio":
                opened.append(TrackioLogger(run_dir.resolve().name))
            else:
                opened.append(ConsoleLogger())
    except BaseException:
        for logger in opened:
            logger.close()
        raise
    return opened
