"""Rollouts: which prompts a step trains on, their G sampled completions, scores and advantages.

- ``PromptSampler`` is the data cursor: prompt slot k of a run is a pure
  function of (seed, k) and the per-task counters, so resuming from the cursor
  replays the exact same prompts, and data-parallel ranks agree without talking.
- ``generate_and_score`` samples the G completions of every prompt with
  ``sampling.sample_groups`` (one decode loop for the whole batch, or for chunks
  of ``rollout.generation_groups`` prompts), each group's RNG seeded by
  (seed, step, slot): the same prompt slot gets the same completions however
  the batch is split over ranks, and after a resume. A group is scored in the
  verifier process pool on a background thread as soon as all its rows have
  ended, while the other groups (and the next chunks) are still generating.

Completions end at the first EOS (included, as TRL); one that hits
``max_new_tokens`` without EOS is counted as clipped.
"""

from __future__ import annotations

import random
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import torch

from rlvr.verifiers import Score, ScoringPool

from .sampling import SampledGroup, sample_groups


@dataclass
class Prompt:
    slot: int  # global index of this prompt in the run (the data cursor's unit)
    task_index: int
    row: dict[str, Any]


@dataclass
class Group:
    prompt: Prompt
    prompt_text: str
    prompt_ids: torch.Tensor  # [P]
    completion_ids: torch.Tensor  # [G, C], right-padded
    completion_mask: torch.Tensor  # [G, C] bool, EOS included
    texts: list[str]
    clipped: list[bool]  # hit max_new_tokens without EOS
    scores: list[Score] = field(default_factory=list)
    rewards: torch.Tensor | None = None  # [G]
    scored: torch.Tensor | None = None  # [G] bool: False for timeout / infra_error rows
    advantages: torch.Tensor | None = None  # [G]


class PromptSampler:
    """Deterministic prompts from a weighted task mixture, without replacement per task epoch."""

    def __init__(self, rows: list[list[dict[str, Any]]], weights: list[float], seed: int) -> None:
        if any(not r for r in rows):
            raise ValueError("every task needs at least one train row")
        self.rows, self.weights, self.seed = rows, weights, seed
        self.cursor = 0  # prompt slots handed out so far
        self.counts = [0] * len(rows)  # rows drawn from each task so far

    def _row(self, task: int, count: int) -> dict[str, Any]:
        n = len(self.rows[task])
        order = list(range(n))
        random.Random(f"{self.seed}:{task}:{count // n}").shuffle(order)  # a new order every epoch
        return self.rows[task][order[count % n]]

    def take(self, n: int) -> list[Prompt]:
        prompts = []
        for slot in range(self.cursor, self.cursor + n):
            task = random.Random(f"{self.seed}:slot:{slot}").choices(range(len(self.rows)), self.weights)[0]
            prompts.append(Prompt(slot, task, self._row(task, self.counts[task])))
            self.counts[task] += 1
        self.cursor += n
        return prompts

    def state_dict(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "counts": list(self.counts)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.cursor, self.counts = state["cursor"], list(state["counts"])


def prompt_text(tokenizer: Any, task: Any, row: dict[str, Any]) -> str:
    return tokenizer.apply_chat_template(task.build_messages(row), tokenize=False, add_generation_prompt=True)


def group_seed(seed: int, step: int, slot: int) -> int:
    return random.Random(f"{seed}:sample:{step}:{slot}").getrandbits(63)


def generate_and_score(
    prompts: list[Prompt], *, step: int, model: Any, tokenizer: Any, tasks: list[Any], cfg: Any,
    pool: ScoringPool,
) -> list[Group]:
    """Sample every prompt's group (``rollout.generation_groups`` prompts per decode loop, or
    all); each group is scored in the verifier pool as soon as all its rows have ended."""
    r = cfg.rollout
    texts = [prompt_text(tokenizer, tasks[p.task_index], p.row) for p in prompts]
    prompt_ids = [tokenizer(t, add_special_tokens=False, return_tensors="pt").input_ids[0] for t in texts]
    chunk = r.generation_groups or len(prompts)
    groups: list[Group | None] = [None] * len(prompts)
    pending: list[Future[list[Score]] | None] = [None] * len(prompts)
    with ThreadPoolExecutor(max_workers=1) as scorer:

        def score(i: int, s: SampledGroup) -> None:  # called by the sampler the moment group i has ended
            p, task = prompts[i], tasks[prompts[i].task_index]
            completions = tokenizer.batch_decode(
                [row[m] for row, m in zip(s.completion_ids, s.completion_mask, strict=True)],
                skip_special_tokens=True)
            refs = [task.reference(p.row)] * len(completions)
            pending[i] = scorer.submit(pool.map, task.verifier(), completions, refs, timeout_s=cfg.verify.timeout_s)
            groups[i] = Group(p, texts[i], prompt_ids[i], s.completion_ids, s.completion_mask, completions, s.clipped)

        for start in range(0, len(prompts), chunk):
            part = list(range(start, min(start + chunk, len(prompts))))
            sample_groups(
                model, [prompt_ids[i] for i in part], group_size=r.group_size, max_new_tokens=r.max_new_tokens,
                temperature=r.temperature, top_p=r.top_p, seeds=[group_seed(cfg.seed, step, prompts[i].slot)
                                                               for i in part],
                eos_id=tokenizer.eos_token_id, pad_id=tokenizer.pad_token_id,
                on_group_done=lambda b, s, part=part: score(part[b], s),
            )
        for g, fut in zip(groups, pending, strict=True):
            assert g is not None and fut is not None  # the sampler hands over every group
            g.scores = fut.result()
            g.rewards = torch.tensor([s.value for s in g.scores], dtype=torch.float32)
            g.scored = torch.tensor([s.is_scored for s in g.scores])
    return [g for g in groups if g is not None]


@torch.no_grad()
def held_out_accuracy(
    model: Any, tokenizer: Any, task: Any, rows: list[dict[str, Any]], *, max_new_tokens: int,
    batch_size: int, pool: ScoringPool, timeout_s: float, device: torch.device,
) -> dict[str, float]:
    """Greedy decoding on held-out rows -> accuracy (correct / all rows) and mean reward."""
    texts: list[str] = []
    for start in range(0, len(rows), batch_size):
        batch = [prompt_text(tokenizer, task, row) for row in rows[start : start + batch_size]]
        enc = tokenizer(batch, add_special_tokens=False, return_tensors="pt", padding=True).to(device)
        out = model.generate(**enc, do_sample=False, max_new_tokens=max_new_tokens,
                             pad_token_id=tokenizer.pad_token_id)
        texts += tokenizer.batch_decode(out[:, enc.input_ids.shape[1]:], skip_special_tokens=True)
    scores = pool.map(task.verifier(), texts, [task.reference(r) for r in rows], timeout_s=timeout_s)
    n = max(len(scores), 1)
    return {"accuracy": sum(s.correct for s in scores) / n, "reward": sum(s.value for s in scores) / n,
            "unscored": float(sum(not s.is_scored for s in scores))}
