"""Verifiers by name: built-ins register here, plug-ins through entry points.

A plug-in package exposes a factory in its pyproject::

    [project.entry-points."rlvr.verifiers"]
    my_checker = "my_pkg.checkers:MyChecker"

and ``get_verifier("my_checker", **params)`` calls ``MyChecker(**params)``.
Built-ins are lazy entries (name -> "module:attribute") imported on first use,
so ``get_verifier("math")`` never imports the code verifier or its Docker
client, and the task-specific verifiers (``countdown``, ``reasoning_gym``, whose
classes live beside their tasks) are known without importing ``rlvr.tasks``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from ._user_input import unknown_name
from .score import Verifier

ENTRY_POINT_GROUP = "rlvr.verifiers"

# name -> "module:attribute" of a factory returning a Verifier.
_BUILTINS: dict[str, str] = {
    "math": "rlvr.verifiers.math_verifier:MathVerifier",
    "code": "rlvr.verifiers.code:CodeVerifier",
    "tags": "rlvr.verifiers.format:TagFormat",
    "regex": "rlvr.verifiers.format:RegexMatch",
    "length": "rlvr.verifiers.format:LengthReward",
    "exact": "rlvr.verifiers.format:ExactMatch",
    "countdown": "rlvr.tasks.countdown:CountdownVerifier",
    "reasoning_gym": "rlvr.tasks.reasoning_gym_task:ReasoningGymVerifier",
}
_REGISTERED: dict[str, Callable[..., Verifier]] = {}


class UnknownVerifierError(LookupError):
    """No verifier has that name; the message lists the nearest names."""


def register_verifier(name: str) -> Callable[[Callable[..., Verifier]], Callable[..., Verifier]]:
    """Decorator: make a verifier factory available to ``get_verifier(name)``."""

    def decorate(factory: Callable[..., Verifier]) -> Callable[..., Verifier]:
        if name in _BUILTINS or name in _REGISTERED:
            raise ValueError(f"verifier name {name!r} is already taken")
        _REGISTERED[name] = factory
        return factory

    return decorate


def _plugins() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_verifiers() -> list[str]:
    return sorted({*_BUILTINS, *_REGISTERED, *_plugins()})


def get_verifier_factory(name: str) -> Callable[..., Verifier]:
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name in _BUILTINS:
        module, attr = _BUILTINS[name].split(":")
        return getattr(importlib.import_module(module), attr)
    plugins = _plugins()
    if name in plugins:
        return plugins[name].load()
    raise UnknownVerifierError(unknown_name("verifier", name, available_verifiers()))


def get_verifier(name: str, **params: Any) -> Verifier:
    """Build the verifier registered as ``name`` with ``params``."""
    return get_verifier_factory(name)(**params)
