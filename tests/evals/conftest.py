"""One real `vllm serve` (from the vLLM venv, the root conftest's ``vllm_python``) per test
session, for the tests marked ``vllm``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rlvr.evals.vllm_serve import VllmServe


@pytest.fixture(scope="session")
def vllm_server(tmp_path_factory: pytest.TempPathFactory, vllm_python: str) -> Iterator[VllmServe]:
    """The default model served in float32 (the dtype local evaluation uses), greedy-comparable."""
    from rlvr.trainer.models import resolve_model

    server = VllmServe(Path(vllm_python), resolve_model(None), served_name="smollm2", dtype="float32",
                       chunked_prefill=os.environ.get("RLVR_TEST_VLLM_CHUNKED_PREFILL") == "1",
                       log=tmp_path_factory.mktemp("vllm") / "serve.log")
    with server:
        yield server
