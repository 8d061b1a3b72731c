"""The ``rlvr`` CLI starts without torch, and a command that needs it names the extra to install.

torch is installed here, so each check runs in a subprocess where importing torch fails
(``sys.modules["torch"] = None`` is how Python marks a module as unimportable)."""

from __future__ import annotations

import subprocess
import sys

_BLOCK_TORCH = """
import sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
sys.argv = ["rlvr", *sys.argv[1:]]
from rlvr.trainer.cli import main
try:
    main()
finally:
    assert "transformers" not in sys.modules or sys.modules["transformers"] is None
"""


def _rlvr_without_torch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _BLOCK_TORCH, *args], capture_output=True, text=True, timeout=120)


def test_help_and_torch_free_commands_work_without_torch(tmp_path) -> None:
    top = _rlvr_without_torch("--help")
    assert top.returncode == 0, top.stderr
    for command in ("verify", "sandbox", "tasks", "eval", "train", "plot"):
        assert command in top.stdout
    listed = _rlvr_without_torch("tasks", "ls")
    assert listed.returncode == 0, listed.stderr
    assert "arithmetic" in listed.stdout
    completions = tmp_path / "c.jsonl"
    completions.write_text('{"completion": "so \\\\boxed{4}", "reference": "4"}\n')
    scored = _rlvr_without_torch("verify", "--verifier", "math", "--completions", str(completions),
                                 "--out", str(tmp_path / "s.jsonl"))
    assert scored.returncode == 0, scored.stderr
    assert '"value": 1.0' in (tmp_path / "s.jsonl").read_text()


def test_train_without_torch_names_the_extra(tmp_path) -> None:
    result = _rlvr_without_torch("train", "--set", f"run_dir={tmp_path / 'run'}")
    assert result.returncode == 2
    assert "pip install 'rlvr[train]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()  # nothing written before the check
