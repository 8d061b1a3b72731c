"""Outside red team round 5 (#10), comparison side: each class of break, run through ``MathVerifier``."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier
from rlvr.verifiers.score import Status

V = MathVerifier()


def _value(completion: str, gold: str) -> float:
    score = V(completion, gold)
    assert score.status is Status.OK, score
    return score.value


# The unit after a box is read through TeX spacing, exponents, degree signs and brackets.
@pytest.mark.parametrize(("completion", "gold"), [
    ("$\\boxed{5}\\,\\mathrm{kg}$", "5\\text{ g}"), ("$\\boxed{5}~\\mathrm{kg}$", "5\\text{ g}"),
    ("$\\boxed{5}\\ \\text{kg}$", "5\\text{ g}"), ("$\\boxed{5}\\;\\text{kg}$", "5\\text{ g}"),
    ("$\\boxed{5}\\:\\text{kg}$", "5\\text{ g}"), ("$\\boxed{5} \\text{ km}^2$", "5\\text{ km}"),
    ("$\\boxed{5}\\,\\text{cm}^3$", "5\\text{ cm}^2"), ("\\boxed{5} \\text{ft}^2", "5\\text{ ft}"),
    ("\\boxed{5} \\text{ cm}^{2}", "5\\text{ cm}"), ("$\\boxed{5}\\text{ m}^2$", "5\\text{ m}"),
    ("\\boxed{5}°F", "5^\\circ C"), ("\\boxed{5}^\\circ\\text{F}", "5^\\circ C"),
    ("\\boxed{5} \\,^\\circ\\mathrm{F}", "5^\\circ C"), ("\\boxed{5} kelvin.", "5^\\circ C"),
    ("\\boxed{5} (in kg)", "5\\text{ g}"), ("\\boxed{5} (kg)", "5\\text{ g}"),
])
def test_the_unit_after_a_box_is_read(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("$\\boxed{5}\\,\\mathrm{kg}$", "5\\text{ kg}"), ("$\\boxed{5} \\text{ km}^2$", "5\\text{ km}^2"),
    ("\\boxed{5}\\quad\\text{cm}^{2}.", "5\\text{ cm}^2"), ("\\boxed{5}°C", "5^\\circ C"),
    ("\\boxed{30}^\\circ", "30^\\circ C"), ("\\boxed{5} (in kg)", "5 kg"), ("\\boxed{5} kelvin.", "5 kelvin"),
    ("\\boxed{5} (in kg)", "5"),
])
def test_the_same_unit_after_a_box_is_right(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


# An answer compared as text is compared in one canonical spelling: braces around one token, optional braces
# after a sign, synonyms (\lnot \neg, \lor \vee, \backslash \setminus), Unicode signs, \left( \right) and
# brackets around the whole answer.
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{\\mathbb{Z}^{+}}", "\\mathbb{Z}^+"), ("\\boxed{\\mathbb Z^+}", "\\mathbb{Z}^+"),
    ("\\boxed{ℤ^+}", "\\mathbb{Z}^+"), ("\\boxed{ℤ⁺}", "\\mathbb{Z}^+"), ("\\boxed{\\mathbf{Z}}", "\\mathbb{Z}"),
    ("\\boxed{\\triangle{ABC}}", "\\triangle ABC"), ("\\boxed{△ABC}", "\\triangle ABC"),
    ("\\boxed{\\Delta ABC}", "\\triangle ABC"), ("\\boxed{\\Delta{ABC}}", "\\triangle ABC"),
    ("\\boxed{\\angle ABC}", "\\angle{ABC}"), ("\\boxed{∠ABC}", "\\angle ABC"),
    ("\\boxed{\\left(A\\cup B\\right)}", "A \\cup B"), ("\\boxed{\\lnot p \\lor q}", "\\neg p \\vee q"),
    ("\\boxed{¬p ∨ q}", "\\neg p \\vee q"), ("\\boxed{\\lnot p \\land q}", "\\neg p \\wedge q"),
    ("\\boxed{A\\backslash B}", "A \\setminus B"), ("\\boxed{A ∖ B}", "A \\setminus B"),
    ("\\boxed{ℝ}", "\\mathbb{R}"), ("\\boxed{ℝ}", "(-\\infty, \\infty)"),
])
def test_text_answers_in_other_spellings(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{\\mathbb{Z}^{-}}", "\\mathbb{Z}^+"), ("\\boxed{ℤ}", "\\mathbb{Z}^+"), ("\\boxed{\\mathbb{Z}^{-}}", "ℤ⁺"),
    ("\\boxed{\\mathbb{N}}", "\\mathbb{Z}"), ("\\boxed{\\triangle{ABD}}", "\\triangle ABC"),
    ("\\boxed{\\left(A\\cap B\\right)}", "A \\cup B"), ("\\boxed{\\lnot p \\land q}", "\\neg p \\vee q"),
    ("\\boxed{B\\backslash A}", "A \\setminus B"), ("\\boxed{\\angle ACB}", "\\angle{ABC}"),
    # A set difference is no subtraction: algebra on "-" would make A - B + C equal A \ (B \ C).
    ("\\boxed{A - B + C}", "A \\setminus (B \\setminus C)"), ("\\boxed{A - B}", "A \\setminus B"),
])
def test_text_answers_keep_their_signs(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


# A radical sign takes a fraction, another radical, a grouped number, a negative number or a brace group;
# a sign (or \sqrt) with nothing after it is no value.
@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("\\boxed{√\\frac{1}{4}}", "\\frac12", 1.0), ("\\boxed{√\\frac{1}{4}}", "\\frac14", 0.0),
    ("\\boxed{√√16}", "2", 1.0), ("\\boxed{√√16}", "4", 0.0), ("\\boxed{√1,000,000}", "1000", 1.0),
    ("\\boxed{√-4}", "2i", 1.0), ("\\boxed{√-4}", "2", 0.0), ("\\boxed{\\surd 16}", "4", 1.0),
    ("\\boxed{√{16}}", "4", 1.0), ("\\boxed{√.25}", "0.5", 1.0),
    ("\\boxed{5√}", "5", 0.0), ("\\boxed{3 + √}", "3", 0.0), ("\\boxed{5\\sqrt}", "5", 0.0),
    ("\\boxed{\\frac{1}}", "1", 0.0),
])
def test_what_a_radical_sign_takes(completion: str, gold: str, expected: float) -> None:
    assert _value(completion, gold) == expected


# Digits between the point and a bracket make a product (1.5(2) is 3), as sympy-based graders and worked answers
# read it (the peer set's "0.4(7)" is 2.8); a period in brackets right after the point stays a repeating decimal.
@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("\\boxed{1.5(2)}", "3", 1.0), ("\\boxed{0.5(4)}", "2", 1.0), ("\\boxed{1.1(6)}", "6.6", 1.0),
    ("\\boxed{1.1(6)}", "7/6", 0.0), ("\\boxed{1.5(2)}", "137/90", 0.0),
    ("\\boxed{0.(3)}", "1/3", 1.0), ("\\boxed{1.(3)}", "4/3", 1.0), ("\\boxed{0.1\\overline{6}}", "1/6", 1.0),
])
def test_a_bracket_after_decimal_digits_is_a_product(completion: str, gold: str, expected: float) -> None:
    assert _value(completion, gold) == expected
