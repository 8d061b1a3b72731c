"""Hidden, struck-out and unrendered boxes are no answer (issue 10, second outside red team, item 6: each of these
scored 1.0 for the gold 3 while the visible answer was 4)."""

from __future__ import annotations

import pytest

from rlvr.verifiers import MathVerifier, Status
from rlvr.verifiers.math_visible import HIDDEN, visible

V = MathVerifier()

HIDDEN_BOXES = [
    "% \\boxed{3}", "\\phantom{\\boxed{3}}", "\\vphantom{\\boxed{3}}", "\\hphantom{\\boxed{3}}",
    "\\begin{comment}\\boxed{3}\\end{comment}", "{\\color{white}\\boxed{3}}", "\\textcolor{white}{\\boxed{3}}",
    "`\\boxed{3}`", "```\n\\boxed{3}\n```", "$\\text{\\boxed{3}}$", "~~\\boxed{3}~~", "<del>\\boxed{3}</del>",
    "<s>\\boxed{3}</s>", "<!-- \\boxed{3} -->", "$\\mbox{\\fbox{3}}$", "{\\color{white} The answer is 3.}",
]


@pytest.mark.parametrize("hidden", HIDDEN_BOXES)
def test_a_hidden_or_struck_box_is_not_the_answer(hidden: str) -> None:
    completion = f"The answer is 4. {hidden}"
    assert (V(completion, "3").value, V(completion, "3").status) == (0.0, Status.OK)
    assert V(completion, "4").value == 1.0  # the visible answer is read


@pytest.mark.parametrize("completion", ["~~\\boxed{3}~~", "The answer is ~~3~~.", "\\phantom{\\boxed{3}}"])
def test_a_completion_whose_only_answer_is_hidden_scores_zero(completion: str) -> None:
    assert V(completion, "3").value == 0.0


@pytest.mark.parametrize(("completion", "gold"), [
    ("The answer is 25 %.", "25"), ("So 25% of them, and the answer is $\\boxed{25\\%}$.", "25"),
    ("```python\nprint(1 + 2)\n```\nThe answer is $\\boxed{3}$.", "3"), ("<s> The answer is $\\boxed{3}$.", "3"),
    ("~~\\boxed{4}~~ Sorry: the answer is $\\boxed{3}$.", "3"), ("$\\boxed{\\text{(C)}}$", "C"),
    ("The answer is $\\boxed{3}$ {\\color{red} (checked)}.", "3"), ("$3\\,\\%$ of the total: \\boxed{3}", "3"),
])
def test_visible_answers_stay_right(completion: str, gold: str) -> None:
    assert V(completion, gold).value == 1.0


def test_hidden_text_is_marked_and_a_glued_phantom_stays_refused() -> None:
    assert visible("4 % \\boxed{3}\n5") == "4 % \\boxed{3}\n5"  # a percent sign after a digit, not a comment
    assert visible("4. % \\boxed{3}\n5") == f"4. {HIDDEN}\n5"
    assert V("\\boxed{3}\\phantom{000}", "3").value == 0.0  # renders a blank of three digits: no whole 3
    assert visible("\\phantom{" * 5000 + "3" + "}" * 5000).count(HIDDEN) == 1  # nested groups: one pass
    assert visible("<del>" * 4000) == "<del>" * 4000  # open tags strike nothing (and are paired in one pass)


def test_a_list_boxed_in_parts_counts_only_the_visible_boxes() -> None:
    assert V("x = \\boxed{2} or x = \\boxed{-3}. % \\boxed{5}", "2, -3").value == 1.0
    assert V("x = \\boxed{2} or x = \\boxed{5}. % \\boxed{-3}", "2, -3").value == 0.0
