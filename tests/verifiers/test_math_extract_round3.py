"""Outside red-team, third round (extraction side, issue #10): remarks after a stated answer, displays on the
lines after an answer line, bold or check-marked answers, parenthetical notes holding numbers, "and a half"."""

from __future__ import annotations

import pytest

from rlvr.verifiers.math_verifier import MathVerifier

VERIFY = MathVerifier()

# Right answers that were scored 0: the remark after the number became part of the answer.
RIGHT = [
    ("The answer is 3, which satisfies both equations.", "3"),
    ("The answer is 3, as required.", "3"),
    ("The answer is 3, since 1+2=3.", "3"),
    ("So we get 3, as expected.", "3"),
    ("The answer is 3, i.e., three.", "3"),
    ("The answer is 3 because 1+2=3.", "3"),
    ("The answer is:\n\\[\n3\n\\]", "3"),
    ("Therefore, the answer is:\n$$\n3\n$$", "3"),
    ("Answer:\n\n```\n3\n```", "3"),
    ("**3**", "3"),
    ("**A**", "A"),
    ("The answer is 3 ✓", "3"),
    ("The answer is 3 ✅", "3"),
    ("The answer is 3 🎉", "3"),
    ("The answer is 3 :)", "3"),
    ("The answer is 3 (checked).", "3"),
    # A number in a note after the answer is no answer (red-team 1).
    ("Answer: 3 (from step 2)", "3"),
    ("The answer is 7 (see equation 4).", "7"),
    ("So the answer is 10 (see step 3).", "10"),
    ("Thus the answer is 15 (using 5 and 3).", "15"),
    ("Answer: 9 (compare with 8)", "9"),
    # "and a half" belongs to the value (red-team 6).
    ("The answer is 3 and a half.", "7/2"),
    ("The answer is 3 and 1/2.", "7/2"),
]

WRONG = [
    ("Answer: 3 (from step 2)", "2"),
    ("Answer: 9 (compare with 8)", "8"),
    ("The answer is 7 (see equation 4).", "4"),
    ("The answer is 7 (rounded from 6.8).", "7"),  # the rounding hedge stays
    ("The answer is 3 and a half.", "3"),
    ("\\boxed{3} and a half", "3"),
    ("The answer is:\n\\[\n3\n\\] or \\[4\\]", "3"),  # a hedge after the display
    ("The answer is 3, or maybe 4.", "3"),  # a remark list is closed: an "or" is still a hedge
    ("The answer is 1, 2, 3.", "3"),  # a list is not cut at its commas
]


@pytest.mark.parametrize(("completion", "gold"), RIGHT)
def test_a_right_answer_with_a_remark_after_it_scores_one(completion: str, gold: str) -> None:
    assert VERIFY(completion, gold).value == 1.0


@pytest.mark.parametrize(("completion", "gold"), WRONG)
def test_a_number_in_a_remark_or_a_fraction_after_it_is_not_the_answer(completion: str, gold: str) -> None:
    assert VERIFY(completion, gold).value == 0.0


# A box in brackets inside a larger expression, or a Unicode operator after it, is no whole answer (red-team 4, 5).
OPERAND_BOXES = ["$(\\boxed{3}) + 1$", "$(\\boxed{3})^2$", "$\\left(\\boxed{3}\\right)^{2}$", "$[\\boxed{3}]^2$",
                 "$(\\boxed{3})!$", "\\boxed{3}\\left(2\\right)", "\\boxed{3}\\bigl(2\\bigr)"] + [
    f"\\boxed{{3}}{after}" for after in ("／2", "∕2", "⁄2", "⁻¹", "ⁿ", "ⁱ", "⁺", "√2", "∛2", "∞", "′", "″")]


@pytest.mark.parametrize("completion", OPERAND_BOXES)
def test_a_box_inside_a_larger_expression_is_not_the_answer(completion: str) -> None:
    assert VERIFY(completion, "3").value == 0.0


@pytest.mark.parametrize("completion", ["$(\\boxed{3})$", "The answer is $\\left(\\boxed{3}\\right)$.", "(\\boxed{3}).",
                                        "\\boxed{3} (three)"])
def test_a_box_only_bracketed_is_still_the_answer(completion: str) -> None:
    assert VERIFY(completion, "3").value == 1.0


# What LaTeX hides is not read (red-team 2, 3): a "%" after a math span, "\\%" or a letter starts a comment; a leading
# "<s>..</s>" with text after it is a strike-out, not a begin-of-sequence token.
HIDDEN_BOXES = ["The answer is 4. $x$ % \\boxed{3}", "The answer is 4. 50\\% %\\boxed{3}", "The answer is 4. a%b %\\boxed{3}",
                "The answer is 4. $y=2$ %\\boxed{3}", "<s>\\boxed{3}</s> \\boxed{4}"]


@pytest.mark.parametrize("completion", HIDDEN_BOXES)
def test_a_box_in_a_comment_or_struck_out_is_not_read(completion: str) -> None:
    assert (VERIFY(completion, "3").value, VERIFY(completion, "4").value) == (0.0, 1.0)


@pytest.mark.parametrize("completion", ["50% of 6 is \\boxed{3}", "The rate is 25 %, so \\boxed{3}", "(a+b)% of it: \\boxed{3}",
                                        "<s>The answer is \\boxed{3}</s>"])
def test_a_percent_sign_or_a_sequence_token_hides_nothing(completion: str) -> None:
    assert VERIFY(completion, "3").value == 1.0


def test_a_clause_with_a_number_after_a_comma_may_state_the_answer() -> None:
    completion = "The train covers 120 km in 2 hours, so its speed is 60 km/h."
    assert (VERIFY(completion, "60").value, VERIFY(completion, "2").value) == (1.0, 0.0)


# Labels, bracketed verdicts, a trailing plus and other scripts' question marks hedge the answer (red-team 8).
@pytest.mark.parametrize("completion", ["Guess: \\boxed{3}", "Tentative answer: \\boxed{3}", "Draft: \\boxed{3}", "Guess: 3",
                                        "\\boxed{3} (typo)", "\\boxed{3} [WRONG]", "\\boxed{3} (lower bound)", "\\boxed{3}+",
                                        "The answer is \\boxed{3}؟", "The answer is \\boxed{3}⁇", "The answer is \\boxed{3}‽",
                                        "The answer is 3؟"])
def test_a_labelled_or_questioned_answer_is_a_hedge(completion: str) -> None:
    assert VERIFY(completion, "3").value == 0.0


@pytest.mark.parametrize(("completion", "gold"), [("No guesses: the answer is \\boxed{3}.", "3"),
                                                 ("3 + 4 = 7, so \\boxed{7}.", "7"), ("\\boxed{3} (checked)", "3")])
def test_the_new_hedges_leave_a_plain_answer_alone(completion: str, gold: str) -> None:
    assert VERIFY(completion, gold).value == 1.0
