"""The countdown verifier (TinyZero): does the answer expression reach the target?

The answer is the last ``<answer>…</answer>`` block (a trailing ``= target`` is
allowed). It is parsed with ``ast`` and evaluated exactly (``expressions``),
never ``eval``-ed. It must use each given number exactly once. Reference:
``{"numbers": [...], "target": int}``.

Statuses: no answer block -> ``no_answer``; not integer arithmetic ->
``parse_error``; wrong numbers or wrong value -> judged 0 (``details.reason``).
Registered as ``countdown`` in ``rlvr.verifiers.registry`` (a lazy entry).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rlvr.verifiers import Score, Status

from .expressions import ExpressionError, evaluate, literals, parse_expression

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


@dataclass(frozen=True)
class CountdownVerifier:
    max_chars: int = 200  # longer answers are parse errors: nothing a model writes runs long

    def __call__(self, completion: str, reference: Any) -> Score:
        found = _ANSWER.findall(completion)
        if not found:
            return Score.failed(Status.NO_ANSWER)
        answer = found[-1].strip()
        expression = answer.rsplit("=", 1)[0] if "=" in answer else answer
        try:
            tree = parse_expression(expression, max_chars=self.max_chars)
            value = evaluate(tree)
        except ExpressionError as exc:
            return Score.failed(Status.PARSE_ERROR, answer[:200], reason=str(exc))
        used, given = Counter(literals(tree)), Counter(int(n) for n in reference["numbers"])
        if used != given:
            return Score.judged(0.0, answer, reason=f"uses {sorted(used.elements())}, "
                                                    f"needs each of {sorted(given.elements())} once")
        if value != int(reference["target"]):
            return Score.judged(0.0, answer, reason=f"equals {value}, not {reference['target']}")
        return Score.judged(1.0, answer)

