"""The scan patterns' leading lookaheads name every character a match can start with.

The hedge, doubt and retraction patterns start with a lookahead on the first
characters of their alternatives, so that a search skips other positions at once. A lookahead
that missed one would silently stop that alternative from ever matching (a hedge or a retraction
read as a plain answer), so each pattern's parse tree is walked for the characters a match can
start with, and the lookahead must allow all of them.
"""

from __future__ import annotations

import re
import re._constants as c
import re._parser as sre
from typing import Any

import pytest

from rlvr.verifiers import math_hedge


def _set_items(items: Any) -> set[str]:
    out: set[str] = set()
    for kind, value in items:
        if kind is c.LITERAL:
            out.add(chr(value).lower())
        elif kind is c.RANGE:
            out |= {chr(v).lower() for v in range(value[0], value[1] + 1)}
        elif kind is c.CATEGORY:  # \s, \d: compared as a whole class
            out.add(str(value))
        else:
            raise AssertionError(f"unexpected set item {kind}")
    return out


def _firsts(items: Any) -> tuple[set[str], bool]:
    """(lower-cased characters and classes a match of ``items`` can start with, whether it may match nothing)."""
    out: set[str] = set()
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero-width: \b, \A, \Z, lookarounds
            continue
        if op is c.LITERAL:
            found, nullable = {chr(av).lower()}, False
        elif op is c.IN:
            found, nullable = _set_items(av), False
        elif op is c.BRANCH:
            results = [_firsts(alternative) for alternative in av[1]]
            found, nullable = set().union(*(r[0] for r in results)), any(r[1] for r in results)
        elif op is c.SUBPATTERN:
            found, nullable = _firsts(av[3])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            found, nullable = _firsts(av[2])
            nullable = nullable or av[0] == 0
        else:
            raise AssertionError(f"unexpected {op} where a match may start")
        out |= found
        if not nullable:
            return out, False
    return out, True


def _split_lookahead(pattern: re.Pattern[str]) -> tuple[set[str], list[Any]]:
    """(what the first top-level lookahead allows, the pattern's items without it)."""
    items = list(sre.parse(pattern.pattern, pattern.flags))
    for index, (op, av) in enumerate(items):
        if op is c.ASSERT and av[0] == 1:
            allowed, nullable = _firsts(av[1])
            assert not nullable
            return allowed, items[:index] + items[index + 1:]
    raise AssertionError("no leading lookahead")


PATTERNS = [(math_hedge, name) for name in ("_HEDGE", "_DOUBT", "_SUPPOSED", "_ESTIMATED", "_VERDICT", "_RETRACTION",
                                            "_RECONSIDER", "_ALTERNATIVE", "_CONCLUSION")]


@pytest.mark.parametrize(("module", "name"), PATTERNS, ids=[name for _, name in PATTERNS])
def test_the_lookahead_names_every_first_character(module: Any, name: str) -> None:
    allowed, rest = _split_lookahead(getattr(module, name))
    needed, nullable = _firsts(rest)
    assert not nullable and needed <= allowed, sorted(needed - allowed)


def test_the_walk_sees_a_missing_first_character() -> None:
    allowed, rest = _split_lookahead(re.compile(r"\b(?=[ab])(?:apple|banana|\s*cherry|x?dates)", re.IGNORECASE))
    needed, nullable = _firsts(rest)
    assert allowed == {"a", "b"} and not nullable
    assert needed - allowed == {"c", "d", "x", str(c.CATEGORY_SPACE)}
