"""Suites: named groups of tasks, each with a row count and optional task overrides.

Built-in suites live in ``suites.yaml`` next to this module:

- ``offline-smoke``: procedural tasks only, small enough for the default model on a CPU.
- ``math``: GSM8K and MATH-500 (Hub).
- ``code``: HumanEval (Docker sandbox).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rlvr.verifiers._user_input import field_errors, unknown_name

from .registry import get_task
from .task import Task, TaskError

SUITES_FILE = Path(__file__).with_name("suites.yaml")


class SuiteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    limit: int | None = Field(None, ge=1)  # rows of the eval split; None: all
    overrides: dict[str, Any] = {}  # merged into the task (see Task.with_overrides)

    def build(self) -> Task:
        return get_task(self.task, **self.overrides)


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    offline: bool = False  # needs neither the Hub nor Docker
    tasks: list[SuiteEntry] = Field(min_length=1)


def _load_all() -> dict[str, Suite]:
    raw = yaml.safe_load(SUITES_FILE.read_text(encoding="utf-8"))
    suites = {}
    for name, body in raw.items():
        try:
            suites[name] = Suite.model_validate({"name": name, **body})
        except ValidationError as exc:
            raise TaskError(f"{SUITES_FILE}: suite {name!r}: " + "; ".join(field_errors(exc))) from None
    return suites


def available_suites() -> list[str]:
    return sorted(_load_all())


def get_suite(name: str) -> Suite:
    suites = _load_all()
    if name not in suites:
        raise LookupError(unknown_name("suite", name, suites))
    return suites[name]
