"""rlvr.verifiers: rule-based verifiers that turn a completion into a `Score`.

The public API is what ``__all__`` lists. Heavy verifiers load on first use:
``from rlvr.verifiers import MathVerifier`` imports sympy, ``CodeVerifier`` the
sandbox; importing this package alone imports neither.
"""

from __future__ import annotations

import importlib
from typing import Any

from .batch import ScoringPool, VerifierPool, VerifierPoolBroken, verify_batch
from .registry import UnknownVerifierError, available_verifiers, get_verifier, register_verifier
from .score import UNSCORED_STATUSES, Score, Status, Verifier

_LAZY = {
    "MathVerifier": "rlvr.verifiers.math_verifier",
    "CodeVerifier": "rlvr.verifiers.code",
    "TagFormat": "rlvr.verifiers.format",
    "RegexMatch": "rlvr.verifiers.format",
    "LengthReward": "rlvr.verifiers.format",
    "ExactMatch": "rlvr.verifiers.format",
    "WeightedSum": "rlvr.verifiers.format",
    "Gated": "rlvr.verifiers.format",
    "RemoteVerifierPool": "rlvr.verifiers.remote",
}

__all__ = [
    "UNSCORED_STATUSES",
    "CodeVerifier",
    "ExactMatch",
    "Gated",
    "LengthReward",
    "MathVerifier",
    "RegexMatch",
    "RemoteVerifierPool",
    "Score",
    "ScoringPool",
    "Status",
    "TagFormat",
    "UnknownVerifierError",
    "Verifier",
    "VerifierPool",
    "VerifierPoolBroken",
    "WeightedSum",
    "available_verifiers",
    "get_verifier",
    "register_verifier",
    "verify_batch",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rlvr.verifiers' has no attribute {name!r}")
