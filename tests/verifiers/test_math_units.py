"""math_units: which words after a number are units (dropped) and which are size words (multiply)."""

from __future__ import annotations

import pytest

from rlvr.verifiers.math_units import (
    ADJECTIVES,
    CLAUSE_WORDS,
    COUNTED,
    UNITS,
    VALUE_WORDS,
    is_unit,
    keeps_value,
    scale_words,
    strip_unit_tail,
    words_to_fraction,
    words_to_number,
)


@pytest.mark.parametrize(("phrase", "in_text", "expected"), [
    ("cm", False, True), ("km/h", False, True), ("square units", False, True), ("cm^2", False, True),
    ("dollars per hour", False, True), ("apples", False, True), ("m", True, True), ("m", False, False),
    ("M", True, False),  # \text{M} is no metre: single letters are case-sensitive
    ("k", True, False), ("thousand", True, False), ("wrong", True, False), ("or less", True, False),
    ("always", False, False), ("dots", False, False), ("per", False, False), ("per hour", False, False),
    ("apple", False, True), ("puppies", False, True), ("people", False, True), ("loaves", False, True),
    ("buses", False, True), ("boxes", False, True), ("red apples", False, False),  # only listed words
    # Value-changing words and words nobody listed never drop (the plural rule dropped them all).
    ("sixteenths", True, False), ("halves", True, False), ("lakhs", True, False), ("scores", True, False),
    ("negatives", True, False), ("reciprocals", True, False), ("inverses", True, False), ("squares", True, False),
    ("percents", True, False), ("basis points", True, False), ("errors", True, False), ("guesses", True, False),
    ("negative", True, False), ("billionth", True, False), ("gross", True, False), ("pairs", True, False),
])
def test_is_unit(phrase: str, in_text: bool, expected: bool) -> None:
    assert is_unit(phrase, in_text=in_text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("3 thousand", "(3*1000)"), ("2.5 million", "(2.5*1000000)"), ("3 dozen", "(3*12)"),
    ("4 Hundreds", "(4*100)"), ("x thousand", "x thousand"), ("42", "42"),
    ("3 lakh", "(3*100000)"), ("2 crores", "(2*10000000)"), ("3 myriad", "(3*10000)"),
])
def test_size_words_multiply(text: str, expected: str) -> None:
    assert scale_words(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("12 dollars per hour", "12"), ("5cm", "5"), ("50 km/h", "50"), ("42 marbles", "42"),
    ("3 wrong", "3 wrong"), ("3 per", "3 per"), ("2 pi", "2 pi"), ("5 m", "5 m"), ("x cm", "x cm"),
])
def test_only_known_units_are_stripped(text: str, expected: str) -> None:
    assert strip_unit_tail(text, frozenset({"pi"})) == expected


def test_no_listed_word_changes_a_value() -> None:
    """A counted noun or unit that is also a fraction, power, size or sign word would vanish from "3 X"."""
    import re

    assert [w for w in COUNTED | UNITS if re.fullmatch(VALUE_WORDS, w) or re.fullmatch(VALUE_WORDS, w + "s")] == []
    assert COUNTED.isdisjoint({"negative", "reciprocal", "inverse", "square", "cube", "root", "score", "gross",
                               "percent", "pair", "couple", "error", "guess", "basis"})


@pytest.mark.parametrize(("after", "expected"), [
    ("apples.", True), ("clips were sold in May.", True), ("is the answer.", True), ("in total.", True),
    ("dollars per hour.", True), ("per year.", True), ("km/h.", True), ("more minutes.", True),
    ("distinct real solutions.", True), ("negative integers.", True), ("Final Answer", True), (".", True), ("", True),
    ("negatives.", False), ("basis points.", False), ("per mille.", False), ("per.", False), ("scores", False),
    ("more.", False), ("negative.", False), ("negative degrees.", False), ("reciprocals", False), ("percents", False),
    ("wrong", False), ("distinct negatives", False),
])
def test_keeps_value(after: str, expected: bool) -> None:
    assert keeps_value(after) is expected


def test_no_clause_word_or_adjective_changes_a_value() -> None:
    """A clause word or adjective that is a value, operator or unit word would let "3 X" pass as 3 (or
    shadow the unit check)."""
    import re

    listed = CLAUSE_WORDS | ADJECTIVES
    assert [w for w in listed if re.fullmatch(VALUE_WORDS, w)] == []
    assert listed.isdisjoint({"times", "over", "plus", "minus", "negatives", "reciprocal", "inverse", "percent",
                              "per", "basis", "score", "scores", "square", "cube", "root", "squared", "cubed"})


@pytest.mark.parametrize(("words", "number"), [
    ("seven", 7), ("twenty-one", 21), ("one hundred and five", 105), ("two thousand three", 2003),
    ("three million", 3_000_000), ("seven apples", None), ("", None),
])
def test_words_to_number(words: str, number: int | None) -> None:
    assert words_to_number(words) == number


@pytest.mark.parametrize(("words", "fraction"), [
    ("three quarters", "3/4"), ("a half", "1/2"), ("two-thirds", "2/3"), ("one fifth", "1/5"),
    ("seven eighths", "7/8"), ("three apples", None), ("quarters", None),
])
def test_words_to_fraction(words: str, fraction: str | None) -> None:
    assert words_to_fraction(words) == fraction
