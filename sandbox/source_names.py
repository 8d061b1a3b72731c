"""The names Python source reads and binds, read from its syntax tree.

Shared by the harness driver (which names cross from the candidate, `harness_driver`) and the
host (which specs are refused, `harness.spec_problem`). Shipped into the sandbox next to the
driver: standard library only, no imports from this folder.

Limits: syntax only. A name bound at run time (``exec``, ``globals().update``, ``setattr`` on a
module) is not seen here; the driver reads those from the namespace after the code ran.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# A run of decimal digits long enough for Python's int-digit limit (4,300: the host keeps it, the
# driver lifts it) to refuse the literal. Names never depend on a literal's value, and "0" stands
# wherever such a run can (a number, its fraction or exponent, inside a string or a name).
_LONG_DIGITS = re.compile(r"\d(?:_?\d){1000,}")


def parse(source: str) -> ast.Module:
    """``ast.parse``, whatever the interpreter's int-digit limit (a 5,736-digit expected value parses)."""
    return ast.parse(_LONG_DIGITS.sub("0", source))


def _names_bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [] if isinstance(node.ctx, ast.Load) else [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [(node.asname or node.name).split(".")[0]]
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):  # `except E as name`, `case name`
        return [node.name] if node.name else []
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    return []


def bindings(source: str) -> Iterator[tuple[str, ast.AST, bool]]:
    """``(name, node, module_level)`` for every name ``source`` binds, in any scope.

    ``module_level``: bound in the module's own namespace (outside any def, lambda or class body,
    or declared ``global``). Comprehension variables count as module level when the comprehension
    is: an over-count, the safe side for every caller. Raises SyntaxError / ValueError as `ast.parse`."""
    stack: list[tuple[ast.AST, bool]] = [(parse(source), True)]
    while stack:  # iterative: a deeply nested source must not overflow the stack here
        node, top = stack.pop()
        for name in _names_bound_by(node):
            yield name, node, top or isinstance(node, ast.Global)
        inner = top and not isinstance(node, _SCOPES)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def loaded_and_bound(sources: list[str]) -> tuple[set[str], set[str]]:
    """Names read, and names bound anywhere (any scope: an over-count is safe, as the names a
    trusted helper binds never cross from the candidate)."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for source in sources:
        loaded.update(node.id for node in ast.walk(parse(source))
                      if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load))
        bound.update(name for name, _, _ in bindings(source))
    return loaded, bound


def free_names(sources: list[str]) -> set[str]:
    """Names the tests read but never bind themselves, builtins (as they are now) excepted."""
    loaded, bound = loaded_and_bound(sources)
    return loaded - bound - set(dir(builtins))
