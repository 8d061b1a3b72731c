"""The pure parts of benchmarks/grpo_vs_trl.py: aggregation, ratios, the table, argument wiring."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "grpo_vs_trl.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("grpo_vs_trl", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STEPS = [{"seconds": 60.0, "reward": 0.125, "mean_length": 25.0},
         {"seconds": 40.0, "reward": 0.25, "mean_length": 20.0},
         {"seconds": 50.0, "reward": 0.5, "mean_length": 30.0}]


def test_summarize_median_tokens_per_second_and_first_last_reward(bench):
    out = bench.summarize(STEPS, completions_per_step=32)
    assert out["steps"] == 3
    assert out["median_s_per_step"] == 50.0
    assert out["mean_s_per_step"] == 50.0
    # (25 + 20 + 30) * 32 tokens over 150 s
    assert out["tokens_per_s"] == pytest.approx(75 * 32 / 150)
    assert out["mean_completion_tokens"] == 25.0
    assert (out["reward_first"], out["reward_last"]) == (0.125, 0.5)
    with pytest.raises(ValueError, match="no steps"):
        bench.summarize([])


def test_rlvr_steps_reads_metrics_rows_and_skips_eval_only_rows(bench):
    rows = [{"step": 0, "eval/accuracy": 0.2},
            {"step": 1, "step_time": 30.5, "reward": 0.25, "completions/mean_length": 22.0, "kl": 0.0},
            {"step": 2, "step_time": 29.5, "reward": 0.375, "completions/mean_length": 21.0,
             "eval/accuracy": 0.3}]
    assert bench.rlvr_steps(rows) == [
        {"step": 1, "seconds": 30.5, "reward": 0.25, "mean_length": 22.0},
        {"step": 2, "seconds": 29.5, "reward": 0.375, "mean_length": 21.0}]


def result(s_per_step, tokens_per_s, rss):
    return {"median_s_per_step": s_per_step, "tokens_per_s": tokens_per_s, "cpu_s_per_step": s_per_step * 1.5,
            "peak_rss_self_mib": rss * 0.9,
            "peak_rss_tree_mib": rss, "reward_first": 0.25, "reward_last": 0.5, "steps": 10, "wall_s": 700.0}


def test_ratio_and_markdown_table(bench):
    results = {"trl": result(60.0, 12.0, 15000.0), "rlvr": result(20.0, 36.0, 3000.0)}
    assert bench.ratio_row(results) == {"s_per_step": pytest.approx(1 / 3), "tokens_per_s": 3.0,
                                        "cpu_s_per_step": pytest.approx(1 / 3), "peak_rss": 0.2}
    table = bench.markdown_table(results)
    lines = table.strip().splitlines()
    assert lines[0].startswith("| trainer | median s/step | gen tokens/s")
    assert lines[2] == "| trl | 60.0 | 12.0 | 90 | 13500 | 15000 | 0.250 -> 0.500 | 10 | 700 |"
    assert lines[3] == "| rlvr | 20.0 | 36.0 | 30 | 2700 | 3000 | 0.250 -> 0.500 | 10 | 700 |"
    assert lines[4] == "| rlvr / TRL | 0.33x | 3.00x | 0.33x | | 0.20x | | | |"
    only_trl = {"trl": results["trl"]}
    assert bench.ratio_row(only_trl) is None
    assert len(bench.markdown_table(only_trl).strip().splitlines()) == 3


def test_both_trainers_get_the_issue_spec_from_one_config(bench):
    pytest.importorskip("torch")
    import argparse

    args = argparse.Namespace(steps=10, seed=0, threads=2, model=None)
    cfg = bench.train_config(args, Path("/tmp/x"))
    assert (cfg.steps, cfg.rollout.prompts_per_step, cfg.rollout.group_size) == (10, 4, 8)
    assert (cfg.rollout.max_new_tokens, cfg.rollout.temperature, cfg.rollout.top_p) == (64, 1.0, 1.0)
    assert (cfg.loss.beta, cfg.loss.num_iterations, cfg.threads, cfg.device) == (0.0, 1, 2, "cpu")
    assert cfg.eval.limit == 0 and cfg.model.gradient_checkpointing is False


def test_planned_prompts_are_what_the_trainer_sampler_draws(bench):
    pytest.importorskip("torch")
    import argparse

    from rlvr.tasks import get_task
    from rlvr.trainer.rollouts import PromptCursor

    cfg = bench.train_config(argparse.Namespace(steps=3, seed=0, threads=2, model=None), Path("/tmp/x"))
    task = get_task("arithmetic")
    planned = bench.planned_prompts(cfg, task)
    assert len(planned) == 12
    cursor = PromptCursor([task.load(split="train", limit=cfg.tasks[0].train_rows)], [1.0], cfg.seed)
    assert [r["id"] for r in planned] == [p.row["id"] for _ in range(3) for p in cursor.take(4)]


def test_trl_reward_scores_one_or_zero_and_records_prompt_ids(bench):
    import json

    from rlvr.tasks import get_task

    task = get_task("arithmetic")
    rows = task.load(split="train", limit=2)
    gold = [str(task.reference(r)) for r in rows]
    completions = [f"So the answer is \\boxed{{{gold[0]}}}.", "I think \\boxed{-1}.",
                   f"\\boxed{{{gold[1]}}}", "no box here"]
    reward = bench.RecordingReward(task)
    values = reward(["p"] * 4, completions, id=[rows[0]["id"]] * 2 + [rows[1]["id"]] * 2,
                    rlvr_reference=[json.dumps(task.reference(r)) for r in (rows[0], rows[0], rows[1], rows[1])])
    assert values == [1.0, 0.0, 1.0, 0.0]
    assert reward.seen_ids == [rows[0]["id"], rows[1]["id"]]
    assert len(reward.seconds) == 1 and reward.seconds[0] > 0
