"""Read a normalised answer (``math_normalize``'s output) into a typed value (``math_compare`` compares).

Values (tuples, hashable and picklable):

- ``("expr", node, percent)``: one expression (``percent``: written with ``%``);
- ``("set", items)``: ``\\{1, 2\\}`` or a bare list ``1, 2`` (order-free);
- ``("seq", open, close, items)``: ``(1, 2)``, ``[0, 1)`` (ordered; bracket types kept, so an
  interval ``[0, 1)`` never equals ``(0, 1)``); a ratio ``7:32`` is a seq with ``:`` for brackets;
- ``("label", name, value)``: a labelled answer ``(p,q) = (3,2)``, ``f(x) = 1`` (``is_label``);
- ``("union", items)``: ``[0, 1) \\cup (2, oo)`` (order-free);
- ``("matrix", rows)``; ``("rel", ops, sides)``: ``x + y = 3``, ``-1 < x <= 2``; ``("text", words)``;
- ``("base", digits, base)``: a numeral with its base as a subscript, ``204_5``, ``1A_{16}`` (digits
  upper-cased, leading zeros dropped; it equals only what ``math_compare._base_equal`` says).

- ``("estimate", value)``: ``x ≈ 3.14``, a value given as an estimate (it equals only a rounded gold).

Approximations: ``1/13 ≈ 0.077`` reads as the exact value before ``≈``; ``x ≈ 3.14`` as an estimate.
A ``±`` (one) makes the set of both values: ``(-1 ± sqrt(5))/2`` equals the list of the two roots. Every expression goes through ``math_expr``'s bounded parser.
"""

from __future__ import annotations

import functools
import re
from itertools import pairwise
from typing import Any

from .math_expr import FUNCTIONS, GREEK, ParseFailure, numeric, parse

Value = tuple[Any, ...]
RELATIONS = ("<=", ">=", "!=", "<", ">", "=")
_OPEN, _CLOSE = "([⦃⟪", ")]⦄⟫"
_BRACKET = re.compile(r"[(\[⦃⟪)\]⦄⟫]")


@functools.lru_cache(maxsize=16)
def _separators_and_brackets(separators: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join([*map(re.escape, separators), _BRACKET.pattern]))


def split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    """Split at separators that sit outside every bracket (the first listed wins where several match)."""
    if not any(s in text for s in separators):  # the common case, found without a scan
        return [text]
    parts, depth, start = [], 0, 0
    for match in _separators_and_brackets(separators).finditer(text):
        token = match.group()
        if token in _OPEN:
            depth += 1
        elif token in _CLOSE:
            depth -= 1
        elif depth == 0:
            parts += [text[start:match.start()], token]
            start = match.end()
    parts.append(text[start:])
    return parts


def _closing(text: str) -> int:
    """Index of the bracket closing the one at index 0 (any bracket kind), or -1."""
    depth = 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _unwrap(text: str) -> str:
    """``((7))`` -> ``7``: redundant outer brackets cost nothing and count against no limit. Linear in
    the length (brackets paired once): a gold of 5000 nested brackets took seconds peeled layer by layer."""
    text = text.strip()
    if not text.startswith("("):
        return text
    pair, stack = {}, []
    for index, char in enumerate(text):
        if char in _OPEN:
            stack.append(index)
        elif char in _CLOSE and stack:
            pair[stack.pop()] = index
    start, end = 0, len(text) - 1
    while end - start > 0 and text[start] == "(" and pair.get(start) == end:
        start, end = start + 1, end - 1
        while start <= end and text[start].isspace():
            start += 1
        while end >= start and text[end].isspace():
            end -= 1
    return text[start:end + 1]


_SUBSCRIPT = re.compile(r"_\(\w+\)|_\w+")


# A label's name: a letter or two ("x", "AB", "f"; not the words "no", "or", "if" unless in capitals: a segment NO), three or four letters in
# alphabetical sequence ("abc", "xyz", "ABCD"), any three or four capitals beside a listed noun ("\\angle ABE",
# "Area of APQ"), a Greek letter, or a listed noun that names a quantity ("Area"). Any other word ("wrong",
# "false", "FAKE", "upper bound") is no name, and a constant (pi, e, i) has a value of its own.
_NAME = re.compile(r"[A-Za-z]{1,2}|" + "|".join(GREEK))
_NOUNS = frozenset(["angle", "arc", "area", "triangle", "perimeter", "circumference", "volume", "length", "width",
                    "height", "radius", "diameter", "side", "distance", "sum", "product", "total", "answer", "value",
                    "result", "speed", "cost", "price"])
