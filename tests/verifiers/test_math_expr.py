"""The bounded expression parser: values, precedence, and cheap refusal of pathological input."""

from __future__ import annotations

import time
from fractions import Fraction

import mpmath
import pytest

from rlvr.verifiers.math_expr import ParseFailure, Refused, exact, free_symbols, numeric, parse

EXACT = [
    ("1/2", Fraction(1, 2)),
    ("-2^2", Fraction(-4)),  # unary minus binds looser than power
    ("2^3^2", Fraction(512)),  # power is right-associative
    ("2(3+4)", Fraction(14)),  # implicit product
    ("sqrt(16/9)", Fraction(4, 3)),  # rational square root
    ("8^(2/3)", Fraction(4)),  # rational power with an exact root
    ("5!", Fraction(120)),
    ("|-3|", Fraction(3)),
    ("50%", Fraction(1, 2)),
    ("1.25", Fraction(5, 4)),  # decimals are exact
]


@pytest.mark.parametrize(("text", "value"), EXACT)
def test_exact_values(text: str, value: Fraction) -> None:
    assert exact(parse(text)) == value


@pytest.mark.parametrize(("text", "value"), [
    ("sqrt(2)", mpmath.sqrt(2)), ("2 pi", 2 * mpmath.pi), ("e^2", mpmath.e ** 2),
    ("log_2(8)", 3), ("sin(pi/6)", 0.5), ("3+4i", mpmath.mpc(3, 4)),
])
def test_numeric_values(text: str, value: object) -> None:
    assert exact(parse(text)) is None or text == "log_2(8)"
    assert abs(numeric(parse(text), {}) - value) < 1e-14  # expected values are at mpmath's default 15 digits


def test_free_symbols_and_binding() -> None:
    node = parse("2x y + x_1")
    assert free_symbols(node) == {"x", "y", "x_1"}
    assert numeric(node, {"x": 2, "y": 3, "x_1": 1}) == 13


@pytest.mark.parametrize("text", [
    "9^9^9^9", "2^2^2^2^2^2", "10^(10^20)", "(10^100)!", "1001!", "(" * 50 + "1" + ")" * 50, "1+" * 600 + "1",
])
def test_pathological_input_is_refused_in_milliseconds(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(Refused):
        node = parse(text)
        exact(node)
        numeric(node, {})
    assert time.perf_counter() - start < 0.05


def test_big_but_finite_values_are_evaluated_not_refused() -> None:
    assert exact(parse("1000!")) is not None  # 2568 digits: exact and cheap
    assert numeric(parse("10^(10^10)"), {}) > 10 ** 100  # exact would be too big; mpmath is fine


@pytest.mark.parametrize("text", ["1 +", "(1, 2", "$", "sqrt("])
def test_malformed_input_is_a_parse_failure(text: str) -> None:
    with pytest.raises(ParseFailure):
        parse(text)


@pytest.mark.parametrize("text", ["1. 3", "1 .3", "1..3", "1.2.3", "1.(3)", "1. sqrt(2)", "3 4", "2^3 4"])
def test_numbers_side_by_side_are_no_product(text: str) -> None:
    """Issue 10: "1. 3" (normalised from ``1.\\,3``) parsed as 1*3 and scored 1.0 for the gold 3."""
    with pytest.raises(ParseFailure):
        parse(text)


@pytest.mark.parametrize("text", [
    "sin(10^999999)", "cos(2^3000000)", "tan(10^(10^11))", "exp(10^(10^7))", "tanh(e^(10^11))", "cosh(10^13 i)",
    "binom(10^(10^7), 5)", "root(2, e^(10^11))", "root(2, 10^(-13))", "(-1)^(e^(10^11))", "(1+10^(-10^11))^(10^(10^11))",
])
def test_functions_whose_cost_grows_with_their_argument_are_refused_in_milliseconds(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(Refused):
        numeric(parse(text), {})
    assert time.perf_counter() - start < 0.05  # sin(10^999999) took 46 s


@pytest.mark.parametrize(("text", "expected"), [
    ("sqrt(10^(10^7))", mpmath.mpf(10) ** 5_000_000), ("ln(10^(10^11))", 10**11 * mpmath.log(10)),
    ("floor(10^(10^11) + 1/2)", mpmath.mpf(10) ** 10**11), ("sin(10^12)", mpmath.sin(10**12)),
    ("binom(10^12, 10^11)", mpmath.binomial(10**12, 10**11)),
])
def test_functions_of_large_arguments_that_stay_cheap_are_evaluated(text: str, expected: object) -> None:
    start = time.perf_counter()
    assert abs(numeric(parse(text), {}) / expected - 1) < 1e-12  # type: ignore[operator]
    assert time.perf_counter() - start < 0.05


def test_exact_arithmetic_gives_up_past_its_bit_limit_on_the_way() -> None:
    start = time.perf_counter()
    assert exact(parse("*".join(["(1000!)"] * 60))) is None  # 512,000 bits: numeric, not exact
    assert exact(parse("(1000!)^2 / (1000!)")) is not None  # 17,000 bits on the way: exact
    assert time.perf_counter() - start < 0.1


def test_a_long_flat_expression_parses() -> None:
    node = parse("(x+1)" * 150)  # 750 tokens
    assert node[0] == "mul" and len(node[1]) == 150
