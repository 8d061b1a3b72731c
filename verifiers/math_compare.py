"""Compare two typed values (``math_read``): a predicted one against the gold.

Scalars go to ``math_scalar`` (exact rationals, 40-digit numeric, random points, sympy); this
module owns the structure around them. A single-variable inequality compares as the interval
it describes (``x > 3`` equals ``(3, oo)``, ``-x > -1`` equals ``x < 1``). A labelled answer
(``x = 3``, ``(p,q) = (3,2)``) compares its value with the other side's own value when
``equation_rhs`` is on, and as an equation against an equation (``y = -2x + 5`` is ``2x + y = 5``).
A worked chain (``6 * 7 = 42``) answers with its last side when every step holds. Sets match
unordered (a gold that repeats an element is a multiset), lists, tuples, intervals and matrices
in order; a gold list of three or more numbers written unsorted keeps its order (``_deliberate_order``).
A value written with ``%`` is read as written and/or divided by 100 (``CompareOptions.percent``).

Limits: the ones of ``math_scalar`` for every scalar inside; an estimate (``x ≈ 3``) answers only a
rounded gold (a decimal or an irrational value); any other pair of kinds is unequal ("shape").
"""

from __future__ import annotations

from fractions import Fraction

from .math_expr import Node, ParseFailure, Refused, exact, free_symbols, parse
from .math_read import Value
from .math_scalar import CompareOptions, proportional, scalar_equal
from .math_simplified import is_simplified


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
        return proportional(pd, gd, options), "equation"
    if p[1] == g[1] and len(p[2]) == len(g[2]):
        return all(scalar_equal(a, b, options)[0] for a, b in zip(p[2], g[2], strict=True)), "relation"
    return False, "shape"
