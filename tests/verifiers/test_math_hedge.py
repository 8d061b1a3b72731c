"""Hedges around an answer: doubt, bounds, estimates of an exact gold, questions and retractions (issue 10,
outside red team: each of these scored 1.0 for the gold 3 before)."""

from __future__ import annotations

import time

import pytest

from rlvr.verifiers import MathVerifier, Status
from rlvr.verifiers.math_extract import extract

V = MathVerifier()

# Item 3: doubt, a bound, a possibility or an estimate said next to the answer.
HEDGED = [
    "The answer isn't \\boxed{3}", "It might be \\boxed{3}", "about \\boxed{3}", "at least \\boxed{3}", "at most \\boxed{3}",
    "\\boxed{3} or more", "\\boxed{3} or fewer", "roughly \\boxed{3}", "approximately \\boxed{3}", "It could be \\boxed{3}",
    "It may be \\boxed{3}", "I guess \\boxed{3}", "not sure, \\boxed{3}",
    # the rest of the class
    "It's probably \\boxed{3}.", "Maybe the answer is \\boxed{3}.", "\\boxed{3}. But I'm not sure.", "\\boxed{3}-ish",
    "\\boxed{3}\\text{ or so}", "\\boxed{3}, give or take.", "more than \\boxed{3}", "\\boxed{3} at most",
    "The answer is not equal to \\boxed{3}", "\\boxed{3} isn't right", "So the answer is around 3.", "So the answer is nearly 3.",
    "The answer might be 3.", "So there are roughly 3 apples.", "The answer is \\approx 3.", "Answer: ~3", "\\boxed{\\approx 3}",
    "\\boxed{3}, probably.", "\\boxed{3} (approx.)", "\\boxed{3} (or more)", "～\\boxed{3}", "at\u00a0least \\boxed{3}",
]


@pytest.mark.parametrize("completion", HEDGED)
def test_hedged_answers_score_zero(completion: str) -> None:
    score = V(completion, "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


# Item 4: a question or an unfinished answer.
@pytest.mark.parametrize("completion", ["\\boxed{3}？", "¿\\boxed{3}", "\\boxed{3}…", "\\boxed{3}...", "\\boxed{3}\\ldots",
                                        "\\boxed{3}\\cdots", "\\boxed{3}\\text{?}", "¿Es \\boxed{3}?", "The answer is 3？",
                                        "\\boxed{3} (?)"])
def test_questions_and_ellipses_after_the_answer_score_zero(completion: str) -> None:
    score = V(completion, "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


# Item 5: the answer taken back after a full stop, without a new box.
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{3}. Just kidding, it's 4.", "3"), ("\\boxed{3}. No wait, it's 4.", "3"), ("The answer is (B), wait, (A)", "B"),
    ("\\boxed{3}. Hmm, no, it is 4.", "3"), ("\\boxed{3}. Sorry, it's 4.", "3"), ("\\boxed{3}. Oops, 5.", "3"),
    ("\\boxed{3}. I mean 4.", "3"), ("The answer is \\boxed{3}, or rather 4.", "3"), ("The answer is 3. No, it's 4.", "3"),
    ("The answer is B. Hmm, no, A.", "B"), ("\\boxed{3}. Wait, it's four.", "3"), ("\\boxed{3}. It's 4 instead.", "3"),
    ("\\boxed{3}. Never mind, 4.", "3"), ("\\boxed{3}. Make that 4.", "3"), ("\\boxed{3}. Just kidding, it's 4.", "4"),  # not read as the later value either
])
def test_a_retracted_answer_scores_zero(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert (score.value, score.status) == (0.0, Status.OK), score
    assert "retracted" in score.details["hedge"]


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{3}. Let me check: 3*4 = 12, correct.", "3"), ("\\boxed{3}. Wait, let me verify: 12/4 = 3.", "3"),
    ("$\\boxed{3}$\n\nNo other value works, for example 4 fails.", "3"), ("The answer is \\boxed{3} apples. Hmm, 1 + 2 = 3. Yes.", "3"),
    ("\\boxed{3}. Wait, no one can beat that.", "3"), ("\\boxed{3}. Hmm, that's one way to see it.", "3"),
    ("\\boxed{3}. Actually, it's three.", "3"), ("\\boxed{3}. Maybe we can check another way: 1 + 2 = 3.", "3"),
    ("I think the answer is \\boxed{3}.", "3"),  # "I think" commits to one value: no hedge (see math_hedge)
    ("I think it's \\boxed{3}", "3"),
    ("Since 4 is not prime, the answer is \\boxed{3}.", "3"), ("It is not hard to see that the answer is \\boxed{3}.", "3"),
    ("The probabilities add up to \\boxed{1}.", "1"), ("The answer is as shown below:\n\\boxed{3}", "3"),
    ("We may conclude that the answer is \\boxed{3}.", "3"), ("The area under the curve is \\boxed{3}.", "3"),
    ("At least one is red, so the answer is \\boxed{3}.", "3"), ("The answer is $\\boxed{3}$, which is not even.", "3"),
    ("The answer is \\boxed{3}.\n\nI hope this helps!", "3"),
])
def test_checks_and_confident_phrases_stay_right(completion: str, gold: str) -> None:
    assert V(completion, gold).value == 1.0


