"""MathVerifier end to end: table-driven (completion, gold) -> expected value and status."""

from __future__ import annotations

import pickle
import time

import pytest

from rlvr.verifiers import MathVerifier, Status, get_verifier

V = MathVerifier()

CORRECT = [
    ("The answer is \\boxed{42}.", "42"),  # plain boxed integer
    ("so \\boxed{\\frac{1}{2}}", "\\frac12"),  # \frac12 shorthand in the gold
    ("#### 1,234", "1234"),  # GSM8K marker with thousands separator
    ("Answer: 3/4", "0.75"),  # fraction vs decimal, exactly equal
    ("The final answer is $\\dfrac{\\sqrt{3}}{2}$. I hope it is correct.", "\\frac{\\sqrt3}{2}"),  # minerva
    ("\\boxed{10^{10^{10}}}", "10^{10^{10}}"),  # huge but handled numerically, no blow-up
    ("\\boxed{(1,2]}", "(1,2]"),  # interval with bracket types
    ("\\boxed{\\{3,1,2\\}}", "\\{1,2,3\\}"),  # sets are order-free
    ("\\boxed{x=3}", "3"),  # equation vs value
    ("\\boxed{3+4i}", "3+4i"),  # complex numbers
    ("\\boxed{\\infty}", "\\infty"),  # infinity
    ("\\boxed{3.2e5}", "320000"),  # scientific notation, e-form
    ("\\boxed{3.2\\times10^5}", "320000"),  # scientific notation, LaTeX form
    ("the answer is seven", "7"),  # number words
    ("The answer is (C)", "C"),  # multiple choice, parenthesised letter
    ("\\boxed{C}", "(C)"),  # multiple choice, boxed letter
    ("The answer is C) 42", "C"),  # multiple choice with the option text
    ("\\boxed{70\\,000}", "70000"),  # thin-space thousands separator
    ("\\boxed{√2}", "\\sqrt{2}"),  # Unicode root
    ("\\boxed{x^2+2x+1}", "(x+1)^2"),  # symbolic identity
    ("\\boxed{25\\%}", "25"),  # percent, default 'either'
    ("\\boxed{\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"),  # matrix
    ("\\boxed{x > 3}", "(3,\\infty)"),  # inequality as interval
    ("\\boxed{5\\text{ cm}}", "5"),  # units stripped
    ("\\boxed{90^\\circ}", "90"),  # degrees
    ("\\boxed{３}", "3"),  # full-width digit
    ("\\boxed{3\\frac{1}{2}}", "7/2"),  # mixed number
    ("\\boxed{\\text{Monday}}", "\\text{Monday}"),  # text answer
    ("\\boxed{2\\sqrt{3}}", "\\sqrt{12}"),  # radicals by value (require_simplified off)
    ("\\boxed{y=2x+3}", "y=2x+3"),  # equation vs equation
    ("\\boxed{-2,2}", "-2, 2"),  # list of solutions
    ("\\boxed{\\pm 2}", "-2, 2"),  # plus-minus expands to two solutions
    ("\\boxed{yes}", "\\text{Yes}"),  # short words match as text, case-insensitively
    ("\\boxed{ba}", "ab"),  # ... while short letter runs are products of variables
    ("The range is $\\boxed{\\mathbb{R}}$.", "(-\\infty,\\infty)"),  # all reals
    ("So $x = \\boxed{2}$ or $x = \\boxed{-3}$.", "-3, 2"),  # a solution list boxed in parts
    ("\\boxed{x \\in [-2, 5]}", "[-2,5]"),  # membership in an interval
    ("\\boxed{x \\approx 2.5}", "2.5"),  # approximately-equal read as an equation
    ("The answer is 1/2 (or 0.5).", "0.5"),  # one value said twice is no hedge
    ("The answer is option B.", "B"),  # "option B" chooses B
    ("Answer: The store sold 42 shirts.", "42"),  # a prose answer: its number
    ("So the answer is 42!", "42"),  # an exclamation mark ends the sentence ...
    ("\\boxed{5!}", "120"),  # ... but inside a box it is a factorial
    ("The answer is 6 x 7.", "42"),  # 'x' between numbers is a product
    ("The answer is 6 \\times 7 = 42.", "42"),  # a worked chain: its last side
    ("The answer is #42.", "42"),
    ("Thus, $x = \\pm\\sqrt{5}$.", "\\sqrt5, -\\sqrt5"),  # x = ±a is the solution set
    ("The roots are $\\boxed{1 \\text{ and } 2}$.", "1,2"),  # 'and' between values lists them
    ("The answer is $\\boxed{5\\text{ m/s}}$.", "5"),  # a compound unit in \\text
    ("The answer is \\boxed{7}. I could also compute it as 10 - 3.", "7"),  # a check, not a candidate
    ("The answer is \\boxed{12}, or one dozen.", "12"),  # the same value in words
    ("So the probability is $\\boxed{\\frac{1}{2}}$ or 50%.", "\\frac12"),  # the same value restated
]

