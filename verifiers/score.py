"""`Score`: what every verifier returns, and the verifier contract.

A verifier is a pure, picklable callable ``(completion, reference) -> Score``.
It never raises for anything a model wrote: a completion without an answer is
``no_answer``, an answer that cannot be read is ``parse_error``, and a bug in the
verifier itself is ``error``. ``timeout`` and ``infra_error`` are not verdicts on
the completion at all (the verifier ran out of time, or the machinery under it
failed), so trainers mask those rows instead of scoring them 0.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Status(str, Enum):
    OK = "ok"  # the answer was read and judged; value is the verdict
    NO_ANSWER = "no_answer"  # no final answer found (e.g. truncated completion)
    PARSE_ERROR = "parse_error"  # an answer was found but could not be read
    TIMEOUT = "timeout"  # the verifier ran past its deadline and was killed
    ERROR = "error"  # the verifier raised: a bug, counted and logged, not a verdict
    INFRA_ERROR = "infra_error"  # sandbox or pool failure: not the completion's fault
    # The completion's program passed a documented size limit (output, answer): a failure of that
    # completion, value 0, scored like a wrong answer but counted apart so a too-tight limit shows.
    OUTPUT_LIMIT = "output_limit"


def utf8_safe(value: Any) -> Any:
    """``value`` with every ``str`` in it (through dicts, lists and tuples, dict keys too) encodable
    as UTF-8, and every ``bytes`` turned into such a ``str``: what cannot be encoded (a lone
    surrogate, an invalid byte) becomes its backslash escape text (``"\\udc80"``, ``"\\xff"``), so
    the information is kept. Other values are returned as they are.

    Limits: a dict whose keys differ only by such characters and their escape text collapses to
    one key (the later value); dict, list and tuple subclasses come back as plain ones."""
    if isinstance(value, str):
        if value.isascii():  # the common case, and the cheapest test
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {utf8_safe(k): utf8_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [utf8_safe(v) for v in value]
    if isinstance(value, tuple):
        return tuple(utf8_safe(v) for v in value)
    return value


# Rows with these statuses carry no information about the completion.
UNSCORED_STATUSES = frozenset({Status.TIMEOUT, Status.INFRA_ERROR})


class Score(BaseModel):
    """The verdict on one completion. Frozen, picklable, JSON-serialisable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(ge=0.0, le=1.0)
    status: Status
    extracted: str | None = None  # the final answer as read from the completion
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("extracted", "details")
    @classmethod
    def _utf8(cls, value: Any) -> Any:
        return utf8_safe(value)

    @property
    def is_scored(self) -> bool:
        """False when the score says nothing about the completion (timeout, infra_error)."""
        return self.status not in UNSCORED_STATUSES

    @property
    def correct(self) -> bool:
        return self.status is Status.OK and self.value >= 1.0

    @classmethod
    def judged(cls, value: float, extracted: str | None = None, **details: Any) -> Score:
        return cls(value=value, status=Status.OK, extracted=extracted, details=details)

    @classmethod
    def failed(cls, status: Status, extracted: str | None = None, **details: Any) -> Score:
        """A zero-valued score for anything that is not a judged answer."""
        if status is Status.OK:
            raise ValueError("Score.failed needs a non-ok status")
        return cls(value=0.0, status=status, extracted=extracted, details=details)


@runtime_checkable
class Verifier(Protocol):
    """``(completion, reference) -> Score``. Must be picklable and must not raise.

    Optional: ``prepare() -> list[str]``, one-time set-up that ``verify_batch`` runs in
    the calling process before any deadline starts (returns what failed, ``[]`` if ready).
    A composite verifier must forward it to its parts (``WeightedSum``, ``Gated`` do).
    Optional: ``time_needed(reference) -> float``, the seconds one call on ``reference`` may take
    at worst; ``verify_batch`` gives the row at least that (a composite sums its parts').
    """

    def __call__(self, completion: str, reference: Any) -> Score: ...
