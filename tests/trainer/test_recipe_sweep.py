"""benchmarks/recipe_sweep.py: point overrides validate, a finished run is collected, an unfinished one is not."""

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "recipe_sweep.py"


@pytest.fixture(scope="module")
def sweep():
    spec = importlib.util.spec_from_file_location("recipe_sweep", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_point_is_a_valid_config_on_top_of_the_old_recipe(sweep):
    from rlvr.trainer.config import load_config

    for point in sweep.POINTS:
        cfg = load_config(None, sweep.overrides(point, 1, Path("/tmp/x"), 5))
        assert (cfg.seed, cfg.eval.every, cfg.eval.limit, cfg.threads) == (1, 5, 100, 1)
    old = load_config(None, sweep.overrides("old", 0, Path("/tmp/x"), 5))
    assert (old.optim.lr, old.optim.schedule, old.rollout.prompts_per_step, old.rollout.group_size,
            old.steps) == (3e-5, "constant", 4, 8, 10)
    g16 = load_config(None, sweep.overrides("g16-cos", 0, Path("/tmp/x"), 5))
    assert (g16.optim.lr, g16.optim.schedule, g16.rollout.group_size, g16.steps) == (1e-5, "cosine", 16, 20)


def _write_run(run_dir: Path, steps_done: int, steps: int = 2) -> None:
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text(
        f"steps: {steps}\nrollout: {{prompts_per_step: 4, group_size: 8}}\n")
    rows = [{"step": 0, "eval/accuracy": 0.22}]
    for s in range(1, steps_done + 1):
        rows.append({"step": s, "step_time": 10.0 * s, "reward": 0.25 * s, "entropy": 1.0 / s,
                     "frac_reward_zero_std": 0.5, "completions/mean_length": 20.0 + s})
    if steps_done == steps:
        rows[-1]["eval/accuracy"] = 0.5
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_collect_reads_finished_and_unfinished_runs(sweep, tmp_path):
    _write_run(tmp_path / "g16-s0", steps_done=2)
    out = sweep.collect(tmp_path / "g16-s0", "g16", 0)
    assert out["held_out"] == [[0, 0.22], [2, 0.5]]
    assert out["entropy"] == [1.0, 0.5] and out["reward"] == [0.25, 0.5]
    assert out["generated_tokens"] == (21 + 22) * 32 and out["train_s"] == 30.0
    assert out["diff"] == sweep.POINTS["g16"] and (out["steps"], out["steps_done"], out["finished"]) == (2, 2, True)
    _write_run(tmp_path / "g16-s1", steps_done=1)
    partial = sweep.collect(tmp_path / "g16-s1", "g16", 1)
    assert (partial["steps_done"], partial["finished"], partial["held_out"]) == (1, False, [[0, 0.22]])
    _write_run(tmp_path / "g16-s2", steps_done=0)
    assert sweep.collect(tmp_path / "g16-s2", "g16", 2) is None
    assert sweep.collect(tmp_path / "nothing", "g16", 2) is None
    lines = sweep.table([out, partial]).strip().splitlines()
    assert lines[3].startswith("| g16 | 1 | 1/2 (stopped) |")
    line = lines[2]
    assert line.startswith("| g16 | 0 | 2/2 | optim.lr=1e-05, rollout.group_size=16, steps=20 | 0: 0.22 2: 0.50 "
                           "| 1.00 -> 0.50 -> 0.50 | 0.50, 0.50 | 1376 | 30 |")


def test_collect_keeps_earlier_lines_of_runs_not_found_and_replaces_the_rest(sweep):
    earlier = [{"point": "p8-8", "seed": 2, "held_out": [[8, 0.62]]}, {"point": "g16", "seed": 0, "held_out": []},
               {"point": "p8-8", "seed": 0, "held_out": [[8, 0.67]]}]
    found = [{"point": "p8-8", "seed": 0, "held_out": [[8, 0.70]]}, {"point": "p8-t1.2", "seed": 0, "held_out": []}]
    merged = sweep.merge_results(earlier, found)
    assert [(r["point"], r["seed"]) for r in merged] == [("g16", 0), ("p8-8", 0), ("p8-8", 2), ("p8-t1.2", 0)]
    assert merged[1]["held_out"] == [[8, 0.70]]  # the run found replaces the earlier line
