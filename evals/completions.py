"""Completions made elsewhere, read from JSONL: one reader for ``rlvr verify`` (lines with
``completion`` and ``reference``) and ``rlvr eval --completions`` (lines with ``id`` and
``completion``, matched to a task's rows).

Every malformed line is reported with its line number; ``rlvr verify`` skips such
lines and scores the rest, ``read_completions`` refuses the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .generation import Completion

if TYPE_CHECKING:  # rlvr verify reads completions files without loading the tasks
    from rlvr.tasks import Task

Line = tuple[int, dict[str, Any]]  # (line number, the JSON object)
Problem = tuple[int, str]  # (line number, why it was not read)


def read_completion_lines(path: Path, fields: tuple[str, ...]) -> tuple[list[Line], list[Problem]]:
    """The non-blank lines of ``path`` that are JSON objects with every key in ``fields`` and a
    string ``completion``; a ``(line number, why)`` problem for each other non-blank line."""
    lines: list[Line] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.append((number, f"not valid JSON: {exc.msg}"))
                continue
            if not isinstance(record, dict):
                problems.append((number, "not a JSON object"))
                continue
            missing = [k for k in fields if k not in record]
            if missing:
                problems.append((number, f"missing field(s): {', '.join(missing)}"))
            elif not isinstance(record.get("completion"), str):
                problems.append((number, "'completion' must be a string"))
            else:
                lines.append((number, record))
    return lines, problems


def read_completions(path: Path, task: Task, *, limit: int | None = None) -> tuple[list[dict], list[list[Completion]]]:
    """Rows and their completions from a JSONL of ``{"id", "completion"}`` (a samples file works).

    Ids are looked up in the task's eval split (first ``limit`` rows); lines for
    other tasks (a ``task`` key that differs) are skipped. Every id needs the same
    number of completions.
    """
    lines, problems = read_completion_lines(path, ("id", "completion"))
    if problems:
        raise ValueError("; ".join(f"{path}:{number}: {why}" for number, why in problems[:5]))
    by_id: dict[str, list[Completion]] = {}
    for _, record in lines:
        if record.get("task", task.name) == task.name:
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