WRONG = [
    ("\\boxed{7} or \\boxed{8}", "7"),  # two different boxed answers: a hedge
    ("The answer is 7 or 8.", "7"),  # 'or' hedge
    ("The answer is not 17.", "17"),  # negated answer
    ("\\boxed{(1,2)}", "(1,2]"),  # bracket types differ
    ("\\boxed{0.333}", "\\frac13"),  # exact rationals compared exactly
    ("\\boxed{7, 8, 9}", "7"),  # a list of candidates
    ("\\boxed{no}", "\\text{yes}"),  # different words
    ("\\boxed{xy}", "x+y"),  # a product is not a sum
    ("The answer is 1/2 (or 0.6).", "0.5"),  # two different values: a hedge
    ("The answer is 0.5 or 0.6.", "0.6"),
    ("The answer is 6 \\times 7 = 43.", "42"),  # a chain is judged by its last side
    ("\\boxed{8 = 7}", "7"),  # ... and only when every step holds
    ("\\boxed{2}, \\boxed{-3}, \\boxed{5}", "-3, 2"),  # more boxes than solutions: still a hedge
    ("\\boxed{2}, \\boxed{-3 \\text{ or maybe } 3}", "-3, 2"),  # boxed in parts, hedged inside
    ("\\boxed{3:4}", "\\frac34"),  # unreadable as maths: never matched as text against a maths gold
    ("The answer is 7. Or maybe 8.", "7"),  # a second candidate in the next sentence
    ("The answer is 7? Or 8?", "7"),  # ... as a question
    ("The answer is \\boxed{7}. Or maybe 8.", "7"),  # ... after a box
    ("The answer is 7; it could also be 8.", "8"),  # the gold is the second candidate
    ("The answer is 7; it could also be 8.", "7"),  # ... or the first
]


