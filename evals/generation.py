"""Generators: chat conversations in, sampled completions (text and token ids) out.

``Generator`` is the seam between evaluation and whatever produces text: the
``TransformersGenerator`` here (batched ``model.generate``), ``FunctionGenerator``
(any ``(messages, sample_index) -> str`` function), or anything else
with the same ``generate`` method (an API client, vLLM outputs read back from
disk). A completion ends at its first EOS (included in ``token_ids``, as the
trainer's rollouts do); one that reaches ``max_new_tokens`` without EOS has
``finished=False``.

Limits: the transformers generator pads prompts on the left and repeats each
prompt n times rather than using ``num_return_sequences``, so greedy decoding
with n > 1 works (n identical completions). Sampling is seeded per batch from
``SamplingParams.seed``: results are reproducible for the same batch size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class SamplingParams:
    n: int = 1  # completions per conversation
    max_new_tokens: int = 256
    temperature: float = 0.0  # 0: greedy
    top_p: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n < 1 or self.max_new_tokens < 1:
            raise ValueError(f"n and max_new_tokens must be >= 1, got {self.n}, {self.max_new_tokens}")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise ValueError(f"need temperature >= 0 and 0 < top_p <= 1, got {self.temperature}, {self.top_p}")


@dataclass(frozen=True)
class Completion:
    text: str
    token_ids: list[int] = field(default_factory=list)  # empty when the generator does not expose them
    finished: bool | None = None  # ended with EOS; None when unknown


@runtime_checkable
class Generator(Protocol):
    """``generate(conversations, params)`` -> for each conversation, ``params.n`` completions in order."""

    def generate(self, conversations: Sequence[Messages], params: SamplingParams) -> list[list[Completion]]: ...


class FunctionGenerator:
    """A Generator from a plain function ``respond(messages, sample_index) -> str``.

    For rule-based baselines, API clients called one prompt at a time, and tests.
    Token ids are not known (empty), nor is ``finished``.
    """

    def __init__(self, respond: Callable[[Messages, int], str]) -> None:
        self.respond = respond

    def generate(self, conversations: Sequence[Messages], params: SamplingParams) -> list[list[Completion]]:
        return [[Completion(self.respond(m, i)) for i in range(params.n)] for m in conversations]


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

    def prompt_text(self, messages: Messages) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def generate(self, conversations: Sequence[Messages], params: SamplingParams) -> list[list[Completion]]:
        texts = [self.prompt_text(m) for m in conversations for _ in range(params.n)]
        flat: list[Completion] = []
        for start in range(0, len(texts), self.batch_size):
            flat += self._generate_batch(texts[start : start + self.batch_size], params, batch_index=start)
        return [flat[i * params.n : (i + 1) * params.n] for i in range(len(conversations))]

    def _generate_batch(self, texts: list[str], params: SamplingParams, batch_index: int) -> list[Completion]:
        import torch

        from .sampling import cut_at_eos  # one definition of where a completion ends

        tok = self.tokenizer
        device = next(self.model.parameters()).device
        enc = tok(texts, add_special_tokens=False, return_tensors="pt", padding=True).to(device)
        sampling: dict[str, Any] = {"do_sample": False}
        if params.temperature > 0:
            sampling = {"do_sample": True, "temperature": params.temperature, "top_p": params.top_p, "top_k": 0}
        torch.manual_seed(params.seed + batch_index)
        with torch.no_grad():
            out = self.model.generate(**enc, max_new_tokens=params.max_new_tokens, pad_token_id=tok.pad_token_id,
                                      eos_token_id=tok.eos_token_id, **sampling)
        ids, mask, clipped = cut_at_eos(out[:, enc.input_ids.shape[1]:].cpu(), tok.eos_token_id)
        token_ids = [row[m].tolist() for row, m in zip(ids, mask, strict=True)]
        decoded = tok.batch_decode(token_ids, skip_special_tokens=True)
        return [Completion(text, tids, not clip) for text, tids, clip in zip(decoded, token_ids, clipped, strict=True)]
