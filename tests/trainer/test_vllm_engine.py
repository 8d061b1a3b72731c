"""``rollout.engine: vllm`` against a real vLLM server (the vLLM venv; skipped only without it).

The tiny random Llama of conftest, served in fp32 (the trainer's dtype), so the
server's log-probs and the trainer's agree to float rounding: any stale weight
shows up as a gap orders of magnitude larger.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import torch

from rlvr.trainer.config import load_config
from rlvr.trainer.models import load_model_and_tokenizer
from rlvr.trainer.policy_logprobs import completion_logprobs
from rlvr.trainer.train_loop import train
from rlvr.trainer.vllm_engine import VllmEngine, VllmServerError

FP32_GAP = 1e-4  # max |trainer - server| log-prob on the tiny model in fp32 (measured: ~3e-5 on SmolLM2)


def _server_gap(engine: VllmEngine, model, prompt: torch.Tensor, seed: int) -> float:
    """Sample one group from the server, score its tokens with the trainer -> max |log-prob gap|."""
    got = {}
    engine.sample([prompt], [seed], lambda b, g: got.setdefault(b, g))
    g = got[0]
    assert g.sampling_logps is not None and g.completion_mask.any()
    with torch.no_grad():
        logp, _ = completion_logprobs(model, prompt, g.completion_ids, g.completion_mask)
    return float(((logp - g.sampling_logps).abs() * g.completion_mask).max())


@pytest.mark.vllm
@pytest.mark.slow
def test_after_an_optimizer_step_the_server_scores_tokens_as_the_trainer(tmp_path, tiny_vllm_config) -> None:
    cfg = tiny_vllm_config(tmp_path / "run", "rollout.group_size=4", "rollout.max_new_tokens=16")
    model, tokenizer = load_model_and_tokenizer(cfg.model.name)
    prompt = tokenizer("What is 2 + 3?", return_tensors="pt").input_ids[0]
    engine = VllmEngine(cfg, tokenizer, tmp_path / "server.log")
    try:
        assert engine.sync_weights(model)["vllm/restarts"] == 0
        assert _server_gap(engine, model, prompt, seed=1) < FP32_GAP
        # one optimizer step on the policy (tied embeddings and LM head included)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        ids = tokenizer("2 + 3 = 5", return_tensors="pt").input_ids[0]
        logp, _ = completion_logprobs(model, prompt, ids[None],
                                      torch.ones(1, ids.numel(), dtype=torch.bool))
        (-logp.sum()).backward()
        optimizer.step()
        assert _server_gap(engine, model, prompt, seed=2) > 100 * FP32_GAP  # the server's weights are stale now
        engine.sync_weights(model)
        assert _server_gap(engine, model, prompt, seed=3) < FP32_GAP  # ... and equal after the push
        # 8 prompts x 4 rows x ~360 tokens: more than vLLM's 4096-token prefill budget, so prefill is
        # chunked (seeded requests failed there on CPU: "CPU Generator does not use offset")
        long_prompts = [tokenizer(" ".join([f"{i} plus one is {i + 1}."] * 60), return_tensors="pt").input_ids[0]
                        for i in range(8)]
        assert sum(4 * p.numel() for p in long_prompts) > 2 * 4096
        got: dict = {}
        engine.sample(long_prompts, list(range(8)), lambda b, g: got.setdefault(b, g))
        assert sorted(got) == list(range(8)) and all(g.completion_ids.shape[0] == 4 for g in got.values())
        # the same server as someone else's (rollout.vllm.url): weights pushed through it reach it
        v = cfg.rollout.vllm.model_copy(update={"python": None, "url": engine.url})
        at_url = VllmEngine(cfg.model_copy(update={"rollout": cfg.rollout.model_copy(update={"vllm": v})}),
                            tokenizer, tmp_path / "unused.log")
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(0.9)
        at_url.sync_weights(model)
        at_url.close()  # closes the client only: the server is not rlvr's to stop
        assert _server_gap(engine, model, prompt, seed=4) < FP32_GAP
    finally:
        engine.close()
    assert not engine.handoff.exists()  # the /dev/shm hand-off is removed


@pytest.mark.vllm
@pytest.mark.slow
def test_two_step_run_with_the_server_killed_mid_step(tmp_path, tiny_vllm_config, abc_word_task,
                                                     monkeypatch) -> None:
    """Step 2's rollout finds the server dead (SIGKILL): it is restarted with the current weights,
    the batch is generated again, and the step trains on every row."""
    from rlvr.trainer import vllm_engine

    real_sample = vllm_engine.VllmEngine.sample
    rollouts: list[int] = []

    def sample_after_a_kill(self, prompt_ids, seeds, on_group_done):
        rollouts.append(len(prompt_ids))
        if len(rollouts) == 2:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        return real_sample(self, prompt_ids, seeds, on_group_done)

    monkeypatch.setattr(vllm_engine.VllmEngine, "sample", sample_after_a_kill)
    run_dir = tmp_path / "run"
    cfg = tiny_vllm_config(run_dir)
    train(cfg, tasks=[abc_word_task])

    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2]
    assert [r["vllm/restarts"] for r in rows] == [0.0, 1.0]
    for r in rows:  # the server held the trainer's weights at both steps, the restarted one too
        assert r["sampling/sampling_logp_difference/mean"] < FP32_GAP
        assert r["sampling/sampling_logp_difference/max"] < FP32_GAP
        assert r["sampling/importance_sampling_ratio/mean"] == pytest.approx(1.0, abs=1e-3)
        assert r["vllm/weight_sync_time"] > 0
    for step in (1, 2):  # no row lost: B x G samples at every step
        samples = (run_dir / "samples" / f"step_{step}.jsonl").read_text().splitlines()
        assert len(samples) == cfg.rollout.prompts_per_step * cfg.rollout.group_size
    assert rollouts == [2, 2]
    assert (run_dir / "vllm_server.log").read_text().count("--- rlvr: starting") == 2


def test_a_server_that_cannot_start_fails_the_run_within_seconds(tmp_path, tiny_config) -> None:
    """rlvr's own interpreter has no vLLM: the server exits at its first import, and the error
    carries its log's tail."""
    cfg = tiny_config(tmp_path / "run", "rollout.engine=vllm", f"rollout.vllm.python={sys.executable}")
    _, tokenizer = load_model_and_tokenizer(cfg.model.name)
    started = time.monotonic()
    with pytest.raises(VllmServerError) as info:
        VllmEngine(cfg, tokenizer, tmp_path / "server.log")
    assert time.monotonic() - started < 30
    message = str(info.value)
    assert "exited with code 1 before it was ready" in message
    assert "No module named 'vllm'" in message


