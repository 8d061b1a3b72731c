"""rlvr.tasks: typed verifiable tasks, built-ins and suites.

A ``Task`` says where rows come from, how a row becomes chat messages and how a
completion is scored; the same object drives ``rlvr eval`` and ``rlvr train``::

    from rlvr.tasks import get_task
    task = get_task("arithmetic")
    rows = task.load(split="train", limit=100)
    messages = task.build_messages(rows[0])
    score = task.score(completion, rows[0])

Importing this package never imports torch.
"""

from __future__ import annotations

from .registry import UnknownTaskError, available_tasks, get_task, register_task
from .suites import Suite, available_suites, get_suite
from .task import FewShot, FieldMap, Generation, Prompt, Task, TaskError, VerifierSpec
from .trl import trl_dataset, trl_reward

__all__ = [
    "FewShot",
    "FieldMap",
    "Generation",
    "Prompt",
    "Suite",
    "Task",
    "TaskError",
    "UnknownTaskError",
    "VerifierSpec",
    "available_suites",
    "available_tasks",
    "get_suite",
    "get_task",
    "register_task",
    "trl_dataset",
    "trl_reward",
]
