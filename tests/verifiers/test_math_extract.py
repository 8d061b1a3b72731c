"""Final-answer extraction: which strategy fires, what it returns, and what counts as a hedge."""

from __future__ import annotations

import pytest

from rlvr.verifiers.math_boxes import boxed_contents
from rlvr.verifiers.math_extract import extract
from rlvr.verifiers.math_verifier import MathVerifier

CASES = [
    # (completion, expected answer, expected extractor)
    ("so $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}", "boxed"),  # nested braces inside the box
    ("\\fbox{12}", "12", "boxed"),  # \fbox counts as a box
    ("thus \\boxed 5$", "5", "boxed"),  # brace-less \boxed
    ("\\boxed{3} then again \\boxed{3}", "3", "boxed"),  # repeated identical boxes are no hedge
    ("Natalia sold 48 clips.\n#### 72", "72", "gsm8k"),  # GSM8K marker
    ("The final answer is $\\frac{3}{4}$. I hope it is correct.", "$\\frac{3}{4}$", "answer_phrase"),  # minerva
    ("Answer: 3.5 meters.", "3.5 meters", "answer_phrase"),  # full stop after the sentence, not the decimal
    ("the correct option is (B).", "(B)", "answer_phrase"),  # multiple choice phrase
    ("So the total is **18** apples.", "18", "bold"),  # bold span holding a number
    ("**Step 1** add them: 3 + 4 = 7", "7", "last_number"),  # a bold heading without digits is skipped
    ("So she pays $12.50", "$12.50", "last_number"),  # trailing number with a dollar sign
    ("so the total is twenty one", "twenty one", "last_number"),  # trailing number words
    ("In total, 48 + 24 = 72 clips were sold in April and May.", "72", "last_number"),  # finished sentence
    ("She has eight apples left.", "eight", "last_number"),  # number words inside a finished sentence
    ("We have one hundred and five cookies in total.", "one hundred and five", "last_number"),  # longest run
    ("<think>5+7 is 12</think>\n<answer>12</answer>", "12", "answer_tag"),  # R1-style answer tag
    ("<answer>The answer is 7.</answer>", "7", "answer_tag"),  # a phrase inside the tag narrows it
    ("The hypotenuse is \\(\\sqrt{41}\\).", "\\sqrt{41}", "last_number"),  # a math span ends the sentence
    ("After comparing, I choose (D).", "(D)", "last_number"),  # a choice ends the sentence
    ("The solutions are $x=1$ and $x=2$.", "x=1, x=2", "last_number"),  # several solved-for spans
]


@pytest.mark.parametrize(("completion", "answer", "extractor"), CASES)
def test_extracts_the_final_answer(completion: str, answer: str, extractor: str) -> None:
    found = extract(completion)
    assert (found.answer, found.extractor, found.hedge) == (answer, extractor, None)


@pytest.mark.parametrize("completion", [
    "We add 3 and 4 to get 7 and then",  # truncated mid-sentence: no trailing number
    "So the answer is \\boxed{12",  # box never closed
    "",
    "I am not sure how to solve this.",
    "First, the total cost is 12 dollars per",  # a number, but the sentence was never finished
    "He needs 12 more hours. Then he is done.",  # the finished last sentence holds no number
    "Step 1: 45 / 5 = 9. Step 2: 9 * 3 =",
])
def test_nothing_found_in_truncated_completions(completion: str) -> None:
    assert extract(completion).answer is None


@pytest.mark.parametrize(("completion", "word"), [
    ("\\boxed{7} or \\boxed{8}", "2 different boxed answers"),  # several boxes
    ("The answer is 7 or 8.", "'or'"),
    ("The answer is not 17.", "'not'"),
    ("the answer is either 3 or 4", "'either'"),
    ("$\\boxed{7 \\text{ (or possibly 8)}}$", "'or'"),
    ("It is **7** or **8**.", "'or'"),  # hedge outside the bold span, on its line
    ("It could be any of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10.", "candidate"),  # a list of candidates
    ("5 6 7 8", "candidate"),
    ("Possible answers: 3, 4, 5.", "candidate"),
    ("The answer is definitely not 17 apples.", "'not'"),
    ("At least 7.", "'at least'"),
    ("It is 7 unless n is odd.", "'unless'"),  # a number read out of prose keeps its hedges
    ("<answer>The answer is 7, or maybe 8</answer>", "'or'"),  # the full stop after the list must not hide it
])
def test_hedges_are_flagged(completion: str, word: str) -> None:
    assert word in (extract(completion).hedge or "")


def test_hedge_word_in_gold_is_not_a_hedge() -> None:
    assert extract("\\boxed{\\text{not possible}}", gold="\\text{not possible}").hedge is None


def test_strategy_order_is_configurable() -> None:
    text = "\\boxed{3}\n#### 4"
    assert extract(text).answer == "3"
    assert extract(text, ("gsm8k", "boxed")).answer == "4"


def test_only_the_tail_of_a_huge_completion_is_scanned() -> None:
    found = extract("1 + " * 50_000 + "so \\boxed{9}")
    assert (found.answer, found.extractor) == ("9", "boxed")


def test_boxed_contents_keeps_every_box_in_order() -> None:
    assert boxed_contents("\\boxed{a}\\boxed{\\frac{1}{2}}\\fbox{c}") == ["a", "\\frac{1}{2}", "c"]


@pytest.mark.parametrize("completion", [
    r"Now we multiply to get $\log_2 8 \times \log_2 8 = 3 \times 3",  # cut off mid-product (held-out m20)
    "so the value is 10^3",
    "The result is 12 * 3",
    r"which gives 4 \cdot 3",
])
def test_a_trailing_operand_is_no_answer(completion):
    """A number ending an unfinished expression is a fragment, not a final answer."""
    score = MathVerifier()(completion, "3")
    assert score.value == 0.0 and score.extracted != "3"


@pytest.mark.parametrize(("completion", "gold"), [
    (r"\boxed{3 \approx 5}", "3"),
    (r"\boxed{x+1 \approx x+5}", "x+1"),
    (r"\boxed{\frac{1}{2} \approx \frac{1}{3}}", r"\frac{1}{2}"),
    (r"The answer is 3 \approx 4.", "3"),
])
def test_the_side_after_approx_is_graded_too(completion, gold):
    """``exact ≈ approx`` keeps the exact value only when the approximation agrees with it:
    otherwise the right side is a second answer nobody checks (found by a red-team pass)."""
    assert MathVerifier()(completion, gold).value == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    (r"\boxed{\frac{1}{13} \approx 0.077}", r"\frac{1}{13}"),
    (r"\boxed{\frac{2}{3} \approx 0.67}", r"\frac{2}{3}"),
])
def test_an_agreeing_approximation_keeps_the_exact_value(completion, gold):
    assert MathVerifier()(completion, gold).value == 1.0
