"""The trainer watches its reward signal: counts per status every step, a warning, a stop;
and a run whose verifier workers cannot start stops before it logs a step."""

from __future__ import annotations

import json
import logging

import pytest

from rlvr.trainer.config import ConfigError, VerifyConfig, load_config
from rlvr.trainer.reward_health import RewardSignalLost, reward_health
from rlvr.trainer.run_metrics import StepProgress
from rlvr.verifiers import Score, Status, VerifierPoolBroken


def _rows(**counts: int) -> list[Score]:
    return [Score.failed(Status(status), why=f"{status} #{i}") if status != "ok" else Score.judged(1.0)
            for status, n in counts.items() for i in range(n)]


def test_every_status_is_counted_every_step_and_a_healthy_step_is_ok():
    health = reward_health(_rows(ok=5, no_answer=2, timeout=1), VerifyConfig())
    assert health.verdict == "ok" and health.message == ""
    assert health.metrics == {"verification/ok": 5.0, "verification/no_answer": 2.0, "verification/parse_error": 0.0,
                              "verification/timeout": 1.0, "verification/error": 0.0, "verification/infra_error": 0.0,
                              "verification/output_limit": 0.0, "verification/failed_share": 0.0}
    # the JSON form of the scores (what ranks gather) counts the same
    assert reward_health([s.model_dump(mode="json") for s in _rows(ok=5, no_answer=2, timeout=1)],
                         VerifyConfig()).metrics == health.metrics


def test_failed_share_warns_at_the_warn_threshold_and_stops_at_the_stop_threshold():
    verify = VerifyConfig(warn_failed_share=0.25, stop_failed_share=0.75)
    assert reward_health(_rows(ok=7, error=1), verify).verdict == "ok"  # 12.5 %
    warn = reward_health(_rows(ok=4, error=1, infra_error=1, timeout=2), verify)  # 2 of 8 failed
    assert warn.verdict == "warn" and warn.metrics["verification/failed_share"] == 0.25
    assert "2 of 8 rows failed verification (25%, at or above verify.warn_failed_share=0.25)" in warn.message
    assert "1 error (first: {'why': 'error #0'})" in warn.message
    stop = reward_health(_rows(ok=2, infra_error=6), verify)
    assert stop.verdict == "stop" and "stop_failed_share=0.75" in stop.message
    assert "6 infra_error (first: {'why': 'infra_error #0'})" in stop.message and "stopping the run" in stop.message


def test_by_default_only_a_step_where_every_row_failed_stops():
    assert reward_health(_rows(ok=1, error=7), VerifyConfig()).verdict == "warn"
    assert reward_health(_rows(error=4, infra_error=4), VerifyConfig()).verdict == "stop"
    assert reward_health(_rows(timeout=8), VerifyConfig()).verdict == "ok"  # slow, not failed: masked


def test_thresholds_are_validated_config_fields():
    assert load_config(None, ["verify.stop_failed_share=0.5"]).verify.stop_failed_share == 0.5
    with pytest.raises(ConfigError, match=r"verify\.stop_failed_share"):
        load_config(None, ["verify.stop_failed_share=1.5"])
    with pytest.raises(ConfigError, match=r"warn_failed_share \(0\.9\) must not exceed stop_failed_share \(0\.5\)"):
        load_config(None, ["verify.stop_failed_share=0.5", "verify.warn_failed_share=0.9"])


def test_progress_line_shows_masked_and_errored_rows():
    bar = StepProgress(4, 0, enabled=True)
    try:
        bar.update(1, {"reward": 0.5, "completions/mean_length": 12, "step_time": 2.0,
                       "verification/masked_rows": 3.0, "verification/error": 2.0})
        assert "masked 3  error 2" in bar._bar.tasks[0].fields["stats"]
    finally:
        bar.close()


class FailsEverything:
    """As a sandbox that is down: every row is infra_error (our fault, never the completion's)."""

    def __call__(self, completion: str, reference: str) -> Score:
        return Score.failed(Status.INFRA_ERROR, reason="sandbox unavailable")


