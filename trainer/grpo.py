"""The GRPO maths: small pure tensor functions, no model, no state.

Shapes: B groups (prompts), G completions per group, N = rows (completions) in a
micro-batch, T = completion positions. ``mask`` tensors are bool.

Follows DeepSeekMath's GRPO (Shao et al. 2024) with the choices TRL 1.16 makes,
so that runs compare one to one:

- Advantage = (r - group mean) / (group std + eps), std with Bessel's n-1
  (``torch.std``'s default, as TRL). ``scale="batch"`` divides by the std of all
  rewards in the batch (TRL's ``scale_rewards="batch"``), ``"none"`` does not
  divide at all (Dr. GRPO). Departure from both: rows whose verification said
  nothing (timeout, infra_error) are masked: they are left out of the mean and
  std and get advantage 0, instead of counting as a wrong answer.
- The surrogate is PPO's clipped ratio with separate low/high epsilons (DAPO's
  clip-higher). With one inner iteration the old log-probs are the detached
  current ones: the ratio is 1 and the loss value is 0 by construction, only its
  gradient (the policy gradient) is not.
- KL to a frozen reference uses the k3 estimator exp(q - p) - (q - p) - 1,
  added per token with weight beta (as the paper, not in the reward). TRL 1.16
  multiplies it by the importance ratio by default (``use_bias_correction_kl``),
  which changes the KL gradient whenever beta > 0; rlvr equals TRL with that off
  (tests/trainer/test_loss_vs_trl.py).
- Rollouts from another engine (vLLM) are corrected by truncated importance
  sampling, as TRL 1.16 (``vllm_importance_sampling_*``) and verl (TIS): the
  per-token loss is multiplied by w = pi_trainer / pi_sampler of the sampled
  token, with pi_trainer the log-probs of the policy that sampled (detached) and
  w truncated at a cap (``*_truncate``) or zeroed beyond it (``*_mask``), per
  token or per sequence (the sum of a row's log-ratios). The KL term is not
  weighted. Tokens the sampler gave no log-prob (NaN) get w = 1, as TRL.
- Token aggregation (``loss_type``): ``grpo`` averages each sequence over its
  tokens, then over sequences; ``dapo`` divides the token sum by the active
  tokens of the whole batch; ``dr_grpo`` divides it by rows x
  max_completion_length. Normalisers are passed in as batch totals, so that the
  sum of micro-batch losses equals the full-batch loss exactly (gradient
  accumulation and data-parallel ranks add up to the single-process update).
"""

from __future__ import annotations

from typing import Literal

import torch

RewardScale = Literal["group", "batch", "none"]
LossType = Literal["grpo", "dapo", "dr_grpo"]


def group_advantages(
    rewards: torch.Tensor, mask: torch.Tensor, scale: RewardScale = "group", eps: float = 1e-4
) -> torch.Tensor:
    """rewards [B, G] float, mask [B, G] bool (False = unscored row) -> advantages [B, G].

    A group with fewer than two scored rows has std 0 here (not NaN): its
    advantages are 0 whatever the scale.
    """
    m = mask.to(rewards.dtype)  # [B, G]
    n = m.sum(dim=1, keepdim=True)  # [B, 1] scored rows per group
    mean = (rewards * m).sum(dim=1, keepdim=True) / n.clamp(min=1)  # [B, 1]
    centered = (rewards - mean) * m  # [B, G], 0 on masked rows
    if scale == "none":
        return centered
    if scale == "group":
        var = (centered**2).sum(dim=1, keepdim=True) / (n - 1).clamp(min=1)  # [B, 1]
        return centered / (var.sqrt() + eps)
    if scale == "batch":
        scored = rewards[mask]  # [K]
        std = scored.std() if scored.numel() > 1 else rewards.new_zeros(())
        return centered / (std + eps)
    raise ValueError(f"scale must be group, batch or none, got {scale!r}")


