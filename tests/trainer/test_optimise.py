"""The policy update with another engine's sampling log-probs: truncated importance sampling."""

from __future__ import annotations

import math

import pytest
import torch

from rlvr.trainer.config import load_config
from rlvr.trainer.distributed import Dist
from rlvr.trainer.models import load_model_and_tokenizer
from rlvr.trainer.optimise import optimise
from rlvr.trainer.policy_logprobs import completion_logprobs
from rlvr.trainer.rollouts import Group, Prompt
from rlvr.trainer.sampling import SampledGroup
from rlvr.verifiers import Score

PROMPT = torch.tensor([1780, 314, 216, 34, 1232, 216, 35])
COMPLETIONS = torch.tensor([[30, 216, 37, 2, 2], [28, 29, 30, 31, 2], [216, 37, 2, 2, 2], [40, 41, 42, 43, 44]])
MASK = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)


def _update(model_dir, sampling_shift: float | None, *overrides: str):
    """One optimizer step on one group (rewards 1, 0, 1, 0) -> (gradients, metrics). With
    ``sampling_shift``, the group carries sampling log-probs = the trainer's - shift."""
    cfg = load_config(None, [f"model.name={model_dir}", "device=cpu", "optim.max_grad_norm=null", *overrides])
    model, _ = load_model_and_tokenizer(str(model_dir))
    sampled = None
    if sampling_shift is not None:
        with torch.no_grad():
            logp, _ = completion_logprobs(model, PROMPT, COMPLETIONS, MASK)
        sampled = (logp - sampling_shift) * MASK
    group = Group.from_scores(Prompt(0, 0, {}), "p", PROMPT, SampledGroup(COMPLETIONS, MASK, [False] * 4, sampled),
                              ["a", "b", "c", "d"], [Score.judged(v) for v in (1.0, 0.0, 1.0, 0.0)])
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    advantages = [torch.tensor([1.0, -1.0, 1.0, -1.0])]
    metrics = optimise(model, None, [group], advantages, cfg, optimizer, scheduler, params, Dist())
    return torch.cat([p.grad.flatten() for p in params]), metrics


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    """Relative distance of two gradients (per element, float rounding of the per-token weights
    shows up where a gradient cancels to near 0)."""
    return float((a - b).norm() / b.norm())


@pytest.mark.slow
def test_importance_weight_two_doubles_the_policy_gradient(tiny_model_dir) -> None:
    """Sampling log-probs ln 2 below the trainer's: every token's weight is exactly 2 (under the cap 3)."""
    on_policy, plain = _update(tiny_model_dir, None)
    weighted, metrics = _update(tiny_model_dir, math.log(2))
    assert _rel(weighted, 2 * on_policy) < 1e-5
    assert on_policy.abs().sum() > 0
    assert "sampling/sampling_logp_difference/mean" not in plain
    assert metrics["sampling/sampling_logp_difference/mean"] == pytest.approx(math.log(2), abs=1e-5)
    assert metrics["sampling/sampling_logp_difference/max"] == pytest.approx(math.log(2), abs=1e-5)
    for stat in ("min", "mean", "max"):
        assert metrics[f"sampling/importance_sampling_ratio/{stat}"] == pytest.approx(2.0, abs=1e-4)


@pytest.mark.slow
def test_the_cap_truncates_and_null_turns_the_correction_off(tiny_model_dir) -> None:
    on_policy, _ = _update(tiny_model_dir, None)
    capped, metrics = _update(tiny_model_dir, math.log(5))  # weight 5, truncated at the cap 3
    assert _rel(capped, 3 * on_policy) < 1e-5
    assert metrics["sampling/importance_sampling_ratio/max"] == pytest.approx(3.0)
    off, metrics = _update(tiny_model_dir, math.log(5), "rollout.vllm.importance_sampling=null")
    assert _rel(off, on_policy) < 1e-5
    assert "sampling/importance_sampling_ratio/mean" not in metrics  # the gap is still logged
    assert metrics["sampling/sampling_logp_difference/mean"] == pytest.approx(math.log(5), abs=1e-5)
