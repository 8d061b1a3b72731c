"""Outside red team round 6 (#10): each class of break, run through ``MathVerifier``."""

from __future__ import annotations

import time

import pytest

from rlvr.verifiers import MathVerifier
from rlvr.verifiers.score import Status

V = MathVerifier()


def _value(completion: str, gold: str) -> float:
    score = V(completion, gold)
    assert score.status in (Status.OK, Status.NO_ANSWER), score
    return score.value


# The value stated right before the box, or restated after a cue, is compared with the box as a value: the same
# value in another notation is one answer, no second one.
@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is 1/2.\n\\boxed{\\frac{1}{2}}", "1/2"),
    ("The answer is 0.25.\n\\boxed{\\frac{1}{4}}", "1/4"),
    ("The answer is 0.5.\n\\boxed{\\frac12}", "1/2"),
    ("Final answer: 3/4\n\\boxed{\\frac34}", "3/4"),
    ("The answer is 1000.\n\\boxed{1{,}000}", "1000"),
    ("The answer is 3.\n\\boxed{\\text{3}}", "3"),
    ("The answer is 2.\n\\boxed{\\mathbf{2}}", "2"),
    ("The answer is 7.\n\\boxed{\\textbf{7}}", "7"),
    ("The answer is 30.\n\\boxed{30^\\circ}", "30"),
    ("\\boxed{\\frac{1}{2}}. Hmm, let me verify: the probability is 1/2.", "1/2"),
    ("\\boxed{\\dfrac{3}{4}}. Wait, let me verify: 3/4 = 0.75.", "3/4"),
    ("\\boxed{-\\frac{1}{2}}. Hmm, double-check: -1/2 indeed.", "-1/2"),
    ("\\boxed{3\\sqrt{2}}. Wait, let me verify: $3\\sqrt{2}$.", "3\\sqrt{2}"),
    ("\\boxed{2^{10}}. Wait, that's 1024.", "1024"),
    ("\\boxed{1{,}000}. Wait, let me recheck: 1000 it is.", "1000"),
])
def test_the_same_value_written_two_ways_is_one_answer(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is 4.\n\n\\boxed{3}", "3"),
    ("The answer is 0.5.\n\\boxed{\\frac13}", "1/3"),
    ("\\boxed{\\frac{1}{2}}. Wait, it's 1/3.", "1/2"),
    ("\\boxed{2^{10}}. Wait, that's 1000.", "1024"),
    ("\\boxed{1{,}000}. Wait, it is 1001.", "1000"),
    ("\\boxed{3\\sqrt{2}}. Wait, it's $2\\sqrt{3}$.", "3\\sqrt{2}"),
])
def test_a_different_value_still_makes_it_zero(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


# A sentence that ends in a number, then the box opening a display on the next line: the point ends the sentence, it
# is no decimal point of the box; glued or inside the box's own maths it still is.
@pytest.mark.parametrize(("completion", "gold"), [
    ("The final answer is 8.\n$$\\boxed{8}$$", "8"),
    ("Therefore, x = 8.\n\\[\\boxed{8}\\]", "8"),
    ("Hence the minimum value is 4.\n\\[ \\boxed{4} \\]", "4"),
    ("Thus $a + b = 7$.\n$$\n\\boxed{7}\n$$", "7"),
    ("So the total is 12,\n$$\\boxed{12}$$", "12"),
])
def test_a_display_box_after_a_sentence_ending_in_a_number(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("8.$\\boxed{8}$", "8"),
    ("1. $\\boxed{3}$", "3"),
    ("1.\\[\\boxed{3}\\]", "3"),
    ("$$1.\n\\boxed{3}$$", "3"),
    ("$$12\n\\boxed{3}$$", "3"),
    ("$1,\\boxed{3}$", "3"),
])
def test_a_point_or_digit_glued_or_inside_the_box_maths_still_counts(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


# After a retraction cue, an equation that gives the variable another value, calls the answer wrong, or follows a
# cue that announces a change is no check of the answer: it takes the answer back.
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{3}. Wait, x = 4, not 3.", "3"),
    ("\\boxed{3}. Wait, 3 was wrong, x = 4.", "3"),
    ("\\boxed{5}. Oops, 5 - 1 = 4.", "5"),
    ("\\boxed{3}. Actually, since 2x = 8 we get x = 4, so 3 is off.", "3"),
    ("\\boxed{3}. Hmm, 3 is a typo.", "3"),
    ("\\boxed{3}. Wait, it's 4 = 3.", "3"),
    ("\\boxed{3}. Wait, it's 4 = ３.", "3"),
])
def test_an_equation_that_changes_the_answer_is_no_check(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{3}. Wait, let me verify: 3 \\cdot 4 = 12.", "3"),
    ("\\boxed{3}. Hmm, 9 = 3^2, good.", "3"),
    ("\\boxed{3}. Wait, let me verify with n = 2: 2 + 1 = 3.", "3"),
    ("\\boxed{3}. Hmm, let me check: if x = 3, then y = 6.", "3"),
    ("\\boxed{3}. Wait, let me verify: x = 3 gives 2x = 6.", "3"),
    ("\\boxed{3}. Wait, check: 2 + 1 = 3.", "3"),
    ("\\boxed{3}. Wait, 6 = 2 \\cdot 3.", "3"),
    ("\\boxed{3}. Hmm, 3 \\times 4 = 12 = 12.", "3"),
])
def test_a_check_of_the_answer_still_counts(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


# The conclusion scan reads each run of spaces once: "\\boxed{3}." then 441 " so" and 40 spaces took 5 s.
@pytest.mark.parametrize("completion", [
    "\\boxed{3}." + (" so" + " " * 40) * 441,
    "\\boxed{3}." + (" Thus," + " " * 60) * 287,
])
def test_a_conclusion_scan_over_runs_of_spaces_is_linear(completion: str) -> None:
    started = time.perf_counter()
    assert _value(completion, "3") == 1.0
    assert time.perf_counter() - started < 0.5


def test_a_conclusion_still_ends_its_line() -> None:
    assert _value("\\boxed{3}. So we get  4\nmore words here", "3") == 0.0
    assert _value("\\boxed{3}. Hence  $ x =  4 $ . \n", "3") == 0.0
    assert _value("\\boxed{3}. Hence 4 apples are left over for Bob.", "3") == 1.0


def test_an_adverb_inside_a_story_after_the_answer_offers_no_second_value() -> None:
    """The default model's own step-8 rollout in the main job (seed 0, 2026-12-02): scored 1 on 5776bf6, then
    0 when the second-candidate check began to compare values ("12" had passed as a part of "124")."""
    rambling = ("96 + 28 = 124. The answer is \\boxed{124}.\n\nA lazy little lad who always finds it within his magic "
                "has solved the problem of adding 10 to a number that would otherwise take 12 days to calculate.")
    assert MathVerifier()(rambling, "124").value == 1.0
    for offered in ("\\boxed{3}. Otherwise 4.", "\\boxed{3}, maybe 4", "\\boxed{3} or else 4", "\\boxed{3}; perhaps 4",
                    "\\boxed{3}, but maybe 4"):
        assert MathVerifier()(offered, "3").value == 0.0, offered