def zero_std_groups(rewards: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """rewards [B, G], mask [B, G] -> [B] bool: groups whose scored rewards are all equal.

    Such a group has advantage 0 everywhere and teaches nothing (DAPO drops them).
    """
    big = torch.finfo(rewards.dtype).max
    hi = torch.where(mask, rewards, -big).amax(dim=1)  # [B]
    lo = torch.where(mask, rewards, big).amin(dim=1)  # [B]
    return (hi - lo <= 0) | (mask.sum(dim=1) < 2)


def clipped_surrogate(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    eps_low: float,
    eps_high: float,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """logp, old_logp [N, T], advantages [N], mask [N, T] -> per-token loss [N, T], clip counts.

    loss = -min(ratio * A, clip(ratio, 1 - eps_low, 1 + eps_high) * A), 0 where
    mask is False. The counts (summed over active tokens, detached) are the
    tokens where clipping removed the gradient: low (ratio < 1 - eps_low, A < 0),
    high (ratio > 1 + eps_high, A > 0), and region (either side, any A).
    """
    ratio = torch.exp(logp - old_logp)  # [N, T]
    adv = advantages.unsqueeze(1)  # [N, 1]
    unclipped = ratio * adv
    clipped = torch.clamp(ratio, 1 - eps_low, 1 + eps_high) * adv
    per_token = -torch.min(unclipped, clipped) * mask
    with torch.no_grad():
        low = (ratio < 1 - eps_low) & (adv < 0) & mask
        high = (ratio > 1 + eps_high) & (adv > 0) & mask
        region = ((ratio < 1 - eps_low) | (ratio > 1 + eps_high)) & mask
        counts = {"low": low.sum().float(), "high": high.sum().float(), "region": region.sum().float()}
    return per_token, counts


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """logp, ref_logp [N, T] -> per-token KL(pi || ref) estimate [N, T], always >= 0."""
    delta = ref_logp - logp
    return torch.exp(delta) - delta - 1


def aggregate(
    per_token: torch.Tensor,
    mask: torch.Tensor,
    loss_type: LossType,
    *,
    total_rows: int,
    total_tokens: int,
    max_completion_length: int,
) -> torch.Tensor:
    """per_token [N, T], mask [N, T] -> scalar: this micro-batch's share of the batch loss.

    ``total_rows`` / ``total_tokens`` count the rows with at least one active
    token and the active tokens of the WHOLE batch (all micro-batches, all
    ranks); summing the returned values over micro-batches gives the batch loss.
    """
    m = mask.to(per_token.dtype)
    if loss_type == "grpo":
        per_row = (per_token * m).sum(dim=1) / m.sum(dim=1).clamp(min=1)  # [N]
        return per_row.sum() / max(total_rows, 1)
    if loss_type == "dapo":
        return (per_token * m).sum() / max(total_tokens, 1)
    if loss_type == "dr_grpo":
        return (per_token * m).sum() / max(total_rows * max_completion_length, 1)
    raise ValueError(f"loss_type must be grpo, dapo or dr_grpo, got {loss_type!r}")


IsMode = Literal["token_truncate", "token_mask", "sequence_truncate", "sequence_mask"]


def importance_weights(
    trainer_logp: torch.Tensor, sampler_logp: torch.Tensor, mask: torch.Tensor, mode: IsMode, cap: float
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """trainer_logp, sampler_logp [N, T], mask [N, T] -> weights [N, T] (token modes) or [N, 1]
    (sequence modes), detached, and the gap's statistics over active tokens (or rows, for the ratio
    in sequence modes): |trainer - sampler| sum and max, the ratio's sum, min and max, and their counts.

    TRL 1.16's ``vllm_importance_sampling_mode`` with ``clip_min=None`` and ``clip_max=cap``."""
    with torch.no_grad():
        diff = torch.nan_to_num((trainer_logp - sampler_logp) * mask, nan=0.0)  # [N, T]
        log_ratio = diff.sum(dim=-1, keepdim=True) if mode.startswith("sequence") else diff  # [N, 1] | [N, T]
        ratio = torch.exp(log_ratio)
        weights = ratio.clamp(max=cap) if mode.endswith("truncate") else ratio.masked_fill(ratio > cap, 0.0)
        gap = (trainer_logp - sampler_logp).abs()  # [N, T]
        seen = mask & ~torch.isnan(gap)  # NaN: the sampler had no log-prob for the token
        gaps = gap[seen]
        ratios = weights.flatten() if mode.startswith("sequence") else weights[mask]
        stats = {"gap_sum": gaps.sum(), "gap_max": gaps.max() if gaps.numel() else gaps.new_zeros(()),
                 "gap_count": torch.tensor(float(gaps.numel())),
                 "ratio_sum": ratios.sum(), "ratio_count": torch.tensor(float(ratios.numel())),
                 "ratio_min": ratios.min() if ratios.numel() else ratios.new_full((), float("inf")),
                 "ratio_max": ratios.max() if ratios.numel() else ratios.new_full((), float("-inf"))}
    return weights, stats
