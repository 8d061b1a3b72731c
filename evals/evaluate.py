"""Evaluate any generator on tasks: sample k completions per held-out row, score, summarise.

``evaluate_task(task, generator, ...)`` works with any ``Generator`` (or a plain
function with its ``generate`` signature), so API models and vLLM outputs are
evaluated by the same code as a local transformers model, and the trainer's
held-out accuracy is this same function on its policy; ``score_rows`` scores
completions produced elsewhere (``rlvr eval --completions FILE``, read by
``rlvr.evals.completions``). Scoring runs in the verifier process pool with a
deadline per completion.

Metrics (``rlvr.tasks.metrics``): mean reward, pass@1, unbiased pass@k, maj@k
over extracted answers, counts by status. ``rlvr.evals.results`` writes them
lm-eval style.

Default sampling: greedy when k = 1; temperature 0.6, top-p 0.95 when k > 1
(DeepSeek-R1's evaluation setting), both overridable.

This module imports no torch: only ``TransformersGenerator`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rlvr.tasks import Task
from rlvr.tasks.metrics import summarize
from rlvr.verifiers import Score, ScoringPool

from .generation import Completion, Generator, Messages, SamplingParams

GenerateFn = Callable[[Sequence[Messages], SamplingParams], list[list[Completion]]]
Progress = Callable[[int], None]  # called with the number of rows just finished


@dataclass
class TaskResult:
    task: str
    metrics: dict[str, Any]
    samples: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)


def default_sampling(samples_per_prompt: int, max_new_tokens: int, *, temperature: float | None = None,
                     top_p: float | None = None, seed: int = 0) -> SamplingParams:
    greedy = samples_per_prompt == 1
    return SamplingParams(
        n=samples_per_prompt, max_new_tokens=max_new_tokens, seed=seed,
        temperature=temperature if temperature is not None else (0.0 if greedy else 0.6),
        top_p=top_p if top_p is not None else (1.0 if greedy else 0.95),
    )


def evaluate_task(
    task: Task, generator: Generator | GenerateFn, *, limit: int | None = None, rows: list[dict] | None = None,
    samples_per_prompt: int = 1,
    params: SamplingParams | None = None, pool: ScoringPool, timeout_s: float = 10.0,
    batch_rows: int | None = None, progress: Progress | None = None,
) -> TaskResult:
    """Generate ``samples_per_prompt`` completions for each eval row (or each of ``rows``) and score them.

    ``batch_rows``: conversations per ``generate`` call; None fills the generator's
    ``batch_size`` (sequences) when it has one, else 16."""
    generate = generator.generate if isinstance(generator, Generator) else generator
    params = params or default_sampling(samples_per_prompt, task.generation.max_new_tokens)
    if batch_rows is None:
        batch_rows = max(1, getattr(generator, "batch_size", 16 * params.n) // params.n)
    rows = rows if rows is not None else task.load(split=task.eval_split, limit=limit)
    completions: list[list[Completion]] = []
    for start in range(0, len(rows), batch_rows):
        batch = rows[start : start + batch_rows]
        out = generate([task.build_messages(r) for r in batch], params)
        if len(out) != len(batch) or any(len(c) != params.n for c in out):
            raise ValueError(f"the generator returned {[len(c) for c in out]} completions for {len(batch)} "
                             f"conversations x {params.n}")
        completions += [[c if isinstance(c, Completion) else Completion(str(c)) for c in cs] for cs in out]
        if progress:
            progress(len(batch))
    result = score_rows(task, rows, completions, pool=pool, timeout_s=timeout_s, ks=report_ks(params.n))
    result.config = {"sampling": params.__dict__, "rows": len(rows), "split": task.eval_split}
    return result


def report_ks(n: int) -> list[int]:
    """The k reported for n samples: 1, the powers of two below n, and n."""
    return sorted({1, n} | {2**i for i in range(1, n.bit_length()) if 2**i < n})


def score_rows(task: Task, rows: list[dict[str, Any]], completions: list[list[Completion]], *,
               pool: ScoringPool, timeout_s: float, ks: Sequence[int]) -> TaskResult:
    """Score each row's completions with the task's verifier; metrics and sample records."""
    flat = [(row, i, c) for row, cs in zip(rows, completions, strict=True) for i, c in enumerate(cs)]
    scores = pool.map(task.verifier(), [c.text for _, _, c in flat], [task.reference(r) for r, _, _ in flat],
                      timeout_s=timeout_s)
    groups: list[list[Score]] = []
    samples = []
    for (row, i, completion), score in zip(flat, scores, strict=True):
        if i == 0:
            groups.append([])
        groups[-1].append(score)
        samples.append({
            "task": task.name, "id": row["id"], "sample": i, "question": row["question"],
            "reference": task.reference(row), "completion": completion.text,
            "num_tokens": len(completion.token_ids), "finished": completion.finished,
            "score": score.model_dump(mode="json"),
        })
    metrics = summarize(groups, ks=ks, answer_key=task.verifiers[0].key)
    metrics["clipped"] = sum(c.finished is False for _, _, c in flat)
    return TaskResult(task.name, metrics, samples)
