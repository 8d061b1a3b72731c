"""Check a task end to end: its definition, its rows, and that every gold answer scores 1.0.

``validate_task`` loads the first ``limit`` rows of the train and eval splits,
builds every row's messages and gold completion (``Task.gold``), and scores the
golds through the task's own verifier in the verifier pool. A gold that scores
below 1.0 is a broken task (a wrong reference, a verifier that cannot read its
own answer format, a template naming a missing field).

A task whose source or verifier cannot be reached from here (no Hub, no Docker,
verifier not installed) is reported ``unavailable`` with the reason, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlvr.verifiers import UNSCORED_STATUSES, VerifierPool, verify_batch

from .metrics import answer_status
from .sources import SourceUnavailableError
from .task import Task


@dataclass
class ValidationReport:
    task: str
    status: str = "ok"  # ok | failed | unavailable
    rows_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def validate_task(task: Task, *, limit: int = 20, pool: VerifierPool | None = None,
                  timeout_s: float = 30.0) -> ValidationReport:
    report = ValidationReport(task.name)
    try:
        rows = {r["id"]: r for split in dict.fromkeys([task.train_split, task.eval_split])
                for r in task.load(split=split, limit=limit)}
        verifier = task.verifier()
    except (SourceUnavailableError, ImportError, FileNotFoundError) as exc:
        report.status, report.problems = "unavailable", [f"{type(exc).__name__}: {exc}"]
        return report
    except Exception as exc:  # anything else is a broken definition
        report.status, report.problems = "failed", [f"loading rows: {type(exc).__name__}: {exc}"]
        return report
    if not rows:
        report.status, report.problems = "failed", ["the source gave no rows"]
        return report
    golds: list[str] = []
    references: list[Any] = []
    for row in rows.values():
        try:
            task.build_messages(row)
            if task.gold is None:
                continue
            golds.append(task.gold_completion(row))
            references.append(task.reference(row))
        except (KeyError, ValueError) as exc:
            report.status = "failed"
            report.problems.append(f"row {row['id']}: {exc}")
    if report.problems:
        return report
    if task.gold is None:
        report.notes.append(f"no gold template: checked the definition and {len(rows)} rows, scored none")
        return report
    scores = verify_batch(verifier, golds, references, timeout_s=timeout_s, workers=2, pool=pool)
    report.rows_checked = len(scores)
    unscored = [s for s in scores if s.status in UNSCORED_STATUSES]
    if unscored and len(unscored) == len(scores):
        report.status = "unavailable"
        report.problems.append(f"every gold answer was unscorable ({unscored[0].status.value}: "
                               f"{str(unscored[0].details)[:300]}); is the sandbox up?")
        return report
    for row_id, score in zip(rows, scores, strict=True):
        if score.value < 1.0:
            report.status = "failed"
            status = answer_status(score, task.verifiers[0].key)
            report.problems.append(f"row {row_id}: gold scored {score.value:.3f} ({status}) "
                                   f"{str(score.details)[:300]}")
    return report