@pytest.mark.parametrize(("completion", "gold"), CORRECT)
def test_correct_answers_score_one(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert (score.value, score.status) == (1.0, Status.OK), score


@pytest.mark.parametrize(("completion", "gold"), WRONG)
def test_wrong_answers_and_hedges_score_zero(completion: str, gold: str) -> None:
    score = V(completion, gold)
    assert (score.value, score.status) == (0.0, Status.OK), score


def test_truncated_completion_has_no_answer() -> None:
    assert V("Let me compute 3+4=7 and then", "7").status is Status.NO_ANSWER


@pytest.mark.parametrize("answer", ["9^9^9^9", "9^{9^{9^{9}}}", "2^{2^{2^{2^{2^{2}}}}}"])
def test_power_towers_are_refused_fast(answer: str) -> None:
    start = time.perf_counter()
    score = V(f"\\boxed{{{answer}}}", "7")
    assert score.status is Status.PARSE_ERROR and time.perf_counter() - start < 0.1


def test_registry_builds_a_picklable_verifier() -> None:
    verifier = get_verifier("math", rel_tol=1e-6)
    assert pickle.loads(pickle.dumps(verifier)) == verifier
    assert verifier("\\boxed{1/3}", "0.3333333") .value == 0.0  # exact rationals ignore rel_tol


@pytest.mark.parametrize(("percent", "answer", "gold", "value"), [
    ("either", "25\\%", "25", 1.0), ("either", "25\\%", "0.25", 1.0),
    ("strip", "25\\%", "25", 1.0), ("strip", "25\\%", "0.25", 0.0),
    ("fraction", "25\\%", "25", 0.0), ("fraction", "25\\%", "0.25", 1.0),
    # Against a gold fraction a percentage is that ratio (as Math-Verify and math_equal score it); a bare 75 is not.
    ("either", "75\\%", "\\frac34", 1.0), ("either", "75 percent", "\\frac34", 1.0), ("either", "75", "\\frac34", 0.0),
])
def test_percent_modes(percent: str, answer: str, gold: str, value: float) -> None:
    assert MathVerifier(percent=percent)(f"\\boxed{{{answer}}}", gold).value == value  # type: ignore[arg-type]


@pytest.mark.parametrize(("answer", "gold"), [("\\frac{2}{4}", "\\frac12"), ("\\sqrt{12}", "2\\sqrt3")])
def test_require_simplified_rejects_unreduced_forms(answer: str, gold: str) -> None:
    assert V(f"\\boxed{{{answer}}}", gold).value == 1.0
    strict = MathVerifier(require_simplified=True)
    assert strict(f"\\boxed{{{answer}}}", gold).details["method"] == "not_simplified"
    assert strict(f"\\boxed{{{gold}}}", gold).value == 1.0


def test_equation_rhs_can_be_turned_off() -> None:
    assert MathVerifier(equation_rhs=False)("\\boxed{x=3}", "3").value == 0.0


def test_multiple_choice_can_be_turned_off() -> None:
    assert MathVerifier(multiple_choice=False)("The answer is C) 42", "C").value == 0.0


def test_decimal_approximation_of_an_irrational_within_rel_tol() -> None:
    assert V("\\boxed{0.70710678118654752}", "\\frac{\\sqrt2}{2}").value == 1.0  # 1e-17 off: inside 1e-9
    assert V("\\boxed{0.7071}", "\\frac{\\sqrt2}{2}").value == 0.0
    assert MathVerifier(rel_tol=1e-3)("\\boxed{0.7071}", "\\frac{\\sqrt2}{2}").value == 1.0


def test_score_details_name_the_extractor_and_method() -> None:
    score = V("#### 1,000", "1000")
    assert (score.extracted, score.details) == ("1,000", {"extractor": "gsm8k", "method": "exact"})


def test_gsm8k_solution_as_gold_uses_the_marked_answer() -> None:
    assert V("\\boxed{72}", "48 + 24 = 72\n#### 72").value == 1.0


@pytest.mark.parametrize("bad", [{"strategies": ("boxed", "psychic")}, {"strategies": ()}, {"rel_tol": 2.0},
                                 {"percent": "sometimes"}])
def test_bad_configuration_is_a_clear_error(bad: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        MathVerifier(**bad)


def test_non_string_completion_is_a_parse_error_not_a_crash() -> None:
    assert V(None, "1").status is Status.PARSE_ERROR  # type: ignore[arg-type]


@pytest.mark.parametrize(("answer", "gold"), [
    ("7 + e^{-30}", "7"),  # a tiny irrational offset never passes for an exact gold
    ("x + 10^{-12}", "x"),  # identities must hold to working precision, not rel_tol
    ("\\frac{1}{2} + \\pi^{-40}", "\\frac12"),
])
def test_near_misses_of_exact_golds_are_wrong(answer: str, gold: str) -> None:
    assert V(f"\\boxed{{{answer}}}", gold).value == 0.0


def test_true_identities_with_transcendental_functions_hold() -> None:
    assert V("\\boxed{2\\sin(\\pi/6) \\cdot 7}", "7").value == 1.0  # exact gold, irrational-looking answer


def test_scoring_from_many_threads_keeps_full_precision() -> None:
    """mpmath's global precision is shared by threads; each thread must get its own 40-digit context."""
    import threading

    cases = [("\\boxed{2\\sin(\\pi/6) \\cdot 7}", "7"), ("\\boxed{x^2-1}", "(x-1)(x+1)"), ("\\boxed{\\sqrt{2}^2}", "2")] * 30
    failures: list[str] = []

    def work() -> None:
        failures.extend(c for c, g in cases if not V(c, g).correct)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# A red team's wrong answers for the gold 3 that scored 1.0 (issue 10), with the rest of each class.
ATTACKS_ON_3 = [
    "\\boxed{3\\text{ thousand}}", "\\boxed{3 million}", "The answer is 3 thousand.",  # size words multiply
    "So the total is 3 thousand.", "The population grew to 3 million people.", "**3 thousand**",
    "\\boxed{3\\text{k}}", "The company earned 3k last year.", "so the total is 3k",  # abbreviations: no number
    "\\boxed{3 \\text{ wrong}}", "The answer is 3 wrong.", "\\boxed{3 \\text{ or less}}",  # only units drop
    "\\boxed{3?}", "The answer is 3?", "**3?**",  # a question mark is a hedge
    "\\boxed{3\\dots}", "\\boxed{3\\ldots}", "\\boxed{3...}", "\\boxed{3 \\cdots}",  # so is an ellipsis
    "\\boxed{3}0", "\\boxed{3}00", "$\\boxed{3}$0", "\\boxed{3}.5", "\\boxed{3}\\,000", "\\boxed{3}^2",  # glued
    "\\boxed{3}\\frac{1}{2}", "\\boxed{3} thousand", "\\boxed{3}k", "\\boxed{3}\\text{k}", "\\boxed{3} \\text{ million}",
]


@pytest.mark.parametrize("completion", ATTACKS_ON_3)
def test_red_team_attacks_on_gold_3_score_zero(completion: str) -> None:
    score = MathVerifier()(completion, "3")
    assert (score.value, score.status) == (0.0, Status.OK), score


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{3\\text{ thousand}}", "3000"), ("So the total is 3 thousand.", "3000"), ("The answer is 3 dozen.", "36"),
    ("The answer is 2.5 million.", "2500000"), ("\\boxed{3 \\text{cm}}", "3"), ("The rope is 5cm long.", "5"),
    ("\\boxed{3\\text{ apples}}", "3"), ("The answer is 50 km/h.", "50"), ("They need **9 buses** in total.", "9"),
    ("\\boxed{1, 2, 3, \\dots}", "1, 2, 3, \\ldots"), ("The answer is 1, 2, 3, ...", "1,2,3,\\ldots"),
    ("The answer is \\boxed{3}.", "3"), ("\\boxed{3}, so done.", "3"), ("\\boxed{3} \\text{ cm}", "3"),
    ("17\\text{ any text}", "17\\text{ any text}"),  # a gold's own words, written back: right
    ("17", "17\\text{ any text}"),  # ... and a gold's words are not needed (the gold is trusted)
])
def test_units_size_words_and_ellipses_that_stay_right(completion: str, gold: str) -> None:
    assert MathVerifier()(completion, gold).value == 1.0


