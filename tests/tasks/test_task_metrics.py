"""pass@k (unbiased), maj@k and the summary, against hand-computed numbers."""

from __future__ import annotations

import math

import pytest

from rlvr.tasks.metrics import maj_at_k, normalize_answer, pass_at_k, summarize
from rlvr.verifiers import Score, Status


def ok(value: float, extracted: str | None) -> Score:
    return Score.judged(value, extracted)


@pytest.mark.parametrize(("n", "c", "k", "expected"), [
    (10, 3, 1, 0.3),
    (10, 3, 5, 1 - math.comb(7, 5) / math.comb(10, 5)),  # 1 - 21/252 = 0.91666...
    (5, 0, 3, 0.0),
    (5, 5, 1, 1.0),
    (5, 3, 3, 1.0),  # n - c < k: every draw of 3 contains a correct one
    (4, 1, 2, 0.5),  # 1 - C(3,2)/C(4,2) = 1 - 3/6
])
def test_pass_at_k_matches_the_combinatorial_formula(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_is_stable_for_large_n():
    # C(2000, 1000) overflows a float; the product form does not.
    assert pass_at_k(2000, 10, 1000) == pytest.approx(1 - math.comb(1990, 1000) / math.comb(2000, 1000), rel=1e-9)
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


def test_maj_at_k_votes_over_normalised_extracted_answers():
    scores = [ok(0.0, "12"), ok(1.0, "13"), ok(0.0, " 12."), ok(1.0, "13"), ok(0.0, None)]
    assert maj_at_k(scores, 3) == 0.0  # "12" twice beats "13" once
    assert maj_at_k(scores, 4) == 0.0  # 2-2 tie: the answer seen first ("12") wins
    assert maj_at_k([*scores[1:2], *scores], 5) == 1.0  # "13" first and tied/ahead
    assert maj_at_k([ok(0.0, None)] * 3, 3) == 0.0
    assert normalize_answer("  The  Answer. ") == "the answer"


def test_summarize_hand_numbers():
    groups = [
        [ok(1.0, "5"), ok(0.0, "6"), ok(1.0, "5"), ok(0.5, "7")],  # c=2
        [ok(0.0, "1"), Score.failed(Status.NO_ANSWER), Score.failed(Status.TIMEOUT), ok(0.0, "1")],  # c=0
    ]
    m = summarize(groups, ks=(1, 2, 4))
    assert m["prompts"] == 2 and m["samples"] == 8
    assert m["mean_reward"] == pytest.approx(2.5 / 8)
    assert m["pass@1"] == pytest.approx((2 / 4 + 0) / 2)
    assert m["pass@2"] == pytest.approx((1 - math.comb(2, 2) / math.comb(4, 2)) / 2)  # (1 - 1/6) / 2
    assert m["pass@4"] == pytest.approx(0.5)
    assert m["maj@2"] == pytest.approx(0.5)  # group 1: "5" vs "6" tie, "5" first (correct); group 2: "1"
    assert m["maj@4"] == pytest.approx(0.5)
    assert m["status"] == {"ok": 6, "no_answer": 1, "timeout": 1}
    assert m["unscored"] == 1


def test_summarize_counts_the_answer_checkers_status_inside_a_composite():
    inner = {"math": {"value": 0.0, "status": "no_answer", "extracted": None, "details": {}}}
    composite = Score.judged(0.0, None, **inner)
    assert summarize([[composite]], answer_key="math")["status"] == {"no_answer": 1}
    assert summarize([[composite]])["status"] == {"ok": 1}
