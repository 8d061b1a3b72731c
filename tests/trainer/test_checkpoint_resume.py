"""Exact resume: 4 uninterrupted steps == 2 steps, kill -9, resume, 2 more steps.

The interrupted run is a real child process that SIGKILLs itself as step 3's
rollouts begin (after step 2's checkpoint, before anything of step 3 is saved).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from safetensors.torch import load_file

from rlvr.trainer.checkpoint import latest_checkpoint, list_checkpoints, resolve_resume
from rlvr.trainer.config import TrainConfig

pytestmark = pytest.mark.slow

_CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from trainer_fakes import ABC_WORD, BoxedAddition, tiny_train_config
    import rlvr.trainer.train_loop as loop

    real = loop.generate_and_score
    def killing(prompts, *, step, **kw):
        if step == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(prompts, step=step, **kw)
    loop.generate_and_score = killing
    cfg = tiny_train_config({model!r}, {run!r}, *{overrides!r})
    loop.train(cfg, tasks=[BoxedAddition(rule=ABC_WORD)])
""")

OVERRIDES = ("steps=4", "save_every=2", "optim.schedule=cosine", "optim.warmup_steps=1")
TIMING = {"step_time", "rollout_time", "train_time", "eval_time"}


def _metrics(run_dir: Path) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in row.items() if k not in TIMING} for row in rows]


def test_kill9_and_resume_gives_the_same_weights_and_metrics(tmp_path, tiny_model_dir, tiny_config,
                                                           abc_word_task) -> None:
    from rlvr.trainer.train_loop import train

    whole = train(tiny_config(tmp_path / "whole", *OVERRIDES), tasks=[abc_word_task])

    cut = tmp_path / "cut"
    child = _CHILD.format(tests=str(Path(__file__).parent), model=str(tiny_model_dir), run=str(cut),
                          overrides=OVERRIDES)
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert [p.name for p in list_checkpoints(cut)] == ["step_2"]
    assert [row["step"] for row in _metrics(cut)] == [1, 2]

    train(tiny_config(cut, *OVERRIDES), resume="latest", tasks=[abc_word_task])

    a = load_file(latest_checkpoint(whole) / "model" / "model.safetensors")
    b = load_file(latest_checkpoint(cut) / "model" / "model.safetensors")
    assert a.keys() == b.keys()
    diff = max((a[k] - b[k]).abs().max().item() for k in a)
    assert diff <= 1e-6, diff
    initial = load_file(Path(tiny_model_dir) / "model.safetensors")
    assert max((a[k] - initial[k]).abs().max().item() for k in a) > 1e-4  # the run did train
    assert _metrics(cut) == _metrics(whole)
    state = json.loads((latest_checkpoint(cut) / "trainer_state.json").read_text())
    assert state["step"] == 4 and state["prompt_cursor"]["next_slot"] == 8  # 4 steps x 2 prompts


def test_an_unfinished_checkpoint_is_never_picked(tmp_path) -> None:
    root = tmp_path / "checkpoints"
    (root / "step_2").mkdir(parents=True)
    (root / "step_2" / "trainer_state.json").write_text('{"step": 2}')
    (root / "step_10.tmp").mkdir()  # a writer killed mid-save
    (root / "step_9").mkdir()
    (root / "step_9" / "trainer_state.json").write_text('{"step": 9}')
    assert latest_checkpoint(tmp_path).name == "step_9"  # numeric, not lexicographic order
    assert resolve_resume(tmp_path, "latest").name == "step_9"
    with pytest.raises(FileNotFoundError, match="no complete checkpoint"):
        resolve_resume(tmp_path / "empty", "latest")
    with pytest.raises(FileNotFoundError, match="not a checkpoint"):
        resolve_resume(tmp_path, str(root / "step_10.tmp"))


