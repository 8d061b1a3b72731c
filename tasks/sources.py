"""Where a task's rows come from, and how source records become rows.

Four kinds of source, told apart by ``kind``:

- ``file``: local JSONL / JSON / CSV / Parquet, one path per split.
- ``hub``: a Hugging Face dataset id with config, one hub split per split
  (``datasets.load_dataset``; needs the ``train`` extra and network or a warm
  HF cache).
- ``procedural``: a registered generator (``rlvr.tasks.procedural``), row i of
  split s made from its own RNG seeded by (generator, seed, split, i), so it is
  the same on every machine and independent of how many rows are loaded.
- ``reasoning_gym``: any reasoning-gym dataset; the train and eval splits use
  different seeds.

Row ids are ``<task>/<split>/<index>`` unless ``fields.id`` names an id column.
``file`` and ``hub`` records go through the same mapping (``FieldMap``), so a
local fixture in the hub's schema exercises exactly the code a hub user runs.
For procedural and reasoning-gym sources the train split skips any question
that also appears in the eval split's first ``eval_size`` rows, so held-out
accuracy is measured on questions never trained on.
"""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import json
import random
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .procedural import generator_params, get_generator

if TYPE_CHECKING:
    from .task import FieldMap


class SourceUnavailableError(RuntimeError):
    """The source exists but cannot be reached from here (no network, no Hub access)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileSource(_Strict):
    kind: Literal["file"] = "file"
    # split -> path (.jsonl, .jsonl.gz, .json, .csv, .parquet), relative to the working directory
    # (to the YAML file's folder in Task.from_yaml), or "pkg://<package>/<path>" inside an installed package.
    paths: dict[str, str]


class HubSource(_Strict):
    kind: Literal["hub"] = "hub"
    dataset: str  # e.g. "openai/gsm8k"
    config: str | None = None
    splits: dict[str, str] = {}  # our split -> the hub's split name; default the same name
    revision: str | None = None


class ProceduralSource(_Strict):
    kind: Literal["procedural"] = "procedural"
    generator: str
    params: dict[str, Any] = {}
    seed: int = 0
    size: int = Field(100_000, ge=1)  # rows available per split
    eval_size: int = Field(500, ge=1)  # rows of the eval split the train split avoids

    @model_validator(mode="after")
    def _valid_params(self) -> ProceduralSource:
        get_generator(self.generator)  # unknown name: an error listing the known ones
        generator_params(self.generator, self.params)  # bad knob: an error naming it
        return self


class ReasoningGymSource(_Strict):
    kind: Literal["reasoning_gym"] = "reasoning_gym"
    dataset: str
    config: dict[str, Any] = {}
    seed: int = 0
    size: int = Field(1000, ge=1)
    eval_size: int = Field(200, ge=1)


Source = Annotated[FileSource | HubSource | ProceduralSource | ReasoningGymSource, Field(discriminator="kind")]


def load_rows(
    source: Any, fields: FieldMap, split: str, *, limit: int | None, seed: int | None, holdout_split: str | None,
    task_name: str = "task",
) -> list[dict[str, Any]]:
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if isinstance(source, ProceduralSource):
        return _procedural_rows(source, split, limit, seed, holdout_split, task_name)
    if isinstance(source, ReasoningGymSource):
        return _reasoning_gym_rows(source, split, limit, seed, holdout_split, task_name)
    records = _file_records(source, split) if isinstance(source, FileSource) else _hub_records(source, split)
    if limit is not None:
        records = records[:limit]
    return [map_record(r, fields, f"{task_name}/{split}/{i}") for i, r in enumerate(records)]


def map_record(record: dict[str, Any], fields: FieldMap, default_id: str) -> dict[str, Any]:
    """One source record -> a row with ``id``, ``question``, ``answer`` (and ``tests``, ``solution``)."""
    row: dict[str, Any] = {"id": default_id}
    for key in ("id", "question", "answer", "tests", "solution"):
        column = getattr(fields, key)
        if column is None:
            continue
        try:
            if key == "id":
                row["id"] = str(record[column])
                continue
            if isinstance(column, dict):
                row[key] = {k: record[c] for k, c in column.items()}
            elif isinstance(column, list):
                row[key] = {c: record[c] for c in column}
            else:
                row[key] = record[column]
        except KeyError as exc:
            raise KeyError(f"fields.{key}: column {exc.args[0]!r} not in the source; it has {sorted(record)}") from None
    if fields.answer_regex and "answer" in row:
        match = re.search(fields.answer_regex, str(row["answer"]), flags=re.DOTALL)
        if match is None:
            raise ValueError(f"row {row['id']}: fields.answer_regex {fields.answer_regex!r} does not match "
                             f"the answer {str(row['answer'])[-200:]!r}")
        row["answer"] = match.group(1).strip()
    return row


def _file_records(source: FileSource, split: str) -> list[dict[str, Any]]:
    if split not in source.paths:
        raise KeyError(f"source.paths has no split {split!r}; it has {sorted(source.paths)}")
    path = resolve_path(source.paths[split])
    if not path.is_file():
        raise FileNotFoundError(f"source.paths.{split}: {path} does not exist")
    suffix = "".join(path.suffixes[-2:]).lower() if path.name.endswith(".gz") else path.suffix.lower()
    if suffix in (".jsonl", ".jsonl.gz"):
        with (gzip.open if suffix.endswith(".gz") else open)(path, "rt", encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON list of objects")
        return data
    if suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    raise ValueError(f"source.paths.{split}: {path}: unsupported file type {suffix!r} (jsonl, json, csv, parquet)")


def resolve_path(spec: str) -> Path:
    """A local path, or ``pkg://package/inner/path`` inside an installed package."""
    if not spec.startswith("pkg://"):
        return Path(spec).expanduser()
    package, _, inner = spec.removeprefix("pkg://").partition("/")
    try:
        return Path(str(importlib.resources.files(package).joinpath(inner)))
    except ModuleNotFoundError as exc:
        raise FileNotFoundError(f"{spec}: package {package!r} is not installed") from exc


