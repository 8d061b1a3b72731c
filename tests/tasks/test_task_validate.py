"""`validate_task` on every offline built-in (gold answers score 1.0), and on broken tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.tasks import Task, available_tasks, get_suite, get_task, register_task
from rlvr.tasks.validate import validate_task
from rlvr.verifiers import VerifierPool

DATA = Path(__file__).parent / "data"
OFFLINE_BUILTINS = ["arithmetic", "countdown"]
# A spread of reasoning-gym families; all 106 datasets were checked by hand (see benchmarks/README.md).
REASONING_GYM = ["leg_counting", "chain_sum", "basic_arithmetic", "word_sorting", "spell_backward",
                 "gcd", "propositional_logic"]


@pytest.fixture(scope="module")
def pool():
    with VerifierPool(workers=2) as p:
        yield p


def test_the_lists_cover_every_offline_builtin():
    procedural = {n for n in available_tasks() if get_task(n).source.kind == "procedural"}
    assert procedural == set(OFFLINE_BUILTINS)
    smoke = {e.task for e in get_suite("offline-smoke").tasks}
    assert smoke <= set(OFFLINE_BUILTINS) | {f"reasoning_gym:{n}" for n in REASONING_GYM}


@pytest.mark.parametrize("name", OFFLINE_BUILTINS + [f"reasoning_gym:{n}" for n in REASONING_GYM])
def test_offline_builtin_golds_score_one(name, pool):
    pytest.importorskip("rlvr.verifiers.math_verifier")
    report = validate_task(get_task(name), limit=10, pool=pool)
    assert report.status == "ok", report.problems
    if name == "reasoning_gym:propositional_logic":  # many right answers: no gold template
        assert report.rows_checked == 0 and report.notes
    else:
        assert report.rows_checked == 20  # 10 train + 10 eval rows


@pytest.mark.parametrize(("name", "paths"), [
    ("gsm8k", {"train": str(DATA / "gsm8k_test.jsonl"), "test": str(DATA / "gsm8k_test.jsonl")}),
    ("math500", {"test": str(DATA / "math500_test.jsonl")}),
])
def test_hub_builtins_validate_on_their_local_fixtures(name, paths, pool):
    pytest.importorskip("rlvr.verifiers.math_verifier")
    report = validate_task(get_task(name, source={"kind": "file", "paths": paths}), limit=20, pool=pool)
    assert report.status == "ok", report.problems
    assert report.rows_checked == (24 if name == "gsm8k" else 12)


@pytest.mark.docker
@pytest.mark.slow
def test_humaneval_golds_pass_in_the_sandbox(pool):
    report = validate_task(get_task("humaneval"), limit=8, pool=pool, timeout_s=60)
    assert report.status == "ok", report.problems
    assert report.rows_checked == 8  # train and eval split are the same 164 problems


def test_a_wrong_reference_fails_and_names_the_rows(pool):
    task = get_task("arithmetic", verifiers=[{"name": "exact", "params": {"extract": r"\\boxed\{([^}]*)\}"}}],
                    gold="\\boxed{{{question}}}")
    report = validate_task(task, limit=3, pool=pool)
    assert report.status == "failed"
    assert len(report.problems) == 6 and report.problems[0].startswith("row arithmetic/train/0: gold scored 0.000")


def test_a_template_field_missing_from_rows_fails(pool, tmp_path):
    report = validate_task(get_task("arithmetic", gold="{solution}"), limit=2, pool=pool)
    assert report.status == "failed"
    assert report.problems[0].startswith("row arithmetic/train/0: \"the template needs 'solution'")
    path = tmp_path / "rows.jsonl"
    path.write_text('{"question": "q", "answer": "1"}\n')
    report = validate_task(get_task("math500", source={"kind": "file", "paths": {"test": str(path)}}), pool=pool)
    assert report.status == "failed" and "fields.id: column 'unique_id' not in the source" in report.problems[0]


def test_unreachable_sources_are_unavailable_not_failed(pool, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("offline")))
    report = validate_task(get_task("gsm8k"), pool=pool)
    assert report.status == "unavailable" and "ConnectionError: offline" in report.problems[0]


def test_registered_python_task_is_validated_like_a_builtin(pool):
    task = Task.from_dict({
        "name": "python_defined", "source": {"kind": "procedural", "generator": "arithmetic", "size": 50},
        "verifiers": [{"name": "exact", "params": {"extract": r"<answer>(.*?)</answer>"}}],
        "gold": "<answer>{answer}</answer>",
    })
    register_task(task)
    assert "python_defined" in available_tasks()
    assert validate_task(get_task("python_defined"), limit=5, pool=pool).status == "ok"
    with pytest.raises(ValueError, match="already taken"):
        register_task(task)