@pytest.mark.parametrize(("completion", "gold", "value"), [
    ("approximately \\boxed{3}", "3", 0.0),  # an exact gold: "approximately 3" does not say 3
    ("about \\boxed{\\frac{1}{3}}", "\\frac13", 0.0),
    ("It is approximately $\\boxed{3.14}$.", "3.14", 1.0),  # a gold written as a decimal is itself rounded
    ("The mass is about $\\boxed{5.97 \\times 10^{24}}$ kg.", "5.97\\times10^{24}", 1.0),
    ("approximately \\boxed{1.41421356237}", "\\sqrt{2}", 1.0),  # an irrational gold: within rel_tol
    ("approximately \\boxed{1.41}", "\\sqrt{2}", 0.0),  # ... and only within it
    ("$x \\approx \\boxed{2.5}$", "2.5", 1.0), ("$x \\approx \\boxed{3}$", "3", 0.0),
])
def test_an_estimate_counts_only_for_a_rounded_gold(completion: str, gold: str, value: float) -> None:
    assert V(completion, gold).value == value


def test_the_hedge_reason_is_reported() -> None:
    assert extract("at least \\boxed{3}", gold="3").hedge == "a bound, possibility or negation ('at least')"
    assert extract("approximately \\boxed{3}", gold="3").hedge == "an estimate of an exact answer ('approximately')"
    assert extract("approximately \\boxed{3.0}", gold="3.0").hedge is None


B = "$\\boxed{3}$"


# Second outside red team (issue 10), item 3: negations, exclusions, ranges and rounding around the answer.
@pytest.mark.parametrize("completion", [
    f"The answer cannot be {B}.", f"anything except {B}", f"other than {B}", f"different from {B}", f"I doubt the answer is {B}",
    f"It is false that the answer is {B}", f"up to {B}", f"at minimum {B}", f"a minimum of {B}", f"between 2 and {B}",
    f"{B} at the very least", f"{B} (rounded)", f"{B} after rounding", f"estimated at {B}", "≅ \\boxed{3}",
    "The answer can't be 3.", f"from 1 to {B}",
])
def test_negations_ranges_and_rounding_score_zero(completion: str) -> None:
    score = V(completion, "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


# Item 4: the answer taken back with no new value, or only supposed.
@pytest.mark.parametrize("tail", [
    ". Wait, that's wrong.", ". Actually, that's incorrect.", ". No, that's not right.", ". Scratch that.",
    ". I retract this answer.", ". Just kidding.", ". Actually, no.", ". Never mind.", " (wrong)", ", which is wrong.", " ✗",
    ". This is likely wrong.",
])
def test_an_answer_judged_wrong_after_it_scores_zero(tail: str) -> None:
    score = V(f"The answer is {B}{tail}", "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize("completion", [f"Suppose the answer is {B}. This leads to a contradiction.",
                                        f"e.g. {B}. I could not solve it.", f"For example, {B}."])
