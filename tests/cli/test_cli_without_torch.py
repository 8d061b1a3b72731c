"""The ``rlvr`` CLI starts without torch, and a command that needs it names the extra to install.

torch is installed here, so each check runs in a subprocess where importing torch fails
(``sys.modules["torch"] = None`` is how Python marks a module as unimportable)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_BLOCK_TORCH = """
import sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
sys.argv = ["rlvr", *sys.argv[1:]]
from rlvr.cli.main import main
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


def test_eval_of_completions_made_elsewhere_and_verifier_params_need_no_torch(tmp_path) -> None:
    completions = tmp_path / "c.jsonl"
    completions.write_text('{"id": "arithmetic/test/0", "completion": "no idea"}\n')
    result = _rlvr_without_torch("eval", "--task", "arithmetic", "--completions", str(completions),
                                 "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "out").glob("results_*.json"))
    shown = _rlvr_without_torch("tasks", "show", "countdown", "--rows", "1")
    assert shown.returncode == 0, shown.stderr
    lines = tmp_path / "v.jsonl"
    lines.write_text('{"completion": "\\\\boxed{4}", "reference": "4"}\n')
    scored = _rlvr_without_torch("verify", "--completions", str(lines), "--param", "rel_tol=1e-6",
                                 "--out", str(tmp_path / "s.jsonl"))
    assert scored.returncode == 0, scored.stderr


def test_torch_free_modules_import_without_torch() -> None:
    """Every module of the torch-free commands' packages imports with torch unimportable."""
    modules = [f"rlvr.{package}.{path.stem}" for package in ("cli", "evals")
               for path in sorted((ROOT / package).glob("*.py"))
               if path.stem not in ("__main__", "transformers_generator")]
    code = "import sys, importlib\nsys.modules['torch'] = None\n" + "".join(
        f"importlib.import_module({m!r})\n" for m in modules)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(modules) >= 10


def test_train_without_torch_names_the_extra(tmp_path) -> None:
    result = _rlvr_without_torch("train", "--set", f"run_dir={tmp_path / 'run'}")
    assert result.returncode == 2
    assert "pip install 'rlvr[train]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()  # nothing written before the check
