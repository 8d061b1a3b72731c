"""benchmarks/efficacy.py: its pure parts on given curves, and a real 1-step run of both trainers."""

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "efficacy.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("efficacy", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(trainer, seed, step, wall_s, accuracy, rss=1000.0):
    return {"trainer": trainer, "seed": seed, "step": step, "wall_s": wall_s, "accuracy": accuracy,
            "peak_rss_mib": rss}


ROWS = [
    row("rlvr", 0, 0, 0.0, 0.22), row("rlvr", 0, 5, 60.0, 0.45), row("rlvr", 0, 10, 120.0, 0.71, 3000.0),
    row("rlvr", 1, 0, 0.0, 0.20), row("rlvr", 1, 5, 80.0, 0.57), row("rlvr", 1, 10, 160.0, 0.65, 3500.0),
    row("trl", 0, 0, 0.0, 0.22), row("trl", 0, 5, 300.0, 0.30), row("trl", 0, 10, 600.0, 0.45, 14000.0),
]


def test_time_to_reach_takes_the_first_eval_at_or_above_each_threshold(bench):
    assert bench.time_to_reach(bench.curve(ROWS, "rlvr", 0)) == {"0.40": 60.0, "0.55": 120.0, "0.70": 120.0}
    assert bench.time_to_reach(bench.curve(ROWS, "rlvr", 1)) == {"0.40": 80.0, "0.55": 80.0, "0.70": None}
    assert bench.time_to_reach(bench.curve(ROWS, "trl", 0), (0.3,)) == {"0.30": 300.0}


def test_bands_mean_min_max_over_seeds_and_skip_steps_not_every_seed_reached(bench):
    b = bench.bands([*ROWS, row("rlvr", 0, 15, 180.0, 0.8)], "rlvr")
    assert [p["step"] for p in b] == [0, 5, 10]
    assert b[1] == {"step": 5, "mean": pytest.approx(0.51), "min": 0.45, "max": 0.57, "wall_s": 70.0}
    assert bench.bands(ROWS, "nobody") == []


def test_against_trl_is_the_issue_target_per_seed(bench):
    out = bench.against_trl(ROWS, 0, step=10)
    # TRL had 0.45 at step 10 after 600 s; rlvr first reached it at step 5 (60 s)
    assert out == {"seed": 0, "trl_step": 10, "trl_accuracy": 0.45, "trl_s": 600.0, "rlvr_s": 60.0,
                   "time_ratio": 0.1, "rss_ratio": pytest.approx(3000 / 14000)}
    assert bench.against_trl(ROWS, 1) is None  # no TRL run for seed 1


def test_markdown_table_rows(bench):
    lines = bench.markdown_table(ROWS).strip().splitlines()
    assert lines[0].startswith("| trainer | seed | held-out first -> last | steps | train min | min to 40%")
    assert lines[2] == "| rlvr | 0 | 0.22 -> 0.71 | 10 | 2.0 | 1.0 | 2.0 | 2.0 | 3000 |"
    assert lines[3] == "| rlvr | 1 | 0.20 -> 0.65 | 10 | 2.7 | 1.3 | 1.3 | - | 3500 |"
    assert lines[4] == "| trl | 0 | 0.22 -> 0.45 | 10 | 10.0 | 10.0 | - | - | 14000 |"


def test_both_trainers_share_one_recipe_and_an_unknown_trainer_is_refused(bench):
    pytest.importorskip("torch")
    args = bench.parse_args(["--set", "optim.lr=2e-5", "--set", "rollout.group_size=16", "--steps", "7"])
    assert args.trainers == ["rlvr", "trl"] and args.seeds == [0, 1, 2]
    cfg = bench.train_config(args, 2, Path("/tmp/x"))
    assert (cfg.optim.lr, cfg.rollout.group_size, cfg.steps, cfg.seed) == (2e-5, 16, 7, 2)
    assert (cfg.eval.every, cfg.eval.limit, cfg.device, cfg.threads) == (5, 100, "cpu", 1)
    with pytest.raises(SystemExit):
        bench.parse_args(["--trainers", "rlvr,verl"])


@pytest.mark.slow
@pytest.mark.model
def test_one_step_of_each_trainer_writes_curves_table_and_plot(bench, tiny_model_dir, tmp_path):
    """The whole harness for real, tiny: the tiny random model, 1 step of 2 prompts x 2, eval on 4 rows."""
    pytest.importorskip("trl")
    out = bench.main(["--trainers", "rlvr,trl", "--seeds", "0", "--steps", "1", "--eval-every", "1",
                      "--eval-limit", "4", "--model", str(tiny_model_dir), "--out", str(tmp_path),
                      "--set", "rollout.prompts_per_step=2", "--set", "rollout.group_size=2",
                      "--set", "rollout.max_new_tokens=8", "--set", "verify.workers=1"])
    rows = [json.loads(line) for line in (out / "efficacy.jsonl").read_text().splitlines()]
    assert [(r["trainer"], r["step"]) for r in rows] == [("rlvr", 0), ("rlvr", 1), ("trl", 0), ("trl", 1)]
    for r in rows:
        assert 0.0 <= r["accuracy"] <= 1.0 and r["peak_rss_mib"] > 0
    assert rows[0]["wall_s"] == rows[2]["wall_s"] == 0.0 and rows[1]["wall_s"] > 0 and rows[3]["wall_s"] > 0
    assert rows[1]["tokens"] > 0 and rows[3]["tokens"] > 0  # 4 completions of 1..8 tokens each
    assert (out / "efficacy.png").stat().st_size > 10_000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["against_trl"][0]["trl_step"] == 1
    assert set(summary["peak_rss_tree_mib"]) == {"rlvr/0", "trl/0"}
