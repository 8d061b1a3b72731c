"""Whether a value read after an answer is one the answer states: values compared, not text.

The retraction scans (``math_hedge.retracted``) read the last value after a cue ("\\boxed{12}. Wait, it's 2.")
and must tell a new value from the answer said again. Looking the value up in the answer's text took "3" for
a value of "-3", "2" for one of "12" or of "\\frac{1}{2}": a policy could retract its answer in any digit of it.
Here a value is the same only if it is the answer itself, the right side of "x = 3", or a number of a plain
list ("2, -3"), compared as a number ("3.0" is "3", "2/4" is "1/2").

A formula is read as the verifier reads answers (``normalize``, then an exact rational value when it has one):
"1/2", "0.5" and "\\frac12" are one value, "1000" and "1{,}000", "3" and "\\text{3}", "1024" and "2^{10}".

Limits: a formula with no rational value (or over ``_MAX_FORMULA`` characters) is compared by its normalized
text ("3\\sqrt{2}" and "\\sqrt{18}" differ here); numbers with more than 40 characters are compared as text.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

from .math_expr import ParseFailure, Refused, exact, free_symbols, parse
from .math_normalize import normalize


def bare(value: str) -> str:
    """``value`` without the dollar signs and brackets around it and its digit-group commas (also TeX's "{,}")."""
    return value.strip("$()").replace("{,}", "").replace(",", "")


_NUMBER = r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?"  # a number as written: "-3", "1,000", "2.5", "1/2"
# A whole number, never a piece of one: not the "3" of "-3", "13", "3.5" or "x_3".
_NUMBER_TOKEN = re.compile(rf"(?<![\w.]){_NUMBER}(?![\w.]?\d)")
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


_MAX_FORMULA = 200  # a value or answer longer than this is compared by its text only (bounds the cost)


@functools.lru_cache(maxsize=256)
def _formula_value(text: str) -> str | None:
    """``text`` read as the verifier reads an answer: its exact rational value if it has one, else its normalized
    text; None when it is too long or empty."""
    if len(text) > _MAX_FORMULA or not (normal := normalize(text.strip("$ ")).strip()):
        return None
    try:
        node = parse(normal)
        rational = exact(node) if not free_symbols(node) else None
    except (ParseFailure, Refused, ArithmeticError, ValueError):
        return normal
    return str(rational) if rational is not None else normal


def same(value: str, answer: str) -> bool:
    """Whether ``value`` (a number or a choice letter found after the answer) is a value ``answer`` states whole:
    values are compared, not text ("3" is no value of "-3", nor "2" of "12" or of "\\frac{1}{2}")."""
    value = bare(value).strip()
    if re.fullmatch(r"[A-J]", value):
        return value in re.findall(r"(?<![A-Za-z])[A-J](?![A-Za-z])", answer)
    if _key(_NOT_VALUE.sub("", value)) in _own_values(answer):
        return True
    # The same value in another notation: "1/2" restating "\\frac{1}{2}", "1024" restating "2^{10}".
    said = _formula_value(value)
    return said is not None and said == _formula_value(answer.strip("$() ").rsplit("=", 1)[-1])


# A clause: what a value after a cue is read in, up to a sentence, clause or line end (not a decimal point).
_CLAUSE_END = re.compile(r"[!?;:\n]|\.(?!\d)")


# Cues that announce a change, never a check: an equation after them works out the new value ("Oops, 5 - 1 = 4").
_CHANGE_CUES = re.compile(r"w?hoops|oops|sorry|my\s+(?:mistake|bad)|correction|scratch\s+that|i\s+mean|i\s+meant|or\s+rather"
                          r"|i\s+was\s+wrong|make\s+that|erratum|typo|fix|nope|nah|no|wrong|incorrect|mistake|false"
                          r"|let\s+me\s+(?:fix|correct).*|never\s*mind|nvm|just\s+kidding|kidding|revised|revision|redo", re.IGNORECASE)
# After a cue, the answer's variable given another value ("x = 4", "we get x = 4": the value ends the equation) ...
_ASSIGNED = re.compile(rf"(?<![\w\\])[A-Za-z]\s*=\s*\$?({_NUMBER})(?![\d.,]?\d|\s*[-+*/^(\\×·])")
# ... or the answer called wrong: "not 3", "3 was wrong", "so 3 is off", "3 is a typo".
_DISOWNED = re.compile(rf"(?:\bnot|n't)\s+(?:\$?\s*)({_NUMBER})(?![\d.,]?\d)"
                       rf"|(?<![\w.])({_NUMBER})\$?\s+(?:was|is|'s)\s+(?:(?:also|all|just|clearly)\s+)?"
                       r"(?:wrong|off|incorrect|mistaken|an?\s+(?:typo|mistake|error|miscalculation|slip))\b", re.IGNORECASE)


# A value set up for a check, not a result: "let me verify with n = 2", "if x = 4 then ...", "plugging in x = 3".
_SUPPOSING = re.compile(r"\b(?:if|let|with|when|where|for|suppose|assum\w*|plug\w*|substitut\w*|sett?ing|at)\b", re.IGNORECASE)
_DISOWN_REACH = 300  # characters after the cue read (bounds the cost on a long digit run)


# Two plain numbers equated, neither side part of a longer expression: "it's 4 = 3" is no check, it is false.
_PLAIN_EQUATION = re.compile(r"(?<![\w.^/])(-?\d+(?:\.\d+)?)\s*=\s*(-?\d+(?:\.\d+)?)(?![\w^/]|\.\d|\s*[-+*/^(\\×·])")


def _equated_to_another(text: str, answer: str) -> bool:
    """Whether ``text`` equates the answer with a different plain number ("it's 4 = 3"): no check, a new value
    (what stands before the left number is no operator: "2 + 1 = 3" is a check)."""
    return any(_key(m.group(1)) != _key(m.group(2)) and (same(m.group(1), answer) or same(m.group(2), answer))
               and text[:m.start()].rstrip()[-1:] not in tuple("-+*/^×·}")
               and not re.search(r"\\[a-zA-Z]+\s*\Z", text[:m.start()]) for m in _PLAIN_EQUATION.finditer(text))


def disowned(text: str, answer: str) -> bool:
    """Whether ``text`` (after a retraction cue) gives the answer's variable another value ("x = 4") or calls the
    answer wrong ("not 3", "3 was wrong", "3 is off"), within its first ``_DISOWN_REACH`` characters. Limit: the
    variable is any single letter, unless its sentence supposes it ("if x = 4")."""
    text = text[:_DISOWN_REACH]
    for m in _ASSIGNED.finditer(text):
        ends = [e.end() for e in _CLAUSE_END.finditer(text, 0, m.start()) if e.group() != ":"]
        if not same(m.group(1), answer) and not _SUPPOSING.search(text, ends[-1] if ends else 0, m.start()):
            return True
    return any(same(m.group(1) or m.group(2), answer) for m in _DISOWNED.finditer(text)) \
        or _equated_to_another(text, answer)


def a_check(text: str, at: int, answer: str, cue: str) -> bool:
    """Whether the value at ``text[at]`` sits in an equation that states the answer too: a check of it ("Wait,
    let me verify: 9 = 3²", "the checks pass: 3\\cdot 4 = 12"), no new value. After a ``cue`` that announces a
    change ("Oops", "Sorry") an equation is no check."""
    if _CHANGE_CUES.fullmatch(cue.strip()):
        return False
    ends = [m.end() for m in _CLAUSE_END.finditer(text, 0, at)]
    after = _CLAUSE_END.search(text, at)
    clause = text[ends[-1] if ends else 0: after.start() if after else len(text)]
    return "=" in clause and any(same(n, answer) for n in _NUMBER_TOKEN.findall(clause))
