"""One real `vllm serve` (from the vLLM venv) per test session, for the tests marked ``vllm``.

The venv is ``$RLVR_VLLM_VENV`` or ``.venv-vllm`` at the repo root (``bash scripts/setup.sh
--vllm``). Without it the vLLM tests are skipped, saying so; with ``RLVR_REQUIRE_VLLM=1`` (CI
sets it) a missing venv or a server that does not start fails them instead, so CI cannot pass
with the vLLM tests silently skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rlvr.evals.vllm_serve import VllmServe

ROOT = Path(__file__).resolve().parents[2]


def vllm_python() -> Path:
    return Path(os.environ.get("RLVR_VLLM_VENV", ROOT / ".venv-vllm")) / "bin" / "python"


@pytest.fixture(scope="session")
def vllm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VllmServe]:
    """The default model served in float32 (the dtype local evaluation uses), greedy-comparable."""
    from rlvr.trainer.models import resolve_model

    python = vllm_python()
    if not python.is_file():
        message = f"no vLLM venv at {python.parent.parent}: run `bash scripts/setup.sh --vllm`"
        if os.environ.get("RLVR_REQUIRE_VLLM") == "1":
            pytest.fail(f"RLVR_REQUIRE_VLLM=1 but {message}")
        pytest.skip(message)
    server = VllmServe(python, resolve_model(None), served_name="smollm2", dtype="float32",
                       chunked_prefill=os.environ.get("RLVR_TEST_VLLM_CHUNKED_PREFILL") == "1",
                       log=tmp_path_factory.mktemp("vllm") / "serve.log")
    with server:
        yield server