def _hub_records(source: HubSource, split: str) -> list[dict[str, Any]]:
    try:
        import datasets
    except ImportError as exc:
        raise ImportError("hub tasks need the `datasets` package: pip install 'rlvr[train]'") from exc
    hub_split = source.splits.get(split, split)
    try:
        data = datasets.load_dataset(source.dataset, source.config, split=hub_split, revision=source.revision)
    except Exception as exc:  # offline, gated, renamed: one error type the caller can report
        local = f"{{kind: file, paths: {{{split}: FILE.jsonl}}}}"
        raise SourceUnavailableError(
            f"could not load {source.dataset!r} split {hub_split!r} from the Hugging Face Hub: "
            f"{type(exc).__name__}: {str(exc)[:300]}\nWithout the Hub, point the task at a local copy in the "
            f"Hub's columns: set its source to `{local}` (in a copy of its YAML, or "
            f"get_task(name, source=...))") from exc
    return [dict(r) for r in data]


def _procedural_rows(
    source: ProceduralSource, split: str, limit: int | None, seed: int | None, holdout_split: str | None,
    task_name: str,
) -> list[dict[str, Any]]:
    generate = get_generator(source.generator)
    params = generator_params(source.generator, source.params)
    seed = source.seed if seed is None else seed

    def row(s: str, i: int) -> dict[str, Any]:
        rng = random.Random(f"{source.generator}:{seed}:{s}:{i}")
        return {"id": f"{task_name}/{s}/{i}", **generate(rng, params)}

    avoid = {row(holdout_split, i)["question"] for i in range(source.eval_size)} if holdout_split else set()
    wanted = source.size if limit is None else min(limit, source.size)
    rows: list[dict[str, Any]] = []
    for i in range(source.size):
        if len(rows) >= wanted:
            break
        r = row(split, i)
        if r["question"] not in avoid:
            rows.append(r)
    return rows


def _reasoning_gym_rows(
    source: ReasoningGymSource, split: str, limit: int | None, seed: int | None, holdout_split: str | None,
    task_name: str,
) -> list[dict[str, Any]]:
    import reasoning_gym

    base = source.seed if seed is None else seed

    def dataset(s: str, n: int) -> Any:  # items are generated lazily, one per index
        split_seed = random.Random(f"reasoning_gym:{base}:{s}").getrandbits(32)
        return reasoning_gym.create_dataset(source.dataset, seed=split_seed, size=n, **source.config)

    avoid: set[str] = set()
    if holdout_split:
        held = dataset(holdout_split, source.eval_size)
        avoid = {held[i]["question"] for i in range(source.eval_size)}
    wanted = source.size if limit is None else min(limit, source.size)
    data = dataset(split, source.size)
    rows: list[dict[str, Any]] = []
    for i in range(source.size):
        if len(rows) >= wanted:
            break
        entry = data[i]
        if entry["question"] not in avoid:
            rows.append({"id": f"{task_name}/{split}/{i}", "question": entry["question"],
                         "answer": str(entry["answer"]), "entry": entry})
    return rows