_NO_NAMES = frozenset({"pi", "e", "i", "oo", "no", "or", "if"})


def _is_name(run: str, named: bool) -> bool:
    if run.lower() in _NO_NAMES:
        return run.isupper()  # the points E and I, the segment NO (NO/BO) are names
    if 3 <= len(run) <= 4 and ((run.isupper() and named) or all(ord(b) - ord(a) == 1 for a, b in pairwise(run))):
        return True
    return bool(_NAME.fullmatch(run)) or run.lower() in _NOUNS


# A function's value at a number: "f(2)", "g(-1/2)" (the label of "f(2) = 3"); e and i are constants.
_FUNCTION_VALUE = re.compile(r"[A-DF-HJ-Za-df-hj-z]\s*\(\s*-?\s*\d+(?:\.\d+)?(?:\s*/\s*\d+)?\s*\)")


def is_label(text: str) -> bool:
    """Whether ``text`` names what an answer is (``x``, ``f(x)``, ``f(2)``, ``(p,q)``, ``|AB|``, ``a_(37)``, ``A:B``,
    ``theta``): letters and brackets, no number outside a subscript or a function's argument, each run of
    letters a name (``_NAME``), not a word (``wrong = 3``) nor a constant (``pi = 3``)."""
    if _FUNCTION_VALUE.fullmatch(text.strip()):
        return True
    bare = _SUBSCRIPT.sub("", text.strip())
    if not re.fullmatch(r"[A-Za-z\s(),|:/'*→←―⌒∠]+", bare):  # marks: a vector's, an arc's (math_normalize)
        return False
    names = re.findall(r"[A-Za-z]+", bare)
    named = any(n.lower() in _NOUNS for n in names)
    return bool(names) and all(_is_name(n, named) for n in names)


# 204_5, 204_{5}, (204)_5, \\text{204}_5: digits (the first a decimal digit) and a base 2-36.
_BASE_NUMERAL = re.compile(r"\(?\s*([0-9][0-9A-Za-z]*)\s*\)?\s*_\s*\(?\s*(\d{1,2})\s*\)?")


def _base_numeral(text: str) -> Value | None:
    match = _BASE_NUMERAL.fullmatch(text) if "_" in text else None
    if match is None or not 2 <= int(match.group(2)) <= 36:
        return None
    try:
        int(match.group(1), int(match.group(2)))  # every digit a digit of that base: 19_8 is no numeral
    except ValueError:
        return None
    return ("base", match.group(1).upper().lstrip("0") or "0", int(match.group(2)))


def _expr(text: str) -> Value:
    text = _unwrap(text.strip())
    percent = text.endswith("%")
    return ("expr", parse(text[:-1].strip() if percent else text), percent)  # one %: 3%% is no percentage


APPROX_REL_TOL = 0.05  # "2/3 ≈ 0.7" is an approximation; "3 ≈ 5" is a second, different answer


def _check_approximation(exact_text: str, approx_text: str) -> None:
    """``exact ≈ approx`` keeps the exact value only when both sides are numbers that agree:
    otherwise the side after ``≈`` would be a free second answer nobody grades."""
    try:
        a, b = (complex(numeric(parse(_unwrap(t.strip())), {})) for t in (exact_text, approx_text))
    except (ValueError, ArithmeticError, TypeError) as exc:  # ParseFailure, Refused, symbols, domain
        raise ParseFailure(f"an approximation that is not a number: {exact_text} ≈ {approx_text}") from exc
    if abs(a - b) > APPROX_REL_TOL * max(abs(a), abs(b)):
        raise ParseFailure(f"the approximation disagrees with the value: {exact_text} ≈ {approx_text}")


_MEMBER_OF = re.compile(r"^[A-Za-z]\s*∈\s*")


# Names whose capital is another symbol (theta, Theta): case matters for them as for single letters.
_GREEK_NAMES = """alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho
    sigma tau upsilon phi chi psi omega"""
_GREEK = frozenset(_GREEK_NAMES.split())


def fold_case(text: str) -> str:
    """``text`` with words lower-cased ("Yes" is "yes"), except single letters and Greek letter names:
    ``x`` and ``X``, ``theta`` and ``Theta`` are different symbols, never one answer."""
    return re.sub(r"[A-Za-z]+", lambda m: m.group() if len(m.group()) == 1 or m.group().lower() in _GREEK
                  else m.group().lower(), text)


# Brackets around one token after a blank, a power or a subscript, as TeX's optional braces leave them
# (\\triangle{ABC}, \\mathbb{Z}^{+}); "f(x)" keeps its brackets.
_ONE_TOKEN = re.compile(r"(^|[\s^_])\(\s*(\w+|[-+*])\s*\)")


