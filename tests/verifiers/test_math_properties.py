"""Properties of MathVerifier: equal values written differently match, nothing makes it raise,
and it runs under verify_batch's process deadlines."""

from __future__ import annotations

import json
import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr.verifiers import MathVerifier, Status, verify_batch

V = MathVerifier()
CASES = Path(__file__).parents[2] / "benchmarks" / "data" / "math_cases.jsonl"


def four_ways(value: Fraction) -> list[str]:
    """The same rational as a LaTeX fraction, a plain fraction, an unreduced fraction and a mixed form."""
    sign = "-" if value < 0 else ""
    n, d = abs(value.numerator), value.denominator
    return [
        f"{sign}\\frac{{{n}}}{{{d}}}",
        f"{sign}{n}/{d}",
        f"{sign}\\dfrac{{{3 * n}}}{{{3 * d}}}",
        f"{sign}({n // d} + \\frac{{{n % d}}}{{{d}}})",
    ]


@settings(max_examples=150, deadline=None)
@given(st.fractions(max_denominator=10**6).filter(lambda f: abs(f) < 10**9))
def test_a_rational_written_four_ways_equals_itself(value: Fraction) -> None:
    forms = four_ways(value)
    for gold in forms:
        for answer in forms:
            score = V(f"so \\boxed{{{answer}}}", gold)
            assert score.correct, (answer, gold, score)


@settings(max_examples=150, deadline=None)
@given(st.fractions(max_denominator=1000).filter(lambda f: abs(f) < 10**6), st.integers(1, 10**6))
def test_a_different_rational_never_matches(value: Fraction, delta: int) -> None:
    other = value + Fraction(1, delta)
    assert V(f"\\boxed{{{other.numerator}/{other.denominator}}}", f"{value.numerator}/{value.denominator}").value == 0


_ALPHABET = st.sampled_from([*"0123456789+-*/^()[]{}\\,.=<>!%$ abcxyzeipqrt_|&;#*",
                             "\\frac", "\\sqrt", "\\boxed{", "\\left(", "\\right)", "\\pi", "\\infty",
                             "\\text{", "\\begin{pmatrix}", "\\end{pmatrix}", "\\\\", "²", "√", "½",
                             "The answer is ", "#### ", "**", "\n", "or", "\\{", "\\}", "e5", "!"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=40).map("".join), st.sampled_from(["7", "\\frac{1}{2}", "(1,2]", "x^2", "C"]))
def test_no_string_makes_the_verifier_raise_or_hang(completion: str, gold: str) -> None:
    start = time.perf_counter()
    score = V(completion, gold)  # returns, never raises
    assert score.status is not Status.ERROR, score
    assert time.perf_counter() - start < 0.5


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_errors(completion: str) -> None:
    assert V(completion, "42").status is not Status.ERROR


def test_every_gold_in_the_benchmark_scores_one_against_itself() -> None:
    golds = {json.loads(line)["gold"] for line in CASES.read_text(encoding="utf-8").splitlines()}
    failures = [g for g in golds if not V(f"\\boxed{{{g}}}", g).correct]
    assert failures == []


@pytest.mark.slow
def test_pathological_answers_finish_far_inside_the_batch_deadline() -> None:
    completions = ["\\boxed{9^9^9^9}", "\\boxed{10^{10^{10}}}", "\\boxed{1000!}", "\\boxed{" + "(" * 30 + "1" + ")" * 30 + "}",
                   "x" * 200_000, "\\boxed{" + "{" * 5000 + "}" * 5000 + "}", "\\boxed{1}"]
    start = time.perf_counter()
    scores = verify_batch(V, completions, ["1"] * len(completions), timeout_s=2.0, workers=2)
    assert time.perf_counter() - start < 2.5
    # 5000 nested braces: an answer over MAX_ANSWER_CHARS is refused before any parsing.
    assert [s.status for s in scores] == [Status.PARSE_ERROR, Status.OK, Status.OK, Status.OK, Status.NO_ANSWER,
                                          Status.PARSE_ERROR, Status.OK]
    assert [s.value for s in scores] == [0, 0, 0, 1, 0, 0, 1]
