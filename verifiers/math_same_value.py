"""Whether a value read after an answer is one the answer states: values compared, not text.

The retraction scans (``math_hedge.retracted``) read the last value after a cue ("\\boxed{12}. Wait, it's 2.")
and must tell a new value from the answer said again. Looking the value up in the answer's text took "3" for
a value of "-3", "2" for one of "12" or of "\\frac{1}{2}": a policy could retract its answer in any digit of it.
Here a value is the same only if it is the answer itself, the right side of "x = 3", or a number of a plain
list ("2, -3"), compared as a number ("3.0" is "3", "2/4" is "1/2").

Limits: a formula's value is its text ("\\frac{1}{2}" and "0.5" differ here; ``MathVerifier`` forgives an
alternative equal in value where one is handed on); numbers with more than 40 characters are compared as text.
"""

from __future__ import annotations

import re
from fractions import Fraction


def bare(value: str) -> str:
    """``value`` without the dollar signs and brackets around it and its digit-group commas."""
    return value.strip("$()").replace(",", "")


# A whole number, never a piece of one: not the "3" of "-3", "13", "3.5" or "x_3".
_NUMBER_TOKEN = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:/\d+)?(?![\w.]?\d)")
# What a value's text may carry that is no part of it: a unit in \text{}, a thin space, an escaped percent sign.
_NOT_VALUE = re.compile(r"\\(?:text|mathrm|mbox)\s*\{[^{}]*\}|\\[,;:! %$]|\s+")


def _key(value: str) -> str:
    """``value``'s text as a comparable key: "3.0", "+3" and "3" are one value, "1/2" and "2/4" too."""
    value = value.replace(",", "").strip("$%+")
    if len(value) > 40 or not re.fullmatch(r"-?\d+(?:\.\d+)?(?:/\d+)?", value):  # no "1e99999999": no huge numbers
        return value
    try:
        return str(Fraction(value))
    except ZeroDivisionError:
        return value


def _own_values(answer: str) -> frozenset[str]:
    """The values ``answer`` states whole: itself, the right side of "x = 3", the numbers of a plain list "2, -3";
    a formula ("\\frac{1}{2}", "5\\sqrt{2}") states only itself, none of its digits ("2" is no value of \\frac{1}{2})."""
    own = _NOT_VALUE.sub("", answer.strip("$() ")).rsplit("=", 1)[-1]
    if re.search(r"[\\{}^_]", own):
        return frozenset([_key(own)])
    return frozenset([_key(own), *(_key(n) for n in _NUMBER_TOKEN.findall(own))])


def same(value: str, answer: str) -> bool:
    """Whether ``value`` (a number or a choice letter found after the answer) is a value ``answer`` states whole:
    values are compared, not text ("3" is no value of "-3", nor "2" of "12" or of "\\frac{1}{2}")."""
    value = bare(value).strip()
    if re.fullmatch(r"[A-J]", value):
        return value in re.findall(r"(?<![A-Za-z])[A-J](?![A-Za-z])", answer)
    return _key(_NOT_VALUE.sub("", value)) in _own_values(answer)


# A clause: what a value after a cue is read in, up to a sentence, clause or line end (not a decimal point).
_CLAUSE_END = re.compile(r"[!?;:\n]|\.(?!\d)")


def a_check(text: str, at: int, answer: str) -> bool:
    """Whether the value at ``text[at]`` sits in an equation that states the answer too: a check of it ("Wait,
    let me verify: 9 = 3²", "the checks pass: 3\\cdot 4 = 12"), no new value."""
    ends = [m.end() for m in _CLAUSE_END.finditer(text, 0, at)]
    after = _CLAUSE_END.search(text, at)
    clause = text[ends[-1] if ends else 0: after.start() if after else len(text)]
    return "=" in clause and any(same(n, answer) for n in _NUMBER_TOKEN.findall(clause))
