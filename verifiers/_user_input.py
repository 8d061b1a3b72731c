"""What the user typed, checked and explained: one copy for every package above.

- ``unknown_name``: the message for a name that is not registered, with the
  nearest known names suggested (verifiers, tasks, suites, loggers, datasets).
- ``field_errors``: a pydantic ``ValidationError`` as one line per bad field,
  the field named by its dotted path (``optim.lr``, ``verifiers.0.name``).
- ``merge``: nested overrides over a definition (a YAML tree, a task dict).

It lives in the lowest package that needs it (``sandbox <- verifiers <- tasks <-
trainer``), so that tasks and the trainer share it without a new dependency.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError


def near_names(name: str, known: Iterable[str]) -> list[str]:
    """Up to three known names close to ``name``, nearest first."""
    return difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)


def unknown_name(kind: str, name: str, known: Iterable[str], *, more: str = "") -> str:
    """``unknown <kind> 'x'. Did you mean 'y'? Known: a, b[, more]`` (a count past 30 names)."""
    names = sorted(known)
    near = near_names(name, names)
    hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    listed = ", ".join(names) if len(names) <= 30 else f"{len(names)} names"
    return f"unknown {kind} {name!r}.{hint} Known: {listed}{more}"


def field_errors(exc: ValidationError) -> list[str]:
    """``["optim.lr: Input should be greater than 0 (got -1)", ...]``: one line per error."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        given = err.get("input")
        shown = f" (got {given!r})" if given is not None and not isinstance(given, dict | list) else ""
        message = err["msg"].removeprefix("Value error, ")  # our own validators' messages, as written
        lines.append(f"{where}: {message}{shown}")
    return lines


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` merged into a copy of ``base``, section by section.

    A mapping in ``over`` merges into the mapping it replaces, except one with a
    ``kind`` key: that is a different variant (a ``file`` source instead of a
    ``procedural`` one), so it replaces the old mapping whole. Lists and values replace.
    """
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "kind" not in value:
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
