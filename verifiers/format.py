"""Format rewards and composite rewards.

Format verifiers judge the shape of a completion, not its answer, so they ignore
``reference``: tag structure (``<think>…</think><answer>…</answer>``), a regular
expression, length bounds or a length penalty, and exact string match of an
extracted span. Composites combine verifiers: ``WeightedSum`` (a weighted mean,
so the result stays in [0, 1]) and ``Gated`` (the inner reward counts only when
the gate passes, e.g. correctness only when the format holds). Every
component's Score is kept in ``details`` under its name.

Status of a composite: if any component timed out or hit an infrastructure
fault, the composite carries that status (the row is masked, never scored 0);
if any component raised, ``error``; otherwise ``ok`` (a component's
``no_answer`` is a judgement of 0 for that component, visible in ``details``).

Set-up: a composite's ``prepare()`` calls ``prepare()`` on each component that
has one (``CodeVerifier``'s sandbox self-check) and returns their failures
prefixed by the component's name, so ``verify_batch`` runs that set-up in the
calling process, never inside a worker's scoring deadline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .score import Score, Status, Verifier

# Composite status precedence: the first of these found among the components wins.
_PROPAGATED = (Status.INFRA_ERROR, Status.TIMEOUT, Status.ERROR)


@dataclass(frozen=True)
class TagFormat:
    """1.0 when the completion is made of the given tags, in order, each exactly once.

    ``strict``: nothing but whitespace may sit outside the tags. The content of
    the last tag is reported as ``extracted``.
    """

    tags: tuple[str, ...] = ("think", "answer")
    strict: bool = True

    def __post_init__(self) -> None:
        if not self.tags:
            raise ValueError("TagFormat needs at least one tag")
        for tag in self.tags:
            if not re.fullmatch(r"[A-Za-z_][\w\-]*", tag):
                raise ValueError(f"invalid tag name {tag!r}")

    def __call__(self, completion: str, reference: Any = None) -> Score:
        body = r"\s*".join(rf"<{t}>(.*?)</{t}>" for t in self.tags)
        pattern = rf"\A\s*{body}\s*\Z" if self.strict else body
        for tag in self.tags:  # each tag exactly once: no nested or repeated blocks
            if completion.count(f"<{tag}>") != 1 or completion.count(f"</{tag}>") != 1:
                return Score.judged(0.0, None, reason=f"<{tag}> must appear exactly once")
        match = re.search(pattern, completion, flags=re.DOTALL)
        if match is None:
            return Score.judged(0.0, None, reason="tags out of order or text outside them")
        return Score.judged(1.0, match.group(len(self.tags)).strip())


@dataclass(frozen=True)
class RegexMatch:
    """1.0 when ``pattern`` matches (``fullmatch`` or ``search``); the match is ``extracted``."""

    pattern: str
    full: bool = False
    ignore_case: bool = False
    dotall: bool = True

    def __post_init__(self) -> None:
        re.compile(self.pattern)  # fail at construction, not at scoring time

    def __call__(self, completion: str, reference: Any = None) -> Score:
        flags = (re.IGNORECASE if self.ignore_case else 0) | (re.DOTALL if self.dotall else 0)
        match = (re.fullmatch if self.full else re.search)(self.pattern, completion, flags)
        if match is None:
            return Score.judged(0.0, None)
        return Score.judged(1.0, match.group(0)[:1000])


@dataclass(frozen=True)
class LengthReward:
    """Length in characters or whitespace-separated words against bounds.

    ``mode="bound"``: 1.0 inside ``[min_length, max_length]``, else 0.
    ``mode="penalty"``: 1.0 up to ``max_length``, then linear down to 0 over
    ``ramp`` more units (the DAPO-style soft overlong penalty, as a reward in
    [0, 1]); below ``min_length`` it is 0.
    """

    min_length: int = 0
    max_length: int | None = None
    unit: Literal["chars", "words"] = "chars"
    mode: Literal["bound", "penalty"] = "bound"
    ramp: int = 100

    def __post_init__(self) -> None:
        if self.min_length < 0 or (self.max_length is not None and self.max_length < self.min_length):
            raise ValueError(f"bad length bounds [{self.min_length}, {self.max_length}]")
        if self.ramp <= 0:
            raise ValueError(f"ramp must be > 0, got {self.ramp}")

    def __call__(self, completion: str, reference: Any = None) -> Score:
        n = len(completion) if self.unit == "chars" else len(completion.split())
        if n < self.min_length:
            return Score.judged(0.0, None, length=n, reason="too short")
        if self.max_length is None or n <= self.max_length:
            return Score.judged(1.0, None, length=n)
        if self.mode == "bound":
            return Score.judged(0.0, None, length=n, reason="too long")
        over = n - self.max_length
        return Score.judged(max(0.0, 1.0 - over / self.ramp), None, length=n, reason="over length")


@dataclass(frozen=True)
class ExactMatch:
    """1.0 when the extracted span equals ``str(reference)`` after normalisation.

    ``extract``: a regex whose first group is the answer (default: the last
    ``<answer>…</answer>`` block); ``None`` compares the whole completion.
    """

    extract: str | None = r"<answer>(.*?)</answer>"
    case_sensitive: bool = False
    collapse_whitespace: bool = True

    def _norm(self, text: str) -> str:
        text = text.strip()
        if self.collapse_whitespace:
            text = " ".join(text.split())
        return text if self.case_sensitive else text.casefold()

    def __call__(self, completion: str, reference: Any) -> Score:
        if self.extract is None:
            answer = completion
        else:
            found = re.findall(self.extract, completion, flags=re.DOTALL)
            if not found:
                return Score.failed(Status.NO_ANSWER)
            answer = found[-1] if isinstance(found[-1], str) else found[-1][0]
        value = 1.0 if self._norm(answer) == self._norm(str(reference)) else 0.0
        return Score.judged(value, answer.strip()[:1000])


def _propagated_status(scores: dict[str, Score]) -> Status:
    for status in _PROPAGATED:
        if any(s.status is status for s in scores.values()):
            return status
    return Status.OK


def _prepare(parts: Sequence[tuple[str, Verifier]]) -> list[str]:
    failed: list[str] = []
    for name, verifier in parts:
        prepare = getattr(verifier, "prepare", None)
        if callable(prepare):
            failed += [f"{name}: {problem}" for problem in prepare() or []]
    return failed


def _run(name: str, verifier: Verifier, completion: str, reference: Any) -> Score:
    try:
        score = verifier(completion, reference)
    except Exception as exc:  # a component bug is a status, not a silent 0
        return Score.failed(Status.ERROR, exception=f"{name}: {type(exc).__name__}: {exc}"[:2000])
    if not isinstance(score, Score):
        return Score.failed(Status.ERROR, message=f"{name} returned {type(score).__name__}, not a Score")
    return score


def _time_needed(parts: list[Verifier], reference: Any) -> float:
    """The sum of the parts' ``time_needed(reference)`` (0 for a part without one: it is fast)."""
    return sum(float(f(reference)) for part in parts if callable(f := getattr(part, "time_needed", None)))


