"""What stands around an answer: a box or a final number inside a larger expression, or glued to more digits,
is no answer (issue 10, outside red team: each of these scored 1.0 for the gold 3 before)."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier, Status
from rlvr.verifiers.math_context import flatten, last_word

V = MathVerifier()


@pytest.mark.parametrize(("raw", "seen"), [
    ("\\hphantom{}000", "000"), ("{,}000", ",000"), ("~000", " 000"), ("\\ 000", " 000"), ("\\,\\;000", " 000"),
    ("\\phantom{0}", "0"), ("\\operatorname{thousand}", "thousand"), ("\\textsuperscript{4}", "^4"), ("\\mathrm{k}", "k"),
    ("\\text{-}", "-"), ("$x = $", "x = "), ("\\hspace{2pt}1", " 1"), ("\\end{align}", "\\end align"), ("\\{1\\}", "\\{1\\}"),
    ("<answer>", ""), ("**", ""), ("\\left(\\right.", "( "),
])
def test_flatten_reads_the_symbols_a_reader_sees(raw: str, seen: str) -> None:
    assert flatten(raw) == seen


# Item 1 of the red team's report: a box inside a larger expression, or after a sign, an estimate or a relation.
BOX_INSIDE_MORE = [
    "\\boxed{3}\\cdot 1000", "\\boxed{3} + 2", "\\boxed{3}\\div 2", "\\boxed{3} \\times 2", "$1.\\boxed{3}$",
    "\\pm\\boxed{3}", "\\neg\\boxed{3}", "\\approx\\boxed{3}", ">\\boxed{3}", "-\\,\\boxed{3}", "\\text{-}\\boxed{3}",
    "\\sim\\boxed{3}", "\\le \\boxed{3}",
    # the rest of the class
    "$\\frac{\\boxed{3}}{4}$", "$\\sqrt{\\boxed{3}}$", "|\\boxed{3}|", "$$1000 \\cdot\n\\boxed{3}$$", "\\boxed{3}\\!\\cdot\\!1000",
    "\\boxed{3}_{8}", "$\\boxed{3}!$", "\\boxed{3}(2)", "$x\\boxed{3}$", "\\boxed{3}²", "\\boxed{3}\\,\\%\\cdot 1000",
    "\\left|\\boxed{3}\\right|", "$-$\\boxed{3}", "$2(\\boxed{3})$", "\\boxed{3} < x", "\\boxed{3}\\overline{3}",
    "So the total is 3\\cdot 1000.", "The answer is \\pm 3.", "Answer: \\neg 3",
    "⋅\\boxed{3}", "¬\\boxed{3}", "≧\\boxed{3}", "\\boxed{3}＋2", "\\textcolor{white}{-}\\boxed{3}",  # Unicode, hidden signs
]


@pytest.mark.parametrize("completion", BOX_INSIDE_MORE)
def test_an_answer_inside_a_larger_expression_scores_zero(completion: str) -> None:
    score = V(completion, "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


# Item 2: digits glued after the answer by spacing, empty groups, phantoms or wrappers (3~000 is 3000).
GLUED_AFTER = ["~000", "\\ 000", "{}000", "{,}000", "\\hphantom{}000", "\\phantom{0}", "\\operatorname{thousand}",
               "\\textsuperscript{4}", "\\mathrm{k}", "\\mathbf{000}", "\\color{red}{000}", "\\hspace{1pt}000",
               "\\kern1pt000", "\\quad000", "\\vphantom{x}000", "{\\,}000", "\\text{ }000", "\\mbox{000}", " 000",
               "\\mathrm{~thousand}", "e3", "\\,{\\rm k}", " M",
               "\u200b000", "\u00a0000", "\u202f000", "½", "ｋ", " 万", "<span>000</span>", "\\rlap{000}", "\\text{\\,000}"]


@pytest.mark.parametrize("glue", GLUED_AFTER)
@pytest.mark.parametrize("template", ["\\boxed{{3}}{}", "$\\boxed{{3}}${}", "So the total is 3{}.", "The answer is 3{}"])
def test_digits_glued_after_the_answer_score_zero(template: str, glue: str) -> None:
    score = V(template.format(glue), "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize("completion", ["So the total is 3{}000.", "So the total is 3\\ 000.", "So it's 3~000.",
                                        "So the total is $3$~000."])
def test_a_final_number_glued_after_more_digits_is_no_answer(completion: str) -> None:
    """The final "000" of 3~000 is not 0: it continues the number before it."""
    assert V(completion, "0").value == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("x = \\boxed{3}", "3"), ("The answer is $\\boxed{3}$.", "3"), ("\\boxed{3}\\text{ cm}", "3"), ("\\boxed{3}.", "3"),
    ("**\\boxed{3}**", "3"), ("\\(\\boxed{3}\\)", "3"), ("$= \\boxed{3}$", "3"),
    ("Therefore, the answer is:\n\\[\n\\boxed{3}\n\\]", "3"), ("$2^{100} \\equiv \\boxed{1} \\pmod{7}$", "1"),
    ("x \\in \\boxed{[-2,5]}", "[-2,5]"), ("$\\boxed{30}^{\\circ}$", "30"), ("So the answer is \\boxed{3}!", "3"),
    ("\\boxed{3} \\quad \\blacksquare", "3"), ("The answer is \\boxed{3} (three apples).", "3"),
    ("$x = 1 \\Rightarrow \\boxed{3}$", "3"), ("The answer is \\boxed{3} - the number of ways.", "3"),
    ("- Final answer: \\boxed{3}", "3"), ("1. First part: \\boxed{3}", "3"), ("\\boxed{3}.\n2. Next we check it.", "3"),
    ("<answer>\\boxed{3}</answer>", "3"), ("The answer is $\\left(\\boxed{3}\\right)$", "3"), ("\\boxed{3}\\%", "3"),
    ("The answer is \\boxed{50}\\text{ km/h}.", "50"), ("The number is \\boxed{1{,}000}.", "1000"),
    ("\\boxed{1},\\boxed{2},\\boxed{3}", "1, 2, 3"), ("\\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}.", "-2, 1"),
    ("The answer is \\boxed{\\frac{1}{13}} \\approx 0.077.", "\\frac{1}{13}"),
    ("\\boxed{3}\u00a0cm", "3"), ("The answer is \\boxed{3}\u200b.", "3"),
])
def test_answers_set_apart_stay_right(completion: str, gold: str) -> None:
    assert V(completion, gold).value == 1.0


def test_an_earlier_box_of_the_same_value_must_be_whole_too() -> None:
    """"\\boxed{3}000 ... \\boxed{3}" shows 3000 first: two different answers, not a repeated one."""
    assert V("\\boxed{3}000 and so \\boxed{3}", "3").value == 0.0
    assert V("\\boxed{3} and so \\boxed{3}", "3").value == 1.0


def test_every_box_of_a_list_boxed_in_parts_must_be_whole() -> None:
    """Read as parts of a list gold, "\\boxed{2}, \\boxed{3}0" would pass 2, 3 for the list 2, 30."""
    assert V("\\boxed{2}, \\boxed{3}", "2, 3").value == 1.0
    assert V("\\boxed{2}, \\boxed{3}0", "2, 3").value == 0.0
    assert V("\\boxed{2}0, \\boxed{3}", "2, 3").value == 0.0


# Issue 10, outside red team: a final number in prose followed by a word that changes its value was read as
# the number ("So there are 3 negatives." scored 1.0 for 3). Only units, counted nouns and clause words may follow.
VALUE_CHANGING = [("3", w) for w in ("negatives", "basis points", "per mille", "sixteenths", "lakhs", "scores",
                                     "myriads", "reciprocals", "percents", "bps", "inverses")] \
    + [("1", w) for w in ("billionth", "lakh", "negative", "reciprocal")]
PROSE_FORMS = ["The answer is {n} {w}.", "So there are {n} {w}.", "Therefore, {n} {w}.", "x = {n} {w}.", "= {n} {w}.",
               "The answer is **{n} {w}**.", "**{n} {w}**", "So the answer is **{n}** {w}.", "So there are {n} {w} in total.",
               "The answer is that there are {n} {w} in all.", "Therefore there are $ {n} $ {w}.", "So, {n} {w}!"]


@pytest.mark.parametrize(("number", "word"), VALUE_CHANGING)
@pytest.mark.parametrize("form", PROSE_FORMS)
def test_a_value_changing_word_after_a_final_number_makes_it_no_answer(form: str, number: str, word: str) -> None:
    score = V(form.format(n=number, w=word), number)
    assert score.value == 0.0 and score.status in (Status.OK, Status.NO_ANSWER), score


@pytest.mark.parametrize(("completion", "gold"), [
    ("So there are 3 apples.", "3"), ("In total, 48 + 24 = 72 clips were sold in April and May.", "72"),
    ("So 12 is the answer.", "12"), ("So she needs 15 more minutes.", "15"), ("There are 3 distinct real solutions.", "3"),
    ("There are 3 negative integers.", "3"), ("He earns 3 dollars per hour.", "3"), ("So he is 3 years old.", "3"),
    ("So the discount is 30 percent off.", "30"), ("So there are 36 grandchildren.", "36"), ("So it is 60 km/h.", "60"),
    ("So there are 5 red marbles left.", "5"), ("So there are 3\nThe end.", "3"), ("\\boxed{3} times a day", "3"),
    ("\\boxed{3} ways", "3"), ("So the total is **3** in all.", "3"),
])
def test_units_counted_nouns_and_clause_words_after_a_final_number_stay_right(completion: str, gold: str) -> None:
    assert V(completion, gold).value == 1.0


B = "$\\boxed{3}$"


# Second outside red team (issue 10), item 1: words next to the box that change its value, before and after it.
@pytest.mark.parametrize("completion", [
    f"The answer is negative {B}.", f"The answer is minus {B}.", f"The answer is twice {B}.", f"half of {B}",
    f"the square root of {B}", f"10 to the {B}", f"{B} plus 1.", f"{B} times ten.", f"{B} to the power of 2.",
    f"{B} divided by 2.", f"{B} over 4.", f"{B}:4.", f"{B}‰.", f"{B} basis points.", f"{B} in base 8.", f"{B} plus.",
    f"{B}, plus or minus one", "≳ \\boxed{3}", f"the reciprocal of {B}", f"{B} less 1.", f"{B} more than 4.",
])
def test_words_that_change_the_value_next_to_the_box_score_zero(completion: str) -> None:
    score = V(completion, "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize("completion", ["The answer is negative 3.", "The answer is minus 3.", "The answer cannot be 3."])
def test_words_that_change_a_final_number_score_zero(completion: str) -> None:
    assert MathVerifier(strategies=("last_number",))(completion, "3").value == 0.0


def test_a_sign_word_outside_the_box_is_refused_also_for_the_signed_gold() -> None:
    # Decision: the box holds 3; "negative" outside it is refused, as "-\\boxed{3}" is, not read as -3.
    assert V(f"The answer is negative {B}.", "-3").value == 0.0
    assert V("The answer is $\\boxed{-3}$.", "-3").value == 1.0


# Item 2: an apostrophe as a thousands separator after the box.
@pytest.mark.parametrize("completion", [f"The answer is {B}'000.", f"The answer is {B}’000."])
def test_apostrophe_thousands_after_the_box_score_zero(completion: str) -> None:
    assert V(completion, "3").value == 0.0


@pytest.mark.parametrize("completion", [f"He went there {B} times.", f"She trains {B} times a week.", f"{B} apples.",
                                        f"That is {B} in total."])
def test_counts_and_units_after_the_box_stay_right(completion: str) -> None:
    assert V(completion, "3").value == 1.0


# Item 9: a percent sign or word outside the box belongs to the answer (percent="fraction" reads 3% as 0.03).
@pytest.mark.parametrize(("completion", "gold", "value"), [
    (f"The answer is {B}\\%.", "3", 0.0), (f"The answer is {B} percent.", "3", 0.0),
    ("The answer is $\\boxed{0.03}$\\%.", "0.03", 0.0), (f"The answer is {B}\\%.", "0.03", 1.0),
    ("The answer is $\\boxed{3\\%}$.", "0.03", 1.0),
])
def test_a_percent_outside_the_box_counts_under_percent_fraction(completion: str, gold: str, value: float) -> None:
    assert MathVerifier(percent="fraction")(completion, gold).value == value


def test_a_percent_outside_the_box_still_matches_under_percent_either() -> None:
    assert V(f"The answer is {B}\\%.", "3").value == 1.0


def test_last_word_is_the_trailing_run_of_lower_case_letters() -> None:
    assert last_word("so the answer is") == "is"
    assert last_word("whole") == "whole"
    assert last_word("x = 3") == ""
    assert last_word("the Answer") == "nswer"  # lower-case ASCII only: callers lower-case first
    assert last_word("") == ""
