"""`rlvr tasks ...` and `rlvr eval` through the real CLI (the model test loads the default model)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rlvr.cli.main import app
from rlvr.tasks import get_task

runner = CliRunner()


def test_tasks_ls_lists_tasks_and_suites():
    result = runner.invoke(app, ["tasks", "ls"])
    assert result.exit_code == 0, result.output
    for name in ("arithmetic", "countdown", "gsm8k", "math500", "humaneval", "offline-smoke", "math", "code"):
        assert name in result.output


def test_tasks_show_prints_definition_messages_and_gold():
    result = runner.invoke(app, ["tasks", "show", "arithmetic"])
    assert result.exit_code == 0, result.output
    assert "generator: arithmetic" in result.output
    row = get_task("arithmetic").load(split="test", limit=1)[0]
    assert row["question"] in result.output
    assert f"The answer is \\boxed{{{row['answer']}}}." in result.output
    unknown = runner.invoke(app, ["tasks", "show", "arithmetc"])
    assert unknown.exit_code == 2 and "Did you mean 'arithmetic'" in unknown.output


def test_tasks_validate_passes_builtins_and_fails_a_broken_file(tmp_path):
    result = runner.invoke(app, ["tasks", "validate", "arithmetic", "countdown", "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.count(" ok ") >= 2
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "name: broken\nsource: {kind: procedural, generator: arithmetic}\n"
        "verifiers: [{name: exact, params: {extract: 'ANSWER: (.*)'}}]\n")  # the default gold is \boxed{}
    result = runner.invoke(app, ["tasks", "validate", "--file", str(broken), "--limit", "2"])
    assert result.exit_code == 1
    assert "failed" in result.output and "broken: row broken/train/0: gold scored 0.000 (no_answer)" in result.output
    typo = tmp_path / "typo.yaml"
    typo.write_text("name: t\nsource: {kind: procedural, generator: arithmetic}\nverifers: []\n")
    result = runner.invoke(app, ["tasks", "validate", "--file", str(typo)])
    assert result.exit_code == 2 and "verifers" in result.output


def test_export_then_eval_completions_scores_them_without_a_model(tmp_path):
    prompts = tmp_path / "prompts.jsonl"
    assert runner.invoke(app, ["tasks", "export", "arithmetic", "--out", str(prompts), "--limit", "3"]).exit_code == 0
    lines = [json.loads(line) for line in prompts.read_text().splitlines()]
    assert [m["role"] for m in lines[0]["messages"]] == ["system", "user", "assistant", "user"]
    # "Generated elsewhere": right, wrong, right.
    answers = [int(x["reference"]) + (i == 1) for i, x in enumerate(lines)]
    completions = tmp_path / "completions.jsonl"
    completions.write_text("".join(json.dumps({"id": x["id"], "completion": f"So \\boxed{{{a}}}."}) + "\n"
                                   for x, a in zip(lines, answers, strict=True)))
    out = tmp_path / "results"
    result = runner.invoke(app, ["eval", "--task", "arithmetic", "--completions", str(completions), "--limit", "3",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(next(out.glob("results_*.json")).read_text())
    assert doc["results"]["arithmetic"]["pass@1"] == pytest.approx(2 / 3)
    assert doc["results"]["arithmetic"]["status"] == {"ok": 3}
    assert len(next(out.glob("samples_arithmetic_*.jsonl")).read_text().splitlines()) == 3


def test_eval_of_an_unreachable_hub_task_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    data = tmp_path / "c.jsonl"
    data.write_text('{"id": "x", "completion": "1"}\n')
    result = runner.invoke(app, ["eval", "--suite", "math", "--completions", str(data), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "could not load 'openai/gsm8k'" in result.output and "set its source to `{kind: file, paths: {test: FILE.jsonl}}`" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback


def test_eval_needs_exactly_one_of_task_and_suite():
    assert runner.invoke(app, ["eval"]).exit_code == 2
    assert runner.invoke(app, ["eval", "--task", "arithmetic", "--suite", "offline-smoke"]).exit_code == 2
    result = runner.invoke(app, ["eval", "--suite", "nope"])
    assert result.exit_code == 2 and "unknown suite" in result.output


@pytest.mark.model
@pytest.mark.slow
def test_eval_default_model_on_two_rows(tmp_path):
    result = runner.invoke(app, ["eval", "--task", "arithmetic", "--limit", "2", "--samples-per-prompt", "2",
                                 "--max-new-tokens", "24", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = json.loads(next(tmp_path.glob("results_*.json")).read_text())
    m = doc["results"]["arithmetic"]
    assert m["prompts"] == 2 and m["samples"] == 4
    assert set(m) >= {"mean_reward", "pass@1", "pass@2", "maj@2", "status", "clipped"}
    assert doc["config"]["model"] == "HuggingFaceTB/SmolLM2-135M-Instruct" and doc["versions"]["torch"]
    samples = [json.loads(x) for x in next(tmp_path.glob("samples_arithmetic_*.jsonl")).read_text().splitlines()]
    assert len(samples) == 4 and all(0 < s["num_tokens"] <= 24 for s in samples)
    assert all(s["completion"] for s in samples)


def test_eval_with_verifier_workers_that_cannot_start_stops_with_the_cause(tmp_path, unimportable_verifier,
                                                                          monkeypatch):
    from rlvr.tasks import registry
    from rlvr.verifiers import register_verifier

    register_verifier("unimportable_for_eval_cli")(type(unimportable_verifier))
    task = get_task("arithmetic", name="unimportable_eval", verifiers=[{"name": "unimportable_for_eval_cli"}])
    monkeypatch.setitem(registry._REGISTERED, task.name, task)  # registered for this test only
    data = tmp_path / "c.jsonl"
    data.write_text("".join(json.dumps({"id": r["id"], "completion": "1"}) + "\n"
                            for r in task.load(split=task.eval_split, limit=2)))
    result = runner.invoke(app, ["eval", "--task", "unimportable_eval", "--completions", str(data),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "WeightedSum: a verifier worker cannot load the verifier" in result.output
    assert "ImportError: worker_unimportable needs the parent's set-up" in result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert not (tmp_path / "out").exists()  # no results of zeros
