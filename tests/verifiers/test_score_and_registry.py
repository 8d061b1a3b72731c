"""Score's invariants and the verifier registry (built-ins, decorators, entry-point plug-ins)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rlvr.verifiers import (
    Score,
    Status,
    UnknownVerifierError,
    Verifier,
    available_verifiers,
    get_verifier,
    register_verifier,
)
from rlvr.verifiers.format import TagFormat


def test_score_is_frozen_bounded_and_picklable():
    score = Score.judged(1.0, "42", extractor="boxed")
    assert score.correct and score.is_scored
    assert pickle.loads(pickle.dumps(score)) == score
    with pytest.raises(ValidationError):
        score.value = 0.5  # type: ignore[misc]
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        Score(value=1.5, status=Status.OK)
    with pytest.raises(ValidationError, match="extra"):
        Score(value=0.0, status=Status.OK, note="x")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="non-ok"):
        Score.failed(Status.OK)


# Every code point, lone surrogates (category Cs) and NUL included: hypothesis leaves surrogates out by default.
_ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=20)
_DETAILS = st.recursive(st.none() | st.booleans() | st.floats() | _ANY_TEXT | st.binary(max_size=8),
                        lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                        | st.dictionaries(_ANY_TEXT, inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(extracted=st.none() | _ANY_TEXT, details=st.dictionaries(_ANY_TEXT, _DETAILS, max_size=4))
def test_a_score_always_dumps_as_utf8_json_whatever_its_strings_hold(extracted, details):
    score = Score(value=0.0, status=Status.OK, extracted=extracted, details=details)
    dumped = score.model_dump_json()  # raised PydanticSerializationError on a lone surrogate
    dumped.encode("utf-8")
    assert Score.model_validate_json(dumped).extracted == score.extracted
    assert pickle.loads(pickle.dumps(score)).model_dump_json() == dumped  # NaN != NaN: compare the JSON


def test_lone_surrogates_and_bad_bytes_keep_their_escape_text_everything_else_is_untouched():
    score = Score.judged(0.0, "a\udc80b", first_error="ValueError: \ud800", nested={"k\udfff": ["\ud83d", b"\xff"]},
                         fine="naïve 😀 \x00", n=3)
    assert score.extracted == "a\\udc80b"
    assert score.details == {"first_error": "ValueError: \\ud800", "nested": {"k\\udfff": ["\\ud83d", "\\xff"]},
                             "fine": "naïve 😀 \x00", "n": 3}
    assert json.loads(score.model_dump_json())["details"]["nested"] == {"k\\udfff": ["\\ud83d", "\\xff"]}


@pytest.mark.parametrize("name", ["math", "tags", "regex", "exact", "length"])
def test_every_text_verifier_scores_a_completion_with_lone_surrogates_into_a_dumpable_score(name):
    params = {"tags": {"tags": ["answer"]}, "regex": {"pattern": "answer>(.*)<"}}.get(name, {})
    completion = "<answer>\udc80 7</answer> so \\boxed{\ud800 7} #### \udfff"
    score = get_verifier(name, **params)(completion, "\udc80 7")
    assert score.status is Status.OK
    score.model_dump_json().encode("utf-8")
    assert score.extracted is None or "\\u" in score.extracted or name == "length"


@pytest.mark.parametrize(
    ("status", "scored"),
    [(Status.NO_ANSWER, True), (Status.PARSE_ERROR, True), (Status.ERROR, True),
     (Status.TIMEOUT, False), (Status.INFRA_ERROR, False)],
)
def test_only_timeouts_and_infra_errors_are_unscored(status, scored):
    score = Score.failed(status)
    assert (score.is_scored, score.value, score.correct) == (scored, 0.0, False)


def test_builtins_resolve_and_satisfy_the_protocol():
    tags = get_verifier("tags", tags=["a"])
    assert isinstance(tags, TagFormat) and isinstance(tags, Verifier)
    assert {"math", "code", "tags", "regex", "length", "exact"} <= set(available_verifiers())


def test_unknown_names_suggest_near_ones():
    with pytest.raises(UnknownVerifierError, match=r"Did you mean 'math'\?"):
        get_verifier("maths")
    with pytest.raises(UnknownVerifierError, match="Known: "):
        get_verifier("zzzzzz")


@dataclass(frozen=True)
class AlwaysHalf:
    def __call__(self, completion: str, reference: object) -> Score:
        return Score.judged(0.5)


def test_register_decorator_and_name_clash():
    register_verifier("always_half_test")(AlwaysHalf)
    assert get_verifier("always_half_test")("x", None).value == 0.5
    with pytest.raises(ValueError, match="already taken"):
        register_verifier("math")(AlwaysHalf)


def test_entry_point_plugins_are_found(tmp_path, monkeypatch):
    # A fake installed distribution declaring an rlvr.verifiers entry point.
    (tmp_path / "myplugin_mod.py").write_text(
        "from rlvr.verifiers import Score\n"
        "class Yes:\n"
        "    def __call__(self, completion, reference):\n"
        "        return Score.judged(1.0)\n"
    )
    dist = tmp_path / "myplugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: myplugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[rlvr.verifiers]\nalways_yes = myplugin_mod:Yes\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "always_yes" in available_verifiers()
    assert get_verifier("always_yes")("anything", None).value == 1.0
    sys.modules.pop("myplugin_mod", None)


def test_task_verifiers_are_known_without_importing_the_tasks_package():
    """countdown and reasoning_gym live beside their tasks but are lazy registry entries:
    a fresh process knows and builds them before anything imports rlvr.tasks."""
    code = (
        "import sys\n"
        "from rlvr.verifiers import available_verifiers, get_verifier\n"
        "assert 'rlvr.tasks' not in sys.modules\n"
        "names = available_verifiers()\n"
        "assert 'rlvr.tasks' not in sys.modules\n"
        "assert {'countdown', 'reasoning_gym'} <= set(names), names\n"
        "score = get_verifier('countdown')('<answer>(3 + 5) * 2</answer>', {'numbers': [2, 3, 5], 'target': 16})\n"
        "print(score.value, score.status.value)\n"
        "print(type(get_verifier('reasoning_gym', dataset='leg_counting')).__name__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1.0", "ok", "ReasoningGymVerifier"]
