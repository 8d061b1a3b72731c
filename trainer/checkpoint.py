"""Checkpoints that resume a run exactly, written atomically.

Layout: ``run_dir/checkpoints/step_N/`` holding ``model/`` (``save_pretrained``
safetensors, plus the tokenizer, so the folder loads on its own), ``optimizer.pt``,
``scheduler.pt``, ``rng.pt`` (Python, NumPy, torch CPU and CUDA generator states)
and ``trainer_state.json`` (step, data cursor, anything JSON). Everything is
written to ``step_N.tmp`` first and renamed when complete, so a kill -9 at any
moment leaves either the previous checkpoint or the new one, never half of one;
``latest_checkpoint`` only sees complete ones.

Limits: one writer (rank 0). With LoRA, ``model/`` holds the adapter only.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

_STEP_DIR = re.compile(r"^step_(\d+)$")


def checkpoints_dir(run_dir: Path) -> Path:
    return Path(run_dir) / "checkpoints"


def rng_states() -> dict[str, Any]:
    return {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }


def restore_rng_states(states: dict[str, Any]) -> None:
    random.setstate(states["python"])
    np.random.set_state(states["numpy"])
    torch.set_rng_state(states["torch"])
    if states.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_checkpoint(
    run_dir: Path,
    step: int,
    *,
    model: Any,
    tokenizer: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    trainer_state: dict[str, Any],
    keep: int | None = None,
) -> Path:
    """Write checkpoint ``step``; keep only the newest ``keep`` ones. Returns its folder."""
    root = checkpoints_dir(run_dir)
    final = root / f"step_{step}"
    tmp = root / f"step_{step}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)  # left by a run killed while writing
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp / "model", safe_serialization=True)
    tokenizer.save_pretrained(tmp / "model")
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    torch.save(scheduler.state_dict(), tmp / "scheduler.pt")
    torch.save(rng_states(), tmp / "rng.pt")
    (tmp / "trainer_state.json").write_text(json.dumps({"step": step, **trainer_state}, indent=2))
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    if keep is not None:
        for old in list_checkpoints(run_dir)[:-keep]:
            shutil.rmtree(old)
    return final


def list_checkpoints(run_dir: Path) -> list[Path]:
    """Complete checkpoints, oldest first."""
    root = checkpoints_dir(run_dir)
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if (m := _STEP_DIR.match(p.name)) and p.is_dir()]
    return [p for _, p in sorted(found)]


def latest_checkpoint(run_dir: Path) -> Path | None:
    found = list_checkpoints(run_dir)
    return found[-1] if found else None


def resolve_resume(run_dir: Path, resume: str) -> Path:
    """'latest' or a checkpoint folder -> the folder; a clear error when there is none."""
    if resume == "latest":
        found = latest_checkpoint(run_dir)
        if found is None:
            raise FileNotFoundError(f"--resume latest: no complete checkpoint under {checkpoints_dir(run_dir)}")
        return found
    path = Path(resume)
    if not (path / "trainer_state.json").is_file():
        raise FileNotFoundError(f"--resume {resume}: not a checkpoint folder (no trainer_state.json)")
    return path


def load_training_state(
    checkpoint: Path, *, optimizer: torch.optim.Optimizer, scheduler: Any
) -> dict[str, Any]:
    """Restore optimizer, scheduler and RNG states; returns trainer_state.json.
    The weights are loaded by the caller, from ``checkpoint / "model"``."""
    optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", weights_only=True))
    scheduler.load_state_dict(torch.load(checkpoint / "scheduler.pt", weights_only=True))
    restore_rng_states(torch.load(checkpoint / "rng.pt", weights_only=False))
    return json.loads((checkpoint / "trainer_state.json").read_text())
