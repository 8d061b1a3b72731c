"""Per-token log-probs and entropies of a group's completions, computed without waste.

The G completions of a GRPO group share one prompt. ``group_logprobs`` runs the
prompt once (1 x P) with a KV cache, repeats that cache G times (the repeat is
a tensor op, so gradients from all G completions flow back into the single
prompt pass), then runs the G completions (G x C, right-padded only to the
longest completion of the group) on top of it. The log-prob of the first
completion token comes from the prompt's last hidden state. Right padding
needs no attention mask: a causal model never lets a real token see the pad
tokens that follow it, and pad positions are dropped before the LM head.

The LM head runs on the active tokens only (packed), in chunks of
``chunk_tokens``: the [tokens x vocab] fp32 logits of one chunk exist at a time,
so the full batch x sequence x vocabulary tensor never sits in memory. With more
than one chunk, each runs under activation checkpointing (backward recomputes its
logits instead of keeping them); a group whose active tokens fit in one chunk
keeps that chunk's logits for backward instead, the same bound on memory without
a second LM-head pass (by FLOP count ~7% of a training pass of SmolLM2-135M: 57 of ~860 MFLOP a token).

``concat_logprobs`` is the plain computation (prompt + completion, G copies),
used when the model's gradient checkpointing is on (transformers turns the KV
cache off under it, which the shared prefix needs) and as the reference the
tests compare against. Limits: decoder-only models whose ``get_decoder()``
returns the transformer stack and ``get_output_embeddings()`` the LM head (all
``*ForCausalLM`` models in transformers, and peft-wrapped ones).
"""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.checkpoint import checkpoint


def _decoder_and_head(model: Any) -> tuple[Any, Any]:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # peft
    return base.get_decoder(), base.get_output_embeddings()


def _head_logprobs(head: Any, hidden: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """hidden [K, D], targets [K] -> log p(target) [K], entropy [K] (fp32)."""
    logits = head(hidden).float()  # [K, V]
    lse = torch.logsumexp(logits, dim=-1)  # [K]
    logp = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - lse
    with torch.no_grad():  # a metric: no graph for it
        entropy = lse - (torch.softmax(logits, dim=-1) * logits).sum(-1)
    return logp, entropy


def packed_head_logprobs(
    head: Any, hidden: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor, chunk_tokens: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """hidden [G, C, D] (hidden[:, t] predicts targets[:, t]), targets/mask [G, C]
    -> logp [G, C], entropy [G, C] (entropy detached), 0 at inactive positions."""
    active_hidden = hidden[mask]  # [K, D]: pad positions never reach the LM head
    active_targets = targets[mask]  # [K]
    logps, entropies = [], []
    recompute = active_targets.numel() > chunk_tokens and torch.is_grad_enabled()  # see the module docstring
    for start in range(0, active_targets.numel(), chunk_tokens):
        h = active_hidden[start : start + chunk_tokens]
        t = active_targets[start : start + chunk_tokens]
        if recompute and h.requires_grad:
            lp, ent = checkpoint(_head_logprobs, head, h, t, use_reentrant=False)
        else:
            lp, ent = _head_logprobs(head, h, t)
        logps.append(lp)
        entropies.append(ent.detach())
    logp = hidden.new_zeros(targets.shape, dtype=torch.float32)
    entropy = torch.zeros_like(logp)
    if logps:
        logp = logp.masked_scatter(mask, torch.cat(logps))
        entropy = entropy.masked_scatter(mask, torch.cat(entropies))
    return logp, entropy


def group_logprobs(
    model: Any,
    prompt_ids: torch.Tensor,
    completion_ids: torch.Tensor,
    completion_mask: torch.Tensor,
    *,
    chunk_tokens: int = 1024,
) -> tuple[torch.Tensor, torch.Tensor]:
    """prompt_ids [P], completion_ids/completion_mask [G, C] (right-padded)
    -> logp [G, C], entropy [G, C]; the prompt runs once for the group."""
    decoder, head = _decoder_and_head(model)
    G, C = completion_ids.shape
    P = prompt_ids.numel()
    prompt_out = decoder(input_ids=prompt_ids.unsqueeze(0), use_cache=True)
    first = prompt_out.last_hidden_state[:, -1:].expand(G, 1, -1)  # [G, 1, D] predicts token 0
    if C > 1:
        cache = prompt_out.cache
        cache.batch_repeat_interleave(G)  # [1, ...] -> [G, ...], differentiable
        positions = torch.arange(P, P + C - 1, device=completion_ids.device).unsqueeze(0).expand(G, -1)
        rest = decoder(
            input_ids=completion_ids[:, :-1], cache=cache, position_ids=positions, use_cache=True
        ).last_hidden_state  # [G, C-1, D] predicts tokens 1..C-1
        hidden = torch.cat([first, rest], dim=1)  # [G, C, D]
    else:
        hidden = first
    return packed_head_logprobs(head, hidden, completion_ids, completion_mask.bool(), chunk_tokens)


def concat_logprobs(
    model: Any,
    prompt_ids: torch.Tensor,
    completion_ids: torch.Tensor,
    completion_mask: torch.Tensor,
    *,
    chunk_tokens: int = 1024,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Same contract as ``group_logprobs``, computed on G copies of prompt + completion."""
    decoder, head = _decoder_and_head(model)
    G, C = completion_ids.shape
    P = prompt_ids.numel()
    full = torch.cat([prompt_ids.unsqueeze(0).expand(G, P), completion_ids], dim=1)  # [G, P+C]
    hidden = decoder(input_ids=full, use_cache=False).last_hidden_state[:, P - 1 : P + C - 1]  # [G, C, D]
    return packed_head_logprobs(head, hidden, completion_ids, completion_mask.bool(), chunk_tokens)


def completion_logprobs(
    model: Any,
    prompt_ids: torch.Tensor,
    completion_ids: torch.Tensor,
    completion_mask: torch.Tensor,
    *,
    shared_prefix: bool = True,
    chunk_tokens: int = 1024,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The trainer's entry point: the shared-prefix path unless told otherwise."""
    fn = group_logprobs if shared_prefix else concat_logprobs
    return fn(model, prompt_ids, completion_ids, completion_mask, chunk_tokens=chunk_tokens)
