import io
import json
import math
import os
import subprocess
import sys

import pytest

from rlvr.trainer.metric_loggers import (
    LOGGER_NAMES,
    ConsoleLogger,
    JsonlLogger,
    MetricLogger,
    RecordingLogger,
    TensorBoardLogger,
    make_loggers,
    validate_logger_names,
)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_jsonl_one_object_per_step_flushed_before_close(tmp_path):
    logger = JsonlLogger(tmp_path / "metrics.jsonl")
    logger.log({"reward": 0.25, "kl": 0.0}, step=1)
    # flushed per line: readable while the logger is still open
    assert read_jsonl(tmp_path / "metrics.jsonl") == [{"step": 1, "reward": 0.25, "kl": 0.0}]
    logger.log({"reward": 0.5, "completions/mean_length": 23}, step=2)
    logger.close()
    rows = read_jsonl(tmp_path / "metrics.jsonl")
    assert rows == [{"step": 1, "reward": 0.25, "kl": 0.0},
                    {"step": 2, "reward": 0.5, "completions/mean_length": 23.0}]
    assert next(iter(rows[1])) == "step"


def test_jsonl_appends_across_reopen_and_writes_non_finite_as_null(tmp_path):
    path = tmp_path / "run" / "metrics.jsonl"  # parent created on demand
    first = JsonlLogger(path)
    first.log({"reward": 1.0}, step=1)
    first.close()
    second = JsonlLogger(path)
    second.log({"entropy": math.nan, "kl": math.inf, "reward": 0.75}, step=2)
    second.close()
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert read_jsonl(path) == [{"step": 1, "reward": 1.0},
                                {"step": 2, "entropy": None, "kl": None, "reward": 0.75}]


def test_jsonl_step_argument_wins_over_a_step_key(tmp_path):
    logger = JsonlLogger(tmp_path / "m.jsonl")
    logger.log({"step": 99, "reward": 0.0}, step=3)
    logger.close()
    assert read_jsonl(tmp_path / "m.jsonl") == [{"step": 3, "reward": 0.0}]


def test_non_numbers_are_rejected_with_the_key_named(tmp_path):
    logger = JsonlLogger(tmp_path / "m.jsonl")
    with pytest.raises(TypeError, match="'rewards/math/mean'"):
        logger.log({"reward": 1.0, "rewards/math/mean": "high"}, step=1)
    logger.close()
    assert (tmp_path / "m.jsonl").read_text() == ""  # nothing half-written
    with pytest.raises(RuntimeError, match="closed"):
        logger.log({"reward": 1.0}, step=2)


def test_numpy_and_tensor_scalars_become_floats(tmp_path):
    np = pytest.importorskip("numpy")
    torch = pytest.importorskip("torch")
    recorder = RecordingLogger()
    recorder.log({"a": np.float32(0.5), "b": torch.tensor(2.0), "c": True}, step=1)
    assert recorder.calls == [(1, {"a": 0.5, "b": 2.0, "c": 1.0})]
    assert all(type(v) is float for v in recorder.calls[0][1].values())


def test_recording_logger_series_and_close():
    recorder = RecordingLogger()
    assert isinstance(recorder, MetricLogger)
    recorder.log({"reward": 0.0}, step=1)
    recorder.log({"reward": 0.5, "eval/accuracy": 0.2}, step=2)
    assert recorder.series("reward") == [(1, 0.0), (2, 0.5)]
    assert recorder.series("eval/accuracy") == [(2, 0.2)]
    recorder.close()
    assert recorder.closed
    with pytest.raises(RuntimeError):
        recorder.log({"reward": 1.0}, step=3)


def test_console_logger_prints_headline_keys_in_order():
    stream = io.StringIO()
    logger = ConsoleLogger(stream)
    logger.log({"step_time": 61.5, "reward": 0.25, "ignored/key": 3.0}, step=4)
    assert stream.getvalue() == "step 4 | reward 0.25 | step_time 61.5\n"


def test_tensorboard_event_file_is_readable(tmp_path):
    pytest.importorskip("torch")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    logger = TensorBoardLogger(tmp_path / "tb")
    for step, reward in [(1, 0.125), (2, 0.25), (3, 0.5)]:
        logger.log({"reward": reward, "eval/accuracy": reward / 2}, step=step)
    logger.close()
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    assert set(events.Tags()["scalars"]) == {"reward", "eval/accuracy"}
    assert [(e.step, e.value) for e in events.Scalars("reward")] == [(1, 0.125), (2, 0.25), (3, 0.5)]
    assert [e.value for e in events.Scalars("eval/accuracy")] == [0.0625, 0.125, 0.25]


def test_make_loggers_opens_the_named_sinks(tmp_path):
    loggers = make_loggers(tmp_path, ["jsonl", "tensorboard", "console"])
    assert [type(x).__name__ for x in loggers] == ["JsonlLogger", "TensorBoardLogger", "ConsoleLogger"]
    assert all(isinstance(x, MetricLogger) for x in loggers)
    for logger in loggers:
        logger.log({"reward": 0.5}, step=1)
        logger.close()
    assert read_jsonl(tmp_path / "metrics.jsonl") == [{"step": 1, "reward": 0.5}]
    assert any(p.name.startswith("events.out.tfevents") for p in (tmp_path / "tensorboard").iterdir())
    assert make_loggers(tmp_path, []) == []


def test_unknown_or_repeated_names_fail_before_anything_opens(tmp_path):
    with pytest.raises(ValueError, match="unknown logger 'tensorbord'\\. Did you mean 'tensorboard'\\?"):
        make_loggers(tmp_path, ["jsonl", "tensorbord"])
    assert not (tmp_path / "metrics.jsonl").exists()
    with pytest.raises(ValueError, match="listed twice: jsonl"):
        validate_logger_names(["jsonl", "console", "jsonl"])
    assert validate_logger_names(list(LOGGER_NAMES)) == list(LOGGER_NAMES)


TRACKIO_SCRIPT = """
import json, sqlite3, sys
from pathlib import Path
from rlvr.trainer.metric_loggers import make_loggers
run_dir = Path(sys.argv[1]) / "my-run"
loggers = make_loggers(run_dir, ["trackio"])
loggers[0].log({"reward": 0.25, "kl": 0.0}, step=1)
loggers[0].log({"reward": 0.75}, step=2)
loggers[0].close()
"""


@pytest.mark.slow
def test_trackio_run_is_stored_locally(tmp_path):
    pytest.importorskip("trackio")
    # TRACKIO_DIR is read when trackio is imported: a child process keeps it out of ~/.cache.
    env = {**os.environ, "TRACKIO_DIR": str(tmp_path / "trackio"), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-c", TRACKIO_SCRIPT, str(tmp_path)], env=env, check=True, timeout=120,
                   capture_output=True)
    import sqlite3

    databases = list((tmp_path / "trackio").glob("*.db"))
    assert [p.stem for p in databases] == ["rlvr"]
    with sqlite3.connect(databases[0]) as db:
        rows = db.execute("SELECT run_name, step, metrics FROM metrics ORDER BY step").fetchall()
    assert [(name, step) for name, step, _ in rows] == [("my-run", 1), ("my-run", 2)]
    assert json.loads(rows[0][2])["reward"] == 0.25 and json.loads(rows[1][2])["reward"] == 0.75
