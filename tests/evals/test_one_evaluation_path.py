"""One evaluation path: the held-out accuracy a training run logs is what `rlvr eval` gives for the
checkpoint that run saved (the default model, a one-step run, a few rows)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytestmark = [pytest.mark.model, pytest.mark.slow]

ROWS, NEW_TOKENS, BATCH = 8, 48, 4


def _samples(folder) -> list[tuple[str, str, float]]:
    path = next(folder.glob("samples_arithmetic_*.jsonl"))
    return [(s["id"], s["completion"], s["score"]["value"]) for s in map(json.loads, path.read_text().splitlines())]


def test_accuracy_logged_in_training_is_what_rlvr_eval_gives_for_the_checkpoint(tmp_path) -> None:
    pytest.importorskip("torch")
    from rlvr.cli.main import app
    from rlvr.trainer.config import load_config
    from rlvr.trainer.train_loop import train

    run_dir = train(load_config(None, [
        f"run_dir={tmp_path / 'run'}", "steps=1", "device=cpu", "threads=1", "progress=false",
        "rollout.prompts_per_step=2", "rollout.group_size=2", "rollout.max_new_tokens=8", "verify.workers=1",
        f"eval.limit={ROWS}", f"eval.max_new_tokens={NEW_TOKENS}", f"eval.batch_size={BATCH}",
    ]))
    logged = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()][-1]
    assert logged["step"] == 1

    out = tmp_path / "eval"
    result = CliRunner().invoke(app, [
        "eval", "--model", str(run_dir / "checkpoints" / "step_1" / "model"), "--task", "arithmetic",
        "--limit", str(ROWS), "--max-new-tokens", str(NEW_TOKENS), "--batch-size", str(BATCH), "--device", "cpu",
        "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(next(out.glob("results_*.json")).read_text())["results"]["arithmetic"]

    assert metrics["prompts"] == ROWS
    assert logged["eval/arithmetic/accuracy"] == metrics["pass@1"]
    assert logged["eval/arithmetic/reward"] == metrics["mean_reward"]
    assert logged["eval/accuracy"] == metrics["pass@1"]
    # the same path, not only the same number: the run's eval files hold the completions rlvr eval wrote
    trained = _samples(run_dir / "eval" / "step_1")
    assert len(trained) == ROWS
    assert trained == _samples(out)