@dataclass(frozen=True)
class WeightedSum:
    """Weighted mean of components: ``sum(w_i * v_i) / sum(w_i)``, in [0, 1].

    ``components``: ``(name, verifier, weight)`` triples, weights > 0. The first
    component's ``extracted`` becomes the composite's (list the answer checker first).

    ``spec``: how to build the same sum elsewhere, as registry entries
    ``{"name", "params", "weight", "label"}`` (``Task.verifier()`` sets it); a remote
    scorer sends it to the server instead of the pickled verifier. None when built by hand.
    """

    components: Sequence[tuple[str, Verifier, float]] = field(default_factory=tuple)
    spec: tuple[dict[str, Any], ...] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.components:
            raise ValueError("WeightedSum needs at least one component")
        names = [c[0] for c in self.components]
        if len(set(names)) != len(names):
            raise ValueError(f"component names must be unique, got {names}")
        for name, _, weight in self.components:
            if not weight > 0:
                raise ValueError(f"component {name!r}: weight must be > 0, got {weight}")
        object.__setattr__(self, "components", tuple(self.components))

    def prepare(self) -> list[str]:
        """Each component's one-time set-up; the failures, ``[]`` when all are ready."""
        return _prepare([(n, v) for n, v, _ in self.components])

    def time_needed(self, reference: Any) -> float:
        """What the components need on ``reference`` at worst, one after another (`verify_batch`)."""
        return _time_needed([v for _, v, _ in self.components], reference)

    def __call__(self, completion: str, reference: Any) -> Score:
        scores = {n: _run(n, v, completion, reference) for n, v, _ in self.components}
        status = _propagated_status(scores)
        total = sum(w for _, _, w in self.components)
        value = sum(w * scores[n].value for n, _, w in self.components) / total
        first = scores[self.components[0][0]]
        details = {n: s.model_dump(mode="json") for n, s in scores.items()}
        if status is not Status.OK:
            return Score.failed(status, first.extracted, **details)
        return Score.judged(min(1.0, max(0.0, value)), first.extracted, **details)


@dataclass(frozen=True)
class Gated:
    """``inner``'s value when ``gate`` scores at least ``threshold``, else 0."""

    gate: Verifier
    inner: Verifier
    threshold: float = 1.0

    def prepare(self) -> list[str]:
        """The gate's and the inner verifier's one-time set-up; the failures, ``[]`` when both are ready."""
        return _prepare([("gate", self.gate), ("inner", self.inner)])

    def time_needed(self, reference: Any) -> float:
        """What the gate and the inner verifier need on ``reference`` at worst, one after the other."""
        return _time_needed([self.gate, self.inner], reference)

    def __call__(self, completion: str, reference: Any) -> Score:
        scores = {"gate": _run("gate", self.gate, completion, reference),
                  "inner": _run("inner", self.inner, completion, reference)}
        status = _propagated_status(scores)
        details = {n: s.model_dump(mode="json") for n, s in scores.items()}
        extracted = scores["inner"].extracted
        if status is not Status.OK:
            return Score.failed(status, extracted, **details)
        passed = scores["gate"].value >= self.threshold
        return Score.judged(scores["inner"].value if passed else 0.0, extracted, gate_passed=passed, **details)
