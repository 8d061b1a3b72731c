"""Outside red team round 5 (#10), extraction side: each class of break, run through ``MathVerifier``."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier
from rlvr.verifiers.score import Status

V = MathVerifier()
MC = MathVerifier(multiple_choice=True)


def _value(completion: str, gold: str, verifier: MathVerifier = V) -> float:
    score = verifier(completion, gold)
    assert score.status in (Status.OK, Status.NO_ANSWER), score
    return score.value


# A retraction's new value is compared as a value with the answer, not looked for in its text: "3" is no value of
# "-3", nor "2" of "12" or of "\\frac{1}{2}".
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{-3}. Wait, it's 3.", "-3"),
    ("\\boxed{12}. Wait, it's 2.", "12"),
    ("\\boxed{100}. Hmm, actually it's 10.", "100"),
    ("\\boxed{3.5}. Wait, it's 5.", "3.5"),
    ("\\boxed{-5}. The answer is 5.", "-5"),
    ("\\boxed{-5}. Therefore $x = 5$.", "-5"),
    ("\\boxed{15}. 5 instead.", "15"),
    ("\\boxed{34}; 3", "34"),
    ("\\boxed{\\frac{1}{2}}. Wait, it's 2.", "\\frac12"),
    ("\\boxed{12}. Or maybe 2.", "12"),
    ("\\boxed{16386}. Wait, it's 16,\\!387.", "16386"),
])
def test_a_new_value_that_is_part_of_the_answer_text_is_still_new(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{3}. Wait, let me verify: 12/4 = 3.", "3"),
    ("\\boxed{x = 3}. Wait, so 3 it is.", "3"),
    ("\\boxed{3.0}. Wait, yes, 3.", "3"),
    ("\\boxed{3\\text{ apples}}. Wait, let me count again: 3 apples.", "3"),
    ("\\boxed{\\$16,\\!386.20}. The answer is $16,\\!386.20$.", "16386.20"),  # a digit-group mark inside the number
])
def test_the_same_value_after_a_cue_is_no_retraction(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


# Interjections and correction words, with their letters drawn out, take the answer back; between boxes too.
@pytest.mark.parametrize("cue", [
    "Umm, it's", "Uhh, it's", "Errr, it's", "Ahh, it's", "Oh, it's", "Nope, it's", "No:", "Nah,", "Nvm,",
    "On second thoughts,", "Upon reflection,", "Waaait, it's", "It should be", "Should've been", "Typo:",
    "Recalculating:", "Huh, it's", "Ugh, it's", "Eh,", "Whoa,", "Final:", "Not quite;", "Reconsidering,",
    "Rethinking:", "Mistake —", "False,", "Fix:", "Redo:",
])
def test_more_cue_words_take_the_answer_back(cue: str) -> None:
    assert _value(f"\\boxed{{3}}. {cue} 4.", "3") == 0.0


@pytest.mark.parametrize("completion", ["\\boxed{2}. Umm, \\boxed{-3}.", "\\boxed{2}. Nope, \\boxed{-3}.",
                                        "\\boxed{2}. On second thoughts, \\boxed{-3}.", "\\boxed{2}. No: \\boxed{-3}."])
def test_more_cue_words_between_boxes(completion: str) -> None:
    assert _value(completion, "2, -3") == 0.0


def test_a_cue_after_a_choice_letter() -> None:
    assert _value("\\boxed{C}. Umm, D.", "C", MC) == 0.0
    assert _value("\\boxed{C}. Nope, (D).", "C", MC) == 0.0


@pytest.mark.parametrize("completion", [
    "\\boxed{3}. Ohio has 4 seasons.",  # no interjection inside a word
    "\\boxed{3}. Um, let me double-check: 3 + 0 = 3.",
    "\\boxed{3}. Hmm, 3 seems small, but the checks pass: 3\\cdot 4 = 12.",  # a check holding the answer
])
def test_cue_words_keep_right_answers(completion: str) -> None:
    assert _value(completion, "3") == 1.0


# A second value set apart after the answer: after a mark or an arrow, in brackets, alone on the next line.
@pytest.mark.parametrize("completion", [
    "\\boxed{3} ⟹ 4", "\\boxed{3} ⟶ 4", "\\boxed{3} --> 4", "\\boxed{3} ==> 4", "\\boxed{3}; x = 4",
    "\\boxed{3}; 4 apples.", "\\boxed{3} ⇨ 4", "\\boxed{3}; four", "\\boxed{3} (4)", "\\boxed{3} [4]", "\\boxed{3}\n4",
])
def test_a_value_set_apart_after_the_answer(completion: str) -> None:
    assert _value(completion, "3") == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{\\frac12} \\Rightarrow 0.5", "\\frac12"),  # the same value, written otherwise
    ("\\boxed{3}; 3 apples.", "3"),
    ("\\boxed{3}\n\nThis completes the proof.", "3"),
])
def test_the_same_value_set_apart_stays_right(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


def test_a_choice_set_apart() -> None:
    assert _value("\\boxed{C} (D)", "C", MC) == 0.0
    assert _value("\\boxed{C}\n\nD", "C", MC) == 0.0


# A verdict in brackets after the answer, spaced, starred or in other words.
@pytest.mark.parametrize("aside", ["( guess )", "[ wrong ]", "(unverified!)", "(wild guess)", "(*guess*)",
                                   "(not verified)", "(randomly chosen)", "(placeholder)", "(made up)", "(I gave up)"])
def test_a_verdict_in_brackets(aside: str) -> None:
    assert _value(f"\\boxed{{3}} {aside}", "3") == 0.0


# A check that restates the answer is no new value: superscripts and vulgar fractions are not folded into digits,
# and the end of a bold heading is no answer marker.
@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{9}. Wait, let me check: 9 = 3².", "9"),
    ("The answer is \\boxed{8}. Hmm, let me verify: 8 = 2³.", "8"),
    ("\\boxed{1000}. Wait, let me verify: 1000 = 10³.", "1000"),
    ("The area is \\boxed{16} cm². Wait, let me verify: 4 cm × 4 cm = 16 cm².", "16"),
    ("\\boxed{0.5}. Wait, that's ½.", "0.5"),
    ("$$\\boxed{3}$$\n\n---\n\n**Verification:** $2\\cdot 3 - 6 = 0$ ✓", "3"),
])
def test_checks_that_restate_the_answer_stay_right(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


def test_a_bold_second_value_is_still_a_second_answer() -> None:
    assert _value("\\boxed{3}. **4**", "3") == 0.0


# Cue words in letters of other scripts or forms that look like Latin ones, and fillers drawn as nothing.
@pytest.mark.parametrize("completion", [
    "\\boxed{3}. ᴡᴀɪᴛ, it's 4.",  # small capitals
    "\\boxed{3}. Ꮃait, it's 4.",  # Cherokee
    "\\boxed{3}. Ꭺctually, it's 4.",
    "\\boxed{3}. wɑit, it's 4.",  # Latin alpha
    "The answer is nօt \\boxed{3}; it is 4.",  # Armenian
    "The answer is nᴏt \\boxed{3}; it is 4.",
    "\\boxed{3}. W\u3164ait, it's 4.",  # Hangul filler
])
def test_more_look_alike_letters_are_folded(completion: str) -> None:
    assert _value(completion, "3") == 0.0


# A different value stated as the answer right before the box, or offered with it, is a second answer.
@pytest.mark.parametrize("completion", [
    "The answer is 4.\n\n\\boxed{3}", "Final answer: 4\n\\boxed{3}", "#### 4\n\\boxed{3}", "x = 4 \\text{ or } \\boxed{3}",
    "Either 4 or \\boxed{3}", "4 and/or \\boxed{3}", "\\boxed{3} (also 4)", "\\boxed{3}, 4, 5",
])
def test_a_second_value_before_or_beside_the_box(completion: str) -> None:
    assert _value(completion, "3") == 0.0


@pytest.mark.parametrize("completion", [
    "The answer is 3.\n\n\\boxed{3}", "#### 3\n\\boxed{3}", "So 4 + 1 = 5 and we need 2 more: the answer is\n$$\\boxed{3}$$",
    "We had 4 candidates; only one works.\n\n\\boxed{3}", "\\boxed{3} (also written three)",
])
def test_the_same_value_before_the_box_stays_right(completion: str) -> None:
    assert _value(completion, "3") == 1.0


@pytest.mark.parametrize("completion", ["\\boxed{2}, should be \\boxed{-3}.", "\\boxed{2} \\Rightarrow \\boxed{-3}."])
def test_an_arrow_or_should_be_between_boxes_takes_the_first_back(completion: str) -> None:
    assert _value(completion, "2, -3") == 0.0


def test_a_list_boxed_in_parts_stays_right() -> None:
    assert _value("x = \\boxed{2} and x = \\boxed{-3}.", "2, -3") == 1.0


# Any second choice letter a reader sees in the answer makes it no choice, however it is joined or set.
@pytest.mark.parametrize("answer", [
    "C\\mid D", "C\\\\D", "\\text{C}\\text{D}", "C\\lor D", "C\\vee D", "C\\wedge D", "C\\cap D", "C\\cup D", "C\\text{, }D",
    "\\text{C}, \\text{D}", "\\textbf{C}\\textbf{D}", "C\\mathrm{D}", "C\\newline D", "C\\vphantom{D}D",
])
def test_a_second_choice_letter_in_the_box(answer: str) -> None:
    assert _value(f"\\boxed{{{answer}}}", "C", MC) == 0.0


@pytest.mark.parametrize("answer", ["C", "\\text{C}", "\\textbf{(C)}", "C) 42", "(C) Both A and B", "\\mathrm{C}"])
def test_one_choice_letter_stays_right(answer: str) -> None:
    assert _value(f"\\boxed{{{answer}}}", "C", MC) == 1.0


# A box a reader does not see as a box: in HTML or LaTeX that prints text as it is, hidden from view, too light to
# read, or scaled to nothing. The answer then is the one a reader sees.
@pytest.mark.parametrize("hidden", [
    "<pre>\\boxed{3}</pre>", "<code>\\boxed{3}</code>", "<textarea>\\boxed{3}</textarea>", "<noscript>\\boxed{3}</noscript>",
    "\\textcolor{white!99}{\\boxed{3}}", "\\textcolor{gray!1}{\\boxed{3}}", "\\textcolor{#fffffe}{\\boxed{3}}",
    "\\textcolor{snow}{\\boxed{3}}", "\\textcolor{ivory}{\\boxed{3}}", "\\textcolor[rgb]{0.95,0.95,0.95}{\\boxed{3}}",
    "\\begin{Verbatim}\\boxed{3}\\end{Verbatim}", "\\begin{spverbatim}\\boxed{3}\\end{spverbatim}",
    "\\begin{filecontents}{x}\\boxed{3}\\end{filecontents}", "\\resizebox{0pt}{0pt}{\\boxed{3}}",
    "\\resizebox{0pt}{!}{\\boxed{3}}", "\\scalebox{0}{\\boxed{3}}",
])
def test_a_box_no_reader_sees_is_not_read(hidden: str) -> None:
    assert _value(f"{hidden}\nAnswer 4", "3") == 0.0


@pytest.mark.parametrize("shown", ["\\textcolor{white!50!black}{\\boxed{3}}", "\\textcolor{red}{\\boxed{3}}",
                                   "\\textcolor{gray!50}{\\boxed{3}}", "\\textcolor{blue!20}{\\boxed{3}}",
                                   "<b>\\boxed{3}</b>", "\\resizebox{0.5\\linewidth}{!}{\\boxed{3}}"])
def test_a_box_in_a_readable_colour_or_size_is_read(shown: str) -> None:
    assert _value(shown, "3") == 1.0


@pytest.mark.parametrize("completion", [
    "\\boxed{12} apples. It should be clear from step 2 that 4 boxes hold 3 each.",
    "\\boxed{3}. Note that option (B) is false, since 4 > 5 fails.",
    "\\boxed{3}. There is no mistake — every one of the 4 checks passes.",
])
def test_correction_words_inside_a_remark_keep_right_answers(completion: str) -> None:
    assert _value(completion, "12" if "12" in completion else "3") == 1.0


@pytest.mark.parametrize("completion", ["x ∉ \\boxed{\\{3\\}}", "A ⊄ \\boxed{\\{3\\}}", "x ∈\u0338 \\boxed{\\{3\\}}"])
def test_a_negated_relation_sign_before_the_box(completion: str) -> None:
    assert _value(completion, "\\{3\\}") == 0.0


def test_a_membership_sign_before_the_box_stays_right() -> None:
    assert _value("x ∈ \\boxed{\\{3\\}}", "\\{3\\}") == 1.0


@pytest.mark.parametrize("completion", ["\\[\n\n    \\boxed{3}\n\\]", "$$\n\n    \\boxed{3}\n$$"])
def test_an_indented_line_of_a_display_is_maths_not_code(completion: str) -> None:
    assert _value(completion, "3") == 1.0


@pytest.mark.parametrize("completion", ["$$\n\n    \\boxed{3}\n\nAnswer 4", "\\[x\\]\n\n    \\boxed{3}\n\nAnswer 4"])
def test_an_indented_block_outside_a_closed_display_is_code(completion: str) -> None:
    assert _value(completion, "3") == 0.0
