"""Any reasoning-gym dataset as a task: ``get_task("reasoning_gym:<dataset>")``.

Rows come from ``reasoning_gym.create_dataset`` (train and eval splits use
different seeds; see ``sources``); each row keeps the dataset's ``entry``,
which is the verifier's reference. ``ReasoningGymVerifier`` reads the last
``<answer>…</answer>`` block and calls the dataset's own ``score_answer``, its
float wrapped into our ``Score`` (registered as ``reasoning_gym`` in
``rlvr.verifiers.registry``, a lazy entry). The verifier stores only the dataset name and
config, so it pickles; the dataset object is rebuilt lazily in each process.

Limits: ``score_answer`` runs in the verifier's process, so run it under
``verify_batch`` (deadline, kill) as every verifier. A raise is ``error``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rlvr.verifiers import Score, Status
from rlvr.verifiers._user_input import unknown_name

from .task import Task

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)

# reasoning-gym's own default system prompt, so scores are comparable with its tables.
SYSTEM_PROMPT = (
    "Given a problem, your task is to answer the question by thinking step-by-step in a clear and specific "
    "manner.\nOnce you have thought about the reasoning process, provide the answer in the following format:\n"
    "<answer>answer here</answer>\nDo not explain your reasoning inside the answer tags, provide only the "
    "final answer. When an example is provided, you should strictly follow the format of the output/answer "
    "in that example."
)


@lru_cache(maxsize=64)
def _dataset(name: str, config_items: tuple[tuple[str, Any], ...]) -> Any:
    import reasoning_gym

    return reasoning_gym.create_dataset(name, seed=0, size=1, **dict(config_items))


@dataclass(frozen=True)
class ReasoningGymVerifier:
    """Reference: the reasoning-gym entry (``row["entry"]``)."""

    dataset: str
    config: dict[str, Any] = field(default_factory=dict)

    def __call__(self, completion: str, reference: Any) -> Score:
        found = _ANSWER.findall(completion)
        if not found:
            return Score.failed(Status.NO_ANSWER)
        answer = found[-1].strip()
        items = tuple(sorted((k, _hashable(v)) for k, v in self.config.items()))
        value = float(_dataset(self.dataset, items).score_answer(answer, reference))
        return Score.judged(min(1.0, max(0.0, value)), answer[:1000])


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value



def available_datasets() -> list[str]:
    from reasoning_gym.factory import DATASETS

    return sorted(DATASETS)


def reasoning_gym_task(dataset: str, **config: Any) -> Task:
    names = available_datasets()
    if dataset not in names:
        raise LookupError(unknown_name("reasoning-gym dataset", dataset, names))
    # Puzzles with many right answers (graph_color, boxnet, ...) give answer None: no gold to check.
    items = tuple(sorted((k, _hashable(v)) for k, v in config.items()))
    has_gold = _dataset(dataset, items)[0]["answer"] is not None
    return Task.from_dict({
        "name": f"reasoning_gym:{dataset}",
        "description": f"reasoning-gym's {dataset}, scored by its own score_answer",
        "source": {"kind": "reasoning_gym", "dataset": dataset, "config": config},
        "prompt": {"system": SYSTEM_PROMPT},
        "verifiers": [{"name": "reasoning_gym", "params": {"dataset": dataset, "config": config}}],
        "reference_field": "entry",
        "gold": "<answer>{answer}</answer>" if has_gold else None,
        "generation": {"max_new_tokens": 512},
    }, origin=f"reasoning_gym:{dataset}")
