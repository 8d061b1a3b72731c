"""Shared-prefix, chunked log-probs equal the naive concatenated computation, values and gradients."""

from __future__ import annotations

import pytest
import torch

from rlvr.trainer.policy_logprobs import concat_logprobs, group_logprobs


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    return model


def _batch(G: int = 4, P: int = 11, C: int = 7):
    gen = torch.Generator().manual_seed(0)
    prompt = torch.randint(10, 1000, (P,), generator=gen)
    completions = torch.randint(10, 1000, (G, C), generator=gen)
    lengths = torch.tensor([C, 3, 1, 5])[:G]
    mask = torch.arange(C).unsqueeze(0) < lengths.unsqueeze(1)  # right-padded, ragged
    completions = torch.where(mask, completions, 0)
    return prompt, completions, mask


def _naive(model, prompt, completions, mask):
    """G separate full forwards over the whole vocabulary, no packing, no chunks."""
    out = torch.zeros(completions.shape)
    ent = torch.zeros(completions.shape)
    P = prompt.numel()
    for g in range(completions.shape[0]):
        n = int(mask[g].sum())
        ids = torch.cat([prompt, completions[g, :n]]).unsqueeze(0)
        logits = model(input_ids=ids).logits[0, P - 1 : P + n - 1].float()  # [n, V]
        logp = torch.log_softmax(logits, -1)
        out[g, :n] = logp.gather(-1, completions[g, :n, None]).squeeze(-1)
        ent[g, :n] = -(logp.exp() * logp).sum(-1).detach()
    return out, ent


def _grads(model, loss):
    model.zero_grad()
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("chunk_tokens", [1024, 3])
def test_shared_prefix_equals_naive_values_and_gradients(tiny, chunk_tokens: int) -> None:
    prompt, completions, mask = _batch()
    weights = torch.linspace(-1, 1, completions.numel()).view(completions.shape)  # any linear loss

    ref_logp, ref_ent = _naive(tiny, prompt, completions, mask)
    ref_grads = _grads(tiny, (ref_logp * weights * mask).sum())

    logp, ent = group_logprobs(tiny, prompt, completions, mask, chunk_tokens=chunk_tokens)
    assert logp.shape == completions.shape
    assert torch.allclose(logp, ref_logp.detach(), atol=1e-5), (logp - ref_logp).abs().max()
    assert torch.allclose(ent, ref_ent, atol=1e-4)
    assert (logp[~mask] == 0).all() and (ent[~mask] == 0).all()
    grads = _grads(tiny, (logp * weights * mask).sum())
    assert grads.keys() == ref_grads.keys()
    for name, g in grads.items():
        assert torch.allclose(g, ref_grads[name], atol=1e-5, rtol=1e-4), name


def test_concat_path_matches_shared_prefix(tiny) -> None:
    prompt, completions, mask = _batch()
    with torch.no_grad():
        a, ea = group_logprobs(tiny, prompt, completions, mask)
        b, eb = concat_logprobs(tiny, prompt, completions, mask, chunk_tokens=5)
    assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(ea, eb, atol=1e-4)


def test_single_token_completions(tiny) -> None:
    prompt, completions, mask = _batch(C=1)
    mask = torch.ones_like(completions, dtype=torch.bool)
    with torch.no_grad():
        logp, _ = group_logprobs(tiny, prompt, completions, mask)
        ref, _ = _naive(tiny, prompt, completions, mask)
    assert torch.allclose(logp, ref, atol=1e-5)