def test_an_engine_that_is_not_hf_refuses_data_parallel_ranks(tmp_path: Path) -> None:
    from rlvr.trainer.config import ConfigError
    from rlvr.trainer.train_loop import _rollout_engine

    cfg = load_config(None, ["rollout.engine=vllm", "rollout.vllm.url=http://127.0.0.1:9"])

    class TwoRanks:
        world = 2

    with pytest.raises(ConfigError, match="runs in one process"):
        _rollout_engine(cfg, None, None, TwoRanks(), tmp_path)  # type: ignore[arg-type]


def test_a_server_at_a_url_that_does_not_answer_fails_with_its_own_error(tmp_path, tiny_config) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = tiny_config(tmp_path / "run", "rollout.engine=vllm", f"rollout.vllm.url=http://127.0.0.1:{port}")
    _, tokenizer = load_model_and_tokenizer(cfg.model.name)
    with pytest.raises(VllmServerError, match="rlvr did not start it"):
        VllmEngine(cfg, tokenizer, tmp_path / "server.log")


@pytest.mark.vllm
@pytest.mark.slow
def test_a_trainer_killed_without_closing_takes_its_server_along(tmp_path, tiny_vllm_model_dir,
                                                                 vllm_python) -> None:
    import subprocess
    import textwrap

    overrides = [f"model.name={tiny_vllm_model_dir}", "rollout.engine=vllm", f"rollout.vllm.python={vllm_python}"]
    child = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from rlvr.trainer.config import load_config
        from rlvr.trainer.models import load_model_and_tokenizer
        from rlvr.trainer.vllm_engine import VllmEngine
        cfg = load_config(None, {overrides!r})
        _, tokenizer = load_model_and_tokenizer(cfg.model.name)
        engine = VllmEngine(cfg, tokenizer, Path({str(tmp_path / "server.log")!r}))
        print(engine.handoff, engine.proc.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no close(), no finally
    """)
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    handoff, pid = proc.stdout.split()[-2:]
    server = Path(f"/proc/{pid}")
    deadline = time.monotonic() + 15
    while server.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not server.exists()
    assert not Path(handoff).exists()  # nor the copy of the weights in /dev/shm
