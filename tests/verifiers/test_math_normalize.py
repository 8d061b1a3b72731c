"""LaTeX / Unicode / units / words normalisation into the plain answer syntax."""

from __future__ import annotations

import pytest

from rlvr.verifiers.math_normalize import normalize

CASES = [
    ("\\frac{1}{2}", "((1)/(2))"),  # \frac with braces
    ("\\dfrac12", "((1)/(2))"),  # \dfrac, single-character arguments
    ("3\\frac{1}{2}", "(3+1/2)"),  # mixed number
    ("\\sqrt{2}", "sqrt(2)"),
    ("\\sqrt[3]{8}", "root(8,3)"),  # n-th root
    ("2\\pi", "2 pi"),
    ("3 \\cdot 4 \\times 5", "3 * 4 * 5"),
    ("\\left( 1, 2 \\right]", "( 1, 2 ]"),  # \left \right dropped, brackets kept
    ("70\\,000", "70000"),  # thin-space thousands separator
    ("1{,}000", "1000"),  # braced comma separator
    ("10,\\!000", "10000"),  # MATH's comma plus negative space
    ("1,234,567", "1234567"),  # comma thousands separators
    ("\\$12.50", "12.50"),  # currency
    ("25\\%", "25%"),  # percent kept as a postfix mark
    ("90^\\circ", "90"),  # degrees
    ("5\\text{ cm}^2", "5"),  # a unit in \text after a number
    ("12 dollars", "12"),  # a trailing unit word
    ("\\text{Monday}", "Monday"),  # a text answer stays text
    ("√2", "sqrt(2)"),  # Unicode root
    ("x²", "x^(2)"),  # Unicode superscript
    ("½", "(1/2)"),  # vulgar fraction
    ("４２", "42"),  # full-width digits
    ("1\u200b0", "10"),  # zero-width space
    ("3.2e5", "(3.2*10^(5))"),  # scientific notation
    ("twenty-one", "21"),  # number words
    ("\\{1, 2\\}", "⦃1, 2⦄"),  # set braces
    ("\\infty", "oo"),
    ("x \\leq 3", "x <= 3"),
    ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "⟪1&2;3&4⟫"),  # matrix rows and cells
    ("\\mathbb{R}", "(-oo,oo)"),  # all reals as an interval
    ("24\\ \\text{cm}^2", "24"),  # a unit after a LaTeX space
    ("\\( \\frac{5}{8} \\)", "((5)/(8))"),  # \( \) delimiters
    ("1 000 000", "1000000"),  # space thousands separators
    ("50 km/h", "50"),  # a compound unit
]


@pytest.mark.parametrize(("latex", "plain"), CASES)
def test_normalize(latex: str, plain: str) -> None:
    assert normalize(latex) == plain


def test_units_are_kept_when_stripping_is_off() -> None:
    assert normalize("12 dollars", strip_units=False) == "12 dollars"


@pytest.mark.parametrize(("text", "expected"), [
    ("10₂", "10_(2)"), ("x₁₂", "x_(12)"),  # a subscript stays a subscript: NFKC made 10₂ the number 102
    ("2ⁿ", "2^(n)"), ("3⁻¹", "3^(-1)"),  # any superscript is a power (2ⁿ was 2n)
    ("3①", "3 ⊥ 1"), ("１０", "10"), ("𝟏𝟎", "10"), ("90º", "90"),  # only other fonts of a digit join a number
    ("0.\\overline{3}", "((1)/(3))"), ("0.1\\overline{6}", "((1)/(6))"), ("1.\\bar{9}", "((2)/(1))"),  # repeating
    ("0.\\dot{1}4\\dot{2}", "((142)/(999))"), ("-2.\\overline{09}", "-((23)/(11))"),
    ("0.\\overline{3}4", "0. overline (3)4"),  # digits after the bar: no notation, so no number
    ("5\\text{th}", "5"), ("3^{\\text{rd}}", "3"), ("1^{st}", "1"), ("2nd", "2"), ("13th", "13"),  # ordinals
    ("3th", "3th"), ("x^{th}", "x^(th)"),  # a suffix that is not the number's own stays
])
def test_scripts_repeating_decimals_and_ordinals(text: str, expected: str) -> None:
    assert normalize(text) == expected
