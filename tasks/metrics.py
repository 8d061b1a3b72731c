"""Evaluation metrics over k scored samples per prompt. Pure Python, no torch.

- ``pass_at_k(n, c, k)``: the unbiased estimator of Chen et al. (2021, HumanEval):
  ``1 - C(n-c, k) / C(n, k)``, computed as a product so it never overflows.
- ``maj_at_k``: majority vote over the normalised extracted answers of the first
  k samples; ties go to the answer seen first (deterministic). Correct when a
  sample carrying the winning answer is correct.
- ``summarize``: all of these over many prompts, plus mean reward and counts by status.

Rows that are ``timeout`` / ``infra_error`` say nothing about the model: they count
as wrong in pass@k (the conservative choice) and are reported in ``status``
counts and in ``unscored``, so a broken sandbox is visible rather than hidden.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rlvr.verifiers import Score


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn from n (c correct) is correct."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def normalize_answer(answer: str | None) -> str | None:
    if answer is None:
        return None
    text = " ".join(answer.split()).strip().rstrip(".").casefold()
    return text.replace("\\!", "").replace("\\,", "").replace("$", "") or None


def maj_at_k(scores: Sequence[Score], k: int) -> float:
    """1.0 if the most common extracted answer among the first k samples is a correct one."""
    votes: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    correct: dict[str, bool] = {}
    for i, score in enumerate(scores[:k]):
        answer = normalize_answer(score.extracted)
        if answer is None:
            continue
        votes[answer] += 1
        first_seen.setdefault(answer, i)
        correct[answer] = correct.get(answer, False) or score.correct
    if not votes:
        return 0.0
    winner = max(votes, key=lambda a: (votes[a], -first_seen[a]))
    return 1.0 if correct[winner] else 0.0


def answer_status(score: Score, answer_key: str | None) -> str:
    """The composite's status, or, when that is ``ok``, the answer checker's own (``no_answer`` ...)."""
    component = score.details.get(answer_key) if answer_key else None
    if score.status.value == "ok" and isinstance(component, dict) and "status" in component:
        return str(component["status"])
    return score.status.value


def summarize(groups: Sequence[Sequence[Score]], ks: Sequence[int] = (1,), *,
              answer_key: str | None = None) -> dict[str, Any]:
    """Metrics over prompts, each with the same number n of scored samples.

    Returns ``mean_reward``, ``pass@k`` and ``maj@k`` for each k <= n (maj only for
    k > 1), ``status`` counts, ``unscored`` and the numbers of prompts and samples.
    ``answer_key``: the composite component whose status is counted (see ``answer_status``).
    """
    if not groups:
        return {"prompts": 0, "samples": 0, "mean_reward": 0.0, "status": {}, "unscored": 0}
    n = len(groups[0])
    if any(len(g) != n for g in groups) or n == 0:
        raise ValueError("every prompt needs the same, non-zero number of samples")
    flat = [s for g in groups for s in g]
    out: dict[str, Any] = {
        "prompts": len(groups),
        "samples": len(flat),
        "mean_reward": sum(s.value for s in flat) / len(flat),
    }
    for k in sorted({k for k in ks if 1 <= k <= n} | {1}):
        out[f"pass@{k}"] = sum(pass_at_k(n, sum(s.correct for s in g), k) for g in groups) / len(groups)
        if k > 1:
            out[f"maj@{k}"] = sum(maj_at_k(g, k) for g in groups) / len(groups)
    out["status"] = dict(Counter(answer_status(s, answer_key) for s in flat).most_common())
    out["unscored"] = sum(not s.is_scored for s in flat)
    return out
