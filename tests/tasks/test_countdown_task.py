"""Countdown: safe expression parsing, the verifier's verdicts, and solvable generated rows."""

from __future__ import annotations

from fractions import Fraction

import pytest

from rlvr.tasks import get_task
from rlvr.tasks.countdown import CountdownVerifier
from rlvr.tasks.expressions import ExpressionError, safe_eval
from rlvr.verifiers import Status

REF = {"numbers": [3, 7, 25, 50], "target": 100}


@pytest.mark.parametrize(("text", "value"), [
    ("1 + 2 * 3", Fraction(7)), ("(1 + 2) * 3", Fraction(9)), ("7 / 2", Fraction(7, 2)),
    ("-3 + 10", Fraction(7)), ("6 × 7", Fraction(42)), ("8 ÷ 4 − 1", Fraction(1)),
])
def test_safe_eval_values(text, value):
    assert safe_eval(text) == value


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "2 ** 1000000", "open('x')", "1.5 + 1", "x + 1", "1 / 0", "", "1 +",
    "(" * 150 + "1" + ")" * 150, "9" * 300, "+".join(["1"] * 90), "[1, 2]", "lambda: 1",
])
def test_safe_eval_refuses_everything_else(text):
    with pytest.raises(ExpressionError):
        safe_eval(text)


@pytest.mark.parametrize(("completion", "value", "status"), [
    ("<answer>(25 + 50) + 3 * 7 + 4</answer>", 0.0, Status.OK),  # 4 is not given
    ("<think>t</think><answer>50 * (3 - 7 / 25) - 36</answer>", 0.0, Status.OK),  # 36 not given
    ("<answer>(7 - 3) * 25 + 50 - 50</answer>", 0.0, Status.OK),  # 50 used twice
    ("<answer>50 + 25 + 7 * 3</answer>", 0.0, Status.OK),  # 96: right numbers, wrong value
    ("<answer>50 * 3 - 25 - 7 * 3 - 4</answer>", 0.0, Status.OK),
    ("<answer>(50 - 25) * (7 - 3)</answer>", 1.0, Status.OK),  # 100
    ("<answer>(50 - 25) * (7 - 3) = 100</answer>", 1.0, Status.OK),
    ("first <answer>1</answer> then <answer>(7 - 3) * (50 - 25)</answer>", 1.0, Status.OK),
    ("no tags: (50 - 25) * (7 - 3)", 0.0, Status.NO_ANSWER),
    ("<answer>__import__('os').getcwd()</answer>", 0.0, Status.PARSE_ERROR),
    ("<answer>50 ** 25</answer>", 0.0, Status.PARSE_ERROR),
])
def test_countdown_verdicts(completion, value, status):
    score = CountdownVerifier()(completion, REF)
    assert (score.value, score.status) == (value, status)


def test_generated_rows_are_solvable_and_gold_scores_one():
    task = get_task("countdown")
    verifier = task.verifier()
    rows = task.load(limit=50)
    assert rows[0]["answer"] == {"numbers": [98, 29, 25, 33], "target": 119}  # pinned
    for row in rows:
        assert safe_eval(row["solution"]) == row["answer"]["target"]
        assert 1 <= row["answer"]["target"] <= 999 and len(row["answer"]["numbers"]) == 4
        score = verifier(task.gold_completion(row), task.reference(row))
        assert score.value == 1.0, (row, score)
        assert score.details["countdown"]["value"] == 1.0 and score.details["format"]["value"] == 1.0
    # TinyZero-style partial credit: a well-formed wrong answer earns the format weight only.
    wrong = verifier("<think>hm</think><answer>1 + 1</answer>", task.reference(rows[0]))
    assert wrong.value == pytest.approx(0.1)


def test_countdown_knobs():
    task = get_task("countdown", source={"params": {"numbers": 3, "max_number": 10, "operators": ["+"]}})
    for row in task.load(limit=20):
        assert len(row["answer"]["numbers"]) == 3 and max(row["answer"]["numbers"]) <= 10
        assert row["answer"]["target"] == sum(row["answer"]["numbers"])