class ErrsOnSomeRows:
    """A verifier bug on completions whose length divides by 3; ABC_WORD otherwise."""

    def __call__(self, completion: str, reference: str) -> Score:
        from trainer_fakes import ABC_WORD

        if len(completion) % 3 == 0:
            raise ValueError("verifier bug")
        return ABC_WORD(completion, reference)


def _metrics(run_dir) -> list[dict]:
    path = run_dir / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow
def test_a_step_where_every_row_failed_stops_the_run_before_training_or_logging(tmp_path, tiny_config):
    from trainer_fakes import BoxedAddition

    from rlvr.trainer.train_loop import train

    cfg = tiny_config(tmp_path / "run", "steps=3")
    with pytest.raises(RewardSignalLost, match=r"step 1: 8 of 8 rows failed verification .100%.*sandbox unavailable"):
        train(cfg, tasks=[BoxedAddition(rule=FailsEverything())])
    assert _metrics(tmp_path / "run") == []  # no row of zeros as if it were a result
    assert not (tmp_path / "run" / "checkpoints").exists()


@pytest.mark.slow
def test_some_errored_rows_warn_and_every_status_is_in_metrics(tmp_path, tiny_config, caplog):
    from trainer_fakes import BoxedAddition

    from rlvr.trainer.train_loop import train

    cfg = tiny_config(tmp_path / "run", "steps=1", "verify.warn_failed_share=0.01")
    with caplog.at_level(logging.WARNING, logger="rlvr.trainer.train_loop"):
        run_dir = train(cfg, tasks=[BoxedAddition(rule=ErrsOnSomeRows())])
    row = _metrics(run_dir)[-1]
    samples = [json.loads(line) for line in (run_dir / "samples" / "step_1.jsonl").read_text().splitlines()]
    errors = sum(s["score"]["status"] == "error" for s in samples)
    assert 0 < errors < len(samples)
    assert row["verification/error"] == errors and row["verification/failed_share"] == errors / len(samples)
    assert {f"verification/{s.value}" for s in Status} <= row.keys()
    assert f"step 1: {errors} of {len(samples)} rows failed verification" in caplog.text


@pytest.mark.slow
def test_a_task_whose_verifier_workers_cannot_start_stops_before_step_one(tmp_path, tiny_config,
                                                                        unimportable_verifier):
    from trainer_fakes import BoxedAddition

    from rlvr.trainer.train_loop import train

    with pytest.raises(VerifierPoolBroken, match="ImportError: worker_unimportable needs the parent's set-up"):
        train(tiny_config(tmp_path / "run"), tasks=[BoxedAddition(rule=unimportable_verifier)])
    assert not (tmp_path / "run" / "metrics.jsonl").exists()


@pytest.mark.slow
def test_rlvr_train_stops_with_the_pool_s_message_and_no_traceback(tmp_path, tiny_model_dir, unimportable_verifier):
    from typer.testing import CliRunner

    from rlvr.cli.main import app
    from rlvr.verifiers import register_verifier

    register_verifier("unimportable_for_train_cli")(type(unimportable_verifier))
    overrides = [f"model.name={tiny_model_dir}", f"run_dir={tmp_path / 'run'}", "device=cpu", "threads=1",
                 "rollout.prompts_per_step=2", "rollout.group_size=4", "rollout.max_new_tokens=8", "eval.limit=0",
                 "progress=false", "verify.workers=1",
                 "tasks.0.params={verifiers: [{name: unimportable_for_train_cli}]}"]
    result = CliRunner().invoke(app, ["train", *[a for o in overrides for a in ("--set", o)]])
    assert result.exit_code == 1, result.output
    assert "a verifier worker cannot load the verifier" in result.output
    assert "ImportError: worker_unimportable needs the parent's set-up" in result.output
    assert isinstance(result.exception, SystemExit)  # stopped with the message, no traceback
    assert not (tmp_path / "run" / "metrics.jsonl").exists()
