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
