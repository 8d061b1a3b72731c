"""The trainer tests' fakes that verifier workers must import by name: a small addition task
implementing the ``rlvr.tasks.Task`` interface with real verifiers, the ``ABC_WORD`` rule and a
rule that hangs. A module of its own (not conftest.py): a worker unpickles these by module
name, and several test folders have a ``conftest`` module.

A random model never writes a boxed sum, so loop tests on it reward a word starting with a,
b or c (``ABC_WORD``): a real verifier that gives the random model's groups reward variance,
hence real gradients."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr.verifiers import ExactMatch, RegexMatch


@dataclass
class _Generation:
    max_new_tokens: int = 32


@dataclass
class _VerifierEntry:
    key: str = "boxed"
    weight: float = 1.0  # `rlvr tasks ls` lists every registered task, this one included


@dataclass
class BoxedAddition:
    """``a + b`` with the answer in \\boxed{}; row i of a split is a pure function of (split, i)."""

    name: str = "boxed_addition"
    eval_split: str = "test"
    generation: _Generation = field(default_factory=_Generation)
    rule: Any = None  # a Verifier to use instead of the boxed exact match
    verifiers: list[_VerifierEntry] = field(default_factory=lambda: [_VerifierEntry()])

    def model_dump(self, mode: str = "python") -> dict[str, Any]:  # the task config results files record
        return {"name": self.name, "eval_split": self.eval_split, "rule": repr(self.rule)}

    def load(self, split: str = "train", limit: int | None = None, seed: int | None = None) -> list[dict]:
        rows = []
        for i in range(limit or 200):
            rng = random.Random(f"{split}:{i}")
            a, b = rng.randint(1, 20), rng.randint(1, 20)
            rows.append({"id": f"{split}-{i}", "question": f"What is {a} + {b}?", "answer": str(a + b)})
        return rows

    def build_messages(self, row: dict) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": "Put the final answer in \\boxed{}."},
            {"role": "user", "content": "What is 2 + 3?"},
            {"role": "assistant", "content": "2 + 3 = 5. \\boxed{5}"},
            {"role": "user", "content": row["question"]},
        ]

    def reference(self, row: dict) -> str:
        return row["answer"]

    def verifier(self) -> Any:
        return self.rule if self.rule is not None else ExactMatch(extract=r"\\boxed\{([^}]*)\}")

    def score(self, completion: str, row: dict):
        return self.verifier()(completion, self.reference(row))


ABC_WORD = RegexMatch(pattern=r" [a-c]")


class HangsOnSomeRows:
    """ABC_WORD, except that it hangs on completions whose length divides by 3: those rows
    come back from the verifier pool as timeouts."""

    def __call__(self, completion: str, reference: str) -> Any:
        if len(completion) % 3 == 0:
            time.sleep(60)
        return ABC_WORD(completion, reference)


def tiny_train_config(model_dir: Path, run_dir: Path, *overrides: str):
    from rlvr.tasks import available_tasks, register_task
    from rlvr.trainer.config import load_config

    # Registered, so that the config can name it (load_config resolves every task name) and
    # train(cfg, tasks=[BoxedAddition(rule=...)]) passes instances of the task the config names.
    # Here, not at import: verifier workers import this module to unpickle the rules.
    if "boxed_addition" not in available_tasks():
        register_task(BoxedAddition, name="boxed_addition")

    return load_config(None, [
        f"model.name={model_dir}", f"run_dir={run_dir}", "tasks.0.name=boxed_addition", "steps=2", "device=cpu", "threads=1",
        "rollout.prompts_per_step=2", "rollout.group_size=4", "rollout.max_new_tokens=8",
        "eval.limit=0", "progress=false", "verify.workers=1", "optim.lr=1e-3", *overrides,
    ])
