"""The evaluation library with a scripted generator (the Generator seam's test fake):
metrics from known completions, lm-eval-shaped files, and scoring completions made elsewhere."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import pytest

from rlvr.evals.completions import read_completions
from rlvr.evals.evaluate import evaluate_task, score_rows
from rlvr.evals.generation import Completion, FunctionGenerator, Generator, Messages, SamplingParams
from rlvr.evals.results import write_results
from rlvr.tasks import get_task
from rlvr.verifiers import VerifierPool

BOXED_EXACT = [{"name": "exact", "params": {"extract": r"\\boxed\{([^}]*)\}"}}]


class ScriptedGenerator:
    """Answers row i's j-th sample from a script: right, wrong, or no answer."""

    def __init__(self, script: dict[str, list[str]]) -> None:
        self.script, self.calls = script, []

    def generate(self, conversations: Sequence[Messages], params: SamplingParams) -> list[list[Completion]]:
        self.calls.append((len(conversations), params))
        out = []
        for messages in conversations:
            a, b = messages[-1]["content"].removeprefix("What is ").removesuffix("?").split(" + ")
            right = int(a) + int(b)
            kinds = self.script.get(messages[-1]["content"], ["right"] * params.n)
            texts = {"right": f"\\boxed{{{right}}}", "wrong": f"\\boxed{{{right + 1}}}", "none": "I don't know"}
            out.append([Completion(texts[k], [1, 2, 3], finished=k != "none") for k in kinds[: params.n]])
        return out


@pytest.fixture(scope="module")
def pool():
    with VerifierPool(workers=2) as p:
        yield p


def test_metrics_from_scripted_completions(pool):
    task = get_task("arithmetic", verifiers=BOXED_EXACT)
    rows = task.load(split="test", limit=3)
    script = {rows[0]["question"]: ["right", "wrong", "right", "none"],
              rows[1]["question"]: ["wrong", "wrong", "wrong", "wrong"],
              rows[2]["question"]: ["right", "right", "right", "right"]}
    generator = ScriptedGenerator(script)
    assert isinstance(generator, Generator)
    progress = []
    result = evaluate_task(task, generator, limit=3, samples_per_prompt=4, pool=pool, batch_rows=2,
                           progress=progress.append)
    m = result.metrics
    assert progress == [2, 1] and [c[0] for c in generator.calls] == [2, 1]
    assert generator.calls[0][1] == SamplingParams(n=4, max_new_tokens=64, temperature=0.6, top_p=0.95)
    assert m["prompts"] == 3 and m["samples"] == 12
    assert m["mean_reward"] == pytest.approx(6 / 12)
    assert m["pass@1"] == pytest.approx((2 / 4 + 0 + 1) / 3)
    assert m["pass@4"] == pytest.approx((1 + 0 + 1) / 3)
    row0_pass2 = 1 - math.comb(2, 2) / math.comb(4, 2)
    assert m["pass@2"] == pytest.approx((row0_pass2 + 0 + 1) / 3)
    assert m["maj@4"] == pytest.approx((1 + 0 + 1) / 3)  # row 0: right x2 beats wrong x1
    assert m["status"] == {"ok": 11, "no_answer": 1}  # the answer checker's status, not the composite's
    assert m["clipped"] == 1
    sample = result.samples[3]
    assert (sample["id"], sample["sample"], sample["completion"]) == (rows[0]["id"], 3, "I don't know")
    assert sample["score"]["value"] == 0.0 and sample["reference"] == rows[0]["answer"]


def test_function_generator_wraps_a_rule_based_baseline(pool):
    task = get_task("arithmetic", verifiers=BOXED_EXACT)

    def solve(messages, sample_index):  # parses the question: always right on sample 0, off by one after
        a, b = messages[-1]["content"].removeprefix("What is ").removesuffix("?").split(" + ")
        return f"\\boxed{{{int(a) + int(b) + sample_index}}}"

    result = evaluate_task(task, FunctionGenerator(solve), limit=6, samples_per_prompt=3, pool=pool)
    assert result.metrics["pass@1"] == pytest.approx(1 / 3) and result.metrics["pass@3"] == 1.0
    assert result.metrics["maj@2"] == 1.0  # 1-1 tie: the first answer seen (the right one) wins


def test_greedy_by_default_and_a_plain_function_works_as_generator(pool):
    task = get_task("arithmetic", verifiers=BOXED_EXACT)
    seen = []

    def generate(conversations, params):
        seen.append(params)
        return [["\\boxed{0}"] * params.n for _ in conversations]  # plain strings are accepted

    result = evaluate_task(task, generate, limit=5, pool=pool)
    assert seen[0].temperature == 0.0 and seen[0].n == 1
    assert result.metrics["pass@1"] == 0.0 and result.metrics["samples"] == 5
    with pytest.raises(ValueError, match="returned"):
        evaluate_task(task, lambda c, p: [["x"]], limit=2, pool=pool)


def test_results_files_are_lm_eval_shaped_and_samples_round_trip(pool, tmp_path):
    task = get_task("arithmetic", verifiers=BOXED_EXACT)
    rows = task.load(split="test", limit=4)
    generator = ScriptedGenerator({rows[1]["question"]: ["wrong", "right"]})
    result = evaluate_task(task, generator, limit=4, samples_per_prompt=2, pool=pool)
    results_path, [samples_path] = write_results(tmp_path, [result], [task], {"model": "scripted"}, 0.0)
    doc = json.loads(results_path.read_text())
    assert doc["results"]["arithmetic"]["pass@1"] == pytest.approx(7 / 8)
    assert doc["configs"]["arithmetic"]["source"]["generator"] == "arithmetic"
    assert doc["config"] == {"model": "scripted"}
    assert doc["versions"]["rlvr"] and "pydantic" in doc["versions"]
    assert doc["git_hash"] is None or len(doc["git_hash"]) == 40
    assert samples_path.name.startswith("samples_arithmetic_")
    # The samples file is itself a completions file: rescoring gives the same metrics.
    rows_back, completions = read_completions(samples_path, task, limit=4)
    again = score_rows(task, rows_back, completions, pool=pool, timeout_s=5, ks=(2,))
    assert {k: v for k, v in again.metrics.items() if k != "clipped"} == \
        {k: v for k, v in result.metrics.items() if k != "clipped"}


def test_read_completions_rejects_bad_files(tmp_path):
    task = get_task("arithmetic")
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "arithmetic/test/999", "completion": "x"}) + "\n")
    with pytest.raises(ValueError, match=r"1 id\(s\) not in 'arithmetic'"):
        read_completions(path, task, limit=10)
    path.write_text(json.dumps({"id": "arithmetic/test/0", "completion": "x"}) + "\n"
                    + json.dumps({"id": "arithmetic/test/0", "completion": "y"}) + "\n"
                    + json.dumps({"id": "arithmetic/test/1", "completion": "z"}) + "\n")
    with pytest.raises(ValueError, match="same number of completions"):
        read_completions(path, task, limit=10)
    path.write_text(json.dumps({"id": "arithmetic/test/0"}) + "\n")
    with pytest.raises(ValueError, match=r":1: missing field\(s\): completion"):
        read_completions(path, task)


def test_read_completions_without_limit_loads_only_up_to_the_last_id(tmp_path):
    task = get_task("arithmetic")
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": f"arithmetic/test/{i}", "completion": "x"}) + "\n" for i in (4, 1)))
    rows, completions = read_completions(path, task)
    assert [r["id"] for r in rows] == ["arithmetic/test/1", "arithmetic/test/4"]  # the task's row order
    assert rows[1] == task.load(split="test", limit=5)[4] and len(completions) == 2
