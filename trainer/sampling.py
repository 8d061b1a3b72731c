"""Group sampling: B prompts x G completions in one decode loop, each prompt prefilled once.

``model.generate(num_return_sequences=G)`` copies every prompt G times before the
prefill, so it runs the (long, few-shot) prompt G times; and one call per
prompt leaves the batch at G rows. This loop instead:

1. prefills the B prompts once, left-padded into one [B, P] batch, keeping only
   the last position's logits;
2. repeats the KV cache G times (B -> B*G rows) and decodes all rows together;
3. drops a row from the batch (and its cache) as soon as it emits EOS, so the
   remaining steps run only on the rows still writing, and hands a group to
   ``on_group_done`` (the trainer's scorer) as soon as all its rows have ended.

Randomness is per group: group b draws its tokens from its own
``torch.Generator`` seeded by ``seeds[b]``, and the number of draws it makes
depends only on its own rows. A prompt slot therefore gets the same completions
whichever other prompts share the batch (on another rank, after a resume), up to
the floating-point differences that a different batch shape can make in the
logits (they can flip a draw only when a uniform lands within ~1e-7 of a
boundary).

Sampling: logits / temperature, then nucleus (top-p) filtering, no top-k, as
TRL's defaults. Completions end at the first EOS (included); a row that reaches
``max_new_tokens`` without EOS is clipped. Limits: decoder-only models whose
forward takes ``attention_mask``, ``position_ids``, ``cache`` and
``logits_to_keep`` (transformers ``*ForCausalLM``, peft-wrapped too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class SampledGroup:
    completion_ids: torch.Tensor  # [G, C] right-padded with EOS, C = longest completion of the group
    completion_mask: torch.Tensor  # [G, C] bool, EOS included
    clipped: list[bool]  # reached max_new_tokens without EOS
    # [G, C] float32: the sampler's own log-prob of each token (0 on padding), when it is another engine
    # than the policy itself (vLLM); None for this module's sampler, which samples from the policy
    sampling_logps: torch.Tensor | None = None


def nucleus_probs(logits: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """logits [N, V] -> sampling probabilities [N, V]: temperature, then the smallest set of
    tokens whose probability reaches ``top_p`` (the most likely token is always kept)."""
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p >= 1.0:
        return probs
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs  # [N, V] mass of the tokens ranked above
    sorted_probs = sorted_probs.masked_fill(mass_before >= top_p, 0.0)
    kept = torch.zeros_like(probs).scatter_(-1, order, sorted_probs)
    return kept / kept.sum(dim=-1, keepdim=True)


def draw(probs: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
    """probs [k, V] -> one token per row [k] by inverse CDF: one uniform per row, so a row's
    draw costs a cumsum and a binary search (0.3 ms for 8 x 49,152 probabilities on one
    CPU thread, where ``torch.multinomial`` took 10.6 ms).
    A zero-probability token is never chosen: its CDF step is empty."""
    cdf = probs.cumsum(dim=-1)  # [k, V]
    u = torch.rand(probs.shape[0], 1, generator=rng, device=probs.device) * cdf[:, -1:]
    return torch.searchsorted(cdf, u, right=True).squeeze(-1).clamp(max=probs.shape[-1] - 1)


@torch.no_grad()
def sample_groups(
    model: Any, prompts: list[torch.Tensor], *, group_size: int, max_new_tokens: int, temperature: float,
    top_p: float, seeds: list[int], eos_id: int, pad_id: int,
    on_group_done: Callable[[int, SampledGroup], None] | None = None,
) -> list[SampledGroup]:
    """prompts: B token-id tensors [P_b]; seeds: one per prompt -> B groups of ``group_size`` completions.

    ``on_group_done(b, group)`` is called as soon as every row of group b has ended (before
    the loop finishes, when the other groups are still writing), so that scoring can start."""
    if len(seeds) != len(prompts):
        raise ValueError(f"need one seed per prompt, got {len(seeds)} for {len(prompts)}")
    device = next(model.parameters()).device
    B, G = len(prompts), group_size
    width = max(p.numel() for p in prompts)
    ids = torch.full((B, width), pad_id, dtype=torch.long)
    attn = torch.zeros((B, width), dtype=torch.long)
    for b, p in enumerate(prompts):  # left padding: every prompt ends at the last column
        ids[b, width - p.numel():] = p
        attn[b, width - p.numel():] = 1
    ids, attn = ids.to(device), attn.to(device)
    positions = (attn.cumsum(-1) - 1).clamp(min=0)  # [B, P]
    out = model(input_ids=ids, attention_mask=attn, position_ids=positions, use_cache=True, logits_to_keep=1)
    cache = out.cache
    cache.batch_repeat_interleave(G)  # [B, ...] -> [B*G, ...]
    logits = out.logits[:, -1].repeat_interleave(G, dim=0)  # [N, V], N = B*G
    attn = attn.repeat_interleave(G, dim=0)  # [N, P + t]
    next_pos = attn.sum(-1)  # [N]
    rngs = [torch.Generator(device=device).manual_seed(s) for s in seeds]

    N = B * G
    tokens = torch.full((N, max_new_tokens), eos_id, dtype=torch.long)
    lengths = torch.full((N,), max_new_tokens, dtype=torch.long)
    finished = torch.zeros(N, dtype=torch.bool)
    alive = torch.arange(N)  # row of the decode batch -> sequence index
    done: dict[int, SampledGroup] = {}

    def hand_over(b: int) -> None:
        done[b] = _group(tokens, lengths, finished, b, G)
        if on_group_done is not None:
            on_group_done(b, done[b])

    for t in range(max_new_tokens):
        probs = nucleus_probs(logits, temperature, top_p)  # [n, V]
        group_of = alive // G
        chosen = torch.empty(len(alive), dtype=torch.long)
        for b in group_of.unique().tolist():  # each group draws from its own torch.Generator, in row order
            rows = (group_of == b).nonzero().squeeze(-1)
            chosen[rows] = draw(probs[rows.to(device)], rngs[b]).cpu()
        tokens[alive, t] = chosen
        ended = chosen == eos_id
        lengths[alive[ended]] = t + 1
        finished[alive[ended]] = True
        if t + 1 == max_new_tokens or bool(ended.all()):
            break
        for b in (alive[ended] // G).unique().tolist():
            if bool(finished[b * G : (b + 1) * G].all()):
                hand_over(b)
        keep = (~ended).nonzero().squeeze(-1)
        if len(keep) < len(alive):  # drop finished rows from the batch and the cache
            cache.batch_select_indices(keep.to(device))
            attn, next_pos, alive, chosen = attn[keep.to(device)], next_pos[keep.to(device)], alive[keep], chosen[keep]
        attn = torch.cat([attn, attn.new_ones((len(alive), 1))], dim=-1)
        out = model(input_ids=chosen.unsqueeze(-1).to(device), attention_mask=attn,
                    position_ids=next_pos.unsqueeze(-1), cache=cache, use_cache=True)
        cache, logits, next_pos = out.cache, out.logits[:, -1], next_pos + 1

    for b in range(B):
        if b not in done:
            hand_over(b)
    return [done[b] for b in range(B)]


def _group(tokens: torch.Tensor, lengths: torch.Tensor, finished: torch.Tensor, b: int, G: int) -> SampledGroup:
    """Rows b*G .. b*G+G-1 of tokens [N, T] cut to the group's longest completion."""
    rows = slice(b * G, (b + 1) * G)
    C = int(lengths[rows].max())
    mask = torch.arange(C).unsqueeze(0) < lengths[rows].unsqueeze(1)
    return SampledGroup(tokens[rows, :C].clone(), mask, (~finished[rows]).tolist())
