"""Rollouts: which prompts a step trains on, their G sampled completions and scores.

- ``PromptCursor`` is the data cursor: prompt slot k of a run is a pure
  function of (seed, k) and the per-task counters, so resuming from the cursor
  replays the exact same prompts, and data-parallel ranks agree without talking.
- ``RolloutEngine`` is the seam between the trainer and what generates:
  ``HfSampler`` (the default, ``rollout.engine: hf``) runs
  ``sampling.sample_groups`` on the policy itself (one decode loop for the whole
  batch, or for chunks of ``rollout.generation_groups`` prompts);
  ``vllm_engine.VllmEngine`` asks a vLLM server, which needs the policy's new
  weights after every optimizer step (``sync_weights``).
- ``generate_and_score`` samples the G completions of every prompt with the
  engine, giving each group a seed from (seed, step, slot); ``HfSampler`` seeds
  the group's RNG with it, so the same prompt slot gets the same completions
  however the batch is split over ranks, and after a resume (the vLLM engine
  cannot, see ``vllm_engine``). A group is scored in the
  verifier process pool on a background thread as soon as all its rows have
  ended, while the other groups (and the next chunks) are still generating.
- ``Group`` is one prompt's completions with their scores, complete and frozen
  once built by ``Group.from_scores`` (rewards and the scored mask come from
  the scores there). Advantages are not a property of one group (batch scaling
  needs every group), so the trainer computes them beside the groups.

Completions end at the first EOS (included, as TRL); one that hits
``max_new_tokens`` without EOS is counted as clipped.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from rlvr.evals.transformers_generator import chat_prompt
from rlvr.verifiers import Score, ScoringPool

from .sampling import SampledGroup, sample_groups


@dataclass(frozen=True)
class Prompt:
    slot: int  # global index of this prompt in the run (the data cursor's unit)
    task_index: int
    row: dict[str, Any]


@dataclass(frozen=True, eq=False)  # eq=False: tensors have no truth value; a group is itself only
class Group:
    """One prompt's G completions, scored. Built only by ``from_scores``; never changed after."""

    prompt: Prompt
    prompt_text: str
    prompt_ids: torch.Tensor  # [P]
    completion_ids: torch.Tensor  # [G, C], right-padded
    completion_mask: torch.Tensor  # [G, C] bool, EOS included
    texts: tuple[str, ...]
    clipped: tuple[bool, ...]  # hit max_new_tokens without EOS
    scores: tuple[Score, ...]
    rewards: torch.Tensor  # [G] float32, each score's value
    scored: torch.Tensor  # [G] bool: False for timeout / infra_error rows (masked out of the loss)
    sampling_logps: torch.Tensor | None  # [G, C] the sampling engine's log-probs, when it is not the policy

    @classmethod
    def from_scores(cls, prompt: Prompt, prompt_text: str, prompt_ids: torch.Tensor, sampled: SampledGroup,
                    texts: list[str], scores: list[Score]) -> Group:
        if len(scores) != len(texts) or len(texts) != sampled.completion_ids.shape[0]:
            raise ValueError(f"need one score per completion: {len(scores)} scores, {len(texts)} texts, "
                             f"{sampled.completion_ids.shape[0]} completions")
        return cls(prompt, prompt_text, prompt_ids, sampled.completion_ids, sampled.completion_mask, tuple(texts),
                   tuple(sampled.clipped), tuple(scores),
                   rewards=torch.tensor([s.value for s in scores], dtype=torch.float32),
                   scored=torch.tensor([s.is_scored for s in scores], dtype=torch.bool),
                   sampling_logps=sampled.sampling_logps)


OnGroupDone = Callable[[int, SampledGroup], None]


class RolloutEngine(Protocol):
    """What samples the G completions of each prompt for the trainer."""

    def sample(self, prompt_ids: list[torch.Tensor], seeds: list[int], on_group_done: OnGroupDone) -> None:
        """Call ``on_group_done(b, group)`` once for every prompt b (each group's RNG seeded by
        ``seeds[b]``), as soon as its G rows are known."""
        ...

    def sync_weights(self, model: Any) -> dict[str, float]:
        """The policy changed (an optimizer step): make the next ``sample`` use it. -> metrics."""
        ...

    def close(self) -> None: ...


