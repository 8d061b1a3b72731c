"""The ``Generator`` seam: chat conversations in, sampled completions (text and token ids) out.

``Generator`` is the seam between evaluation and whatever produces text:
``TransformersGenerator`` (``rlvr.evals.transformers_generator``, batched
``model.generate``; the trainer evaluates its policy through it), ``FunctionGenerator``
(any ``(messages, sample_index) -> str`` function), or anything else with the
same ``generate`` method (an API client, vLLM outputs read back from disk). A
completion ends at its first EOS (included in ``token_ids``, as the trainer's
rollouts do); one that reaches ``max_new_tokens`` without EOS has ``finished=False``.

This module imports no torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

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
