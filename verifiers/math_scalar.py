"""Compare two scalar expression trees (``math_expr`` nodes): a predicted one against the gold.

In order of cost: exact rationals (``Fraction``); then mpmath at 40 digits with a relative
tolerance (``rel_tol`` only for a gold that is no exact rational; ``IDENTITY_TOL`` otherwise); then,
for expressions with free symbols, random real points in ``[0.3, 2.7]`` (Schwartz-Zippel: two
different rational functions agree at several random points with probability ~0), integer and
simple-fraction points when floor or ceiling is involved, and sympy when both trees are small
(``math_sympy``: ``simplify`` of the difference, real symbols, so ``sqrt(x^2)`` is ``|x|``). A
decimal of ``LONG_DECIMAL`` or more places counts as exact to its last digit. ``proportional``
tells whether two expressions differ by a constant factor (an equation written scaled).

Limits: on trees too large for sympy an identity that holds only for positive values is
accepted (the random points are positive). A point where both values are negligible (agreeing
only under the 1e-36 absolute floor: ``e^{-1000x^2}`` vs ``0``) is no evidence either way; a
constant equal only under that floor goes to sympy. Sets, intervals, relations and labels are
``math_compare``'s.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from .math_expr import Node, Refused, _children, exact, free_symbols, mp, numeric
from .math_sympy import symbolic_equal


@dataclass(frozen=True)
class CompareOptions:
    """How the whole comparison reads answers: ``scalar_equal`` uses ``rel_tol`` and ``random_points``,
    ``math_compare`` the rest."""

    rel_tol: float = 1e-9
    percent: Literal["either", "fraction", "strip"] = "either"
    equation_rhs: bool = True
    require_simplified: bool = False
    random_points: int = 4


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


def proportional(a: Node, b: Node, options: CompareOptions) -> bool:
    """Whether ``a / b`` is one non-zero constant wherever both are defined (random points; the
    floor and ceiling grid too when either has a step)."""
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
