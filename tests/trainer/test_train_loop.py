"""The training loop end to end: run directory contents, metric names, every loss option,
the real default model on the real arithmetic task, and the step metrics' arithmetic."""

from __future__ import annotations

import json
import math
import re

import pytest
import torch
import yaml
from safetensors.torch import load_file

from rlvr.trainer.config import TrainConfig
from rlvr.trainer.run_metrics import GroupSummary, rollout_metrics
from rlvr.verifiers import Score

TRL_NAMES = {"reward", "reward_std", "frac_reward_zero_std", "completions/mean_length",
             "completions/clipped_ratio", "entropy", "clip_ratio/low_mean", "clip_ratio/high_mean",
             "clip_ratio/region_mean", "step_time"}


@pytest.mark.slow
def test_run_directory_holds_config_metrics_samples_checkpoint(tmp_path, tiny_model_dir, tiny_config,
                                                               abc_word_task, capsys) -> None:
    from rlvr.trainer.train_loop import train

    cfg = tiny_config(tmp_path / "run", "eval.limit=4")
    run_dir = train(cfg, tasks=[abc_word_task])
    summary = capsys.readouterr().err.splitlines()[-6:]  # the run ends with its summary on stderr
    assert summary[0].startswith("GRPO run finished: step 2, wall time ")
    assert summary[1].startswith("held-out accuracy (4 problems, greedy): ")
    assert summary[-2:] == [f"run directory: {run_dir}", f"curves: rlvr plot {run_dir}   (PNGs into {run_dir}/plots)"]

    saved = TrainConfig.model_validate(yaml.safe_load((run_dir / "config.yaml").read_text()))
    assert saved == cfg
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1, 2]
    assert "eval/accuracy" in rows[0] and "eval/accuracy" in rows[2]  # before and after training
    assert rows[0]["eval_time"] > 0 and rows[2]["eval_time"] > 0
    assert 0 < rows[1]["train_time"] < rows[1]["step_time"] and 0 < rows[1]["rollout_time"] < rows[1]["step_time"]
    for row in rows[1:]:
        assert row.keys() >= TRL_NAMES
        assert "rewards/boxed_addition/mean" in row
        assert "kl" not in row  # beta = 0: no reference model, no KL
        assert 0 <= row["reward"] <= 1 and all(math.isfinite(v) for v in row.values())
        assert row["completions/max_length"] <= 8
    samples = [json.loads(line) for line in (run_dir / "samples" / "step_2.jsonl").read_text().splitlines()]
    assert len(samples) == 2 * 4
    for s in samples:
        assert {"prompt", "completion", "score", "advantage"} <= s.keys()
        assert s["score"]["value"] == float(re.search(" [a-c]", s["completion"]) is not None)
    # group advantages: each group's scored advantages sum to 0
    for slot in {s["slot"] for s in samples}:
        assert abs(sum(s["advantage"] for s in samples if s["slot"] == slot)) < 1e-5
    ckpt = run_dir / "checkpoints" / "step_2"
    assert {"model", "optimizer.pt", "scheduler.pt", "rng.pt", "trainer_state.json"} <= {p.name for p in ckpt.iterdir()}
    assert (ckpt / "model" / "model.safetensors").is_file()


@pytest.mark.slow
def test_every_loss_option_trains(tmp_path, tiny_model_dir, tiny_config, abc_word_task) -> None:
    """mu = 2 (old log-probs, clipping), beta > 0 (reference model, k3 KL), grpo aggregation,
    batch reward scaling, dynamic sampling, cosine schedule with warm-up, LoRA off."""
    from rlvr.trainer.train_loop import train

    cfg = tiny_config(tmp_path / "run", "steps=1", "loss.num_iterations=2", "loss.beta=0.1", "loss.type=grpo",
                      "loss.scale_rewards=batch", "loss.epsilon_high=0.28", "rollout.dynamic_sampling=true",
                      "optim.schedule=cosine", "optim.warmup_steps=1", "rollout.temperature=0.7")
    run_dir = train(cfg, tasks=[abc_word_task])
    row = json.loads((run_dir / "metrics.jsonl").read_text().splitlines()[-1])
    assert row["kl"] >= 0 and math.isfinite(row["kl"])
    assert row["grad_norm"] > 0
    before = load_file(tiny_model_dir / "model.safetensors")
    after = load_file(run_dir / "checkpoints" / "step_1" / "model" / "model.safetensors")
    assert max((after[k] - before[k]).abs().max().item() for k in before) > 0


