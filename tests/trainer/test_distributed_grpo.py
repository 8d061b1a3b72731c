"""Data-parallel: torchrun with 2 CPU processes (gloo) x 1 prompt each gives the same update
as 1 process on the 2-prompt batch (same weights, same metrics)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from safetensors.torch import load_file

pytestmark = pytest.mark.slow

_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from trainer_fakes import ABC_WORD, BoxedAddition, tiny_train_config
    from rlvr.trainer.train_loop import train

    if __name__ == "__main__":  # the verifier pool's forkserver re-imports this file
        cfg = tiny_train_config({model!r}, sys.argv[1], "steps=2", "loss.type=grpo")
        train(cfg, tasks=[BoxedAddition(rule=ABC_WORD)])
""")
TIMING = {"step_time", "rollout_time", "train_time", "eval_time"}


def _metrics(run_dir: Path) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in row.items() if k not in TIMING} for row in rows]


def test_two_ranks_equal_one_process_on_the_doubled_batch(tmp_path, tiny_model_dir) -> None:
    script = tmp_path / "run.py"
    script.write_text(_SCRIPT.format(tests=str(Path(__file__).parent), model=str(tiny_model_dir)))
    one = subprocess.run([sys.executable, str(script), str(tmp_path / "one")],
                         capture_output=True, text=True, timeout=300)
    assert one.returncode == 0, one.stderr[-3000:]
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                          str(script), str(tmp_path / "two")], capture_output=True, text=True, timeout=300)
    assert two.returncode == 0, two.stderr[-3000:]

    a = load_file(tmp_path / "one" / "checkpoints" / "step_2" / "model" / "model.safetensors")
    b = load_file(tmp_path / "two" / "checkpoints" / "step_2" / "model" / "model.safetensors")
    initial = load_file(Path(tiny_model_dir) / "model.safetensors")
    assert max((a[k] - initial[k]).abs().max().item() for k in a) > 1e-4  # it trained
    diff = max((a[k] - b[k]).abs().max().item() for k in a)
    assert diff < 1e-5, diff  # equal up to the order of float additions
    ma, mb = _metrics(tmp_path / "one"), _metrics(tmp_path / "two")
    assert [r["step"] for r in ma] == [r["step"] for r in mb] == [1, 2]
    for ra, rb in zip(ma, mb, strict=True):
        assert ra.keys() == rb.keys()
        for key in ra:
            assert ra[key] == pytest.approx(rb[key], rel=1e-4, abs=1e-6), key
