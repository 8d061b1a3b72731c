"""The second outside red team's breaks of MathVerifier's reading and comparison side (issue 10, round 2),
each run through ``MathVerifier()``: wrong answers that scored 1.0, right ones that scored 0, a slow gold."""

from __future__ import annotations

import time

import pytest

from rlvr.verifiers import MathVerifier, Status

V = MathVerifier()

_ROOTS = "\\frac{-1+\\sqrt5}{2}, \\frac{-1-\\sqrt5}{2}"


@pytest.mark.parametrize(("completion", "gold"), [
    # ± is the list of both values, inside a fraction too, and either side may be the gold (very common in MATH)
    ("$\\boxed{\\frac{-1 \\pm \\sqrt{5}}{2}}$", _ROOTS), ("$\\boxed{" + _ROOTS + "}$", "\\frac{-1 \\pm \\sqrt{5}}{2}"),
    ("$\\boxed{x = \\frac{3\\pm\\sqrt5}{2}}$", "\\frac{3+\\sqrt5}{2}, \\frac{3-\\sqrt5}{2}"),
    ("$\\boxed{\\frac{-3\\pm i\\sqrt7}{4}}$", "\\frac{-3+i\\sqrt7}{4}, \\frac{-3-i\\sqrt7}{4}"),
    ("$\\boxed{\\frac{-3-i\\sqrt7}{4}, \\frac{-3+i\\sqrt7}{4}}$", "\\frac{-3 \\pm i\\sqrt{7}}{4}"),
    ("$\\boxed{1 \\pm \\sqrt{2}}$", "x = 1 \\pm \\sqrt 2"), ("$\\boxed{x = \\pm 3}$", "-3, 3"),
    # inverse trigonometric notation, degrees, binomials
    ("$\\boxed{\\sin^{-1}(1/2)}$", "\\frac{\\pi}{6}"), ("$\\boxed{\\tan^{-1}(1)}$", "\\frac\\pi4"),
    ("$\\boxed{\\cos^{-1} 0}$", "\\frac\\pi2"), ("$\\boxed{\\sin⁻¹(1)}$", "\\frac\\pi2"),
    ("$\\boxed{\\sin 30^\\circ}$", "\\frac12"), ("$\\boxed{\\cos(60^{\\circ})}$", "\\frac12"),
    ("$\\boxed{\\sin^2 30°}$", "\\frac14"), ("$\\boxed{\\frac{30^\\circ}{2}}$", "15"),
    ("$\\boxed{{5 \\choose 2}}$", "10"), ("$\\boxed{\\dbinom{5}{2}}$", "10"), ("$\\boxed{\\tbinom{5}{2}}$", "10"),
    # units: compound, negative powers, degree signs and temperature scales
    ("$\\boxed{3 \\text{ cm}/\\text{s}}$", "3"), ("$\\boxed{3\\ \\mathrm{m\\,s^{-1}}}$", "3"), ("$\\boxed{3\\text{°}}$", "3"),
    ("$\\boxed{3 ℃}$", "3"), ("$\\boxed{3 ℉}$", "3"), ("$\\boxed{3°C}$", "3"), ("$\\boxed{3^\\circ\\text{C}}$", "3"),
    # a repeated root, a set written with the same value twice, an equation written the other way round, a figure dash
    ("$\\boxed{2, 2}$", "2, 2"), ("$\\boxed{3, 6/2}$", "\\{3\\}"), ("$\\boxed{3 = x}$", "3"), ("$\\boxed{‒3}$", "-3"),
    # labels that are names: kept
    ("$\\boxed{x = 3}$", "3"), ("$\\boxed{f(x) = 3}$", "3"), ("$\\boxed{AB = 3}$", "3"), ("$\\boxed{a_n = 3}$", "3"),
    ("$\\boxed{abc = 6}$", "6"), ("$\\boxed{\\text{Area of } ABE = 6}$", "6"), ("$\\boxed{E = 6}$", "6"),
    ("$\\frac{1}{\\sqrt{6}}$", "$\\frac{NO}{BO}=\\frac{1}{\\sqrt{6}}$"),  # a peer case: the segments NO and BO
    ("$\\boxed{\\angle ABC = 30^\\circ}$", "30"), ("$\\boxed{\\text{Area} = 12}$", "12"),
    ("$\\boxed{\\theta = \\frac{\\pi}{3}}$", "\\frac\\pi3"), ("$\\boxed{x \\approx 3.14}$", "3.14"), ("$\\boxed{x \\approx 3}$", "x \\approx 3"),
    # floor and ceiling: true identities stay true
    ("$\\boxed{-\\lfloor -x \\rfloor}$", "\\lceil x \\rceil"),
    ("$\\boxed{\\lfloor x\\rfloor+\\lfloor x+\\frac12\\rfloor}$", "\\lfloor 2x\\rfloor"),
    ("$\\boxed{2y = -2\\lfloor -x\\rfloor}$", "y = \\lceil x\\rceil"),
])
def test_right_answers_score_one(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert (score.value, score.status) == (1.0, Status.OK), score


@pytest.mark.parametrize(("completion", "gold"), [
    # \sin^{-1} is arcsin, never 1/sin; an inverse we do not evaluate is no expression
    ("$\\boxed{\\sin^{-1}(x)}$", "\\csc x"), ("$\\boxed{\\sin^{-1} x}$", "\\frac{1}{\\sin x}"),
    ("$\\boxed{\\tan^{-1}(2)}$", "\\cot 2"), ("$\\boxed{\\cos^{-1}(x)}$", "\\sec x"), ("$\\boxed{\\sec^{-1}(x)}$", "\\cos x"),
    ("$\\boxed{\\sin 30}$", "\\frac12"),  # no degree sign: radians
    # an estimate of an exact gold; a constant is no label
    ("$\\boxed{x \\approx 3}$", "3"), ("$\\boxed{\\pi \\approx 3}$", "3"), ("$\\boxed{e \\approx 3}$", "3"),
    ("$\\boxed{\\pi = 3}$", "3"), ("$\\boxed{x \\approx 3}$", "x = 3"),
    # a word is no label
    *[(f"$\\boxed{{\\text{{{word}}} = 3}}$", "3") for word in ("wrong", "false", "never", "incorrect", "guess", "upper bound")],
    ("$\\boxed{\\wrong = 3}$", "3"), ("$\\boxed{\\text{FAKE} = 3}$", "3"), ("$\\boxed{\\text{no} = 3}$", "3"),
    ("$\\boxed{\\text{If} = 3}$", "3"),
    # floor and ceiling differ at every integer
    ("$\\boxed{\\lfloor x \\rfloor + 1}$", "\\lceil x \\rceil"), ("$\\boxed{\\lceil x\\rceil - 1}$", "\\lfloor x\\rfloor"),
    ("$\\boxed{\\lfloor x \\rfloor + 1 + 0 y z w}$", "\\lceil x \\rceil"),  # too large for sympy: random points alone
    ("$\\boxed{y = \\lfloor x\\rfloor + 1}$", "2y = 2\\lceil x\\rceil"),  # equations proportional at random reals
    # one ± value, or ± for a single value
    ("$\\boxed{\\frac{-1+\\sqrt5}{2}}$", "\\frac{-1 \\pm \\sqrt{5}}{2}"), ("$\\boxed{\\frac{-1 \\pm \\sqrt{5}}{2}}$", "\\frac{-1+\\sqrt5}{2}"),
    # a repeated root is a multiset
    ("$\\boxed{2}$", "2, 2"), ("$\\boxed{2, 2, 2}$", "2, 2"), ("$\\boxed{2, 3, 3}$", "2, 2, 3"),
    # low severity: a long decimal one unit off, a doubled percent sign, an improper mixed number
    ("$\\boxed{3.00000000001}$", "3"), ("$\\boxed{2.99999999999}$", "3"), ("$\\boxed{3\\%\\%}$", "3"),
    ("$\\boxed{2\\frac{2}{2}}$", "3"),
    # units: a word after "/" must be a unit too
    ("$\\boxed{3 \\text{ m}/\\text{wrong}}$", "3"),
])
def test_wrong_answers_score_zero(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert score.value == 0.0 and score.status in (Status.OK, Status.PARSE_ERROR), score


@pytest.mark.parametrize("completion", ["$\\boxed{\\text{root}(8)}$", "$\\boxed{x\\,\\text{root}(8)}$", "$\\boxed{\\sin(1, 2) x}$"])
def test_a_function_given_the_wrong_number_of_arguments_is_no_expression(completion: str) -> None:
    score = V(completion, "x")  # root(8) raised IndexError: status error
    assert score.value == 0.0 and score.status in (Status.OK, Status.PARSE_ERROR), score


def test_a_deeply_nested_gold_reads_in_linear_time() -> None:
    start = time.perf_counter()
    score = V("\\boxed{3}", "(" * 9000 + "3" + ")" * 9000)  # 6.9 s before: brackets peeled one layer per pass
    assert score.value == 1.0 and time.perf_counter() - start < 1.0, score
