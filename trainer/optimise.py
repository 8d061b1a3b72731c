"""The policy update of one GRPO step: mu optimizer passes over the step's scored groups.

Each pass runs one forward/backward per group (its prompt computed once, see
``policy_logprobs``), accumulates gradients over groups, sums them over
data-parallel ranks, clips and steps. The loss of every micro-batch is divided by
batch-wide totals (``grpo.aggregate``), so the summed gradient is the gradient of
the whole batch's loss. With beta = 0, rows whose advantage is exactly 0 skip the
forward pass (they add exactly 0 to the loss and its gradient).

Rollouts from vLLM (``rollout.engine: vllm``) carry the server's log-probs of
the sampled tokens: the per-token loss is weighted by truncated importance
sampling (``grpo.importance_weights``, TRL 1.16's semantics, mode and cap from
``rollout.vllm``), the ratio taken against the policy that sampled (detached:
the current log-probs with mu = 1, the old ones with mu > 1). The gap is logged
under TRL's names, ``sampling/sampling_logp_difference/{mean,max}`` and
``sampling/importance_sampling_ratio/{min,mean,max}``, over the tokens trained on
(rows skipped for a zero advantage have no trainer log-probs).

Where the reported numbers come from: ``entropy`` is the mean per-token entropy (nats)
of the policy's next-token distribution (temperature 1, before this step's update)
over the completion tokens the loss trains on, i.e. the rows with a non-zero
advantage (TRL averages over every completion token; rows of zero-variance groups are
not run here, see ``frac_reward_zero_std`` for how many). ``clip_ratio/*`` are
shares of those tokens where PPO clipping removed the gradient (always 0 with
mu = 1: the ratio is 1). ``kl`` (beta > 0 only) is the mean k3 estimate per trained
token. All are NaN on a step where no row had an advantage.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import astuple, dataclass
from typing import Any, NamedTuple

import torch

from .config import TrainConfig
from .distributed import Dist
from .grpo import aggregate, clipped_surrogate, importance_weights, k3_kl
from .policy_logprobs import completion_logprobs
from .rollouts import Group


class TrainRows(NamedTuple):
    """One group's rows that the loss trains on, cut to their longest completion, on the device."""

    prompt_ids: torch.Tensor  # [P]
    completion_ids: torch.Tensor  # [k, C]
    completion_mask: torch.Tensor  # [k, C] bool
    advantages: torch.Tensor  # [k]
    sampling_logps: torch.Tensor | None  # [k, C] the sampling engine's log-probs (vLLM), else None


