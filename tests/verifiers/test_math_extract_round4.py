"""Outside red team round 4 (#10), extraction side: each class of break, run through ``MathVerifier``."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier
from rlvr.verifiers.score import Status

V = MathVerifier()


def _value(completion: str, gold: str, verifier: MathVerifier = V) -> float:
    score = V(completion, gold) if verifier is V else verifier(completion, gold)
    assert score.status in (Status.OK, Status.NO_ANSWER), score
    return score.value


# Cue words spelt with look-alike, invisible, full-width or accented letters read as the words do.
@pytest.mark.parametrize("completion", [
    "\\boxed{3}. Wаіt, it's 4.",  # Cyrillic а, і
    "\\boxed{3}. W\u2063ait, it's 4.",  # invisible separator
    "\\boxed{3}. Ａｃｔｕａｌｌｙ, it's 4.",  # full width
    "\\boxed{3}. Wáit, it's 4.",  # accent
    "\\boxed{3}. W\u200eait, it's 4.",
    "\\boxed{3}. Corre\u034fction: 4.",
    "\\boxed{3}. Oo\u180eps, it's 4.",
    "\\boxed{3}. Hmm\u00ad, it's 4.",
    "\\boxed{3}. Ѕсrаtсh that, it's 4.",
    "The answer is nоt \\boxed{3}; it is 4.",  # Cyrillic о
    "The answer isn’t \\boxed{3}; it is 4.",  # curly apostrophe
    "It is prοbably \\boxed{3}.",  # Greek ο
])
def test_cue_words_in_look_alike_letters_are_read(completion: str) -> None:
    assert _value(completion, "3") == 0.0


@pytest.mark.parametrize("completion", ["The answer is \\boxed{3}. Wait, let me verify: 12/4 = 3.",
                                        "It’s \\boxed{3}.", "Ｔｈｅ ａｎｓｗｅｒ ｉｓ \\boxed{3}."])
def test_folding_keeps_plain_answers_right(completion: str) -> None:
    assert _value(completion, "3") == 1.0


@pytest.mark.parametrize("completion", ["x \\not= \\boxed{3}", "$x \\not< \\boxed{3}$", "Wrong answer: \\boxed{3}",
                                        "Incorrect result: \\boxed{3}"])
def test_negations_before_the_answer(completion: str) -> None:
    assert _value(completion, "3") == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{3}. Wrong, it's 4.", "3"),
    ("A student might write \\boxed{3}, but it is 4.", "3"),
    ("\\boxed{3}, but the correct answer is 4.", "3"),
    ("The answer is 72. Rather, 48.", "72"),
    ("The answer is 72. Let me fix: 48.", "72"),
    ("The answer is 72. Er, 48.", "72"),
    ("The answer is 72. PS: 48.", "72"),
    ("The answer is 72. Better: 48.", "72"),
    ("\\boxed{3} \\Rightarrow 4", "3"),
    ("\\boxed{3}; 4", "3"),
    ("\\boxed{3} → 4", "3"),
    ("The answer is 72 — 48 was April.", "48"),
    ("\\boxed{3} below zero", "3"),
    ("\\boxed{3} below zero", "-3"),
])
def test_retractions_and_second_values_after_the_answer(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is 72 — 48 was April.", "72"),
    ("The answer is 72 – the sum of both months.", "72"),
    ("\\boxed{3} \\Rightarrow 3", "3"),
    ("\\boxed{3}, rather than 4.", "3"),
    ("\\boxed{3}. 4 is wrong, since 3 fits.", "3"),
    ("\\boxed{3}, but we should double-check: 3 works.", "3"),
    ("I would say the answer is \\boxed{3}.", "3"),
])
def test_asides_and_confirmations_stay_right(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


# A box a reader does not see (white or transparent text, HTML that is not shown, a markdown comment) or sees printed
# as code (verbatim environments, an indented code block) is no answer: the visible "Answer 4" is.
@pytest.mark.parametrize("hide", [
    "\\textcolor{#FFFFFF}{X}", "{\\color[HTML]{FFFFFF}X}", "\\textcolor{transparent}{X}", "\\textcolor{White}{X}",
    "\\textcolor{white!100}{X}", "{\\color{#fff}X}", "\\textcolor{red!0}{X}", "\\textcolor[rgb]{1,1,1}{X}",
    "<script>X</script>", "<style>X</style>", "<template>X</template>", "[//]: # (X)",
    "\\begin{verbatim}X\\end{verbatim}", "\\begin{lstlisting}X\\end{lstlisting}", "\\begin{minted}X\\end{minted}",
    "    X", "Some text.\n\n    X",
])
def test_hidden_or_printed_boxes_are_not_read(hide: str) -> None:
    assert _value(hide.replace("X", "\\boxed{3}") + "\n\nAnswer 4", "3") == 0.0


@pytest.mark.parametrize("completion", [
    "\\textcolor{red}{\\boxed{3}}", "{\\color{white!50!black}\\boxed{3}}", "\\text{$\\boxed{3}$}",
    "1. First step\n\n    \\boxed{3}", "The answer is $x < 5$ so [note]: 3 is \\boxed{3}",
])
def test_shown_boxes_are_still_read(completion: str) -> None:
    assert _value(completion, "3") == 1.0


@pytest.mark.parametrize("completion", [
    "\\boxed{C \\text{ oder } D}", "\\boxed{C\\hspace{1cm}D}", "\\boxed{C}; \\textbf{D}", "\\boxed{C \\Rightarrow D}",
    "\\boxed{C vs. D}", "\\boxed{C nor D}", "\\boxed{C ou D}", "\\boxed{C или D}",
])
def test_a_second_letter_is_no_choice(completion: str) -> None:
    assert _value(completion, "C") == 0.0


@pytest.mark.parametrize("completion", ["\\boxed{C}", "The answer is (C) 42.", "\\boxed{C: x = 4}",
                                        "The answer is C. I checked it."])
def test_one_letter_is_a_choice(completion: str) -> None:
    assert _value(completion, "C") == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is \\boxed{2}. Wait, it's \\boxed{-3}.", "2, -3"),
    ("\\boxed{2}. Actually, no: \\boxed{-3}.", "2, -3"),
    ("x=\\boxed{2}; x=\\boxed{-3} is extraneous.", "2, -3"),
    ("x=\\boxed{2} or x=\\boxed{3}", "(2,3)"),
])
def test_boxes_taken_back_or_offered_as_alternatives_are_no_parts(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("x=\\boxed{2} or x=\\boxed{-3}", "2, -3"), ("x=\\boxed{2}, y=\\boxed{3}", "(2,3)"),
    ("The solutions are \\boxed{2} and \\boxed{-3}. Both check out.", "2, -3"),
])
def test_boxes_in_parts_still_answer_a_list(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


@pytest.mark.parametrize(("completion", "gold", "verifier"), [
    ("\\text{$\\boxed{3}$}", "3", V),
    ("\\boxed3", "3", MathVerifier(strategies=("boxed",))),
    ("\\boxed{25}% of them", "0.25", V),
    ("\\tiny{\\boxed{3}}", "3", V),
    ("{\\Large \\boxed{3}}", "3", V),
])
def test_right_answers_in_these_forms_are_read(completion: str, gold: str, verifier: MathVerifier) -> None:
    assert _value(completion, gold, verifier) == 1.0


@pytest.mark.parametrize(("completion", "gold", "verifier"), [
    ("\\boxed34", "34", MathVerifier(strategies=("boxed",))),  # TeX boxes the 3 only
    ("The answer is $4$. % \\boxed{3}", "3", V),
    ("\\boxed{4}% \\boxed{3}", "3", V),
])
def test_their_neighbours_stay_wrong(completion: str, gold: str, verifier: MathVerifier) -> None:
    assert _value(completion, gold, verifier) == 0.0


@pytest.mark.parametrize("completion", ["\\boxed{3} (I think)", "\\boxed{3}, if I'm right.", "\\boxed{3}, if I’m right.",
                                        "\\boxed{3}, unless I am mistaken."])
def test_a_belief_set_apart_after_the_answer_doubts_it(completion: str) -> None:
    assert _value(completion, "3") == 0.0


def test_i_think_before_the_answer_commits_to_it() -> None:
    assert _value("I think the answer is \\boxed{3}.", "3") == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is (C) Both A and B.", "C"), ("\\boxed{\\text{(C) Both A and B}}", "C"),
    ("One might think the answer is 4, but it is \\boxed{3}.", "3"),
    ("\\boxed{12}. Fixed: the earlier 10 was a typo.", "12"),
])
def test_option_text_and_turns_stay_right(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{5} \\mathrm{kg}", "5 \\mathrm{g}"), ("\\boxed{5} cents", "\\$5"), ("\\boxed{5}¢", "\\$5"),
])
def test_a_unit_written_after_the_box_is_compared(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("\\boxed{5} \\mathrm{kg}", "5 \\mathrm{kg}"), ("\\boxed{5} kg", "5"), ("\\boxed{5} in total", "5 cm"),
    ("\\boxed{5} dollars", "\\$5"), ("\\boxed{5} m/s", "5 m/s"),
])
def test_the_same_unit_after_the_box_stays_right(completion: str, gold: str) -> None:
    assert _value(completion, gold) == 1.0