# Our own red-team pass on the final verifier (issue 10): wrong answers that scored 1.0.
OWN_RED_TEAM = [
    ("\\boxed{C D}", "C"), ("The answer is (C) (D).", "C"), ("\\boxed{C, D}", "C"),  # two letters chosen
    ("The answer is C. Actually, it's D.", "C"),  # a letter taken back by another
    ("The answer is \\boxed{3}. The answer is 4.", "3"),  # a second, different final answer
    ("\\boxed{3}{0}", "3"), ("\\boxed{3}\\,\\text{thousand}", "3"), ("\\boxed{3}~thousand", "3"),  # glued, spaced
    ("\\boxed{3} \\times 10^3", "3"), ("Is the answer \\boxed{3}?", "3"), ("\\boxed{3}\\text{?}", "3"),
    ("The answer is 3 hundredths.", "3"), ("\\boxed{3 \\text{ quarters}}", "3"), ("\\boxed{3 \\text{ halves}}", "3"),
    ("The answer is 3 squared.", "3"), ("So the total is 3 squared.", "3"), ("So the total is 3 tens.", "3"),
    ("The answer is 1 more.", "1"),
    ("3 4", "12"), ("\\boxed{2 3}", "6"), ("$3$ $4$", "12"),  # two numbers side by side are no product
    ("\\boxed{3} is not the answer.", "3"), ("\\boxed{3} is wrong.", "3"), ("The answer is not \\boxed{3}.", "3"),
    ("x = -\\boxed{3}", "3"), ("1\\boxed{3}", "3"), ("10^{\\boxed{3}}", "3"), ("\\frac{\\boxed{3}}{4}", "3"),  # part of more
    ("<answer>3</answer> <answer>4</answer>", "4"), ("#### 3\n#### 4", "4"),  # two different marked answers
]


@pytest.mark.parametrize(("completion", "gold"), OWN_RED_TEAM)
def test_own_red_team_attacks_score_zero(completion: str, gold: str) -> None:
    score = MathVerifier()(completion, gold)
    assert (score.value, score.status) == (0.0, Status.OK), score


