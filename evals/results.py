"""Evaluation results on disk, lm-eval style: ``results_<timestamp>.json`` (metrics per
task, task configs, run config, package versions, git sha) and one
``samples_<task>_<timestamp>.jsonl`` per task (question, reference, completion, score).
Written by ``rlvr eval`` and by the trainer's held-out evaluation (``RUN_DIR/eval/step_N/``).
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from rlvr.tasks import Task

from .evaluate import TaskResult


def package_versions() -> dict[str, str]:
    out = {}
    for name in ("rlvr", "torch", "transformers", "trl", "reasoning-gym", "math-verify", "sympy", "pydantic"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def git_sha() -> str | None:
    try:
        proc = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).parent)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def write_results(out_dir: Path, results: list[TaskResult], tasks: list[Task], run_config: dict[str, Any],
                  started: float) -> tuple[Path, list[Path]]:
    """``results_<ts>.json`` and one ``samples_<task>_<ts>.jsonl`` per task, lm-eval style."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S")
    sample_paths = []
    for result in results:
        path = out_dir / f"samples_{result.task.replace(':', '_').replace('/', '_')}_{stamp}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for sample in result.samples:
                f.write(json.dumps(sample, default=str) + "\n")
        sample_paths.append(path)
    document = {
        "results": {r.task: r.metrics for r in results},
        "configs": {t.name: t.model_dump(mode="json") for t in tasks},
        "task_eval_config": {r.task: r.config for r in results},
        "config": run_config,
        "versions": package_versions(),
        "git_hash": git_sha(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "total_evaluation_time_seconds": round(time.time() - started, 2),
    }
    results_path = out_dir / f"results_{stamp}.json"
    results_path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    return results_path, sample_paths
