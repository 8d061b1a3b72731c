"""The Task contract the trainer relies on, on the built-in arithmetic task."""

from __future__ import annotations

import pickle
import sys

import pytest

from rlvr.tasks import Task, TaskError, UnknownTaskError, available_tasks, get_task
from rlvr.verifiers import Status

BOXED_EXACT = [{"name": "exact", "params": {"extract": r"\\boxed\{([^}]*)\}"}}]


def test_rows_are_stable_and_correct():
    task = get_task("arithmetic")
    rows = task.load(split="train", limit=5)
    # Row i of a split is a pure function of (generator, seed, split, i): pinned numbers.
    assert rows[0] == {"id": "arithmetic/train/0", "question": "What is 43 + 10?", "answer": "53"}
    assert rows[2] == {"id": "arithmetic/train/2", "question": "What is 25 + 95?", "answer": "120"}
    assert task.load(split="train", limit=3) == rows[:3]  # the limit does not change the rows
    for row in rows:
        a, b = row["question"].removeprefix("What is ").removesuffix("?").split(" + ")
        assert int(row["answer"]) == int(a) + int(b)
        assert int(a) < 100 and int(b) < 100
    assert len({r["id"] for r in task.load(limit=200)}) == 200


def test_train_never_contains_eval_questions():
    task = get_task("arithmetic", source={"eval_size": 300})
    held_out = {r["question"] for r in task.load(split=task.eval_split, limit=300)}
    train = task.load(split="train", limit=3000)
    assert len(train) == 3000
    assert not held_out & {r["question"] for r in train}
    assert len(task.load(split="train", limit=2000, seed=1)) == 2000
    assert task.load(split="train", limit=5, seed=1) != task.load(split="train", limit=5)


def test_messages_have_system_one_worked_example_and_the_question():
    task = get_task("arithmetic")
    row = task.load(limit=1)[0]
    messages = task.build_messages(row)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "\\boxed{42}" in messages[2]["content"]
    assert messages[-1]["content"] == row["question"]
    assert task.reference(row) == row["answer"]
    assert task.generation.max_new_tokens == 64
    assert task.verifiers[0].name == "math"


def test_difficulty_knobs():
    task = get_task("arithmetic", source={"params": {"digits": 3, "terms": 3, "operators": ["*"]}})
    for row in task.load(limit=20):
        factors = [int(x) for x in row["question"].removeprefix("What is ").removesuffix("?").split(" * ")]
        assert len(factors) == 3 and max(factors) < 1000
        assert int(row["answer"]) == factors[0] * factors[1] * factors[2]
    with pytest.raises(TaskError, match="digits"):
        get_task("arithmetic", source={"params": {"digits": 0}})
    with pytest.raises(TaskError, match="digitz"):
        get_task("arithmetic", source={"params": {"digitz": 3}})


def test_gold_scores_one_and_wrong_scores_zero_through_the_task_verifier():
    task = get_task("arithmetic", verifiers=BOXED_EXACT)
    rows = task.load(limit=10)
    verifier = pickle.loads(pickle.dumps(task.verifier()))  # it travels to worker processes
    for row in rows:
        gold = verifier(task.gold_completion(row), task.reference(row))
        assert gold.value == 1.0 and gold.status is Status.OK
        assert gold.details["exact"]["value"] == 1.0  # each component's Score under its name
        assert task.score(f"\\boxed{{{int(row['answer']) + 1}}}", row).value == 0.0
    assert task.score("no box here", rows[0]).details["exact"]["status"] == "no_answer"


def test_math_verifier_scores_gold_one():
    pytest.importorskip("rlvr.verifiers.math_verifier")
    task = get_task("arithmetic")
    for row in task.load(limit=10):
        assert task.score(task.gold_completion(row), row).value == 1.0
        assert task.score("The answer is \\boxed{-1}.", row).value == 0.0


