"""Compare two typed values (``math_read``): a predicted one against the gold.

Comparison, in order of cost: exact rationals (``Fraction``), then mpmath at 40
digits with a relative tolerance, then, for expressions with free symbols, sympy
when both trees are small (``math_sympy``: ``simplify`` of the difference, real
symbols, so ``sqrt(x^2)`` is ``|x|``), and evaluation at random points for larger
ones (Schwartz-Zippel: two different rational functions agree at several random
points with probability ~0). A single-variable inequality compares as the interval
it describes (``x > 3`` equals ``(3, oo)``, ``-x > -1`` equals ``x < 1``). A labelled answer
(``x = 3``, ``(p,q) = (3,2)``) compares its value with the other side's own value when
``equation_rhs`` is on, and as an equation against an equation (``y = -2x + 5`` is ``2x + y = 5``).
A gold list of three or more numbers written unsorted keeps its order (``_deliberate_order``);
a decimal of ``LONG_DECIMAL`` or more places counts as exact to its last digit.

sympy never parses model text: it receives trees from our bounded parser
(``math_expr``), so ``9^9^9^9`` is refused before sympy sees it. The random-point
fallback judges identities on real points in ``[0.3, 2.7]``, so on trees too large
for sympy an identity that holds only for positive values is accepted. A point where both values
are negligible (agreeing only under the 1e-36 absolute floor: ``e^{-1000x^2}`` vs ``0``) is no
evidence either way; a constant equal only under that floor goes to sympy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from .math_expr import Node, ParseFailure, Refused, _children, exact, free_symbols, mp, numeric, parse
from .math_read import Value
from .math_simplified import is_simplified
from .math_sympy import symbolic_equal


@dataclass(frozen=True)
class CompareOptions:
    rel_tol: float = 1e-9
    percent: Literal["either", "fraction", "strip"] = "either"
    equation_rhs: bool = True
    require_simplified: bool = False
    random_points: int = 4




def _variants(value: Value, options: CompareOptions, gold: Value | None = None) -> list[Node]:
    """The readings of a value written with ``%``: as written and/or divided by 100 (``options.percent``).

    A predicted percentage against a gold written as a fraction (``4 4/9%`` vs ``40/9``) is read
    divided by 100 only: the gold is then a ratio, and the unscaled reading is the wrong one.
    """
    _, node, percent = value
    if not percent:
        return [node]
    as_fraction: Node = ("mul", (node, ("num", Fraction(1, 100))))
    if gold is not None and not gold[2] and not _is_literal(gold[1]):
        return [as_fraction]
    return {"either": [node, as_fraction], "fraction": [as_fraction], "strip": [node]}[options.percent]


def _is_literal(node: Node) -> bool:
    """An integer or decimal as written (``12``, ``-0.5``), not a fraction or an expression."""
    return (node[1] if node[0] == "neg" else node)[0] == "num"  # "40/9" is ("mul", ...), "0.5" a "num"


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


def _relatively_close(a: Any, b: Any, tol: float) -> bool:
    """Equal to ``tol`` of their size, without ``_close``'s absolute floor (exactly equal counts)."""
    return bool(a == b or abs(a - b) <= tol * max(abs(a), abs(b)))


# A decimal written to this many places or more is taken as exact to its last digit.
LONG_DECIMAL = 10


def _decimal_places(node: Node) -> int:
    """Places of a decimal literal (``0.0833333333333333``: 16); 0 for anything else."""
    node = node[1] if node[0] == "neg" else node
    if node[0] != "num":
        return 0
    d, twos, fives = node[1].denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    return max(twos, fives) if d == 1 else 0


