"""Format and composite rewards: table-driven, each case says why."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import pytest

from rlvr.verifiers import Score, Status
from rlvr.verifiers.format import ExactMatch, Gated, LengthReward, RegexMatch, TagFormat, WeightedSum

TAG_CASES = [
    ("<think>a</think><answer>4</answer>", 1.0, "4"),  # canonical
    ("  <think>a\nb</think>\n<answer> 4 </answer>\n", 1.0, "4"),  # whitespace between/around is fine
    ("<answer>4</answer><think>a</think>", 0.0, None),  # wrong order
    ("Sure! <think>a</think><answer>4</answer>", 0.0, None),  # text outside tags (strict)
    ("<think>a</think><answer>4</answer><answer>5</answer>", 0.0, None),  # repeated answer tag
    ("<think>a</think><answer>4", 0.0, None),  # truncated: unclosed tag
    ("", 0.0, None),  # empty
]


@pytest.mark.parametrize(("completion", "value", "extracted"), TAG_CASES)
def test_tag_format(completion, value, extracted):
    score = TagFormat()(completion, None)
    assert (score.value, score.extracted, score.status) == (value, extracted, Status.OK)


def test_tag_format_non_strict_and_custom_tags():
    assert TagFormat(strict=False)("Sure! <think>a</think><answer>4</answer>", None).value == 1.0
    assert TagFormat(tags=("reasoning", "final"))("<reasoning>r</reasoning><final>x</final>").value == 1.0
    with pytest.raises(ValueError, match="invalid tag"):
        TagFormat(tags=("a b",))


def test_regex_match():
    assert RegexMatch(r"\\boxed\{\d+\}")("so \\boxed{12}.").extracted == "\\boxed{12}"
    assert RegexMatch(r"\d+", full=True)("12a").value == 0.0
    with pytest.raises(Exception, match="unterminated"):
        RegexMatch("(")


@pytest.mark.parametrize(
    ("completion", "kwargs", "value"),
    [
        ("abc", {"max_length": 3}, 1.0),  # at the bound
        ("abcd", {"max_length": 3}, 0.0),  # one over, hard bound
        ("a" * 150, {"max_length": 100, "mode": "penalty", "ramp": 100}, 0.5),  # half-way down the ramp
        ("a" * 300, {"max_length": 100, "mode": "penalty", "ramp": 100}, 0.0),  # past the ramp
        ("one two", {"min_length": 3, "unit": "words"}, 0.0),  # too short in words
        ("one two three", {"min_length": 3, "unit": "words"}, 1.0),
    ],
)
def test_length_reward(completion, kwargs, value):
    assert LengthReward(**kwargs)(completion).value == pytest.approx(value)


def test_exact_match():
    assert ExactMatch()("<answer> Paris </answer>", "paris").value == 1.0
    assert ExactMatch()("<answer>a</answer> then <answer>b</answer>", "b").value == 1.0  # last block
    assert ExactMatch()("no tags", "x").status is Status.NO_ANSWER
    assert ExactMatch(extract=None, case_sensitive=True)("Paris", "paris").value == 0.0


class Boom:
    def __call__(self, completion, reference):
        raise RuntimeError("kaput")


class Infra:
    def __call__(self, completion, reference):
        return Score.failed(Status.INFRA_ERROR, message="sandbox down")


def test_weighted_sum_keeps_every_component_and_is_a_weighted_mean():
    combo = WeightedSum([("answer", ExactMatch(), 3.0), ("format", TagFormat(), 1.0)])
    score = combo("<answer>42</answer>", "42")  # right answer, no <think>: format fails
    assert score.value == pytest.approx(0.75)
    assert score.extracted == "42"
    assert score.details["answer"]["value"] == 1.0 and score.details["format"]["value"] == 0.0
    assert pickle.loads(pickle.dumps(combo))("<think>t</think><answer>42</answer>", "42").value == 1.0


def test_composites_propagate_unscored_statuses_and_errors():
    masked = WeightedSum([("answer", ExactMatch(), 1.0), ("code", Infra(), 1.0)])("<answer>1</answer>", "1")
    assert masked.status is Status.INFRA_ERROR and not masked.is_scored
    broken = WeightedSum([("answer", ExactMatch(), 1.0), ("bug", Boom(), 1.0)])("<answer>1</answer>", "1")
    assert broken.status is Status.ERROR and "kaput" in broken.details["bug"]["details"]["exception"]
    with pytest.raises(ValueError, match="weight must be > 0"):
        WeightedSum([("a", ExactMatch(), 0.0)])
    with pytest.raises(ValueError, match="unique"):
        WeightedSum([("a", ExactMatch(), 1.0), ("a", TagFormat(), 1.0)])


def test_gated_counts_correctness_only_when_format_holds():
    gated = Gated(gate=TagFormat(), inner=ExactMatch())
    assert gated("<think>t</think><answer>42</answer>", "42").value == 1.0
    ungated = gated("<answer>42</answer>", "42")
    assert ungated.value == 0.0 and ungated.details["gate_passed"] is False
    assert ungated.details["inner"]["value"] == 1.0  # kept for logging


@dataclass(frozen=True)
class NeedsSetUp:
    """A verifier with a one-time set-up hook, as CodeVerifier has (its sandbox self-check)."""

    problems: tuple[str, ...] = ()
    log: list = field(default_factory=list, compare=False, hash=False)

    def prepare(self) -> list[str]:
        self.log.append("prepared")
        return list(self.problems)

    def __call__(self, completion: str, reference: object) -> Score:
        return Score.judged(1.0)


def test_composites_forward_prepare_to_every_part_and_name_the_failures():
    ready, broken = NeedsSetUp(), NeedsSetUp(problems=("network: reached the internet",))
    both = WeightedSum(components=[("code", ready, 1.0), ("format", TagFormat(), 1.0),
                                   ("gated", Gated(gate=TagFormat(), inner=broken), 1.0)])
    assert both.prepare() == ["gated: inner: network: reached the internet"]
    assert ready.log == broken.log == ["prepared"]
    assert WeightedSum(components=[("code", ready, 1.0)]).prepare() == []
    assert Gated(gate=broken, inner=TagFormat()).prepare() == ["gate: network: reached the internet"]