def test_a_new_run_refuses_an_existing_run_dir(tmp_path, tiny_config, abc_word_task) -> None:
    from rlvr.trainer.train_loop import train

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "metrics.jsonl").write_text('{"step": 1}\n')
    with pytest.raises(FileExistsError, match="--resume latest"):
        train(tiny_config(run_dir, "steps=1"), tasks=[abc_word_task])
    assert (run_dir / "metrics.jsonl").read_text() == '{"step": 1}\n'



@pytest.mark.slow
def test_cli_resume_extends_a_run_but_refuses_a_different_computation(tmp_path, tiny_model_dir) -> None:
    """Through `rlvr train`: train 1 step, resume to 2 steps from the saved config (allowed),
    then try to resume with another learning rate (refused, naming the field, nothing written)."""
    from typer.testing import CliRunner

    from rlvr.cli.main import app

    run_dir = tmp_path / "run"
    base = ["--set", f"model.name={tiny_model_dir}", "--set", f"run_dir={run_dir}", "--set", "device=cpu",
            "--set", "threads=1", "--set", "rollout.prompts_per_step=2", "--set", "rollout.group_size=2",
            "--set", "rollout.max_new_tokens=4", "--set", "eval.limit=0", "--set", "progress=false",
            "--set", "verify.workers=1"]
    first = CliRunner().invoke(app, ["train", *base, "--set", "steps=1"])
    assert first.exit_code == 0, first.output
    more = CliRunner().invoke(app, ["train", str(run_dir / "config.yaml"), "--set", "steps=2", "--resume", "latest"])
    assert more.exit_code == 0, more.output
    assert [p.name for p in list_checkpoints(run_dir)] == ["step_1", "step_2"]
    metrics = (run_dir / "metrics.jsonl").read_text()
    refused = CliRunner().invoke(app, ["train", str(run_dir / "config.yaml"), "--set", "steps=3",
                                       "--set", "optim.lr=0.1", "--resume", "latest"])
    assert refused.exit_code == 1
    assert f"optim.lr: {TrainConfig().optim.lr!r} in the run, 0.1 now" in refused.output  # the default lr
    assert (run_dir / "metrics.jsonl").read_text() == metrics and latest_checkpoint(run_dir).name == "step_2"


@pytest.mark.slow
def test_resume_refuses_to_move_the_horizon_of_a_cosine_run(tmp_path, tiny_config, abc_word_task) -> None:
    """steps is the cosine schedule's horizon: resuming with other steps would reshape the learning rate
    mid-run, so it is refused (naming the field); the command the error advises is run as written."""
    import shlex

    from typer.testing import CliRunner

    from rlvr.cli.main import app
    from rlvr.trainer.config import ConfigError
    from rlvr.trainer.train_loop import train

    cfg = tiny_config(tmp_path / "run", "steps=1", "optim.schedule=cosine")
    run_dir = train(cfg, tasks=[abc_word_task])
    metrics = (run_dir / "metrics.jsonl").read_text()
    with pytest.raises(FileExistsError, match="pass --resume latest to continue it"):
        train(cfg, tasks=[abc_word_task])
    train(cfg, resume="latest", tasks=[abc_word_task])  # as advised: the same steps, nothing left to do
    assert (run_dir / "metrics.jsonl").read_text() == metrics
    with pytest.raises(ConfigError, match=r"steps: 1 in the run, 2 now\n.*cosine schedule's horizon") as info:
        train(tiny_config(run_dir, "steps=2", "optim.schedule=cosine"), resume="latest", tasks=[abc_word_task])
    assert (run_dir / "metrics.jsonl").read_text() == metrics
    assert [p.name for p in list_checkpoints(run_dir)] == ["step_1"]
    advised = str(info.value).rsplit("Resume with the run's own config: ", 1)[1]
    assert shlex.split(advised)[:2] == ["rlvr", "train"]
    result = CliRunner().invoke(app, shlex.split(advised)[1:])
    assert result.exit_code == 0, result.output
    assert (run_dir / "metrics.jsonl").read_text() == metrics  # the run's own config: nothing left to do
