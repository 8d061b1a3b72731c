"""Safe arithmetic on untrusted expression text: parse with ``ast``, never ``eval``.

Only integer literals, ``+ - * /``, unary minus and parentheses are accepted;
division is exact (``Fraction``). Limits against hostile input: at most
``max_chars`` characters and ``max_nodes`` syntax nodes, and no exponentiation,
so evaluation is linear in the input and cannot blow up.
"""

from __future__ import annotations

import ast
from fractions import Fraction

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class ExpressionError(ValueError):
    """The text is not an expression of the accepted shape; the message says why."""


def parse_expression(text: str, *, max_chars: int = 200, max_nodes: int = 100) -> ast.expr:
    text = text.strip().replace("×", "*").replace("÷", "/").replace("−", "-")
    if not text:
        raise ExpressionError("empty expression")
    if len(text) > max_chars:
        raise ExpressionError(f"expression longer than {max_chars} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not an expression: {exc.msg}") from None
    if sum(1 for _ in ast.walk(tree)) > max_nodes:
        raise ExpressionError(f"expression has more than {max_nodes} nodes")
    return tree.body


def evaluate(node: ast.expr) -> Fraction:
    """Value of a parsed expression; ``ExpressionError`` for anything but integer arithmetic."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -evaluate(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = evaluate(node.left), evaluate(node.right)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ExpressionError("division by zero")
        return _BINARY[type(node.op)](left, right)
    raise ExpressionError(f"{type(node).__name__} is not allowed (only integers, + - * / and parentheses)")


def literals(node: ast.expr) -> list[int]:
    """The integer literals of an expression, in order (unary minus not folded in)."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is int]


def safe_eval(text: str) -> Fraction:
    return evaluate(parse_expression(text))