@pytest.mark.slow
def test_generating_in_chunks_samples_the_same_completions(tmp_path, tiny_config, abc_word_task) -> None:
    """rollout.generation_groups=1 (one decode loop per prompt, scoring overlapping) and the
    default (all prompts in one loop) sample the same completions: randomness is per group."""
    from rlvr.trainer.train_loop import train

    def samples(name: str, *overrides: str) -> list[tuple]:
        run_dir = train(tiny_config(tmp_path / name, "steps=1", *overrides), tasks=[abc_word_task])
        rows = [json.loads(line) for line in (run_dir / "samples" / "step_1.jsonl").read_text().splitlines()]
        return [(r["slot"], r["completion"], r["advantage"]) for r in rows]

    whole = samples("whole")
    assert len({c for _, c, _ in whole}) > 1
    assert samples("chunked", "rollout.generation_groups=1") == whole


@pytest.mark.slow
def test_rows_whose_verification_timed_out_are_masked_not_scored_zero(tmp_path, tiny_config) -> None:
    from trainer_fakes import BoxedAddition, HangsOnSomeRows

    from rlvr.trainer.train_loop import train

    run_dir = train(tiny_config(tmp_path / "run", "steps=1", "verify.timeout_s=1"),
                    tasks=[BoxedAddition(rule=HangsOnSomeRows())])
    row = json.loads((run_dir / "metrics.jsonl").read_text().splitlines()[-1])
    samples = [json.loads(line) for line in (run_dir / "samples" / "step_1.jsonl").read_text().splitlines()]
    hung = [s for s in samples if len(s["completion"]) % 3 == 0]
    assert 0 < len(hung) < len(samples)
    assert all(s["score"]["status"] == "timeout" and s["advantage"] == 0.0 for s in hung)
    assert row["verification/masked_rows"] == row["verification/timeout"] == len(hung)
    scored = [s for s in samples if s not in hung]
    assert row["reward"] == pytest.approx(sum(s["score"]["value"] for s in scored) / len(scored))
    for slot in {s["slot"] for s in scored}:  # advantages centred on the scored rows only
        assert abs(sum(s["advantage"] for s in scored if s["slot"] == slot)) < 1e-5


@pytest.mark.slow
def test_gradient_checkpointing_gives_the_same_update(tmp_path, tiny_model_dir, tiny_config,
                                                       abc_word_task) -> None:
    """model.gradient_checkpointing=true trains through the plain prompt+completion forward
    (no shared prefix) with recomputed activations: the same step, up to float rounding."""
    from rlvr.trainer.train_loop import train

    def weights(name: str, *overrides: str) -> dict:
        run_dir = train(tiny_config(tmp_path / name, "steps=1", *overrides), tasks=[abc_word_task])
        return load_file(run_dir / "checkpoints" / "step_1" / "model" / "model.safetensors")

    plain, checkpointed = weights("plain"), weights("ckpt", "model.gradient_checkpointing=true")
    initial = load_file(tiny_model_dir / "model.safetensors")
    update = torch.cat([(plain[k] - initial[k]).flatten() for k in plain])
    diff = torch.cat([(plain[k] - checkpointed[k]).flatten() for k in plain])
    assert update.abs().max().item() > 1e-4  # it trained
    # Adam's first step is lr * g / (|g| + eps): where a gradient is near eps, float rounding in the
    # recomputed forward moves that weight's update by a visible fraction of lr (2.8e-5 of 1e-3 seen
    # on one CPU). So: the update as a whole agrees to 1e-3, and no single weight moves 10% of its step.
    assert (diff.norm() / update.norm()).item() < 1e-3
    assert diff.abs().max().item() < 0.1 * update.abs().max().item()


