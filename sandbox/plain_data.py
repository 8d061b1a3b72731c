"""Plain data across a process boundary: exact builtin values only, types kept.

The assert harness runs the tests in a trusted driver process and the candidate's
functions in another process; arguments and return values cross between them
through ``encode``/``decode``. Only exact builtin types pass (``bool``, ``int``,
``float``, ``complex``, ``str``, ``bytes``, ``None``, and ``list``/``tuple``/
``set``/``frozenset``/``dict`` of them): a subclass or any other object raises
``PlainDataError``, so a candidate cannot hand the tests an object whose
``__eq__`` always says True. Tuples stay tuples, floats round-trip exactly
(``inf`` and ``nan`` included), dict keys keep their types.

This file is also shipped into the sandbox next to the harness (standard library
only, Python 3.8+): keep it self-contained.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 100


class PlainDataError(TypeError):
    """A value that is not plain data, or a malformed encoding."""


def encode(value: Any, depth: int = 0) -> Any:
    """A plain value -> a JSON-able tree that ``decode`` turns back into an equal value of the same types."""
    if depth > MAX_DEPTH:
        raise PlainDataError(f"nested deeper than {MAX_DEPTH}")
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        return {"f": repr(value)}
    if kind is complex:
        return {"c": [repr(value.real), repr(value.imag)]}
    if kind is bytes:
        return {"b": value.hex()}
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        tag = "l" if kind is list else "t" if kind is tuple else "s" if kind is set else "z"
        return {tag: [encode(item, depth + 1) for item in value]}
    if kind is dict:
        return {"d": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    raise PlainDataError(f"{kind.__name__} is not plain data")


def decode(tree: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise PlainDataError(f"nested deeper than {MAX_DEPTH}")
    kind = type(tree)
    if tree is None or kind is bool or kind is int or kind is str:
        return tree
    if kind is not dict or len(tree) != 1:
        raise PlainDataError("malformed plain-data encoding")
    ((tag, body),) = tree.items()
    try:
        if tag == "f":
            return float(body)
        if tag == "c":
            return complex(float(body[0]), float(body[1]))
        if tag == "b":
            return bytes.fromhex(body)
        if tag in ("l", "t", "s", "z"):
            items = [decode(item, depth + 1) for item in body]
            return {"l": list, "t": tuple, "s": set, "z": frozenset}[tag](items)
        if tag == "d":
            return {decode(k, depth + 1): decode(v, depth + 1) for k, v in body}
    except PlainDataError:
        raise
    except (TypeError, ValueError, IndexError) as exc:  # e.g. a list inside a set: unhashable
        raise PlainDataError(f"malformed plain-data encoding: {exc}") from None
    raise PlainDataError(f"unknown plain-data tag {tag!r}")
