"""The symbolic step of the math comparison: sympy, only when it is cheap.

Expressions with free symbols (``\\frac{x+1}{x^2-1}`` vs ``\\frac{1}{x-1}``) cannot be
compared as numbers. ``symbolic_equal`` decides them with sympy when both trees are
small, and answers ``None`` (undecided: the caller falls back to random points) when
they are not.

Why it is safe to hand model-written answers to sympy here: nothing goes through
``sympy.parse_expr`` (which runs ``eval``); the tree comes from ``math_expr``'s
bounded parser, whose size and exponent limits have already been enforced, and it
is rebuilt node by node. Why it is cheap: at most ``MAX_NODES`` nodes and
``MAX_SYMBOLS`` symbols, a polynomial degree of at most ``MAX_DEGREE`` (``simplify`` expands:
``(x+y+z)^{32}`` against its expanded square to the 16th took 20 s, degree 16 takes ~0.2 s),
and every constant inside of at most ``MAX_EXACT_BITS`` bits in size (sympy computes
``10^{10^7}`` as an exact integer, which our numeric path never does), so ``simplify`` takes
~1-200 ms; anything larger is left to random-point evaluation. The verifier has no timeout of
its own: ``verify_batch`` kills a worker whose call overruns its deadline.

Symbols are real, so ``\\sqrt{x^2}`` is ``|x|``, not ``x``. When ``simplify`` leaves a
non-zero residue that it cannot reduce, the residue is evaluated at points of both
signs: an identity that sympy failed to prove still agrees everywhere and is
accepted; ``|x| - x`` or ``\\log(x^2) - 2\\log(x)`` does not, and is rejected.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import sympy

from .math_expr import MAX_EXACT_BITS, Node, Refused, _children, exact, free_symbols, mp, numeric

MAX_NODES = 40
MAX_SYMBOLS = 3
MAX_DEGREE = 16
_POINTS = (-2.3, -1.1, -0.45, 0.37, 1.3, 2.6)
_TOL = 1e-12

_FUNCTIONS: dict[str, Any] = {
    "sqrt": sympy.sqrt, "ln": sympy.log, "exp": sympy.exp, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc, "asin": sympy.asin,
    "acos": sympy.acos, "atan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "tanh": sympy.tanh, "floor": sympy.floor, "ceil": sympy.ceiling, "abs": sympy.Abs,
}
_CONSTANTS: dict[str, Any] = {"pi": sympy.pi, "e": sympy.E, "i": sympy.I, "oo": sympy.oo}


class _TooLarge(Exception):
    pass


def node_count(node: Node) -> int:
    return 1 + sum(node_count(child) for child in _children(node))


def _degree(node: Node) -> int:
    """An upper bound on the polynomial degree ``simplify`` may expand ``node`` to. Raises
    ``_TooLarge`` for a constant in it (at any depth: ``(10^{10^7})^0``) that is not a number of
    at most ``MAX_EXACT_BITS`` bits in size, which sympy would compute exactly."""
    if not free_symbols(node):
        for child in _children(node):
            _degree(child)
        ctx = mp()
        try:
            value = numeric(node, {})
        except (Refused, ArithmeticError, ValueError, TypeError) as exc:
            raise _TooLarge("a constant that is not a cheap number") from exc
        if ctx.isfinite(value) and value != 0 and abs(ctx.mag(value)) > MAX_EXACT_BITS:
            raise _TooLarge("a constant too large for exact arithmetic")
        return 0
    kind = node[0]
    if kind == "sym":
        return 1
    if kind == "add":
        return max(_degree(c) for c in node[1])
    if kind == "mul":
        return sum(_degree(c) for c in node[1])
    if kind == "pow":
        power = exact(node[2]) if not free_symbols(node[2]) else None
        if power is None:  # x^y, x^{sqrt 2}: no expansion, but the parts may have their own
            return _degree(node[1]) + _degree(node[2])
        return _degree(node[1]) * max(1, abs(power.numerator))
    if kind == "call" and node[1] == "binom":
        count = exact(node[2][1]) if not free_symbols(node[2][1]) else None
        return _degree(node[2][0]) * (abs(count.numerator) if count is not None else MAX_DEGREE + 1)
    return max(_degree(c) for c in _children(node))


def to_sympy(node: Node, symbols: dict[str, sympy.Symbol]) -> Any:
    """Rebuild a ``math_expr`` tree as a sympy expression (no parsing, no ``eval``)."""
    kind = node[0]
    if kind == "num":
        value: Fraction = node[1]
        return sympy.Rational(value.numerator, value.denominator)
    if kind == "sym":
        return symbols.setdefault(node[1], sympy.Symbol(node[1], real=True))
    if kind == "const":
        return _CONSTANTS[node[1]]
    if kind == "neg":
        return -to_sympy(node[1], symbols)
    if kind == "inv":
        return 1 / to_sympy(node[1], symbols)
    if kind == "add":
        return sympy.Add(*(to_sympy(c, symbols) for c in node[1]))
    if kind == "mul":
        return sympy.Mul(*(to_sympy(c, symbols) for c in node[1]))
    if kind == "pow":
        return sympy.Pow(to_sympy(node[1], symbols), to_sympy(node[2], symbols))
    if kind == "fact":
        return sympy.factorial(to_sympy(node[1], symbols))
    name, args = node[1], [to_sympy(a, symbols) for a in node[2]]
    if name == "root":
        return sympy.root(args[0], args[1])
    if name == "log":
        return sympy.log(args[0], args[1]) if len(args) > 1 else sympy.log(args[0])
    if name == "binom":
        return sympy.binomial(args[0], args[1])
    if name not in _FUNCTIONS or len(args) != 1:
        raise _TooLarge(f"no sympy rendering for {name}")
    return _FUNCTIONS[name](args[0])


def _vanishes(residue: Any, sides: tuple[Any, Any], symbols: list[sympy.Symbol]) -> bool | None:
    """Whether ``residue`` (the difference of ``sides``) is zero at points of both signs, relative to the
    sides' size there: ``e^{-1000x^2}`` and ``e^{-999x^2}`` differ by ~1e-60 at x = 0.37, which is
    their whole size, not rounding (None: nowhere defined)."""
    rng = random.Random(7)
    tried = 0
    for _ in range(len(_POINTS) * 2):
        point = {s: sympy.Float(rng.choice(_POINTS), 30) for s in symbols}
        values = [sympy.N(e, 30, subs=point) for e in (residue, *sides)]
        if not all(v.is_finite for v in values):  # a pole or NaN here: another point
            continue
        if abs(values[0]) > _TOL * max(abs(values[1]), abs(values[2])):
            return False
        tried += 1
    return True if tried >= 3 else None


def symbolic_equal(a: Node, b: Node) -> bool | None:
    """True/False when sympy decides cheaply that ``a == b`` as expressions; None when undecided."""
    if node_count(a) + node_count(b) > MAX_NODES:
        return None
    symbols: dict[str, sympy.Symbol] = {}
    try:
        if max(_degree(a), _degree(b)) > MAX_DEGREE:
            return None
        sides = (to_sympy(a, symbols), to_sympy(b, symbols))
        difference = sides[0] - sides[1]
        if len(symbols) > MAX_SYMBOLS:
            return None
        residue = sympy.simplify(difference)
    except (_TooLarge, TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    if residue == 0:
        return True
    if not residue.free_symbols:
        return bool(residue.equals(0))
    try:
        return _vanishes(residue, sides, sorted(residue.free_symbols, key=str))
    except (TypeError, ValueError, ArithmeticError):
        return None
