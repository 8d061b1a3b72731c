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
