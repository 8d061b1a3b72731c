"""Outside red team round 4 (#10), comparison side: each class of break, run through ``MathVerifier``."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier
from rlvr.verifiers.score import Status

V = MathVerifier()


def _value(completion: str, gold: str, verifier: MathVerifier = V) -> float:
    score = verifier(completion, gold)
    assert score.status is Status.OK, score
    return score.value


# A radical sign takes the whole number after it (√16 is 4, as \sqrt{16}), or its parenthesised argument.
@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("\\boxed{√16}", "6", 0.0), ("\\boxed{√16}", "4", 1.0), ("The answer is √100.", "0", 0.0),
    ("The answer is √100.", "10", 1.0), ("\\boxed{3√16}", "18", 0.0), ("\\boxed{3√16}", "12", 1.0),
    ("\\boxed{√2.25}", "1.5", 1.0), ("\\boxed{√(2)}", "\\sqrt2", 1.0), ("\\boxed{√(x+1)}", "\\sqrt{x+1}", 1.0),
    ("\\boxed{√x}", "\\sqrt{x}", 1.0), ("\\boxed{∛27}", "3", 1.0), ("\\boxed{∜16}", "2", 1.0),
    ("\\boxed{2√3}", "2\\sqrt{3}", 1.0), ("\\boxed{2√3}", "\\sqrt{6}", 0.0),
])
def test_a_radical_sign_takes_the_whole_number(completion: str, gold: str, expected: float) -> None:
    assert _value(completion, gold) == expected


# An answer compared as text keeps its operators, signs and superscripts.
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{A \\cup B}", "A \\cap B"), ("\\boxed{\\mathbb{Z}}", "\\mathbb{Z}^+"),
    ("\\boxed{\\mathbb{R}^-}", "\\mathbb{R}^+"), ("\\boxed{\\mathbb{C}}", "\\mathbb{C}^*"),
    ("\\boxed{1 2}", "1 \\mid 2"), ("\\boxed{A \\setminus B}", "B \\setminus A"),
])
def test_text_comparison_keeps_operators_and_signs(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0
    assert _value(f"\\boxed{{{gold}}}", gold) == 1.0


# A vector named by its points is ordered; a segment, an arc or an angle reads the same backwards.
@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("\\boxed{\\overrightarrow{AB}}", "\\overrightarrow{BA}", 0.0), ("\\boxed{\\vec{AB}}", "\\overrightarrow{BA}", 0.0),
    ("\\boxed{\\vec{AB}}", "\\overrightarrow{AB}", 1.0), ("\\boxed{\\overrightarrow{AB}}", "\\overrightarrow{AB}", 1.0),
    ("\\boxed{\\overline{BA}}", "\\overline{AB}", 1.0), ("\\boxed{\\overarc{BA}}", "\\overarc{AB}", 1.0),
    ("\\boxed{\\widehat{CBA}}", "\\widehat{ABC}", 1.0), ("\\boxed{\\widehat{BAC}}", "\\widehat{ABC}", 0.0),
    ("\\boxed{\\overline{AC}}", "\\overline{AB}", 0.0), ("\\boxed{\\overrightarrow{B A}}", "\\overrightarrow{A B}", 0.0),
    ("\\boxed{\\vec{A B}}", "\\overrightarrow{AB}", 1.0), ("\\boxed{\\vec{AB} = (1, 2)}", "(1, 2)", 1.0),
])
def test_names_made_of_points(completion: str, gold: str, expected: float) -> None:
    assert _value(completion, gold) == expected


def test_a_determinant_is_no_matrix() -> None:
    vmatrix = "\\boxed{\\begin{vmatrix}1&2\\\\3&4\\end{vmatrix}}"
    assert _value(vmatrix, "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}") == 0.0
    assert _value(vmatrix.replace("vmatrix", "Vmatrix"), "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}") == 0.0
    assert _value(vmatrix, "\\begin{vmatrix}1&2\\\\3&4\\end{vmatrix}") == 1.0
    assert _value(vmatrix.replace("vmatrix", "bmatrix"), "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}") == 1.0


# Solutions joined by "or" (or by a comma) answer ± only when they label one variable.
@pytest.mark.parametrize(("completion", "expected"), [
    ("\\boxed{x=3 \\text{ or } y=-3}", 0.0), ("\\boxed{x=3, y=-3}", 0.0), ("\\boxed{a = 3, b = -3}", 0.0),
    ("\\boxed{x=3 \\text{ or } x=-3}", 1.0), ("\\boxed{x_1 = 3, x_2 = -3}", 1.0), ("\\boxed{3, -3}", 1.0),
])
def test_plus_minus_answered_by_one_variable(completion: str, expected: float) -> None:
    assert _value(completion, "\\pm 3") == expected


# Units: the temperature and cent signs, "sq." for square, and a unit written right after the box.
@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("\\boxed{5℉}", "5℃", 0.0), ("\\boxed{5℃}", "5℃", 1.0), ("\\boxed{5^\\circ C}", "5℃", 1.0),
    ("\\boxed{\\$5}", "5¢", 0.0), ("\\boxed{5¢}", "5 \\text{ cents}", 1.0), ("\\boxed{5 cents}", "5¢", 1.0),
    ("\\boxed{5\\text{ sq. cm}}", "5\\text{ cm}^3", 0.0), ("\\boxed{5\\text{ sq. cm}}", "5\\text{ cm}^2", 1.0),
    ("\\boxed{5} \\mathrm{kg}", "5 \\mathrm{g}", 0.0), ("\\boxed{5} \\mathrm{g}", "5 \\mathrm{g}", 1.0),
    ("\\boxed{5} cents", "\\$5", 0.0), ("\\boxed{5}¢", "\\$5", 0.0), ("\\boxed{5} dollars.", "\\$5", 1.0),
    ("\\boxed{5} kg. So \\boxed{5}.", "5 \\mathrm{g}", 0.0), ("\\fbox{ 5 } \\text{kg}", "5 \\mathrm{g}", 0.0),
    ("\\boxed{5} in total.", "5 \\text{ cm}", 1.0), ("\\boxed{5} kg of flour.", "5 \\mathrm{kg}", 1.0),
])
def test_units_compared(completion: str, gold: str, expected: float) -> None:
    assert _value(completion, gold) == expected


def test_require_simplified_rejects_a_root_in_the_denominator() -> None:
    strict = MathVerifier(require_simplified=True)
    assert _value("\\boxed{\\frac{1}{\\sqrt2}}", "\\frac{\\sqrt2}2", strict) == 0.0
    assert _value("\\boxed{\\frac{3}{2\\sqrt[3]{2}}}", "\\frac{3\\sqrt[3]{4}}{4}", strict) == 0.0
    assert _value("\\boxed{\\frac{\\sqrt2}{2}}", "\\frac{\\sqrt2}2", strict) == 1.0
    assert _value("\\boxed{\\frac{1}{2}}", "\\frac{\\sqrt4}4", strict) == 1.0
    assert _value("\\boxed{\\frac{1}{\\sqrt2}}", "\\frac{\\sqrt2}2") == 1.0  # the default accepts it


# Right answers written in other scripts, symbols and notations.
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{‐3}", "-3"), ("\\boxed{3٬500}", "3500"), ("\\boxed{25٪}", "25"), ("\\boxed{۳.۵}", "3.5"),
    ("\\boxed{३.५}", "3.5"), ("\\boxed{৩}", "3"), ("\\boxed{𝜋}", "\\pi"), ("\\boxed{2𝜋}", "2\\pi"),
    ("\\boxed{2 ½}", "2.5"), ("\\boxed{\\underline{3}}", "3"), ("\\boxed{\\pmb{3}}", "3"),
    ("\\boxed{\\colorbox{yellow}{3}}", "3"), ("\\boxed{\\left.3\\right.}", "3"), ("\\boxed{\\nicefrac{3}{4}}", "0.75"),
    ("\\boxed{{3 \\over 4}}", "0.75"), ("\\boxed{₹3}", "3"), ("\\boxed{\\pounds 3}", "3"), ("\\boxed{US\\$3}", "3"),
    ("\\boxed{3'000}", "3000"), ("\\boxed{1'234'567}", "1234567"), ("\\boxed{\\begin{aligned}x&=3\\end{aligned}}", "3"),
    ("\\boxed{0.(3)}", "1/3"), ("\\boxed{1.1\\overline{6}}", "7/6"), ("\\boxed{0.333\\ldots}", "1/3"), ("\\boxed{0.1666...}", "1/6"),
    ("\\boxed{0.142857142857\\dots}", "1/7"), ("\\boxed{\\mathbb{R}\\setminus\\{0\\}}", "(-\\infty,0)\\cup(0,\\infty)"),
    ("\\boxed{\\mp3}", "\\pm 3"),
])
def test_right_answers_in_other_notations(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


# The same notations do not make a wrong answer right.
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{۳.۵}", "35"), ("\\boxed{0.33...}", "1/3"), ("\\boxed{3.14...}", "\\pi"), ("\\boxed{0.(3)}", "0.3"),
    ("\\boxed{3'00}", "300"), ("\\boxed{\\mathbb{R}\\setminus\\{0\\}}", "(-\\infty,1)\\cup(1,\\infty)"),
    ("\\boxed{\\mp3}", "3"), ("\\boxed{{3 \\over 4}}", "4/3"), ("\\boxed{2 ½}", "2"),
])
def test_wrong_answers_in_other_notations(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


# A function's value written the other way round labels the number, as f(2) = 3 does.
@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("\\boxed{3=f(2)}", "3", 1.0), ("\\boxed{4=f(2)}", "3", 0.0), ("\\boxed{3=f(2)}", "f(2)=3", 1.0),
    ("\\boxed{3=g(2)}", "f(2)=3", 0.0),
])
def test_a_value_then_its_label(completion: str, gold: str, expected: float) -> None:
    assert _value(completion, gold) == expected
