import json
import math

import pytest
from typer.testing import CliRunner

from rlvr.cli.main import app
from rlvr.trainer.plot import MissingMetricsWarning, moving_average, plot_run, read_metrics, series

pytest.importorskip("matplotlib")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_run(run_dir, rows):
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return run_dir


def full_rows(steps=30):
    rows = [{"step": 0, "eval/accuracy": 0.2, "eval/arithmetic/accuracy": 0.2}]
    for s in range(1, steps + 1):
        rows.append({"step": s, "reward": s / steps, "reward_std": 0.1, "rewards/math/mean": s / steps,
                     "accuracy": s / steps, "completions/mean_length": 30 - s / 2, "completions/min_length": 5,
                     "completions/max_length": 64, "completions/clipped_ratio": 0.5 / s, "kl": 0.01 * s,
                     "entropy": None if s == 3 else 1.0 - s / 100, "step_time": 60.0})
        if s % 10 == 0:
            rows[-1] |= {"eval/accuracy": 0.2 + s / 100, "eval/arithmetic/accuracy": 0.2 + s / 100}
    return rows


def assert_png(path):
    assert path.is_file() and path.stat().st_size > 5000
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_every_curve_is_written_as_a_png(tmp_path):
    run = write_run(tmp_path / "run", full_rows())
    written = plot_run(run)
    assert [p.name for p in written] == ["reward.png", "accuracy.png", "length.png", "kl.png", "entropy.png"]
    assert all(p.parent == run / "plots" for p in written)
    for path in written:
        assert_png(path)


def test_out_dir_and_missing_families_warn_with_the_reason(tmp_path):
    rows = [{"step": s, "reward": 0.1 * s, "completions/mean_length": 20.0} for s in range(1, 4)]
    run = write_run(tmp_path / "run", rows)
    with pytest.warns(MissingMetricsWarning) as caught:
        written = plot_run(run, tmp_path / "figs")
    assert [p.name for p in written] == ["reward.png", "length.png"]
    for path in written:
        assert_png(path)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3
    assert messages[0].startswith("skipping accuracy.png") and "eval/*accuracy" in messages[0]
    assert "skipping kl.png" in messages[1] and "loss.beta > 0" in messages[1]
    assert "skipping entropy.png" in messages[2]


def test_clear_errors_for_no_file_no_rows_no_known_keys_bad_line(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no metrics\.jsonl in"):
        plot_run(tmp_path)
    write_run(tmp_path / "empty", [])
    with pytest.raises(ValueError, match="has no rows yet"):
        plot_run(tmp_path / "empty")
    write_run(tmp_path / "odd", [{"step": 1, "loss": 0.0, "grad_norm": 1.0}])
    with pytest.raises(ValueError, match="it has: loss, grad_norm"):
        plot_run(tmp_path / "odd")
    bad = write_run(tmp_path / "bad", [{"step": 1, "reward": 0.5}])
    with (bad / "metrics.jsonl").open("a") as f:
        f.write("{not json\n")
    with pytest.raises(ValueError, match=r"metrics\.jsonl:2: not valid JSON"):
        plot_run(bad)
    write_run(tmp_path / "nostep", [{"reward": 0.5}])
    with pytest.raises(ValueError, match=":1: expected a JSON object with an integer 'step'"):
        read_metrics(tmp_path / "nostep" / "metrics.jsonl")


def test_series_keeps_only_rows_with_the_key_and_null_is_a_gap():
    rows = [{"step": 0, "eval/accuracy": 0.1}, {"step": 1, "reward": 0.5},
            {"step": 2, "reward": None}, {"step": 3, "reward": 1.0, "eval/accuracy": 0.4}]
    assert series(rows, "eval/accuracy") == ([0, 3], [0.1, 0.4])
    steps, values = series(rows, "reward")
    assert steps == [1, 2, 3] and values[0] == 0.5 and math.isnan(values[1]) and values[2] == 1.0


def test_moving_average_skips_gaps():
    out = moving_average([1.0, 3.0, math.nan, 5.0, 7.0], window=2)
    assert out == [1.0, 2.0, 3.0, 5.0, 6.0]
    assert math.isnan(moving_average([math.nan], 3)[0])


def test_cli_plot_prints_files_and_fails_cleanly(tmp_path):
    runner = CliRunner()
    run = write_run(tmp_path / "run", full_rows(steps=5))
    result = runner.invoke(app, ["plot", str(run), "--out", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == \
        ["accuracy.png", "entropy.png", "kl.png", "length.png", "reward.png"]
    assert str(tmp_path / "png" / "reward.png") in result.stdout
    missing = runner.invoke(app, ["plot", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1
    assert "no metrics.jsonl in" in missing.output


def test_a_short_training_curve_is_smoothed_and_a_held_out_curve_is_not():
    from rlvr.trainer.plot import _draw

    class Ax:  # records what would be drawn
        def __init__(self):
            self.lines = []

        def plot(self, steps, values, **style):
            self.lines.append((list(steps), list(values), style.get("label")))

    rows = [{"step": s, "accuracy": v} for s, v in enumerate([0.1, 0.4, 0.1, 0.4, 0.7, 0.4], start=1)]
    rows[3]["eval/accuracy"] = 0.5
    rows[5]["eval/accuracy"] = 0.6
    ax = Ax()
    _draw(ax, rows, "accuracy", "C0")
    assert len(ax.lines) == 2  # faint raw values, then the moving average over them
    steps, smooth, label = ax.lines[1]
    assert label == "accuracy (mean of 3)" and steps == [1, 2, 3, 4, 5, 6]
    assert smooth == pytest.approx([0.1, 0.25, 0.2, 0.3, 0.4, 0.5])
    ax = Ax()
    _draw(ax, rows, "eval/accuracy", "C1")
    assert ax.lines == [([4, 6], [0.5, 0.6], "eval/accuracy")]