def scalar_equal(a: Node, b: Node, options: CompareOptions) -> tuple[bool, str]:
    """(equal, method) for predicted ``a`` and gold ``b``: exact rationals, then numeric, then sympy
    when both are small (``math_sympy``), then random points."""
    ea, eb = exact(a), exact(b)
    places = max(_decimal_places(a), _decimal_places(b))
    if ea is not None and eb is not None:
        if places >= LONG_DECIMAL and ea != eb:  # 0.0833333333333333 for 1/12: right to its last digit
            # Strictly less than a unit of the last place: 3.00000000001 is a different number, not 3 rounded.
            return abs(ea - eb) < Fraction(1, 10**places), "decimal"
        return ea == eb, "exact"
    symbols = sorted(free_symbols(a) | free_symbols(b))
    if not symbols:
        try:
            va, vb = numeric(a, {}), numeric(b, {})
            if places >= LONG_DECIMAL:  # sqrt(17) for 4.123105625617661
                return bool(abs(va - vb) < mp().mpf(10) ** -places), "decimal"
            # rel_tol tolerates a decimal approximation of an irrational gold only.
            tol = IDENTITY_TOL if eb is not None else options.rel_tol
            if not _close(va, vb, tol):
                return False, "numeric"
            if _relatively_close(va, vb, tol):
                return True, "numeric"
            # Equal only under the absolute floor (e^{-1000} for 0): sin(pi) is noise there, e^{-1000}
            # a different number; sympy tells them apart, and no verdict is no evidence.
            return bool(symbolic_equal(a, b)), "sympy"
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
        if not _relatively_close(va, vb, IDENTITY_TOL):  # both under the floor (e^{-1000x^2} vs 0): no evidence
            continue
        agreed += 1
        if agreed == options.random_points:
            break
    if agreed and (_has_steps(a) or _has_steps(b)) and not _agree_at_steps(a, b, symbols):
        return False, "step_points"
    verdict = symbolic_equal(a, b)
    if verdict is not None:
        return verdict, "sympy"
    if agreed == options.random_points:
        return True, "random_points"
    return False, "random_points_failed"


def _has_steps(node: Node) -> bool:
    return (node[0] == "call" and node[1] in ("floor", "ceil")) or any(_has_steps(c) for c in _children(node))


# Floor and ceiling jump at integers (floor(2x) at halves): random reals never land there, and
# floor(x) + 1 agrees with ceil(x) everywhere else. Every symbol takes values from this grid too.
_STEP_GRID = tuple(Fraction(k, d) for d in (1, 2, 3, 4, 6) for k in range(-7, 8))


def _step_points(symbols: list[str]) -> list[dict[str, Any]]:
    """48 points: every symbol at the same integer -7..7, then at values drawn from ``_STEP_GRID``."""
    rng, ctx = random.Random(11), mp()
    rows = [[_STEP_GRID[index]] * len(symbols) if index < 15 else [rng.choice(_STEP_GRID) for _ in symbols]
            for index in range(48)]
    return [{s: ctx.mpf(v.numerator) / v.denominator for s, v in zip(symbols, row, strict=True)} for row in rows]


def _agree_at_steps(a: Node, b: Node, symbols: list[str]) -> bool:
    """Whether ``a`` and ``b`` agree at integers and simple fractions (a domain error at a point skips it)."""
    for env in _step_points(symbols):
        try:
            va, vb = numeric(a, env), numeric(b, env)
        except (ArithmeticError, ValueError, TypeError):
            continue
        if not _close(va, vb, IDENTITY_TOL):
            return False
    return True


def _expr_equal(p: Value, g: Value, options: CompareOptions) -> tuple[bool, str]:
    method = "exact"
    for pn in _variants(p, options, g):
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
        flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
        if right[0] == "sym" and left[0] != "sym":
            return _interval(("rel", (flipped,), (right, left)))
        if left[0] == "neg" and left[1][0] == "sym" and not free_symbols(right):  # -x > -1 is x < 1
            return _interval(("rel", (flipped,), (left[1], ("neg", right))))
    if len(ops) == 2 and _is_variable(sides[1]) and not free_symbols(sides[0]) and not free_symbols(sides[2]):
        if all(op in ("<", "<=") for op in ops):  # a < x <= b
            return ("seq", "[" if ops[0] == "<=" else "(", "]" if ops[1] == "<=" else ")",
                    (("expr", sides[0], False), ("expr", sides[2], False)))
        if all(op in (">", ">=") for op in ops):  # b > x >= a
            return ("seq", "[" if ops[1] == ">=" else "(", "]" if ops[0] == ">=" else ")",
                    (("expr", sides[2], False), ("expr", sides[0], False)))
    return None


