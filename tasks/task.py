"""`Task`: one typed object that drives both evaluation and training.

A task says where its rows come from (``source``), which columns hold the
question, the answer and the tests (``fields``), how a row becomes chat
messages (``prompt``), how a completion is scored (``verifiers``, a weighted
sum of registered verifiers), which split is held out (``eval_split``) and how
long a completion may be (``generation``). Everything is validated when the
task is built, so a typo in a YAML file is an error naming the field, not a
silent zero reward at step 300.

Rows are plain dicts: ``id`` (stable str), ``question``, ``answer`` and, where
mapped, ``tests`` and ``solution``; sources may add more keys (reasoning-gym
rows carry their ``entry``). ``reference(row)`` is ``row[reference_field]``.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rlvr.verifiers import Score, Verifier, WeightedSum, available_verifiers, get_verifier
from rlvr.verifiers._user_input import field_errors, merge, unknown_name

from .sources import Source, load_rows

_ROW_KEYS = {"id", "question", "answer", "tests", "solution"}  # what templates may use


class TaskError(ValueError):
    """A task definition that does not validate; the message names each bad field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMap(_Strict):
    """Which source column becomes which row field.

    A list of columns makes a dict keyed by column name; a dict ``{key: column}``
    makes a dict with renamed keys (HumanEval's ``test`` column as ``check``).

    ``answer_regex``: the answer is the first group of this pattern in the
    answer column (GSM8K's ``... #### 72``).
    """

    id: str | None = None  # a column with stable ids; default "<task>/<split>/<index>"
    question: str | list[str] | dict[str, str] = "question"
    answer: str | list[str] | dict[str, str] | None = "answer"
    tests: str | list[str] | dict[str, str] | None = None
    solution: str | list[str] | dict[str, str] | None = None
    answer_regex: str | None = None

    @field_validator("answer_regex")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                if re.compile(pattern).groups < 1:
                    raise ValueError("answer_regex needs one capturing group")
            except re.error as exc:
                raise ValueError(f"invalid regex: {exc}") from exc
        return pattern


class FewShot(_Strict):
    """One worked example: a user turn (the template over these fields) and the assistant's reply."""

    question: str
    response: str


