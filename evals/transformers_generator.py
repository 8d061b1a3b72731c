"""``TransformersGenerator``: the ``Generator`` for a transformers causal LM (imports torch).

Batched ``model.generate`` with the tokenizer's chat template; ``rlvr eval`` and
the trainer's held-out evaluation both generate through it.

Limits: prompts are padded on the left and each is repeated n times rather than
using ``num_return_sequences``, so greedy decoding with n > 1 works (n identical
completions). Sampling is seeded per batch from ``SamplingParams.seed`` inside a
forked RNG (the caller's torch RNG state is left as it was): results are
reproducible for the same batch size. Greedy results can differ in the last
float bits between batch sizes (padding changes the batch shape).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from .generation import Completion, Messages, SamplingParams


def chat_prompt(tokenizer: Any, messages: Messages) -> str:
    """The text the model continues: the chat template with the generation prompt appended."""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


class TransformersGenerator:
    """Batched sampling with a transformers causal LM and its tokenizer's chat template.

    ``batch_size`` counts sequences (conversations x n) per ``model.generate`` call.
    """

    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.model, self.tokenizer, self.batch_size = model, tokenizer, batch_size
        if tokenizer.padding_side != "left":
            raise ValueError("the tokenizer must pad on the left for batched generation "
                             "(load_model_and_tokenizer sets this)")

    def generate(self, conversations: Sequence[Messages], params: SamplingParams) -> list[list[Completion]]:
        texts = [chat_prompt(self.tokenizer, m) for m in conversations for _ in range(params.n)]
        flat: list[Completion] = []
        for start in range(0, len(texts), self.batch_size):
            flat += self._generate_batch(texts[start : start + self.batch_size], params, batch_index=start)
        return [flat[i * params.n : (i + 1) * params.n] for i in range(len(conversations))]

    def _generate_batch(self, texts: list[str], params: SamplingParams, batch_index: int) -> list[Completion]:
        tok = self.tokenizer
        device = next(self.model.parameters()).device
        enc = tok(texts, add_special_tokens=False, return_tensors="pt", padding=True).to(device)
        sampling: dict[str, Any] = {"do_sample": False}
        if params.temperature > 0:
            sampling = {"do_sample": True, "temperature": params.temperature, "top_p": params.top_p, "top_k": 0}
        with torch.no_grad(), torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(params.seed + batch_index)
            out = self.model.generate(**enc, max_new_tokens=params.max_new_tokens, pad_token_id=tok.pad_token_id,
                                      eos_token_id=tok.eos_token_id, **sampling)
        ids, mask, clipped = cut_at_eos(out[:, enc.input_ids.shape[1]:].cpu(), tok.eos_token_id)
        token_ids = [row[m].tolist() for row, m in zip(ids, mask, strict=True)]
        decoded = tok.batch_decode(token_ids, skip_special_tokens=True)
        return [Completion(text, tids, not clip) for text, tids, clip in zip(decoded, token_ids, clipped, strict=True)]


def cut_at_eos(sequences: torch.Tensor, eos_id: int) -> tuple[torch.Tensor, torch.Tensor, list[bool]]:
    """sequences [G, L] -> ids [G, C] right-padded to the longest, mask [G, C], clipped [G]."""
    is_eos = sequences == eos_id
    has_eos = is_eos.any(dim=1)
    first = torch.where(has_eos, is_eos.int().argmax(dim=1), sequences.shape[1] - 1)
    lengths = first + 1  # EOS included; a clipped row keeps all L tokens
    C = int(lengths.max())
    mask = torch.arange(C).unsqueeze(0) < lengths.unsqueeze(1)
    ids = torch.where(mask, sequences[:, :C], eos_id)
    return ids, mask, (~has_eos).tolist()
