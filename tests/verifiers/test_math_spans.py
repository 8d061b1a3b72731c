"""Reading answers as the field writes them (issue 10): one test per extraction class, end to end
through ``MathVerifier``, plus the fragments that must never pass and the boxed-only strictness."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier
from rlvr.verifiers.math_spans import final_element, math_spans, strip_tail, whole_expression

V = MathVerifier()


def _right(completion: str, gold: str) -> bool:
    return bool(V(completion, gold).correct)


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\frac{1}{2}", "0.5"),  # bare LaTeX
    ("\\frac {1}{2}", "0.5"),
    ("\\tfrac83", "\\frac{8}{3}"),
    ("$\\frac13 $", "1/3"),  # one $..$ span
    ("$$\\frac{1}{3}.$$", "\\frac{1}{3}"),  # display span, its full stop dropped
    ("\\[\\frac{1}{3}.\\]", "\\frac{1}{3}"),
    ("\\(x \\geq 5\\)", "x >= 5"),
    ("$[0,1)$", "$[0,1)$"),  # the brackets are part of the answer
    ("x^2 + 2*x + 1", "x^2+2x+1"),
    ("\\text{odd}", "odd"),
    ("\\begin{bmatrix} 0 & 0 \\\\ 0 & 1 \\end{bmatrix}", "\\begin{pmatrix}0&0\\\\0&1\\end{pmatrix}"),
    ("$28$ %", "$28\\%$"),  # a span and a sign after it
    ("$\\frac{1}{3} \\text{meters}$", "1/3"),
    ("\\boxed{1000}", "\\\\boxed{1000}"),  # a test file's doubled backslashes in the gold
])
def test_a_whole_expression_is_the_answer(completion: str, gold: str) -> None:
    assert _right(completion, gold)


@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("$x = 3$", "3", True),
    ("$(p,q)=(3,2)$", "(3,2)", True),
    ("$(3,2)$", "$(p,q)=(3,2)$", True),  # the gold's own right-hand side
    ("$$1$$", "$$f(x)=1$$", True),
    ("$\\boxed{4, 5}$", "$AB=4,CD=5$", True),
    ("$11:21$", "$V_{1}:V_{2}=11:21$", True),  # a ratio behind a label
    ("$\\frac{1}{\\sqrt{6}}$", "$\\frac{NO}{BO}=\\frac{1}{\\sqrt{6}}$", True),
    ("$(2,3)$", "$(p,q)=(3,2)$", False),
    ("$y = 2x + 5$", "y = -2x + 5", False),
    ("$2x + y = 5$", "y = -2x + 5", True),  # a labelled gold against an equation: same line
    ("$x = 3$", "$y = 3$", False),  # two different labels
])
def test_labelled_answers_compare_their_right_hand_sides(completion: str, gold: str, expected: bool) -> None:
    assert _right(completion, gold) is expected


@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("4 4/9", "40/9", True),
    ("The answer is 4 4/9.", "40/9", True),
    ("3128 1/2", "3128.5", True),
    ("918\\frac{1}{2}", "918.5", True),
    ("-4 4/9", "-40/9", True),
    ("4 4/9", "4", False),  # not 4 * 4/9, not the 4 in front
    ("3128 1/2", "1/2", False),
    ("11 6/6", "12", False),  # numerator >= denominator: no mixed number at all
    ("11 7/6", "7/6", False),
    ("4 4/9%", "40/900", True),
    ("4 4/9 percent", "40/900", True),
    ("4 4/9%", "40/9", False),  # a percentage of a fraction gold is read divided by 100
])
def test_mixed_numbers(completion: str, gold: str, expected: bool) -> None:
    assert _right(completion, gold) is expected


@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("$-x > -1$", "$x < 1$", True),
    ("$-x >= -1$", "$x <= 1$", True),
    ("$5 \\geq x$", "$x \\leq 5$", True),
    ("$(0,1)$", "$0<f(x)<1$", True),
    ("$x \\in [-2,7]$", "$-2 \\le x \\le 7$", True),
    ("We find that $x \\lt 3$.", "$x < 3$", True),
    ("$[0,9)$", "$(0,9)$", False),  # bracket types are kept
    ("$-x > -1$", "$x > 1$", False),  # and directions
    ("$x \\in \\boxed{(2,12) \\cup (12,102)}$", "(2, 12) \\cup (12, 102)", True),
])
def test_intervals_and_relations_keep_brackets_and_direction(completion: str, gold: str, expected: bool) -> None:
    assert _right(completion, gold) is expected


@pytest.mark.parametrize(("completion", "gold"), [
    ("Therefore $x \\geq 5$ is the solution.", "$x >= 5$"),
    ("The distance is $\\boxed{125\\textnormal{ miles}}.$", "$125$ miles"),
    ("So the number is 10 which is 1,000.99m².", "1000.99"),
    ("It costs $1,000.99 in total.", "1000.99"),
    ("Final Answer: The largest $n$ is 34.", "$34$"),
    ("Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.", "$120$"),
    ("So the probability is 2/3. <|im_start|>user\nNext question", "$2/3$"),  # a chat-template tail
    ("the ordered pair $(x, y)$ that solves the system is $(7, 6)$.", "(7,6)"),
])
def test_answers_in_a_final_sentence(completion: str, gold: str) -> None:
    assert _right(completion, gold)


@pytest.mark.parametrize(("completion", "gold", "expected"), [
    ("\\boxed{1} and \\boxed{2} and \\boxed{3}", "$${1,2,3}$$", True),
    ("\\boxed{1},\\boxed{2},\\boxed{3}", "$${1,2,3}$$", True),
    ("$\\boxed{1,2}$", "$\\boxed{1}\\boxed{2}$", True),  # a gold boxed in parts
    ("$19, 46, \\text{ and } 82$", "$19, 46, and 82$", True),
    ("$p=-1,p=\\frac{15}{8}$", "\\[ \\boxed{p = -1 \\text{ and } p = \\dfrac{15}{8}} \\]", True),
    ("$(0;-2;6),(4;0;0)$", "(4, 0, 0), (0, -2, 6)", True),  # semicolons inside tuples
    ("$1, 2, 3, ...$", "$1, 2, 3$", False),  # an ellipsis is not the end of the list
    ("10, 4, -2", "4, 10, -2", False),  # an unsorted gold list keeps its order
    ("\\boxed{1} and \\boxed{2}", "$${1,2,3}$$", False),
])
def test_several_answers_for_a_list_gold(completion: str, gold: str, expected: bool) -> None:
    assert _right(completion, gold) is expected


@pytest.mark.parametrize(("completion", "gold"), [
    ("AZYUK2A", "2"),  # a number inside a word
    ("$\\frac13 $", "13"),  # a denominator
    ("(r+5)^2", "2"),  # an exponent
    ("\\boxed{(3,141)}", "3141"),  # a comma inside a tuple is no thousands separator
    ("$[0,1)$", "0,1"),  # a bracket's contents
    ("\\mathrm{E}*2", "E"),  # a choice letter inside an expression
    ("Answer: $2^{10}$.", "2"),
    ("5 6 7 8", "8"),  # numbers side by side are candidates, not an answer
])
def test_fragments_never_pass(completion: str, gold: str) -> None:
    assert not _right(completion, gold)


def test_strictness_stays_a_choice() -> None:
    boxed_only = MathVerifier(strategies=("boxed",))
    assert _right("\\frac{1}{2}", "0.5") and not boxed_only("\\frac{1}{2}", "0.5").correct
    assert boxed_only("\\frac{1}{2}", "0.5").status.value == "no_answer"
    assert boxed_only("so $\\boxed{\\frac{1}{2}}$", "0.5").correct
    no_whole = MathVerifier(strategies=("boxed", "answer_phrase"))
    assert not no_whole("x^2+2x+1", "(x+1)^2").correct and _right("x^2+2x+1", "(x+1)^2")


def test_span_helpers() -> None:
    assert [c for _, _, c in math_spans("a $x$ b $$y$$ c \\(z\\) \\[w\\] \\$5")] == ["x", "y", "z", "w"]
    assert strip_tail("It is 5. I hope it is correct.<|im_end|>junk") == "It is 5."
    assert whole_expression("The answer is 5") is None and whole_expression("Answer $ 9 $") is None
    assert whole_expression("$1, 2, 3, ...$") == "1, 2, 3, ..."
    assert final_element("So 72 clips were sold in May") == "72"
    assert final_element("it has 12 of them and that is what we wanted to know in the end") is None