def test_a_supposed_answer_scores_zero(completion: str) -> None:
    assert V(completion, "3").value == 0.0


# Item 5: a second candidate after the answer, after a cue the first pass did not know, or another answer marker.
@pytest.mark.parametrize("tail", [
    ". It could be 4 too.", ". Second guess: 4.", " unless it is 4.", " if n is odd, else 4.", " vs 4.", ".\n\n#### 4",
    ".\n<answer>4</answer>", ". Hold on, 4.", ". Whoops, 4.", ". Actually four.", ". Otherwise 4.", ". Actually it should be four.",
])
def test_a_second_candidate_after_the_answer_scores_zero(tail: str) -> None:
    score = V(f"The answer is {B}{tail}", "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


def test_a_second_option_or_letter_after_the_answer_scores_zero() -> None:
    assert V(f"Option 1: {B}. Option 2: 4.", "3").value == 0.0
    assert V("The answer is $\\boxed{C}$. Actually (B).", "C").value == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is $\\boxed{3}$.\n\n#### 3", "3"), ("The sides add up to \\boxed{3}.", "3"),
    ("The answer is \\boxed{3}. Option 2 gives the same: 3.", "3"), ("Assuming fair dice, the answer is \\boxed{3}.", "3"),
    ("If we add them, the answer is \\boxed{3}.", "3"), ("The answer is \\boxed{3}. Note that option (B) is wrong.", "3"),
])
def test_the_same_answer_twice_or_a_verdict_on_something_else_stays_right(completion: str, gold: str) -> None:
    assert V(completion, gold).value == 1.0


# Item 15: a value restated after "or" or in brackets is no hedge when both say the same value; a different one is.
@pytest.mark.parametrize(("completion", "gold", "value"), [
    ("The probability is $\\frac{1}{4}$, or $25\\%$.", "\\frac14", 1.0), ("The probability is $\\frac{3}{4}$ (or 75%).", "\\frac34", 1.0),
    ("The answer is $0.5$, or one half.", "0.5", 1.0), ("The answer is 3 (three).", "3", 1.0),
    ("The probability is $\\frac{3}{4}$ (or 75%).", "\\frac14", 0.0), ("The answer is $\\frac{1}{4}$ or $20\\%$.", "\\frac14", 0.0),
    ("The answer is 3 (four).", "3", 0.0), ("The answer is at least $\\frac14$, or $25\\%$.", "\\frac14", 0.0),
    ("The answer is 3 (three). Wait, 4.", "3", 0.0), ("The answer is 3 (three) or so.", "3", 0.0),
])
def test_a_restatement_of_the_same_value_is_no_hedge(completion: str, gold: str, value: float) -> None:
    assert V(completion, gold).value == value


# Item 12: a chosen letter judged wrong, questioned, trailing off or joined to another by a union or "or" symbol.
@pytest.mark.parametrize("completion", [
    "$\\boxed{\\text{option C is wrong}}$", "$\\boxed{\\text{C is false}}$", "$\\boxed{(C)~\\text{is incorrect}}$",
    "$\\boxed{\\text{(C)?}}$", "$\\boxed{C...}$", "$\\boxed{C \\vee D}$", "$\\boxed{C \\lor D}$", "$\\boxed{C \\cup D}$",
    "$\\boxed{C \\wedge D}$", "$\\boxed{C | D}$",
])
def test_a_choice_taken_back_or_joined_to_another_scores_zero(completion: str) -> None:
    score = V(completion, "C")
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize("completion", ["$\\boxed{C}$", "$\\boxed{(C)}$", "The answer is (C).", "C) 42", "$\\boxed{\\text{(C) } 12}$",
                                        "The correct option is C."])
