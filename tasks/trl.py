"""TRL interop: a task as a GRPOTrainer reward function and dataset.

    from trl import GRPOConfig, GRPOTrainer
    from rlvr.tasks import get_task, trl_dataset, trl_reward
    task = get_task("arithmetic")
    trainer = GRPOTrainer(model=..., reward_funcs=[trl_reward(task)],
                          train_dataset=trl_dataset(task, limit=1000), args=GRPOConfig(...))

``trl_reward(task)`` is picklable and has ``__name__`` (TRL's ``rewards/<name>``
metrics). It takes standard (str) or conversational (list of messages)
completions; the reference comes from the ``rlvr_reference`` column that
``trl_dataset`` writes (JSON, so every task's reference fits one Arrow column),
or else from the task's ``reference_field`` column of your own dataset.
Scoring runs in verifier worker processes with a deadline per completion
(TRL itself runs rewards in-process with no timeout). Rows that time out or hit
an infrastructure fault return ``None`` instead of 0: TRL (checked in 1.16)
reads None as NaN; a row where every reward function returned None is left out
of its group's baseline and gets advantage 0, and with several reward functions
a None adds nothing to the row's weighted sum. A verifier pool that cannot score
at all (workers that cannot load the verifier, or die on every job) raises
``VerifierPoolBroken`` with the cause, which stops TRL's training, instead of
returning a batch of zeros.
With ``url`` (one `rlvr serve` URL, or several comma-separated), scoring runs on those
servers instead (`RemoteVerifierPool`: retries, failover, ``None`` when they all fail).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rlvr.verifiers import verify_batch

from .task import Task

REFERENCE_COLUMN = "rlvr_reference"


class TaskReward:
    """``(prompts, completions, **columns) -> list[float | None]`` for TRL's GRPOTrainer."""

    def __init__(self, task: Task, *, timeout_s: float = 10.0, workers: int = 2, url: str | None = None,
                 token: str | None = None) -> None:
        self.task, self.timeout_s, self.workers = task, timeout_s, workers
        self.url, self.token = url, token
        self.__name__ = re.sub(r"\W", "_", task.name)

    def _references(self, n: int, columns: dict[str, Any]) -> list[Any]:
        if REFERENCE_COLUMN in columns:
            return [json.loads(r) for r in columns[REFERENCE_COLUMN]]
        field = self.task.reference_field
        if field not in columns:
            raise KeyError(f"{self.__name__}: the dataset needs a {REFERENCE_COLUMN!r} column (trl_dataset writes "
                           f"it) or a {field!r} column; it has {sorted(columns)}")
        return list(columns[field])[:n]

    def __call__(self, prompts: list[Any], completions: list[Any], **columns: Any) -> list[float | None]:
        texts = [c if isinstance(c, str) else "".join(m["content"] for m in c) for c in completions]
        references = self._references(len(texts), columns)
        if self.url:
            from rlvr.verifiers.remote import RemoteVerifierPool  # httpx loads only for remote scoring

            with RemoteVerifierPool(self.url, token=self.token) as pool:
                scores = pool.map(self.task.verifier(), texts, references, timeout_s=self.timeout_s)
        else:
            scores = verify_batch(self.task.verifier(), texts, references, timeout_s=self.timeout_s,
                                  workers=self.workers)
        return [s.value if s.is_scored else None for s in scores]


def trl_reward(task: Task, *, timeout_s: float = 10.0, workers: int = 2, url: str | None = None,
               token: str | None = None) -> TaskReward:
    return TaskReward(task, timeout_s=timeout_s, workers=workers, url=url, token=token)


def trl_dataset(task: Task, split: str | None = None, limit: int | None = None) -> Any:
    """A ``datasets.Dataset`` with conversational ``prompt`` (the task's messages) and the reference."""
    import datasets

    rows = task.load(split=split, limit=limit)
    return datasets.Dataset.from_list([
        {"prompt": task.build_messages(r), REFERENCE_COLUMN: json.dumps(task.reference(r)), "rlvr_id": r["id"]}
        for r in rows
    ])
