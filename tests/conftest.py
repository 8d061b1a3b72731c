"""Fixtures shared by several test packages."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import pytest

UNIMPORTABLE_MODULE = '''
"""A verifier whose module cannot be imported in a child process (as one that needs
set-up only the parent did): every verifier worker dies loading it."""
import multiprocessing
from dataclasses import dataclass

from rlvr.verifiers import Score

if multiprocessing.parent_process() is not None:
    raise ImportError("worker_unimportable needs the parent's set-up: no worker can import it")


@dataclass(frozen=True)
class Unimportable:
    def __call__(self, completion: str, reference: object) -> Score:
        return Score.judged(1.0)
'''


@pytest.fixture
def unimportable_verifier(tmp_path, monkeypatch) -> Any:
    """An instance of a verifier whose module raises on import in any child process."""
    folder = tmp_path / "unimportable"
    folder.mkdir()
    (folder / "worker_unimportable.py").write_text(UNIMPORTABLE_MODULE)
    monkeypatch.syspath_prepend(str(folder))
    module = importlib.import_module("worker_unimportable")
    yield module.Unimportable()
    sys.modules.pop("worker_unimportable", None)


@pytest.fixture(scope="session")
def vllm_python() -> str:
    """The vLLM venv's interpreter: ``$RLVR_VLLM_VENV/bin/python``, else ``.venv-vllm`` at the repo
    root (``bash scripts/setup.sh --vllm`` builds it). Without it the tests that need it skip,
    saying so; with ``RLVR_REQUIRE_VLLM=1`` (CI sets it) they fail instead, so CI cannot pass with
    the vLLM tests silently skipped."""
    venv = Path(os.environ.get("RLVR_VLLM_VENV") or Path(__file__).resolve().parents[1] / ".venv-vllm")
    python = venv / "bin" / "python"
    if not python.is_file():
        message = f"no vLLM venv at {venv}: build it with `bash scripts/setup.sh --vllm`"
        if os.environ.get("RLVR_REQUIRE_VLLM") == "1":
            pytest.fail(f"RLVR_REQUIRE_VLLM=1 but {message}")
        pytest.skip(message)
    return str(python)