class HfSampler:
    """``rollout.engine: hf``: ``sampling.sample_groups`` on the policy itself, so there is
    nothing to sync; ``rollout.generation_groups`` prompts per decode loop (or all)."""

    def __init__(self, model: Any, tokenizer: Any, rollout: Any) -> None:
        self.model, self.tokenizer, self.r = model, tokenizer, rollout

    def sample(self, prompt_ids: list[torch.Tensor], seeds: list[int], on_group_done: OnGroupDone) -> None:
        chunk = self.r.generation_groups or len(prompt_ids)
        for start in range(0, len(prompt_ids), chunk):
            part = list(range(start, min(start + chunk, len(prompt_ids))))
            sample_groups(
                self.model, [prompt_ids[i] for i in part], group_size=self.r.group_size,
                max_new_tokens=self.r.max_new_tokens, temperature=self.r.temperature, top_p=self.r.top_p,
                seeds=[seeds[i] for i in part], eos_id=self.tokenizer.eos_token_id,
                pad_id=self.tokenizer.pad_token_id,
                on_group_done=functools.partial(_renumbered, on_group_done, part))

    def sync_weights(self, model: Any) -> dict[str, float]:
        return {}

    def close(self) -> None:
        pass


def _renumbered(on_group_done: OnGroupDone, part: list[int], b: int, group: SampledGroup) -> None:
    on_group_done(part[b], group)  # group b of a chunk is prompt part[b] of the batch


class PromptCursor:
    """Deterministic prompts from a weighted task mixture, without replacement per task epoch."""

    def __init__(self, rows: list[list[dict[str, Any]]], weights: list[float], seed: int) -> None:
        if any(not r for r in rows):
            raise ValueError("every task needs at least one train row")
        self.rows, self.weights, self.seed = rows, weights, seed
        self.next_slot = 0  # prompt slots handed out so far
        self.counts = [0] * len(rows)  # rows drawn from each task so far

    def _row(self, task: int, count: int) -> dict[str, Any]:
        n = len(self.rows[task])
        order = list(range(n))
        random.Random(f"{self.seed}:{task}:{count // n}").shuffle(order)  # a new order every epoch
        return self.rows[task][order[count % n]]

    def take(self, n: int) -> list[Prompt]:
        prompts = []
        for slot in range(self.next_slot, self.next_slot + n):
            task = random.Random(f"{self.seed}:slot:{slot}").choices(range(len(self.rows)), self.weights)[0]
            prompts.append(Prompt(slot, task, self._row(task, self.counts[task])))
            self.counts[task] += 1
        self.next_slot += n
        return prompts

    def state_dict(self) -> dict[str, Any]:
        return {"next_slot": self.next_slot, "counts": list(self.counts)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.next_slot, self.counts = state["next_slot"], list(state["counts"])


def prompt_text(tokenizer: Any, task: Any, row: dict[str, Any]) -> str:
    return chat_prompt(tokenizer, task.build_messages(row))


def group_seed(seed: int, step: int, slot: int) -> int:
    return random.Random(f"{seed}:sample:{step}:{slot}").getrandbits(63)


def generate_and_score(
    prompts: list[Prompt], *, step: int, engine: RolloutEngine, tokenizer: Any, tasks: list[Any], cfg: Any,
    pool: ScoringPool,
) -> list[Group]:
    """Sample every prompt's group with ``engine``; each group is scored in the verifier pool
    as soon as all its rows have ended."""
    texts = [prompt_text(tokenizer, tasks[p.task_index], p.row) for p in prompts]
    prompt_ids = [tokenizer(t, add_special_tokens=False, return_tensors="pt").input_ids[0] for t in texts]
    sampled: list[tuple[SampledGroup, list[str]] | None] = [None] * len(prompts)
    pending: list[Future[list[Score]] | None] = [None] * len(prompts)
    with ThreadPoolExecutor(max_workers=1) as scorer:

        def score(i: int, s: SampledGroup) -> None:  # the engine's call: group i has ended
            p, task = prompts[i], tasks[prompts[i].task_index]
            completions = tokenizer.batch_decode(
                [row[m] for row, m in zip(s.completion_ids, s.completion_mask, strict=True)],
                skip_special_tokens=True)
            refs = [task.reference(p.row)] * len(completions)
            pending[i] = scorer.submit(pool.map, task.verifier(), completions, refs, timeout_s=cfg.verify.timeout_s)
            sampled[i] = (s, completions)

        engine.sample(prompt_ids, [group_seed(cfg.seed, step, p.slot) for p in prompts], score)
        groups = []
        for i, (done, fut) in enumerate(zip(sampled, pending, strict=True)):
            assert done is not None and fut is not None  # the engine hands over every group
            groups.append(Group.from_scores(prompts[i], texts[i], prompt_ids[i], done[0], done[1], fut.result()))
    return groups