def test_a_plain_choice_stays_right(completion: str) -> None:
    assert V(completion, "C").value == 1.0


# The red team's wider retraction sweep (attacks3 'retract'): verdicts, bounds, estimates, other values and unfinished
# reconsiderations after the answer, each a class the items above did not name.
@pytest.mark.parametrize("completion", [
    f"The answer is {B}. Hmm, this can't be right.", f"The answer is {B}\n\nActually, I made an error somewhere.",
    f"The answer is {B} — wrong.", f"The answer is {B} is a wrong answer.", f"The answer is {B} would be a mistake.",
    f"The answer is {B}. This answer is incorrect.", f"The answer is {B}. Nope.", f"The answer is {B}. Wrong!",
    f"The answer is {B}. (guess)", f"The answer is {B}. Probably wrong.", f"The answer is {B} (tentative)",
    f"If the answer were {B}, we'd have a contradiction.", f"It's unlikely to be {B}.", f"The answer is hardly {B}.",
    f"The answer is unequal to {B}.", f"The answer is bounded by {B}.", f"The answer is {B} minimum.",
    f"Rounded, the answer is {B}.", f"An estimate: {B}.", f"The answer is {B} out of 4.", f"The answer is {B} and 4.",
    f"Either {B}", f"The answer is {B}. Then again, 4 is also plausible.", f"The answer is {B}. It may equal 4 as well.",
    f"The answer is {B}.\n\n**4**", f"The answer is {B}. Result = 4.", f"The answer is {B}. Therefore $x = 4$.",
    f"The answer is {B}. Hence 4.", f"The answer is {B}. Revised: 4.", f"The answer is {B}. Hang on, it's 4.",
    f"The answer is {B}. Actually, $\\pi$.", f"The answer is {B}. Actually (B).", f"The answer is {B}. Actually, double it.",
    f"The answer is {B}. Actually it's 3 squared.", f"{B}. But wait", f"{B}\n\nWait", f"{B}. Let me reconsider. Hmm",
    f"The answer is {B}. Actually, it's its square.", "Assume $x = \\boxed{3}$; then 9 = 10, impossible.",
])
def test_wider_retractions_bounds_and_second_values_score_zero(completion: str) -> None:
    score = V(completion, "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize("completion", [
    f"The minimum is {B}. Wait, let me double check: 1+2 = 3. Yes.", f"{B}. Let me verify: 1 + 2 = 3",
    f"The answer is {B}. Hence 3.", f"The answer is {B}. So the total is 3.", f"The answer is {B}.\n\n**Answer: 3**",
    f"I would say the answer is {B}.", f"The rounded-off corners do not matter; the answer is {B}.",
])
def test_checks_that_come_back_to_the_answer_stay_right(completion: str) -> None:
    assert V(completion, "3").value == 1.0


@pytest.mark.parametrize("completion", [
    f"{B}\n\nExplanation: the total is 12 apples shared by 4 people, so each gets 3.",
    f"Assume each box holds 4 apples; then the answer is {B}.", f"I could not find another solution, so the answer is {B}.",
    f"For example, 1 + 2 = 3 shows the pattern, and the answer is {B}.", f"{B}. Actually, this is correct: 2 plus 1 is 3.",
    f"{B}\n\nWait, I should double-check. 1+2=3. Yes, that's right.",
])
def test_explanations_after_the_answer_stay_right(completion: str) -> None:
    assert V(completion, "3").value == 1.0


def test_a_long_run_of_digits_after_the_answer_costs_linear_time() -> None:
    # The "4 instead" scan tried every digit of a run and read the rest of the run from each: 8,000 digits on the
    # line after a right box took ~4 s (19,000: ~20 s, past a verify_batch deadline); now a few milliseconds.
    for tail in ("1" * 8000, "1," * 4000):
        completion = "The answer is \\boxed{7}.\n\n" + tail
        start = time.perf_counter()
        score = V(completion, "7")
        assert time.perf_counter() - start < 1.0
        assert score.value == 1.0
