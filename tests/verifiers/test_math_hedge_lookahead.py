"""The hedge patterns' leading lookaheads name every first letter of their alternatives.

A lookahead that missed one would silently stop that alternative from ever matching (a hedge
read as an answer), so each pattern's parse tree is walked for the letters a match can start with.
"""

from __future__ import annotations

import re
import re._constants as c
import re._parser as sre
from typing import Any

import pytest

from rlvr.verifiers import math_hedge


def _first_letters(items: Any) -> set[str] | None:
    """Lower-cased characters a match of ``items`` can start with (None: it may match nothing)."""
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero-width: \b, \A, lookarounds
            continue
        if op is c.LITERAL:
            return {chr(av).lower()}
        if op is c.IN:
            out = set()
            for kind, value in av:
                if kind is c.LITERAL:
                    out.add(chr(value).lower())
                elif kind is c.RANGE:
                    out |= {chr(v).lower() for v in range(value[0], value[1] + 1)}
                else:
                    raise AssertionError(f"unexpected set item {kind}")
            return out
        if op is c.BRANCH:
            firsts = [_first_letters(alternative) for alternative in av[1]]
            assert all(f is not None for f in firsts), "an alternative that may match nothing"
            return set().union(*firsts)  # type: ignore[arg-type]
        if op is c.SUBPATTERN:
            found = _first_letters(av[3])
            assert found is not None, "a group that may match nothing"
            return found
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            return _first_letters(av[2])
        raise AssertionError(f"unexpected {op} at the start of a pattern")
    return None


def _lookahead(items: Any) -> set[str]:
    """The letters of the first lookahead ``(?=[...])`` in ``items``."""
    for op, av in items:
        if op is c.ASSERT and av[0] == 1:
            found = _first_letters(av[1])
            assert found is not None
            return found
    raise AssertionError("no leading lookahead")


@pytest.mark.parametrize("name", ["_HEDGE", "_DOUBT", "_SUPPOSED", "_ESTIMATED"])
def test_the_lookahead_names_every_first_letter(name: str) -> None:
    pattern: re.Pattern[str] = getattr(math_hedge, name)
    items = list(sre.parse(pattern.pattern, pattern.flags))
    allowed = _lookahead(items)
    needed = _first_letters([item for item in items if not (item[0] is c.ASSERT and item[1][0] == 1)])
    assert needed is not None and needed <= allowed, sorted((needed or set()) - allowed)


def test_the_walk_sees_a_missing_letter() -> None:
    items = list(sre.parse(r"\b(?=[ab])(?:apple|banana|cherry)", re.IGNORECASE))
    needed = _first_letters([item for item in items if not (item[0] is c.ASSERT and item[1][0] == 1)])
    assert needed == {"a", "b", "c"} and _lookahead(items) == {"a", "b"}
