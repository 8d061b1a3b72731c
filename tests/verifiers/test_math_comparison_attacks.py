"""An outside red team's breaks of MathVerifier's reading and comparison side (issue 10), each run
through ``MathVerifier()``: calls that ran for seconds, right answers scored 0, wrong ones scored 1."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr.verifiers import MathVerifier, Score, Status
from rlvr.verifiers.math_expr import FUNCTIONS

V = MathVerifier()
# A verifier call on these inputs takes ~1-30 ms (0.12 s at most, measured on the loaded 2-core VM);
# before the fix, sin(10^{999999}) took 46 s. 1 s leaves room for load and still fails on any hang.
BOUND_S = 1.0


def _timed(completion: str, gold: str) -> tuple[Score, float]:
    start = time.perf_counter()
    score = V(completion, gold)
    return score, time.perf_counter() - start


@pytest.mark.parametrize("answer", [
    "\\sin(10^{999999})", "\\sin(10^{10^7})", "\\sin(2^{3000000})", "\\cos(10^{10^{11}})", "\\tan(e^{10^{11}})",
    "\\exp(10^{10^7})", "\\tanh(e^{10^{11}})", "\\cosh(10^{10^{11}}i)", "\\sqrt[e^{10^{11}}]{2}", "\\binom{10^{10^7}}{5}",
    "(-1)^{e^{10^{11}}}", "\\sin(10^{10^7} x)", "(1+10^{-10^{11}})^{10^{10^{11}}}",
])
def test_functions_of_huge_arguments_are_refused_fast(answer: str) -> None:
    for gold in ("3", "x", "\\sin(2)"):
        score, seconds = _timed(f"\\boxed{{{answer}}}", gold)
        assert (score.value, score.status) == (0.0, Status.PARSE_ERROR), score
        assert seconds < BOUND_S
    gold_score, seconds = _timed("\\boxed{3}", answer)  # the same as a gold
    assert gold_score.status is Status.PARSE_ERROR and seconds < BOUND_S


@pytest.mark.parametrize(("answer", "gold"), [
    ("\\frac{1}{x-x}(10^{10^7})", "x"),  # every random point fails, so sympy got 10^{10^7} to compute
    ("(x^2+2x+1)^{2500}", "(x+1)^{5000}"),  # a true identity that simplify expands (minutes)
    ("(x+y+z)^{32}", "(x^2+y^2+z^2+2xy+2yz+2xz)^{16}"),  # 20 s in simplify
    ("(1000!)" * 140, "3"),  # 140 factors of 8,500 bits: 0.8 s per exact product without the bit limit
])
def test_costly_symbolic_and_exact_paths_stay_fast(answer: str, gold: str) -> None:
    score, seconds = _timed(f"\\boxed{{{answer}}}", gold)
    assert score.status is Status.OK and seconds < BOUND_S, (score, seconds)


_BIG = ["10^{999999}", "10^{10^7}", "2^{3000000}", "10^{10^{11}}", "e^{10^{11}}", "10^{10^{11}} i", "10^{12}", "-10^{12}"]
_LATEX = {"floor": "\\lfloor {} \\rfloor", "ceil": "\\lceil {} \\rceil", "binom": "\\binom{{{}}}{{3}}",
          "root": "\\sqrt[{}]{{7}}", "sqrt": "\\sqrt{{{}}}", "abs": "|{}|", "asin": "\\arcsin({})",
          "acos": "\\arccos({})", "atan": "\\arctan({})"}
# Where the function and the huge number sit: f(b), f(b x), f(b) + x, f(b)/(x-x), f(f(b)), b^f(2), f(2)^b.
_SHAPES: list[Callable[[Callable[[str], str], str], str]] = [
    lambda f, b: f(b), lambda f, b: f(f"{b} x"), lambda f, b: f"{f(b)} + x", lambda f, b: f"\\frac{{1}}{{x-x}}{f(b)}",
    lambda f, b: f(f(b)), lambda f, b: f"({b})^{{{f('2')}}}", lambda f, b: f"{f('2')}^{{{b}}}",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FUNCTIONS)), st.sampled_from(_BIG), st.sampled_from(_SHAPES),
       st.sampled_from(["3", "x", "\\sin(2)", "(x+1)^2"]))
def test_no_function_of_any_size_runs_long(function: str, big: str, shape: Callable[..., str], gold: str) -> None:
    def f(arg: str) -> str:
        return _LATEX.get(function, f"\\{function}({{}})").format(arg)

    answer = shape(f, big)
    score, seconds = _timed(f"\\boxed{{{answer}}}", gold)
    assert score.status in (Status.OK, Status.PARSE_ERROR), (answer, score)
    assert seconds < BOUND_S, (answer, seconds)


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{0.\\overline{3}}", "\\frac13"), ("\\boxed{0.1\\overline{6}}", "\\frac16"),  # repeating decimals
    ("\\boxed{0.\\overline{142857}}", "\\frac17"), ("\\boxed{0.\\dot{3}}", "\\frac13"),
    ("\\boxed{0.\\dot{1}4\\dot{2}}", "\\frac{142}{999}"), ("\\boxed{-2.\\overline{09}}", "-\\frac{23}{11}"),
    ("The answer is 75 per cent.", "75\\%"), ("The answer is 75 per cent.", "\\frac34"),  # like "75 percent"
    ("\\boxed{\\boxed{3}}", "3"), ("\\boxed{ \\boxed{\\boxed{3}} }", "3"),  # a box holding only a box
    ("\\boxed{5\\text{th}}", "5"), ("\\boxed{3^{\\text{rd}}}", "3"), ("\\boxed{1^{st}}", "1"),  # ordinals
    ("The answer is 2nd.", "2"), ("\\boxed{11\\text{th}}", "11"), ("\\boxed{22^{nd}}", "22"),
    ("\\boxed{3_{8}}", "3_8"), ("\\boxed{204_5}", "204_{5}"), ("\\boxed{204}", "204_5"),  # a base, as the gold's
    ("\\boxed{10₂}", "10_2"), ("\\boxed{59_{10}}", "59"), ("\\boxed{1A_{16}}", "1a_{16}"),
    ("\\boxed{" + "(x+1)" * 61 + "}", "(x+1)^{61}"),  # long but simple: once over the token limit
    ("\\boxed{" + "\\cdot".join(["(x+1)"] * 60) + "}", "(x+1)^{60}"),
])
def test_right_answers_the_red_team_found_scored_zero(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert (score.value, score.status) == (1.0, Status.OK), score


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{10₂}", "102"), ("\\boxed{10₂}", "2"),  # a subscript is no digit and, for a plain gold, no base
    ("\\boxed{3_{8}}", "3"), ("\\boxed{54}", "204_5"), ("\\boxed{2045}", "204_5"), ("\\boxed{1001_7}", "204_5"),
    ("\\boxed{2ⁿ}", "2n"), ("\\boxed{3①}", "31"), ("\\boxed{0.\\overline{3}4}", "0.34"),
    ("\\boxed{3th}", "3"), ("\\boxed{0.\\overline{3}}", "0.333"),
])
def test_wrong_readings_score_zero(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize(("percent", "answer", "gold", "value"), [
    # "either" reads a percentage both ways, whatever its number: 0.75% is 0.75 (a "what percent" gold
    # written bare, as 25% is 25) and 0.0075; "fraction" and "strip" keep one reading.
    ("either", "0.75\\%", "0.75", 1.0), ("either", "0.75\\%", "0.0075", 1.0), ("either", "12.5\\%", "12.5", 1.0),
    ("fraction", "0.75\\%", "0.75", 0.0), ("fraction", "0.75\\%", "0.0075", 1.0),
    ("strip", "0.75\\%", "0.75", 1.0), ("strip", "0.75\\%", "0.0075", 0.0),
    ("either", "0.75\\%", "\\frac34", 0.0),  # against a fraction, only the ratio: 0.0075
])
def test_a_decimal_percentage_follows_the_percent_mode(percent: str, answer: str, gold: str, value: float) -> None:
    assert MathVerifier(percent=percent)(f"\\boxed{{{answer}}}", gold).value == value  # type: ignore[arg-type]


@pytest.mark.parametrize(("completion", "gold"), [
    *[(f"The answer is 3 {word}.", "3") for word in ("sixteenths", "lakhs", "scores", "myriads", "negatives",
                                                      "reciprocals", "percents", "inverses", "squares", "gross")],
    *[(f"\\boxed{{3\\text{{ {word}}}}}", "3") for word in ("basis points", "errors", "guesses", "per mille", "pairs")],
    ("The answer is 1 billionth.", "1"), ("The answer is 1 lakh.", "1"), ("The answer is 1 negative.", "1"),
])
def test_value_changing_and_unknown_words_are_not_dropped(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is 3 lakh.", "300000"), ("The answer is 2 crore.", "20000000"), ("The answer is 3 sixteenths.", "3/16"),
    ("The answer is 1 billionth.", "10^{-9}"), ("The answer is 3 apples.", "3"), ("\\boxed{1\\text{ person}}", "1"),
    ("\\boxed{4 \\text{ puppies}}", "4"), ("The answer is 12 loaves.", "12"), ("\\boxed{7\\text{ people}}", "7"),
    ("The answer is 5 boxes.", "5"), ("#### 3 times", "3"),
])
def test_listed_counted_nouns_drop_and_size_words_multiply(completion: str, gold: str) -> None:
    assert V(completion, gold).value == 1.0


def test_require_simplified_reads_a_400_digit_radicand() -> None:
    radical = "\\sqrt{1" + "0" * 400 + "}"  # its square root through a float overflowed: status error
    score = MathVerifier(require_simplified=True)(f"\\boxed{{{radical}}}", radical)
    assert (score.value, score.status, score.details["method"]) == (0.0, Status.OK, "not_simplified")