@pytest.mark.slow
def test_dynamic_sampling_trains_on_varied_groups_and_eval_every_step(tmp_path, tiny_config,
                                                                     abc_word_task) -> None:
    """DAPO's dynamic sampling: the groups trained on (the samples) all have reward variance
    when enough could be drawn; eval.every=1 logs held-out accuracy at every step."""
    from rlvr.trainer.train_loop import train

    run_dir = train(tiny_config(tmp_path / "run", "steps=2", "rollout.dynamic_sampling=true",
                                "rollout.max_resample_rounds=4", "eval.limit=2", "eval.every=1"),
                    tasks=[abc_word_task])
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "eval/accuracy" in r] == [0, 1, 2]
    assert any(r.get("frac_reward_zero_std", 0) > 0 for r in rows)  # some groups were dropped and redrawn
    for step in (1, 2):
        samples = [json.loads(line) for line in (run_dir / "samples" / f"step_{step}.jsonl").read_text().splitlines()]
        slots = {s["slot"] for s in samples}
        assert len(slots) == 2  # prompts_per_step groups kept
        for slot in slots:
            assert len({s["score"]["value"] for s in samples if s["slot"] == slot}) > 1  # reward variance


@pytest.mark.slow
def test_lora_run_saves_an_adapter(tmp_path, tiny_config, abc_word_task) -> None:
    from rlvr.trainer.train_loop import train

    run_dir = train(tiny_config(tmp_path / "run", "steps=1", "model.lora={r: 4, alpha: 8}"),
                    tasks=[abc_word_task])
    model_dir = run_dir / "checkpoints" / "step_1" / "model"
    assert (model_dir / "adapter_model.safetensors").is_file()
    assert not (model_dir / "model.safetensors").exists()


@pytest.mark.slow
@pytest.mark.model
def test_default_model_trains_on_arithmetic(tmp_path) -> None:
    """The real thing, tiny: SmolLM2-135M-Instruct, the arithmetic task, 1 step of 2 x 4."""
    from rlvr.trainer.config import load_config
    from rlvr.trainer.train_loop import train

    cfg = load_config(None, [f"run_dir={tmp_path / 'run'}", "steps=1", "device=cpu", "rollout.prompts_per_step=2",
                             "rollout.group_size=4", "rollout.max_new_tokens=32", "eval.limit=0", "progress=false"])
    run_dir = train(cfg)
    row = json.loads((run_dir / "metrics.jsonl").read_text().splitlines()[-1])
    assert row["step"] == 1
    assert "rewards/math/mean" in row and 0 <= row["reward"] <= 1
    assert row["verification/masked_rows"] == 0
    if row["frac_reward_zero_std"] < 1:  # some group had a right and a wrong answer
        assert row["grad_norm"] > 0
    samples = [json.loads(line) for line in (run_dir / "samples" / "step_1.jsonl").read_text().splitlines()]
    assert len(samples) == 8 and all(s["score"]["status"] in ("ok", "no_answer") for s in samples)


def _score(value: float, status: str = "ok", **details) -> Score:
    return Score(value=value, status=status, details={k: v.model_dump(mode="json") for k, v in details.items()})


def _group(scores: list[Score], lengths: list[int], clipped: list[bool]) -> GroupSummary:
    return GroupSummary("t", tuple(scores), tuple(lengths), tuple(clipped))


def test_rollout_metrics_count_masked_rows_and_zero_std_groups() -> None:
    groups = [  # one rank, two groups of 3
        _group([_score(1.0), _score(0.0), _score(0.0, "timeout")], [4, 6, 8], [False, False, True]),
        _group([_score(1.0), _score(1.0), _score(0.0, "infra_error")], [2, 2, 2], [False, False, False]),
    ]
    m = rollout_metrics([groups])
    assert m["verification/masked_rows"] == 2
    assert m["reward"] == pytest.approx(3 / 4)  # masked rows are not scored 0
    assert m["frac_reward_zero_std"] == 0.5  # group 2's scored rewards are all 1
    assert m["reward_std"] == pytest.approx((math.sqrt(0.5) + 0) / 2)
    assert m["completions/mean_length"] == pytest.approx(24 / 6)
    assert m["completions/clipped_ratio"] == pytest.approx(1 / 6)
    assert m["completions/mean_terminated_length"] == pytest.approx(16 / 5)  # the clipped row of 8 left out
    assert m["rewards/t/mean"] == pytest.approx(3 / 6)


def test_rollout_metrics_per_component_rewards() -> None:
    parts = {"math": _score(1.0), "format": _score(0.5)}
    groups = [_group([_score(0.9, **parts), _score(0.1, math=_score(0.0), format=_score(0.2))], [3, 3],
                     [False, False])]
    m = rollout_metrics([groups, groups])  # two ranks
    assert m["rewards/math/mean"] == pytest.approx(0.5)
    assert m["rewards/format/mean"] == pytest.approx(0.35)
    assert m["reward"] == pytest.approx(0.5)