@dataclass
class LossSums:
    """What ``_optimise`` adds up over micro-batches and mu passes, then sums over ranks."""

    loss: float = 0.0
    entropy: float = 0.0  # summed over trained tokens, as are kl and the clip counts
    kl: float = 0.0
    clip_low: float = 0.0
    clip_high: float = 0.0
    clip_region: float = 0.0
    tokens: float = 0.0

    def __add__(self, other: LossSums) -> LossSums:
        return LossSums(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def over_ranks(self, dist: Dist) -> LossSums:
        return LossSums(*dist.sum_(torch.tensor(astuple(self), dtype=torch.float64)).tolist())


def _train_rows(groups: list[Group], advantages: list[torch.Tensor], beta: float,
                device: torch.device) -> list[TrainRows]:
    """Scored rows with a non-zero advantage (all scored rows when beta > 0), one entry per group."""
    out = []
    for g, adv in zip(groups, advantages, strict=True):
        keep = g.scored & ((adv != 0) | (beta > 0))
        if keep.any():
            mask = g.completion_mask[keep]
            width = int(mask.sum(1).max())
            sampled = g.sampling_logps[keep][:, :width].to(device) if g.sampling_logps is not None else None
            out.append(TrainRows(g.prompt_ids.to(device), g.completion_ids[keep][:, :width].to(device),
                                 mask[:, :width].to(device), adv[keep].to(device), sampled))
    return out


def optimise(model: Any, ref_model: Any, groups: list[Group], advantages: list[torch.Tensor], cfg: TrainConfig,
              optimizer: Any, scheduler: Any, params: list[torch.nn.Parameter], dist: Dist) -> dict[str, float]:
    L = cfg.loss
    device = next(model.parameters()).device
    # the loss is normalised by batch-wide totals (all groups, all ranks): see grpo.aggregate
    rows = sum(int((g.scored & g.completion_mask.any(1)).sum()) for g in groups)
    tokens = sum(int(g.completion_mask[g.scored].sum()) for g in groups)
    totals = dist.sum_(torch.tensor([float(rows), float(tokens)]))
    norm = {"total_rows": int(totals[0]), "total_tokens": int(totals[1]),
            "max_completion_length": cfg.rollout.max_new_tokens}
    batches = _train_rows(groups, advantages, L.beta, device)

    def logprobs(net: Any, b: TrainRows) -> tuple[torch.Tensor, torch.Tensor]:
        with autocast(cfg, device):
            return completion_logprobs(net, b.prompt_ids, b.completion_ids, b.completion_mask,
                                       shared_prefix=not cfg.model.gradient_checkpointing)

    with torch.no_grad():  # old policy only when it differs from the current one (mu > 1)
        old = [logprobs(model, b)[0] for b in batches] if L.num_iterations > 1 else None
        ref = [logprobs(ref_model, b)[0] for b in batches] if ref_model is not None else None

    sums = LossSums()
    gap = SamplingGap()
    grad_norm = 0.0
    is_mode, is_cap = cfg.rollout.vllm.importance_sampling, cfg.rollout.vllm.importance_sampling_cap
    if cfg.model.gradient_checkpointing:
        model.train()  # transformers checkpoints layers in train mode only
    for iteration in range(L.num_iterations):
        optimizer.zero_grad(set_to_none=False)
        for i, b in enumerate(batches):
            logp, entropy = logprobs(model, b)
            old_logp = old[i] if old is not None else logp.detach()
            per_token, clips = clipped_surrogate(logp, old_logp, b.advantages, b.completion_mask,
                                                 L.epsilon_low, L.epsilon_high)
            if b.sampling_logps is not None:  # the policy that sampled is old_logp; the engine's is its own
                weights, stats = importance_weights(old_logp.detach(), b.sampling_logps, b.completion_mask,
                                                    is_mode or "token_truncate", is_cap)
                if is_mode is not None:
                    per_token = per_token * weights
                if iteration == 0:
                    gap.add(stats)
            kl = k3_kl(logp, ref[i]) if ref is not None else torch.zeros_like(logp)
            loss = aggregate(per_token + L.beta * kl, b.completion_mask, L.type, **norm)
            loss.backward()
            m = b.completion_mask.float()
            sums += LossSums(*torch.stack([t.float() for t in (  # in field order; one device sync
                loss.detach(), (entropy * m).sum(), (kl.detach() * m).sum(), clips["low"], clips["high"],
                clips["region"], m.sum())]).tolist())
        for p in params:  # every rank and every step updates the same tensors, even with no gradient
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        dist.sum_gradients(params)
        grad_norm = float(torch.nn.utils.clip_grad_norm_(params, cfg.optim.max_grad_norm or math.inf))
        optimizer.step()
        scheduler.step()
    model.eval()
    sums = sums.over_ranks(dist)
    # per trained token; NaN (a gap in the curves, null in metrics.jsonl) when no row had an advantage
    n_tok = sums.tokens if sums.tokens else math.nan
    out = {"loss": sums.loss / L.num_iterations, "entropy": sums.entropy / n_tok,
           "clip_ratio/low_mean": sums.clip_low / n_tok, "clip_ratio/high_mean": sums.clip_high / n_tok,
           "clip_ratio/region_mean": sums.clip_region / n_tok, "grad_norm": grad_norm,
           "train/tokens": sums.tokens / L.num_iterations}
    if ref is not None:
        out["kl"] = sums.kl / n_tok
    return out | gap.metrics(ratios=is_mode is not None)


@dataclass
class SamplingGap:
    """``grpo.importance_weights``' statistics added up over micro-batches (one process)."""

    gap_sum: float = 0.0
    gap_max: float = 0.0
    gap_count: float = 0.0
    ratio_sum: float = 0.0
    ratio_count: float = 0.0
    ratio_min: float = math.inf
    ratio_max: float = -math.inf

    def add(self, stats: dict[str, torch.Tensor]) -> None:
        s = {k: float(v) for k, v in stats.items()}
        self.gap_sum += s["gap_sum"]
        self.gap_count += s["gap_count"]
        self.ratio_sum += s["ratio_sum"]
        self.ratio_count += s["ratio_count"]
        if s["gap_count"]:
            self.gap_max = max(self.gap_max, s["gap_max"])
        if s["ratio_count"]:
            self.ratio_min, self.ratio_max = min(self.ratio_min, s["ratio_min"]), max(self.ratio_max, s["ratio_max"])

    def metrics(self, ratios: bool) -> dict[str, float]:
        if not self.gap_count:
            return {}
        out = {"sampling/sampling_logp_difference/mean": self.gap_sum / self.gap_count,
               "sampling/sampling_logp_difference/max": self.gap_max}
        if ratios and self.ratio_count:
            out |= {"sampling/importance_sampling_ratio/min": self.ratio_min,
                    "sampling/importance_sampling_ratio/mean": self.ratio_sum / self.ratio_count,
                    "sampling/importance_sampling_ratio/max": self.ratio_max}
        return out


def autocast(cfg: TrainConfig, device: torch.device) -> Any:
    if device.type == "cuda" and cfg.bf16_autocast:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()
