"""Evaluate any generator on tasks: sample k completions per held-out row, score, summarise.

``evaluate_task(task, generator, ...)`` works with any ``Generator`` (or a plain
function with its ``generate`` signature), so API models and vLLM outputs are
evaluated by the same code as a local transformers model; ``score_completions``
scores completions produced elsewhere (``rlvr eval --completions FILE``).
Scoring runs in the verifier process pool with a deadline per completion.

Metrics (``rlvr.tasks.metrics``): mean reward, pass@1, unbiased pass@k, maj@k
over extracted answers, counts by status. Results are written lm-eval style:
``results_<timestamp>.json`` (metrics per task, task configs, run config,
package versions, git sha) and ``samples_<task>_<timestamp>.jsonl``.

Default sampling: greedy when k = 1; temperature 0.6, top-p 0.95 when k > 1
(DeepSeek-R1's evaluation setting), both overridable.

This module imports no torch: only ``TransformersGenerator`` does.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
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
    params: SamplingParams | None = None, pool: ScoringPool, timeout_s: float = 10.0, batch_rows: int = 16,
    progress: Progress | None = None,
) -> TaskResult:
    """Generate ``samples_per_prompt`` completions for each eval row (or each of ``rows``) and score them."""
    generate = generator.generate if isinstance(generator, Generator) else generator
    params = params or default_sampling(samples_per_prompt, task.generation.max_new_tokens)
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


def read_completions(path: Path, task: Task, *, limit: int | None = None) -> tuple[list[dict], list[list[Completion]]]:
    """Rows and their completions from a JSONL of ``{"id", "completion"}`` (a samples file works).

    Ids are looked up in the task's eval split (first ``limit`` rows); lines for
    other tasks (a ``task`` key that differs) are skipped. Every id needs the same
    number of completions.
    """
    by_id: dict[str, list[Completion]] = {}
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("completion"), str) or "id" not in record:
                raise ValueError(f"{path}:{number}: expected an object with 'id' and a string 'completion'")
            if record.get("task", task.name) != task.name:
                continue
            by_id.setdefault(str(record["id"]), []).append(Completion(record["completion"]))
    if not by_id:
        raise ValueError(f"{path}: no completions for task {task.name!r}")
    if limit is None:  # positional ids ("<task>/<split>/<i>"): load only as far as the last one
        prefix = f"{task.name}/{task.eval_split}/"
        positions = [i.removeprefix(prefix) for i in by_id]
        if all(i.startswith(prefix) for i in by_id) and all(p.isdigit() for p in positions):
            limit = max(int(p) for p in positions) + 1
    rows_by_id = {r["id"]: r for r in task.load(split=task.eval_split, limit=limit)}
    unknown = sorted(set(by_id) - set(rows_by_id))
    if unknown:
        raise ValueError(f"{path}: {len(unknown)} id(s) not in {task.name!r} split {task.eval_split!r} "
                         f"(first rows up to --limit): {unknown[:5]}")
    sizes = {len(c) for c in by_id.values()}
    if len(sizes) != 1:
        raise ValueError(f"{path}: every id needs the same number of completions, got counts {sorted(sizes)}")
    ids = [i for i in rows_by_id if i in by_id]
    return [rows_by_id[i] for i in ids], [by_id[i] for i in ids]


def package_versions() -> dict[str, str]:
    out = {}
    for name in ("rlvr", "torch", "transformers", "trl", "reasoning-gym", "math-verify", "sympy", "pydantic"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def git_sha() -> str | None:
    try:
        proc = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).parent)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def write_results(out_dir: Path, results: list[TaskResult], tasks: list[Task], run_config: dict[str, Any],
                  started: float) -> tuple[Path, list[Path]]:
    """``results_<ts>.json`` and one ``samples_<task>_<ts>.jsonl`` per task, lm-eval style."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S")
    sample_paths = []
    for result in results:
        path = out_dir / f"samples_{result.task.replace(':', '_').replace('/', '_')}_{stamp}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for sample in result.samples:
                f.write(json.dumps(sample, default=str) + "\n")
        sample_paths.append(path)
    document = {
        "results": {r.task: r.metrics for r in results},
        "configs": {t.name: t.model_dump(mode="json") for t in tasks},
        "task_eval_config": {r.task: r.config for r in results},
        "config": run_config,
        "versions": package_versions(),
        "git_hash": git_sha(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "total_evaluation_time_seconds": round(time.time() - started, 2),
    }
    results_path = out_dir / f"results_{stamp}.json"
    results_path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    return results_path, sample_paths