def _rounded(gold: Value) -> bool:
    """A gold an estimate may answer: a decimal (``3.14``) or an irrational value (``pi``, ``sqrt(2)``)."""
    if gold[0] == "label":
        return _rounded(gold[2])
    if gold[0] != "expr" or free_symbols(gold[1]):
        return False
    value = exact(gold[1])
    return value is None or (_is_literal(gold[1]) and value.denominator != 1)


def _is_variable(node: Node) -> bool:
    """``x``, or a function of it written ``f(x)`` (parsed as the product of two symbols)."""
    return node[0] == "sym" or (node[0] == "mul" and len(node[1]) == 2 and all(n[0] == "sym" for n in node[1]))


def _deliberate_order(items: tuple[Value, ...]) -> bool:
    """A gold list of three or more numbers in neither ascending nor descending order ("4, 10, -2"):
    its order carries meaning (a list of solutions is written sorted), so it is compared in order."""
    values = [exact(v[1]) if v[0] == "expr" else None for v in items]
    if len(values) < 3 or any(v is None for v in values):
        return False
    return values != sorted(values) and values != sorted(values, reverse=True)  # type: ignore[type-var]


def _match_unordered(ps: tuple[Value, ...], gs: tuple[Value, ...], options: CompareOptions) -> bool:
    """Sets: every element of one equals one of the other (``3, 6/2`` is the set ``{3}``). A gold that
    repeats an element (a double root ``2, 2``) is a multiset: matched one to one, repeats included."""
    if len(set(gs)) < len(gs):
        remaining = list(gs)
        for p in ps:
            hit = next((i for i, g in enumerate(remaining) if equal(p, g, options)[0]), None)
            if hit is None:
                return False
            remaining.pop(hit)
        return not remaining
    ps = tuple(dict.fromkeys(ps))  # the same element written twice is one element of a set
    if len(ps) < len(gs):
        return False
    matched: set[int] = set()
    for p in ps:
        hits = {i for i, g in enumerate(gs) if equal(p, g, options)[0]}
        if not hits:
            return False
        matched |= hits
    return len(matched) == len(gs)


def equal(p: Value, g: Value, options: CompareOptions) -> tuple[bool, str]:
    """(equal, method) for a predicted value ``p`` against the gold value ``g``."""
    pk, gk = p[0], g[0]
    if gk == "estimate":  # a gold's own "x ≈ 3.14" is its value, and an estimate answers it
        return equal(p[1] if pk == "estimate" else p, g[1], options)
    if pk == "estimate":  # "x ≈ 3" is an estimate, right only for a rounded gold (as math_hedge judges "about 3")
        return equal(p[1], g, options) if _rounded(g) else (False, "estimate")
    if pk == "label" or gk == "label":
        return _label_equal(p, g, options)
    if pk == "rel" and set(p[1]) == {"="} and not any(free_symbols(side) for side in p[2]):
        # A worked chain "6 * 7 = 42" answers with its last side, if every step holds ("8 = 7" does not).
        if not all(scalar_equal(a, b, options)[0] for a, b in zip(p[2][:-1], p[2][1:], strict=True)):
            return False, "false_chain"
        return equal(("expr", p[2][-1], False), g, options)
    if pk == "rel" and gk != "rel":
        if p[1] == ("=",) and options.equation_rhs and p[2][0][0] == "sym":
            return equal(("expr", p[2][1], False), g, options)
        if p[1] == ("=",) and options.equation_rhs and p[2][1][0] == "sym" and not free_symbols(p[2][0]):
            return equal(("expr", p[2][0], False), g, options)  # "3 = x", written the other way round
        interval = _interval(p)
        return equal(interval, g, options) if interval else (False, "shape")
    if gk == "rel" and pk != "rel":
        if g[1] == ("=",) and options.equation_rhs and g[2][0][0] == "sym":
            return equal(p, ("expr", g[2][1], False), options)
        interval = _interval(g)
        return equal(p, interval, options) if interval else (False, "shape")
    if pk == "base" or gk == "base":
        return _base_equal(p, g, options), "base"
    if gk == "text" or pk == "text":
        return (p == g), "text"
    if pk == "expr" and gk == "expr":
        return _expr_equal(p, g, options)
    if (pk == "set" and gk in ("set", "seq")) or (pk == "seq" and gk == "set"):
        if (gk == "seq" and g[1] + g[2] != "()") or (pk == "seq" and p[1] + p[2] != "()"):
            return False, "shape"  # an interval [0, 1) is not the list 0, 1
        ordered = gk == "seq" or _deliberate_order(g[-1])
        ps, gs = p[-1], g[-1]
        if not ordered and len(_labelled_names(ps)) > 1 and not _labelled_names(gs):
            return False, "labels"  # "x = 3, y = -3" is a point, not the two solutions ±3
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


