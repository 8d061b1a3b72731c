"""The third outside red team's breaks of MathVerifier's comparison side (issue 10, round 3), each run
through ``MathVerifier()``: wrong answers that scored 1.0 and right ones that scored 0."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier

V = MathVerifier()

_CASES = [("x", "X"), ("p", "P"), ("X", "x")] + [
    (f"\\{name}", f"\\{name.capitalize()}") for name in ("theta", "pi", "delta", "sigma", "lambda", "phi", "omega")]


@pytest.mark.parametrize(("completion", "gold"), _CASES)
def test_letters_differing_in_case_are_different_symbols(completion: str, gold: str) -> None:
    """Red-team 10: a lower-case letter (or Greek name) is not its capital."""
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 0.0
    assert V(f"$\\boxed{{{gold}}}$", gold).value == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\text{Yes}", "yes"), ("\\text{Monday}", "monday"), ("\\text{No solution}", "no solution")])
def test_words_still_match_whatever_their_case(completion: str, gold: str) -> None:
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 1.0


_BIG = " + ".join(f"{k}x - {k}x" for k in range(1, 12))  # a zero too large for sympy (random points decide)
_PRODUCT = "".join(f"({k} + x)" for k in range(1, 10))  # a factor that makes a tree too large for sympy


@pytest.mark.parametrize(("completion", "gold"), [
    ("e^{-1000x^2}", "e^{-999x^2}"), ("e^{-1000x^2}", "0"), ("e^{-999x^2}", "e^{-1000x^2}"), ("e^{-1000}", "0"),
    (f"e^{{-1000x^2}} {_PRODUCT}", "0"), (f"e^{{-1000x^2}} {_PRODUCT}", f"e^{{-999x^2}} {_PRODUCT}")])
def test_functions_negligible_at_every_sample_point_are_not_thereby_equal(completion: str, gold: str) -> None:
    """Red-team 12: every sample point fell under the 1e-36 absolute floor, and that passed as agreement."""
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("e^{-1000x^2} \\cdot e^{x^2}", "e^{-999x^2}"), ("e^{-1000x^2}", "e^{-1000 x^2}"), ("\\sin(\\pi)", "0"),
    ("\\sin(2\\pi) + \\cos(\\frac{\\pi}{2})", "0"), (f"x + 1 + {_BIG}", "x + 1"),
    (f"e^{{-1000x^2}} {_PRODUCT}", f"e^{{-1000x^2}} {_PRODUCT}")])
def test_identities_still_hold(completion: str, gold: str) -> None:
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("5 \\text{ kg}", "5 \\text{ g}"), ("5 \\text{ km}", "5 \\text{ m}"), ("5 mm", "5 cm"), ("5 ft", "5 \\text{ m}"),
    ("5 minutes", "5 hours"), ("5\\text{ cm}^2", "5\\text{ cm}^3"), ("5^\\circ", "5 \\text{ radians}"),
    ("5\\text{ cents}", "\\$5"), ("5 kilometers", "5 \\text{ g}")])
def test_a_different_unit_is_a_different_answer(completion: str, gold: str) -> None:
    """Red-team 11: with strip_units both units were dropped and 5 kg scored 1 for 5 g."""
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("5 kilometers", "5 km"), ("5 \\text{ km}", "5"), ("5", "5 km"), ("\\$5", "5 dollars"), ("30 degrees", "30^\\circ"),
    ("5\\text{ cm}^2", "5 square centimeters"), ("5 m/s", "5 \\text{ meters per second}"), ("5 hrs", "5 hours"),
    ("30^\\circ", "30^\\circ C"), ("\\sin 30^\\circ", "\\frac12"), ("5 apples", "5 \\text{ any text}")])
def test_the_same_unit_in_another_spelling_or_on_one_side_only_still_matches(completion: str, gold: str) -> None:
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\color{red}{3}", "3"), ("\\color{red}3", "3"), ("\\textcolor{red}{3}", "3"), ("\\hphantom{1}3", "3"),
    ("\\vphantom{1}3", "3"), ("\\scriptstyle 3", "3"), ("\\large 3", "3"), ("€5", "5"), ("£5", "5"), ("¥5", "5"),
    ("3٫5", "3.5")])
def test_formatting_and_currency_signs_leave_the_value(completion: str, gold: str) -> None:
    """Red-team round 3: colour, phantoms, sizes, a euro/pound/yen sign and the Arabic decimal separator scored 0."""
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 1.0


@pytest.mark.parametrize(("completion", "gold"), [("\\hphantom{-}3", "-3"), ("€5", "\\$5"), ("\\color{red}{3}", "4")])
def test_what_is_not_drawn_or_another_currency_is_still_wrong(completion: str, gold: str) -> None:
    assert V(f"$\\boxed{{{completion}}}$", gold).value == 0.0


@pytest.mark.parametrize(("completion", "gold", "value"), [
    ("f(2)=3", "3", 1.0), ("g(-1/2) = 5", "5", 1.0), ("f(2)=3", "4", 0.0), ("e(2)=3", "3", 0.0), ("i(2)=3", "3", 0.0)])
def test_a_function_value_is_a_label(completion: str, gold: str, value: float) -> None:
    """Red-team round 3: "f(2) = 3" scored 0 for 3 (read as the equation 2f = 3); e(2) is e times 2."""
    assert V(f"$\\boxed{{{completion}}}$", gold).value == value


@pytest.mark.parametrize(("completion", "gold", "value"), [
    ("x = 3 \\text{ or } x = -3", "\\pm 3", 1.0), ("x = 3 \\text{ or } x = -3", "3, -3", 1.0),
    ("x = 3 \\text{ or } x = 4", "\\pm 3", 0.0), ("x = 3 \\text{ or } x = -3", "3", 0.0),
    ("3 \\text{ or } -3 \\text{ or } 4", "\\pm 3", 0.0)])
def test_solutions_joined_by_or_are_the_gold_list(completion: str, gold: str, value: float) -> None:
    """Red-team round 3: "x = 3 or x = -3" for ±3 was judged a hedge; for a single gold it still is."""
    assert V(f"$\\boxed{{{completion}}}$", gold).value == value
