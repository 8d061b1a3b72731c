"""Procedural row generators: ``(rng, params) -> {"question", "answer", ...}``.

A generator is registered with a pydantic model of its knobs, so a typo in a
knob is an error naming it. The caller seeds ``rng`` per row (see
``sources.ProceduralSource``); a generator must draw everything from it.

- ``arithmetic``: ``a + b`` style questions; knobs ``digits`` (operand size),
  ``terms`` (number of operands), ``operators`` (any of ``+ - *``, standard
  precedence). The answer is an integer string.
- ``countdown``: TinyZero's game: reach ``target`` with each of ``numbers``
  exactly once and ``+ - * /``. The answer is ``{"numbers", "target"}``;
  ``solution`` is one expression that works (every row is solvable).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rlvr.verifiers._user_input import field_errors, unknown_name

from .expressions import safe_eval

RowGenerator = Callable[[random.Random, Any], dict[str, Any]]
_GENERATORS: dict[str, tuple[type[BaseModel], RowGenerator]] = {}


class _Knobs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def register_generator(name: str, knobs: type[BaseModel]) -> Callable[[RowGenerator], RowGenerator]:
    def decorate(fn: RowGenerator) -> RowGenerator:
        if name in _GENERATORS:
            raise ValueError(f"generator {name!r} is already registered")
        _GENERATORS[name] = (knobs, fn)
        return fn

    return decorate


def get_generator(name: str) -> RowGenerator:
    if name not in _GENERATORS:
        raise ValueError(unknown_name("procedural generator", name, _GENERATORS))
    return _GENERATORS[name][1]


def generator_params(name: str, params: dict[str, Any]) -> BaseModel:
    knobs = _GENERATORS[name][0]
    try:
        return knobs.model_validate(params)
    except ValidationError as exc:
        raise ValueError(f"generator {name!r} params: " + "; ".join(field_errors(exc))) from None


class ArithmeticKnobs(_Knobs):
    digits: int = Field(2, ge=1, le=18)  # operands have 1..digits digits
    terms: int = Field(2, ge=2, le=10)
    operators: list[Literal["+", "-", "*"]] = Field(["+"], min_length=1)  # pydantic copies the default


@register_generator("arithmetic", ArithmeticKnobs)
def arithmetic(rng: random.Random, knobs: ArithmeticKnobs) -> dict[str, Any]:
    numbers = [rng.randint(0, 10**knobs.digits - 1) for _ in range(knobs.terms)]
    expression = str(numbers[0])
    for n in numbers[1:]:
        expression += f" {rng.choice(knobs.operators)} {n}"
    return {"question": f"What is {expression}?", "answer": str(int(safe_eval(expression)))}


class CountdownKnobs(_Knobs):
    numbers: int = Field(4, ge=2, le=6)  # how many numbers to combine
    max_number: int = Field(99, ge=2)
    max_target: int = Field(999, ge=1)
    operators: list[Literal["+", "-", "*", "/"]] = ["+", "-", "*", "/"]

    @model_validator(mode="after")
    def _some_operator(self) -> CountdownKnobs:
        if not self.operators:
            raise ValueError("operators must not be empty")
        return self


@register_generator("countdown", CountdownKnobs)
def countdown(rng: random.Random, knobs: CountdownKnobs) -> dict[str, Any]:
    # Combine the numbers left to right with random operators, keeping every
    # intermediate a positive integer, until the target is in range. The expression
    # built that way is a witness that the row is solvable.
    for _ in range(1000):
        numbers = [rng.randint(1, knobs.max_number) for _ in range(knobs.numbers)]
        order = rng.sample(numbers, len(numbers))
        value, expression = order[0], str(order[0])
        for n in order[1:]:
            op = rng.choice(knobs.operators)
            candidate = {"+": value + n, "-": value - n, "*": value * n}.get(op)
            if op == "/":
                candidate = value // n if value % n == 0 else None
            if candidate is None or candidate <= 0:
                break
            value, expression = candidate, f"({expression} {op} {n})"
        else:
            if 1 <= value <= knobs.max_target:
                question = (f"Using the numbers {numbers}, create an equation that equals {value}. "
                            f"You can use + - * / and each number exactly once.")
                return {"question": question, "answer": {"numbers": numbers, "target": value},
                        "solution": expression[1:-1] if expression.startswith("(") else expression}
    raise RuntimeError(f"countdown: no solvable row found in 1000 tries with {knobs}")