def _labelled_names(items: tuple[Value, ...]) -> set[str]:
    """The variables the items label, each without its subscript (``x_1 = 3, x_2 = -3`` label one, x)."""
    names = set()
    for item in items:
        if item[0] == "label":
            names.add(item[1].split("_")[0])
        elif item[0] == "rel" and item[1] == ("=",) and item[2][0][0] == "sym":
            names.add(item[2][0][1].split("_")[0])
    return names


def _base_equal(p: Value, g: Value, options: CompareOptions) -> bool:
    """A numeral written in a base (``204_5``). A subscript is read as a base only when the gold is
    written in that base too: then the same numeral, or its bare digits (``204``: the base the question
    asked for), is right, and its value in another base or in decimal (``54``, ``1001_7``) is not the
    answer asked for. Against a plain gold the subscript is no base (``3_{8}`` is not 3, ``10₂`` not 2
    nor 102), except base 10 (``59_{10}`` is 59)."""
    if p[0] == g[0] == "base":
        return p[1:] == g[1:]
    if g[0] == "base":
        node = p[1] if p[0] == "expr" and not p[2] else None
        return node is not None and node[0] == "num" and node[1].denominator == 1 and str(node[1].numerator) == g[1]
    if p[2] == 10 and g[0] == "expr" and p[1].isdigit():
        return _expr_equal(("expr", ("num", Fraction(int(p[1]))), False), g, options)[0]
    return False


def _as_relation(value: Value) -> Value | None:
    """``("label", "y", expr)`` as the equation ``y = expr`` when both sides are expressions."""
    if value[2][0] != "expr":
        return None
    try:
        return ("rel", ("=",), (parse(value[1]), value[2][1]))
    except (ParseFailure, Refused):
        return None


def _label_equal(p: Value, g: Value, options: CompareOptions) -> tuple[bool, str]:
    """A labelled answer: its value against the other side's value (the gold's own right-hand side)."""
    if p[0] == g[0] == "label":
        if p[1].lower() != g[1].lower():
            return False, "label"
        return equal(p[2], g[2], options)
    labelled, other = (p, g) if p[0] == "label" else (g, p)
    if other[0] == "rel":  # "y = -2x + 5" against "2x + y = 5": compare the equations
        relation = _as_relation(labelled)
        if relation is None:
            return False, "shape"
        return equal(relation, other, options) if labelled is p else equal(other, relation, options)
    if not options.equation_rhs:
        return False, "label"
    return equal(p[2], g, options) if labelled is p else equal(p, g[2], options)


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
    if len(ratios) < 2 or not all(_close(r, ratios[0], IDENTITY_TOL) for r in ratios):
        return False
    if not (_has_steps(a) or _has_steps(b)):
        return True
    for env in _step_points(symbols):  # floor and ceiling: the same ratio at the grid too (or both sides 0)
        try:
            va, vb = numeric(a, env), numeric(b, env)
        except (ArithmeticError, ValueError, TypeError):
            continue
        if not _close(va, ratios[0] * vb, IDENTITY_TOL):
            return False
    return True