def _template_fields(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise ValueError(f"bad template {template!r}: {exc}") from exc


class Prompt(_Strict):
    """System prompt, a user template over row fields (``{question}``) and few-shot turns.

    The chat template itself comes from the tokenizer (``apply_chat_template``).
    """

    system: str | None = None
    user: str = "{question}"
    few_shot: list[FewShot] = []

    @field_validator("user")
    @classmethod
    def _known_fields(cls, template: str) -> str:
        unknown = _template_fields(template) - _ROW_KEYS
        if unknown:
            raise ValueError(f"template uses unknown field(s) {sorted(unknown)}; rows have {sorted(_ROW_KEYS)}")
        return template


class VerifierSpec(_Strict):
    """A registered verifier (``rlvr verify --list``), its parameters and its weight in the sum."""

    name: str
    params: dict[str, Any] = {}
    weight: float = Field(1.0, gt=0)
    label: str | None = None  # the key of its Score in details; defaults to name

    @field_validator("name")
    @classmethod
    def _registered(cls, name: str) -> str:
        known = available_verifiers()
        if name not in known:
            raise ValueError(unknown_name("verifier", name, known))
        return name

    @property
    def key(self) -> str:
        return self.label or self.name


class Generation(_Strict):
    max_new_tokens: int = Field(256, ge=1)


class Task(_Strict):
    """A verifiable task. Build it in Python, from YAML (``Task.from_yaml``) or by name (``get_task``)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:\-]+$")]
    description: str = ""
    source: Source
    fields: FieldMap = FieldMap()
    prompt: Prompt = Prompt()
    verifiers: list[VerifierSpec] = Field(min_length=1)
    reference_field: str = "answer"
    # What a perfect completion looks like: `rlvr tasks validate` checks that it scores 1.0.
    # None for tasks with many right answers and no single gold (some reasoning-gym puzzles).
    gold: str | None = "\\boxed{{{answer}}}"
    train_split: str = "train"
    eval_split: str = "test"  # may equal train_split for eval-only sets (MATH-500, HumanEval)
    generation: Generation = Generation()

    @model_validator(mode="after")
    def _check(self) -> Task:
        keys = [v.key for v in self.verifiers]
        if len(set(keys)) != len(keys):
            raise ValueError(f"verifier keys must be unique (set `label`), got {keys}")
        unknown = _template_fields(self.gold or "") - _ROW_KEYS
        if unknown:
            raise ValueError(f"gold template uses unknown field(s) {sorted(unknown)}")
        mapped = self.source.kind in ("file", "hub") and self.reference_field in ("answer", "tests", "solution")
        if mapped and getattr(self.fields, self.reference_field) is None:
            raise ValueError(f"reference_field is {self.reference_field!r} but fields.{self.reference_field} "
                             f"maps no column")
        return self

    # -- construction ------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, origin: str = "task") -> Task:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise TaskError("\n  ".join([f"{origin}: invalid task definition", *field_errors(exc)])) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> Task:
        path = Path(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TaskError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
        source = data.get("source")
        if isinstance(source, dict) and source.get("kind") == "file" and isinstance(source.get("paths"), dict):
            # Relative data paths are relative to the YAML file, so a task folder can move as a whole.
            source["paths"] = {split: p if not isinstance(p, str) or p.startswith("pkg://") or Path(p).is_absolute()
                               else str(path.parent / p) for split, p in source["paths"].items()}
        return cls.from_dict(data, origin=str(path))

    def with_overrides(self, **overrides: Any) -> Task:
        """A copy with nested overrides merged in (``source={"size": 10}`` keeps the other source keys)."""
        data = merge(self.model_dump(exclude_unset=False, mode="json"), overrides)
        return Task.from_dict(data, origin=f"task {self.name!r} with overrides {sorted(overrides)}")

    # -- the contract with the trainer ------------------------------------------------------

    def load(self, split: str | None = None, limit: int | None = None, seed: int | None = None) -> list[dict]:
        """Rows of ``split`` (default: the train split), at most ``limit``.

        ``seed`` reshuffles a procedural stream (default: the source's seed); rows
        are otherwise identical on every machine.
        """
        split = split or self.train_split
        holdout = self.eval_split if split != self.eval_split else None
        return load_rows(self.source, self.fields, split, limit=limit, seed=seed, holdout_split=holdout,
                         task_name=self.name)

    def build_messages(self, row: dict[str, Any]) -> list[dict[str, str]]:
        messages = [{"role": "system", "content": self.prompt.system}] if self.prompt.system else []
        for shot in self.prompt.few_shot:
            messages.append({"role": "user", "content": self.prompt.user.format_map(_Row(question=shot.question))})
            messages.append({"role": "assistant", "content": shot.response})
        messages.append({"role": "user", "content": self.prompt.user.format_map(_Row(row))})
        return messages

    def reference(self, row: dict[str, Any]) -> Any:
        try:
            return row[self.reference_field]
        except KeyError:
            raise KeyError(f"task {self.name!r}: row {row.get('id')!r} has no {self.reference_field!r} "
                           f"(reference_field); it has {sorted(row)}") from None

    def verifier(self) -> Verifier:
        """A picklable ``WeightedSum`` of the task's verifiers; details hold each one's Score under its key."""
        return build_verifier(self.verifiers)

    def score(self, completion: str, row: dict[str, Any]) -> Score:
        return self.verifier()(completion, self.reference(row))

    def gold_completion(self, row: dict[str, Any]) -> str:
        if self.gold is None:
            raise ValueError(f"task {self.name!r} has no gold completion template")
        return self.gold.format_map(_Row(row))


def build_verifier(specs: list[VerifierSpec]) -> WeightedSum:
    """The weighted sum of registered verifiers that ``specs`` describe; it carries ``specs`` as its
    ``spec`` so that it can be rebuilt in another process or on a server."""
    return WeightedSum(components=[(v.key, get_verifier(v.name, **v.params), v.weight) for v in specs],
                       spec=tuple(v.model_dump(mode="json") for v in specs))


class _Row(dict):
    """Formatting view of a row: a missing field is an error that names it."""

    def __missing__(self, key: str) -> Any:
        raise KeyError(f"the template needs {key!r}, which this row does not have (it has {sorted(self)})")
