"""Read a normalised answer into a typed value, and compare two of them.

Values (tuples, hashable and picklable):

- ``("expr", node, percent)``: one expression (``percent``: written with ``%``);
- ``("set", items)``: ``\\{1, 2\\}`` or a bare list ``1, 2`` (order-free);
- ``("seq", open, close, items)``: ``(1, 2)``, ``[0, 1)`` (ordered; bracket types kept, so an
  interval ``[0, 1)`` never equals ``(0, 1)``);
- ``("union", items)``: ``[0, 1) \\cup (2, oo)`` (order-free);
- ``("matrix", rows)``; ``("rel", ops, sides)``: ``x = 3``, ``-1 < x <= 2``; ``("text", words)``.

Comparison, in order of cost: exact rationals (``Fraction``), then mpmath at 40
digits with a relative tolerance, then, for expressions with free symbols, sympy
when both trees are small (``math_sympy``: ``simplify`` of the difference, real
symbols, so ``sqrt(x^2)`` is ``|x|``), and evaluation at random points for larger
ones (Schwartz-Zippel: two different rational functions agree at several random
points with probability ~0). A single-variable inequality compares as the interval
it describes (``x > 3`` equals ``(3, oo)``), and ``x = 3`` equals ``3`` when
``equation_rhs`` is on.

sympy never parses model text: it receives trees from our bounded parser
(``math_expr``), so ``9^9^9^9`` is refused before sympy sees it. The random-point
fallback judges identities on real points in ``[0.3, 2.7]``, so on trees too large
for sympy an identity that holds only for positive values is accepted.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from .math_expr import FUNCTIONS, Node, ParseFailure, Refused, exact, free_symbols, mp, numeric, parse
from .math_sympy import symbolic_equal

Value = tuple[Any, ...]
_RELATIONS = ("<=", ">=", "!=", "<", ">", "=")
_OPEN, _CLOSE = "([⦃⟪", ")]⦄⟫"


@dataclass(frozen=True)
class CompareOptions:
    rel_tol: float = 1e-9
    percent: Literal["either", "fraction", "strip"] = "either"
    equation_rhs: bool = True
    require_simplified: bool = False
    random_points: int = 4


def split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    """Split at separators that sit outside every bracket."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif depth == 0:
            sep = next((s for s in separators if text.startswith(s, i)), None)
            if sep is not None:
                parts.append(text[start:i])
                parts.append(sep)
                i += len(sep)
                start = i
                continue
        i += 1
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
    """``((7))`` -> ``7``: redundant outer brackets cost nothing and count against no limit."""
    while len(text) > 1 and text[0] == "(" and _closing(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _expr(text: str) -> Value:
    text = _unwrap(text.strip())
    percent = text.endswith("%")
    return ("expr", parse(text.rstrip("%").strip() if percent else text), percent)


def read_value(text: str) -> Value:
    """Parse a normalised answer; raises ``ParseFailure`` or ``Refused``."""
    text = re.sub(r"^[A-Za-z]\s*∈\s*", "", text.strip()).replace("≈", "=")  # x ∈ [1, 2]; x ≈ 3.14
    if not text:
        raise ParseFailure("empty answer")
    union = split_top(text, ("∪",))
    if len(union) > 1:
        return ("union", tuple(read_value(p) for p in union[::2]))
    items = split_top(text, (",", ";"))[::2]  # before relations: "x=2, x=-3" is two equations
    if len(items) > 1:
        return ("set", tuple(read_value(i) for i in items))
    if "±" in text and (solved := re.fullmatch(r"[A-Za-z]\s*=\s*(.+)", text)):
        return read_value(solved.group(1))  # x = ±a: the solution set {a, -a}
    pieces = split_top(text, _RELATIONS)
    if len(pieces) > 1:
        return ("rel", tuple(pieces[1::2]), tuple(_expr(p)[1] for p in pieces[::2]))
    if "±" in text:
        left, _, right = text.partition("±")
        return ("set", (_expr(f"{left or 0}+({right})"), _expr(f"{left or 0}-({right})")))
    if text[0] in _OPEN and _closing(text) == len(text) - 1:
        inner = text[1:-1]
        if text[0] == "⦃":
            return ("set", tuple(read_value(i) for i in split_top(inner, (",", ";"))[::2] if i.strip()))
        if text[0] == "⟪":
            rows = split_top(inner, (";",))[::2]
            return ("matrix", tuple(tuple(_expr(c)[1] for c in split_top(r, ("&",))[::2]) for r in rows if r.strip()))
        parts = split_top(inner, (",",))[::2]
        if len(parts) > 1 or text[0] == "[":
            return ("seq", text[0], text[-1], tuple(read_value(p) for p in parts))
    # Words are text ("Monday", "any real number"); short letter runs stay maths ("xy", "abc").
    if re.fullmatch(r"[A-Za-z]+(?: [A-Za-z]+)*", text) and (" " in text or len(text) >= 4) \
            and not re.match("|".join(sorted(FUNCTIONS, key=len, reverse=True)), text):
        return ("text", text.lower())
    return _expr(text)


# ----------------------------------------------------------------- comparison


def _variants(value: Value, options: CompareOptions) -> list[Node]:
    _, node, percent = value
    if not percent:
        return [node]
    as_fraction: Node = ("mul", (node, ("num", Fraction(1, 100))))
    return {"either": [node, as_fraction], "fraction": [as_fraction], "strip": [node]}[options.percent]


# Identities hold to working precision (40 digits): sin(pi/6) vs 1/2, x^2-1 vs (x-1)(x+1) at a
# point. This much tighter tolerance, not rel_tol, applies whenever the gold is an exact rational
# or the expressions have free symbols, so "7 + e^{-30}" never passes for 7.
IDENTITY_TOL = 1e-30


def _close(a: Any, b: Any, rel_tol: float) -> bool:
    ctx = mp()
    if ctx.isinf(a) or ctx.isinf(b):
        return bool(a == b)
    scale = max(abs(a), abs(b))
    return bool(abs(a - b) <= rel_tol * scale or abs(a - b) <= ctx.mpf(10) ** -36)


def scalar_equal(a: Node, b: Node, options: CompareOptions) -> tuple[bool, str]:
    """(equal, method) for predicted ``a`` and gold ``b``: exact rationals, then numeric, then sympy
    when both are small (``math_sympy``), then random points."""
    ea, eb = exact(a), exact(b)
    if ea is not None and eb is not None:
        return ea == eb, "exact"
    symbols = sorted(free_symbols(a) | free_symbols(b))
    if not symbols:
        # rel_tol tolerates a decimal approximation of an irrational gold only.
        tol = IDENTITY_TOL if eb is not None else options.rel_tol
        try:
            return _close(numeric(a, {}), numeric(b, {}), tol), "numeric"
        except Refused:
            raise
        except (ArithmeticError, ValueError, TypeError):  # a domain error: 1/0, log(0)
            return False, "numeric_failed"
    # Random points first: one disagreement proves the expressions differ, and most
    # wrong answers stop here in microseconds. Agreement on positive reals is then
    # confirmed by sympy when the trees are small, which also rejects identities that
    # hold only for positive values (sqrt(x^2) vs x).
    rng = random.Random(20240611)
    agreed = 0
    for _ in range(options.random_points * 3):
        env = {s: mp().mpf(rng.uniform(0.3, 2.7)) for s in symbols}
        try:
            va, vb = numeric(a, env), numeric(b, env)
        except Refused:
            raise
        except (ArithmeticError, ValueError, TypeError):  # a pole at this point: try another
            continue
        if not _close(va, vb, IDENTITY_TOL):
            return False, "random_points"
        agreed += 1
        if agreed == options.random_points:
            break
    verdict = symbolic_equal(a, b)
    if verdict is not None:
        return verdict, "sympy"
    if agreed == options.random_points:
        return True, "random_points"
    return False, "random_points_failed"


def _expr_equal(p: Value, g: Value, options: CompareOptions) -> tuple[bool, str]:
    method = "exact"
    for pn in _variants(p, options):
        for gn in _variants(g, options):
            ok, method = scalar_equal(pn, gn, options)
            if ok:
                if options.require_simplified and not is_simplified(pn):
                    return False, "not_simplified"
                return True, method
    return False, method


def _interval(value: Value) -> Value | None:
    """A single-variable inequality as the interval it describes, else None."""
    _, ops, sides = value
    if len(ops) == 1 and ops[0] in ("<", "<=", ">", ">="):
        op, (left, right) = ops[0], sides
        if left[0] == "sym" and right[0] != "sym":
            bound: Value = ("expr", right, False)
            closed = op.endswith("=")
            if op[0] == "<":  # x < b, x <= b
                return ("seq", "(", "]" if closed else ")", (("expr", ("neg", ("const", "oo")), False), bound))
            return ("seq", "[" if closed else "(", ")", (bound, ("expr", ("const", "oo"), False)))
        if right[0] == "sym" and left[0] != "sym":
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
            return _interval(("rel", (flipped,), (right, left)))
    if len(ops) == 2 and sides[1][0] == "sym" and sides[0][0] != "sym" and sides[2][0] != "sym":
        if all(op in ("<", "<=") for op in ops):  # a < x <= b
            return ("seq", "[" if ops[0] == "<=" else "(", "]" if ops[1] == "<=" else ")",
                    (("expr", sides[0], False), ("expr", sides[2], False)))
        if all(op in (">", ">=") for op in ops):  # b > x >= a
            return ("seq", "[" if ops[1] == ">=" else "(", "]" if ops[0] == ">=" else ")",
                    (("expr", sides[2], False), ("expr", sides[0], False)))
    return None


def _match_unordered(ps: tuple[Value, ...], gs: tuple[Value, ...], options: CompareOptions) -> bool:
    if len(ps) != len(gs):
        return False
    remaining = list(gs)
    for p in ps:
        hit = next((i for i, g in enumerate(remaining) if equal(p, g, options)[0]), None)
        if hit is None:
            return False
        remaining.pop(hit)
    return True


def equal(p: Value, g: Value, options: CompareOptions) -> tuple[bool, str]:
    """(equal, method) for a predicted value ``p`` against the gold value ``g``."""
    pk, gk = p[0], g[0]
    if pk == "rel" and set(p[1]) == {"="} and not any(free_symbols(side) for side in p[2]):
        # A worked chain "6 * 7 = 42" answers with its last side, if every step holds ("8 = 7" does not).
        if not all(scalar_equal(a, b, options)[0] for a, b in zip(p[2][:-1], p[2][1:], strict=True)):
            return False, "false_chain"
        return equal(("expr", p[2][-1], False), g, options)
    if pk == "rel" and gk != "rel":
        if p[1] == ("=",) and options.equation_rhs and p[2][0][0] == "sym":
            return equal(("expr", p[2][1], False), g, options)
        interval = _interval(p)
        return equal(interval, g, options) if interval else (False, "shape")
    if gk == "rel" and pk != "rel":
        if g[1] == ("=",) and options.equation_rhs and g[2][0][0] == "sym":
            return equal(p, ("expr", g[2][1], False), options)
        interval = _interval(g)
        return equal(p, interval, options) if interval else (False, "shape")
    if gk == "text" or pk == "text":
        return (p == g), "text"
    if pk == "expr" and gk == "expr":
        return _expr_equal(p, g, options)
    if (pk == "set" and gk in ("set", "seq")) or (pk == "seq" and gk == "set"):
        if gk == "seq" and g[1] + g[2] != "()":
            return False, "shape"
        ordered = gk == "seq"
        ps, gs = p[-1], g[-1]
        if ordered:
            return len(ps) == len(gs) and all(equal(a, b, options)[0] for a, b in zip(ps, gs, strict=True)), "ordered"
        return _match_unordered(ps, gs, options), "unordered"
    if pk == "seq" and gk == "seq":
        if (p[1], p[2]) != (g[1], g[2]) or len(p[3]) != len(g[3]):
            return False, "shape"
        return all(equal(a, b, options)[0] for a, b in zip(p[3], g[3], strict=True)), "ordered"
    if pk == "union" and gk == "union":
        return _match_unordered(p[1], g[1], options), "unordered"
    if pk == "matrix" and gk == "matrix":
        if [len(r) for r in p[1]] != [len(r) for r in g[1]]:
            return False, "shape"
        cells = [(a, b) for pr, gr in zip(p[1], g[1], strict=True) for a, b in zip(pr, gr, strict=True)]
        return all(scalar_equal(a, b, options)[0] for a, b in cells), "elementwise"
    if pk == "rel" and gk == "rel":
        return _relation_equal(p, g, options)
    return False, "shape"


def _relation_equal(p: Value, g: Value, options: CompareOptions) -> tuple[bool, str]:
    pi, gi = _interval(p), _interval(g)
    if pi is not None and gi is not None:
        return equal(pi, gi, options)
    if p[1] == g[1] == ("=",):
        (pl, pr), (gl, gr) = p[2], g[2]
        if pl[0] == gl[0] == "sym" and pl == gl:
            return scalar_equal(pr, gr, options)
        # Same equation up to a non-zero factor: (pl - pr) / (gl - gr) is constant.
        pd, gd = ("add", (pl, ("neg", pr))), ("add", (gl, ("neg", gr)))
        for factor in (("num", Fraction(1)), ("num", Fraction(-1))):
            if scalar_equal(pd, ("mul", (factor, gd)), options)[0]:
                return True, "equation"
        return _proportional(pd, gd, options), "equation"
    if p[1] == g[1] and len(p[2]) == len(g[2]):
        return all(scalar_equal(a, b, options)[0] for a, b in zip(p[2], g[2], strict=True)), "relation"
    return False, "shape"


def _proportional(a: Node, b: Node, options: CompareOptions) -> bool:
    symbols = sorted(free_symbols(a) | free_symbols(b))
    rng = random.Random(7)
    ratios = []
    for _ in range(options.random_points * 2):
        env = {s: mp().mpf(rng.uniform(0.3, 2.7)) for s in symbols}
        try:
            va, vb = numeric(a, env), numeric(b, env)
        except (ArithmeticError, ValueError, TypeError):
            continue
        if vb == 0 or va == 0:
            return False
        ratios.append(va / vb)
    return len(ratios) >= 2 and all(_close(r, ratios[0], IDENTITY_TOL) for r in ratios)


def is_simplified(node: Node) -> bool:
    """False for an unreduced fraction (``6/8``) or an unsimplified radical (``sqrt(12)``)."""
    if node[0] == "mul" and len(node[1]) == 2 and node[1][0][0] == "num" and node[1][1][0] == "inv":
        num, den = node[1][0][1], node[1][1][1]
        if den[0] == "num" and math.gcd(num.numerator, den[1].numerator) > 1:
            return False
    if node[0] == "call" and node[1] == "sqrt" and node[2][0][0] == "num":
        n = node[2][0][1]
        if n.denominator == 1 and any(n.numerator % (k * k) == 0 for k in range(2, min(int(n.numerator ** 0.5), 10**4) + 1)):
            return False
    if node[0] in ("add", "mul"):
        return all(is_simplified(c) for c in node[1])
    if node[0] in ("neg", "inv"):
        return is_simplified(node[1])
    if node[0] in ("pow", "call"):
        return all(is_simplified(c) for c in (node[2] if node[0] == "call" else (node[1], node[2])))
    return True