# Issue 10, outside red team: a decimal point (or separator) that normalising set apart from the digits after it.
# "1.\\,3" is 1.3 or no number, never 3; ".3" is 0.3; "1,\\!3" is no 13; "13" holds no answer 3.
POINT_SET_APART = [
    ("The answer is $1.\\,3$.", "3"), ("\\boxed{1.\\,3}", "3"), ("\\boxed{1. 3}", "3"), ("\\boxed{1.\\;3}", "3"),
    ("\\boxed{1.~3}", "3"), ("\\boxed{1.\\ 3}", "3"), ("\\boxed{1.\\quad 3}", "3"), ("\\boxed{1.\\!3}", "3"),
    ("\\boxed{1.\\text{ }3}", "3"), ("\\boxed{1.\\mathrm{}3}", "3"), ("\\boxed{1.\\,3}", "13"), ("\\boxed{1 .3}", "0.3"),
    ("\\boxed{1.2.3}", "0.36"), ("\\boxed{1..3}", "0.3"), ("\\boxed{1.(3)}", "3"), ("\\boxed{0.(3)}", "0"),
    ("\\boxed{1,\\!3}", "13"), ("\\boxed{1{,}3000}", "13000"), ("1. 3", "3"),
    ("So the total is 1.\\,3.", "3"), ("So the total is 1. 3.", "3"), ("The total is 1.\\;3", "3"),
    ("So the total is 1 .3.", "3"), ("So the total is 1 .3.", "1"), ("So x = 5 - 13.", "3"), ("So x = 5 + 13", "3"),
]


@pytest.mark.parametrize(("completion", "gold"), POINT_SET_APART)
def test_a_point_set_apart_from_its_digits_is_no_other_number(completion: str, gold: str) -> None:
    score = MathVerifier()(completion, gold)
    assert (score.value, score.status) in ((0.0, Status.OK), (0.0, Status.NO_ANSWER)), score


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{1{,}300}", "1300"), ("\\boxed{1,\\!000,\\!000}", "1000000"), ("\\boxed{56,\\!01,\\!78,\\!95,\\!760}", "56017895760"),
    ("\\boxed{3.141\\,592}", "3.141592"), ("\\boxed{- 3}", "-3"), ("\\boxed{-\\,3}", "-3"), ("\\boxed{3.}", "3"),
    ("$\\log_2 8$", "3"), ("\\boxed{1,\\!3}", "1, 3"), ("So x = 5 - 2 = 3.", "3"), ("So the total is 13.", "13"),
])
def test_separators_that_keep_the_value_stay_right(completion: str, gold: str) -> None:
    assert MathVerifier()(completion, gold).value == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is 1 apple.", "1"), ("\\boxed{1 \\text{ apple}}", "1"), ("The answer is 3 quarters.", "3/4"),
    ("The answer is 3 hundredths.", "0.03"), ("$\\boxed{30}^\\circ$", "30"), ("\\boxed{3}\\,cm", "3"),
    ("The answer is \\boxed{3}. So the answer is 3 apples.", "3"), ("The answer is C. So C it is.", "C"),
    ("Step 2\n\\boxed{3}", "3"), ("The answer is \\boxed{3}, which is not even.", "3"), ("$x = \\boxed{3}$", "3"),
    ("<answer>4</answer> then <answer> 4 </answer>", "4"), ("Answer: 3", "\\log_2 8"), ("\\boxed{1\\,000}", "1000"),
])
def test_right_answers_near_those_attacks_stay_right(completion: str, gold: str) -> None:
    assert MathVerifier()(completion, gold).value == 1.0


@pytest.mark.parametrize("completion", [
    "\\boxed{" + " " * 20_000 + " apples.",  # a blank run before "I hope it is correct" was quadratic (seconds)
    "\n" * 20_000 + ".",
    "\\boxed{" * 2_800 + "}",  # nested boxes: one brace scan per box was quadratic
    "<answer>" * 2_500 + ".",  # the last <answer> tag by regex was quadratic
])
def test_degenerate_completions_score_fast(completion: str) -> None:
    start = time.perf_counter()
    MathVerifier()(completion, "3")
    assert time.perf_counter() - start < 1.0  # 1.6-10 s before (2-core VM); ~0.1 s now


@pytest.mark.parametrize("completion", ["The answer is 101,", "The answer is 101;", "The answer is 101:",
                                        "The answer is **101**,"])
def test_a_clause_mark_after_a_stated_answer_is_no_part_of_it(completion: str) -> None:
    # Seen in training samples (issue 11's sweep): "101," was compared as text and scored 0.
    score = MathVerifier()(completion, "101")
    assert (score.value, score.extracted) == (1.0, "101")