def test_bad_definitions_name_the_field(tmp_path):
    good = get_task("arithmetic").model_dump(mode="json")
    with pytest.raises(TaskError, match=r"verifiers\.0\.weight"):
        Task.from_dict({**good, "verifiers": [{"name": "math", "weight": -1}]})
    with pytest.raises(TaskError, match="promt"):
        Task.from_dict({**good, "promt": {}})
    with pytest.raises(TaskError, match="unknown field"):
        Task.from_dict({**good, "prompt": {"user": "{questoin}"}})
    with pytest.raises(TaskError, match=r"verifiers\.0\.name: unknown verifier 'mathh'\. Did you mean 'math'"):
        Task.from_dict({**good, "verifiers": [{"name": "mathh"}]})
    twice = [{"name": "exact"}, {"name": "exact", "params": {"extract": None}}]
    with pytest.raises(TaskError, match=r"verifier keys must be unique \(set `label`\)"):
        Task.from_dict({**good, "verifiers": twice})
    labelled = Task.from_dict({**good, "verifiers": [twice[0], {**twice[1], "label": "whole"}]})  # as advised
    score = labelled.score("<answer>4</answer>", {"answer": "4"})
    assert (score.details["exact"]["value"], score.details["whole"]["value"]) == (1.0, 0.0)
    with pytest.raises(TaskError, match=r"reference_field is 'tests' but fields\.tests maps no column"):
        Task.from_dict({**good, "source": {"kind": "file", "paths": {}}, "reference_field": "tests"})
    with pytest.raises(TaskError, match="generator"):
        Task.from_dict({**good, "source": {"kind": "procedural", "generator": "nope"}})
    path = tmp_path / "t.yaml"
    path.write_text("name: x\nsource: {kind: file, paths: {}}\n")
    with pytest.raises(TaskError, match=rf"{path}.*\n  verifiers: Field required"):
        Task.from_yaml(path)


def test_registry_names_and_suggestions():
    assert "arithmetic" in available_tasks()
    with pytest.raises(UnknownTaskError, match="Did you mean 'arithmetic'"):
        get_task("arithmetc")


def test_entry_point_plugin_tasks_are_found(tmp_path, monkeypatch):
    # A fake installed distribution declaring an rlvr.tasks entry point (a factory returning a Task).
    (tmp_path / "mytasks_mod.py").write_text(
        "from rlvr.tasks import get_task\n"
        "def hard_sums():\n"
        "    return get_task('arithmetic', name='hard_sums', source={'params': {'digits': 5}})\n"
    )
    dist = tmp_path / "mytasks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mytasks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[rlvr.tasks]\nhard_sums = mytasks_mod:hard_sums\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "hard_sums" in available_tasks()
    task = get_task("hard_sums")
    assert task.name == "hard_sums" and task.load(limit=1)[0]["id"] == "hard_sums/train/0"
    operands = [int(x) for r in task.load(limit=50) for x in r["question"][8:-1].split(" + ")]
    assert max(operands) >= 10_000 and max(operands) < 100_000
    sys.modules.pop("mytasks_mod", None)


@pytest.mark.docker
def test_a_task_verifier_runs_the_sandbox_self_check_in_prepare(monkeypatch, tmp_path):
    """Task.verifier() wraps the code verifier in a WeightedSum; its prepare() must still run
    the sandbox self-check here, in the calling process, not inside a worker's deadline."""
    import rlvr.sandbox.abuse as abuse
    import rlvr.verifiers.code as code_module

    monkeypatch.setenv("RLVR_CACHE", str(tmp_path))  # no recorded pass: the check really runs
    monkeypatch.setattr(code_module, "_CHECKED", {})
    ran: list[str] = []
    real = abuse.run_abuse_suite
    monkeypatch.setattr(abuse, "CASES", [c for c in abuse.CASES if c.name == "network"])
    monkeypatch.setattr(abuse, "run_abuse_suite", lambda config: ran.append("suite") or real(config))
    verifier = get_task("humaneval").verifier()
    assert verifier.prepare() == []
    assert ran == ["suite"] and list(code_module._CHECKED.values()) == [[]]
