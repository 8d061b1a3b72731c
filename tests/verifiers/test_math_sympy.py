"""The sympy step of the math comparison and retractions after the answer."""

from __future__ import annotations

import time

import pytest

from rlvr.verifiers import MathVerifier
from rlvr.verifiers.math_expr import parse
from rlvr.verifiers.math_sympy import MAX_NODES, node_count, symbolic_equal

V = MathVerifier()


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        (r"\boxed{\frac{1}{x-1}}", r"\frac{x+1}{x^2-1}", 1.0),  # equal once the common factor cancels
        (r"\boxed{\sin^2 x + \cos^2 x}", "1", 1.0),  # a trig identity
        (r"\boxed{(x+y)^3}", "x^3+3x^2y+3xy^2+y^3", 1.0),  # expansion in two variables
        (r"\boxed{\frac{x}{2}+\frac{x}{3}}", r"\frac{5x}{6}", 1.0),  # like terms
        (r"\boxed{\sqrt{x^2}}", "x", 0.0),  # |x|, not x: random points on positives would accept it
        (r"\boxed{2\log x}", r"\log(x^2)", 0.0),  # differs for negative x
        (r"\boxed{x+1}", "x+2", 0.0),  # rejected by the first random point, sympy never runs
    ],
)
def test_symbolic_answers(predicted: str, gold: str, expected: float) -> None:
    assert V(predicted, gold).value == expected


def test_sympy_decides_small_trees_and_leaves_large_ones_undecided() -> None:
    assert symbolic_equal(parse("(x+1)^2"), parse("x^2+2x+1")) is True
    assert symbolic_equal(parse("sqrt(x^2)"), parse("x")) is False
    big = "+".join(f"x^{k}" for k in range(1, 15))
    assert node_count(parse(big)) > MAX_NODES
    assert symbolic_equal(parse(big), parse(big)) is None  # too large: random points decide


def test_method_names_the_deciding_step() -> None:
    assert V(r"\boxed{\frac{1}{x-1}}", r"\frac{x+1}{x^2-1}").details["method"] == "sympy"
    assert V(r"\boxed{x+1}", "x+2").details["method"] == "random_points"


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("The answer is 50. Actually, wait, it might be 40.", 0.0),  # taken back: a hedge
        (r"So \boxed{50}. Actually no, it is 40.", 0.0),  # also after a box
        ("The answer is 50. Wait, let me verify: 25 + 25 = 50. Yes.", 1.0),  # a check that agrees
        ("The answer is 50.", 1.0),
    ],
)
def test_retraction_after_the_answer(completion: str, expected: float) -> None:
    assert V(completion, "50").value == expected


@pytest.mark.parametrize(("a", "b"), [
    ("(x+y+z)^32", "(x^2+y^2+z^2+2x y+2y z+2x z)^16"),  # degree 32: simplify expanded it for 20 s
    ("(x^2+2x+1)^2500", "(x+1)^5000"),
    ("(10^(10^7))^0 x", "x"),  # sympy would compute 10^(10^7) exactly; our numeric path never does
    ("sin(10^(10^7)) x", "x"),  # a constant that our numeric path refuses
])
def test_sympy_is_not_asked_to_expand_or_compute_huge_things(a: str, b: str) -> None:
    start = time.perf_counter()
    assert symbolic_equal(parse(a), parse(b)) is None
    assert time.perf_counter() - start < 0.5


def test_sympy_still_decides_moderate_degrees() -> None:
    assert symbolic_equal(parse("(x+1)^16"), parse("(x^2+2x+1)^8")) is True
    assert symbolic_equal(parse("sqrt(x^2) (x+1)^4"), parse("x (x+1)^4")) is False