def plain_text(text: str) -> str:
    """The form two answers compared as text are compared in: ``fold_case``, one token's brackets and
    brackets around the whole dropped, blanks dropped. Operators, signs and marks stay: A ∪ B is not
    A ∩ B, ℤ not ℤ^+ (synonyms such as \\lnot and \\neg are one name already, ``math_normalize``)."""
    text = _ONE_TOKEN.sub(r"\1\2", fold_case(text))
    return re.sub(r"\s+", "", _unwrap(text))


def read_value(text: str) -> Value:
    """Parse a normalised answer; raises ``ParseFailure`` or ``Refused``."""
    text = text.strip()
    if "∈" in text:  # x ∈ [1, 2]
        text = _MEMBER_OF.sub("", text)
    approx = split_top(text, ("≈",)) if "≈" in text else [text]
    if len(approx) > 1:  # "1/13 ≈ 0.077": the exact value; "x ≈ 3.14": an estimate (``math_compare``)
        if approx[0].strip() and not is_label(approx[0]):
            _check_approximation(approx[0], "".join(approx[2:]))
            text = approx[0]
        else:
            return ("estimate", read_value("".join(approx[2:])))
    if not text:
        raise ParseFailure("empty answer")
    union = split_top(text, ("∪",))
    if len(union) > 1:
        return ("union", tuple(read_value(p) for p in union[::2]))
    items = split_top(text, (",", ";"))[::2]  # before relations: "x=2, x=-3" is two equations
    if len(items) > 1:
        return ("set", tuple(read_value(i) for i in items))
    if text.count("±") + text.count("∓") == 1:  # "(-1 ± sqrt(5))/2", "x = 3 ± 2", "∓3": the set of both values
        sign_mark = "±" if "±" in text else "∓"
        return ("set", tuple(read_value(text.replace(sign_mark, sign, 1)) for sign in "+-"))
    pieces = split_top(text, RELATIONS)
    if len(pieces) > 2 and set(pieces[1::2]) == {"="} and is_label(pieces[0]):
        # "(p,q) = (3,2)", "f(x) = 1", "AB = 4": a label and its value (the rest, maybe a worked chain).
        return ("label", re.sub(r"\s+", "", pieces[0]), read_value("".join(pieces[2:])))
    if len(pieces) == 3 and pieces[1] == "=" and _FUNCTION_VALUE.fullmatch(pieces[2].strip()):
        # "3 = f(2)": a function's value written the other way round (f(2) = 3) labels the number.
        return ("label", re.sub(r"\s+", "", pieces[2]), read_value(pieces[0]))
    if len(pieces) > 1:
        return ("rel", tuple(pieces[1::2]), tuple(_expr(p)[1] for p in pieces[::2]))
    ratio = split_top(text, (":",))[::2] if ":" in text else [text]
    if len(ratio) > 1 and all(r.strip() for r in ratio):  # 7:32 is a ratio: it equals only a ratio
        return ("seq", ":", ":", tuple(read_value(r) for r in ratio))
    if text[0] in _OPEN and _closing(text) == len(text) - 1:
        inner = text[1:-1]
        if text[0] == "⦃":
            return ("set", tuple(read_value(i) for i in split_top(inner, (",", ";"))[::2] if i.strip()))
        if text[0] == "⟪":
            rows = split_top(inner, (";",))[::2]
            return ("matrix", tuple(tuple(_expr(c)[1] for c in split_top(r, ("&",))[::2]) for r in rows if r.strip()))
        parts = split_top(inner, (",",))[::2]
        if len(parts) == 1 and ";" in inner:  # (0;-2;6): a tuple written with semicolons
            parts = split_top(inner, (";",))[::2]
        if len(parts) > 1 or text[0] == "[":
            return ("seq", text[0], text[-1], tuple(read_value(p) for p in parts))
        if text[0] == "(" and inner.strip():  # (A ∪ B), \\left(x > 3\\right): brackets around the whole answer
            return read_value(_unwrap(text))  # every layer at once: linear in the nesting
    # Words are text ("Monday", "any real number"); short letter runs stay maths ("xy", "abc").
    if re.fullmatch(r"[A-Za-z]+(?: [A-Za-z]+)*", text) and (" " in text or len(text) >= 4) \
            and not re.match("|".join(sorted(FUNCTIONS, key=len, reverse=True)), text):
        return ("text", fold_case(text))
    return _base_numeral(text) or _expr(text)
