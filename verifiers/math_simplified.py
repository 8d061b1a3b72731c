"""Whether an answer is written in simplest form (``MathVerifier(require_simplified=True)``).

Limits: only the three forms a grader most often asks to reduce: a fraction of integers with a common
factor (``6/8``), a square root of an integer with a square factor (``sqrt(12)``, squares checked up
to 10^4 squared) and a root left in a denominator (``1/sqrt(2)``, not rationalised: ``sqrt(2)/2`` is the
simplified form); ``2 + 3`` or ``x/x`` count as simplified.
"""

from __future__ import annotations

import math

from .math_expr import Node, _children


def is_simplified(node: Node) -> bool:
    """False for an unreduced fraction (``6/8``), an unsimplified radical (``sqrt(12)``) or a root in a
    denominator (``1/sqrt(2)``)."""
    if node[0] == "mul" and len(node[1]) == 2 and node[1][0][0] == "num" and node[1][1][0] == "inv":
        num, den = node[1][0][1], node[1][1][1]
        if den[0] == "num" and math.gcd(num.numerator, den[1].numerator) > 1:
            return False
    if node[0] == "call" and node[1] == "sqrt" and node[2][0][0] == "num":
        n = node[2][0][1]
        # isqrt, not ** 0.5: a 400-digit radicand overflows a float.
        limit = min(math.isqrt(n.numerator), 10**4)
        if n.denominator == 1 and any(n.numerator % (k * k) == 0 for k in range(2, limit + 1)):
            return False
    if node[0] in ("add", "mul"):
        return all(is_simplified(c) for c in node[1])
    if node[0] == "inv" and _has_root(node[1]):  # 1/sqrt(2): the denominator is not rationalised
        return False
    if node[0] in ("neg", "inv"):
        return is_simplified(node[1])
    if node[0] in ("pow", "call"):
        return all(is_simplified(c) for c in (node[2] if node[0] == "call" else (node[1], node[2])))
    return True


def _has_root(node: Node) -> bool:
    """Whether ``node`` holds a root (``sqrt(2)``, ``root(2, 3)``)."""
    return (node[0] == "call" and node[1] in ("sqrt", "root")) or any(_has_root(c) for c in _children(node))
