"""The summary a run ends with: held-out accuracy before, after and best, wall time, where, how to plot."""

from __future__ import annotations

from pathlib import Path

from rlvr.trainer.run_summary import run_summary

ROWS = [
    {"step": 0, "eval/accuracy": 0.22},
    {"step": 1, "reward": 0.2, "entropy": 0.69},
    {"step": 2, "reward": 0.3, "entropy": 0.4, "eval/accuracy": 0.63},
    {"step": 3, "reward": 0.5, "entropy": None},  # no trained token that step: null in metrics.jsonl
    {"step": 4, "reward": 0.7, "entropy": 0.06, "eval/accuracy": 0.61},
]


def test_summary_lines_with_numbers():
    text = run_summary(ROWS, run_dir=Path("runs/my run"), wall_s=581.4, held_out_rows=100)
    assert text.splitlines() == [
        "GRPO run finished: step 4, wall time 9 min 41 s (this process: start-up, steps and evaluations)",
        "held-out accuracy (100 problems, greedy): 22% at step 0 -> 61% at step 4 (best 63% at step 2)",
        "training reward: 0.200 at step 1, 0.500 over the last 3 step(s)",
        "token entropy: 0.690 -> 0.060 nats (collapsed; warning below 0.1)",
        "run directory: runs/my run",
        "curves: rlvr plot 'runs/my run'   (PNGs into runs/my run/plots)",
    ]


def test_summary_without_evaluation_says_so():
    text = run_summary([{"step": 1, "reward": 0.25, "entropy": 0.5}], run_dir=Path("r"), wall_s=42, held_out_rows=0)
    assert "held-out accuracy: not evaluated (eval.limit=0)" in text
    assert "wall time 42 s" in text and "(healthy; warning below 0.1)" in text
