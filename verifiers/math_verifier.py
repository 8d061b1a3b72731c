"""``MathVerifier``: score a completion's final answer against a gold answer.

Two steps, as in Math-Verify: extract the answer (``math_extract``), then read
both sides into typed values and compare them (``math_normalize``, ``math_expr``,
``math_compare``). The gold is parsed once per distinct string (LRU cache),
because a trainer scores G completions against the same gold.

Defaults, and the knob for graders that disagree:

- ``rel_tol=1e-9``: exact rationals are compared exactly (``0.333`` is not ``1/3``);
  the tolerance applies only when the gold is irrational (``\\sqrt{2}/2`` vs
  ``0.70710678118``). Against an exact gold, and for expressions with symbols, values
  must agree to working precision (``IDENTITY_TOL`` in ``math_scalar``), so
  ``7 + e^{-30}`` is not 7 while ``14\\sin(\\pi/6)`` is.
- ``percent="either"``: ``25\\%`` matches ``25`` and ``0.25``; ``"fraction"``: only
  ``0.25``; ``"strip"``: only ``25``. Whatever the number: ``0.75\\%`` matches ``0.75`` (a "what
  percent" question's gold written bare, as ``25`` is) and ``0.0075``, as in Qwen2.5-Math's and
  NeMo-Skills' ``math_equal`` (Math-Verify 0.9 strips the ``%`` of an integer only, so it scores
  ``12.5\\%`` wrong for the gold ``12.5``); choose ``"fraction"`` where golds are never percentages. Against a gold written as a fraction or a ratio, a
  percentage is read as that ratio only: "75 percent" and ``75\\%`` are right for ``3/4``,
  as Math-Verify 0.9 and Qwen2.5-Math's / NeMo-Skills' ``math_equal`` (``include_percentage``)
  all score them; a bare ``75`` is wrong for ``3/4`` (Math-Verify agrees; the two
  ``math_equal`` accept any x100 or /100, which also passes ``0.42`` for ``42``).
- ``require_simplified=False``: ``2/4`` and ``\\sqrt{12}`` count for ``1/2`` and
  ``2\\sqrt{3}``; set it when simplifying is part of the task.
- ``equation_rhs=True``: ``x = 3`` counts for ``3`` (and the reverse).
- ``multiple_choice=True``: a gold that is a letter A-J (``C``, ``(C)``) is matched
  against the letter the completion chose (``(C)``, ``\\boxed{C}``, ``C) 42``); a second letter
  (``C D``, ``C \\vee D``, ``C \\text{ oder } D``, ``C\\mid D``, ``\\text{C}\\text{D}``, ``C\\mathrm{D}``: any second letter
  a reader sees) or a verdict after it (``C is wrong``, ``(C)?``, ``C...``) is no choice.
- ``strip_units=True``: ``5 \\text{ cm}``, ``12 dollars``, ``9 buses``, ``30^\\circ`` are numbers;
  only known units and listed counted nouns are dropped (``math_units``: an allow-list), so
  ``3 \\text{ wrong}``, ``3 sixteenths`` and ``3 negatives`` are not 3, and size words multiply
  (``3 thousand`` is 3000, ``3 lakh`` 300000, ``3k`` is no number). A gold's own words are dropped
  whatever they say (``17 \\text{ any text}`` is 17). When both sides state a listed unit and the
  units differ (``5 kg`` for ``5 g``, ``5 cents`` for ``\\$5``; ``km`` and ``kilometers`` are one unit),
  the answer is wrong (``math_unit_names``); a unit on one side only is dropped as before.
- A subscript is a base only when the gold is written in that base: for ``204_5``, ``204_{5}`` and
  the bare digits ``204`` are right, its value ``54`` is not; for the gold ``3``, ``3_{8}`` is wrong
  (``_{10}`` excepted). Unicode sub- and superscripts stay what they are (``10₂`` is ``10_{2}``).
- ``strategies``: extraction strategies and their order (see ``math_extract``).

Several different boxed answers are a hedge (0), except when the gold is a list
of solutions and the boxes are exactly as many as its elements: ``x = \\boxed{2}``
or ``x = \\boxed{-3}`` is then read as ``2, -3`` (``details["extractor"] == "boxed_parts"``); not when a box is
taken back ("\\boxed{2}. Wait, it's \\boxed{-3}.", "\\boxed{-3} is extraneous"), nor, for a point or tuple gold
``(2, 3)``, when the boxes are alternatives joined by "or".

Statuses: ``no_answer`` when nothing was extracted (a truncated completion);
``parse_error`` when the answer was refused as too large or deep (``9^9^9^9``)
or when the gold itself cannot be read; ``error`` only for a bug here, with the
exception in ``details``. Hedges are ``ok`` with value 0 and the reason in
``details["hedge"]``. The verifier has no timeout of its own (no signals): every
step is bounded by size limits, and ``verify_batch`` kills a worker at its deadline.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass

from .math_boxes import between_boxes, boxed_contents
from .math_compare import equal
from .math_context import flatten
from .math_expr import ParseFailure, Refused
from .math_extract import MAX_SCAN, SEVERAL_BOXES, STRATEGIES, Extraction, Strategy, extract
from .math_hedge import hedge_in
from .math_normalize import normalize
from .math_read import Value, fold_case, plain_text, read_value
from .math_scalar import CompareOptions
from .math_spans import prose_words, whole_expression
from .math_unit_names import stated_unit, unit_after_box, units_differ
from .math_visible import visible
from .score import Score, Status

MAX_ANSWER_CHARS = 1000  # longer extracted answers are refused before any normalising
_LETTERS = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
_CHOICE_GOLD = re.compile(r"\(?([A-J])\)?(?:[.:]\s+.+)?")  # "C", "(C)", "C. x = 42"
# The chosen letter, then nothing, a closing mark, or a space before more text: "E * 2" is not E.
_CHOICE_PRED = re.compile(r"(?:[Oo]ption\s+|[Cc]hoice\s+)?\(?([A-J])\)?(?:[.:)]|\s+(?![-+*/^=])|\Z)")
# A second letter after the chosen one (read as rendered: ``math_context.flatten``), joined by marks, commands or one
# lowercase word of any language: "C D", "C, D", "C/D", "C \\vee D", "C oder D", "C vs. D", "C или D", "C\\hspace{1cm}D",
# "C \\Rightarrow D" choose two. A capitalised word starts the option's own text: "(C) Both A and B" is one choice.
_JOIN = r"(?:[^\w\\]|_|\\[A-Za-z]+|\\.)*"
_SECOND_CHOICE = re.compile(rf"{_JOIN}(?:[^\W\d_A-Z][^\W\d_]*{_JOIN})?\(?[A-J]\)?(?![A-Za-z])")
# After the chosen letter: a question, an ellipsis or a verdict ("C is wrong", "(C)?", "C...") takes the choice back.
_CHOICE_HEDGE = re.compile(r"[?？…]|\.\.|\bdots\b|\b(?:wrong|incorrect|false|not|never|no)\b", re.IGNORECASE)


_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")
_INNER_BOX = re.compile(r"\s*\\(?:boxed|fbox)\s*\{")


def canonical(text: str) -> str:
    """What extraction and normalising read: "75 per cent" spelt "75 percent" (one word: a sentence
    "The answer is 75 per cent." would read as prose and lose its two words); a box that holds nothing
    but another box is that box (``\\boxed{\\boxed{3}}`` is ``\\boxed{3}``, not a box inside an expression).
    One pass over the braces, so thousands of nested boxes cost linear time."""
    if "cent" in text:
        text = re.sub(r"(?<=[\d)}$])(\s*)per[ \t]+cent\b", r"\1percent", text)
    if text.count("\\boxed") + text.count("\\fbox") < 2:
        return text
    closing: dict[int, int] = {}
    stack: list[int] = []
    for brace in re.finditer(r"[{}]", text):
        if brace.group() == "{":
            stack.append(brace.start())
        elif stack:
            closing[stack.pop()] = brace.start()
    cut: set[int] = set()  # the outer box's "\\boxed{" and its "}"
    for outer in _BOX_OPEN.finditer(text):
        inner = _INNER_BOX.match(text, outer.end())
        close, inner_close = closing.get(outer.end() - 1), closing.get(inner.end() - 1) if inner else None
        if close is not None and inner_close is not None and not text[inner_close + 1:close].strip():
            cut.update(range(outer.start(), outer.end()))
            cut.add(close)
    return "".join(char for i, char in enumerate(text) if i not in cut) if cut else text


@dataclass(frozen=True)
class _Gold:
    text: str  # normalised
    as_written: str  # normalised as a completion is (its own words kept): a completion that says the same is right
    value: Value | None
    error: str | None
    choice: str | None
    unit: str | None  # the unit the gold states (``math_unit_names``), None for none or no strip_units


@functools.lru_cache(maxsize=4096)
def _read_gold(reference: str, strip_units: bool) -> _Gold:
    if "####" in reference:  # a full GSM8K solution: the answer follows ####
        reference = reference.rsplit("####", 1)[1]
    if len(reference) > 20 * MAX_ANSWER_CHARS:
        return _Gold(reference[:200], "", None, "Refused: gold answer too long", None, None)
    reference = canonical(reference)
    boxes = list(dict.fromkeys(b.strip() for b in boxed_contents(reference)))
    if not boxes and (opened := re.search(r"\\boxed\{([^{}]+?)\s*(?:\\\]|\$|\Z)", reference)):
        boxes = [opened.group(1)]  # a gold whose final box was never closed: "\\[ \\boxed{(2, 12)"
    if boxes:  # "\\boxed{1} and \\boxed{-2}": a gold boxed in parts is the list of its parts
        answer = ", ".join(boxes)
    elif (whole := whole_expression(reference)) is not None:
        answer = whole
    elif prose_words(reference) > 3:  # a worked solution ("... The final answer is $28\\%$."): read it
        answer = extract(reference).answer or reference
    else:
        answer = reference
    text = normalize(answer, strip_units=strip_units, gold=True)
    as_written = normalize(answer, strip_units=strip_units)
    choice = _CHOICE_GOLD.fullmatch(text)
    letter, unit = choice.group(1) if choice else None, stated_unit(answer) if strip_units else None
    try:
        return _Gold(text, as_written, read_value(text), None, letter, unit)
    except (ParseFailure, Refused) as exc:
        return _Gold(text, as_written, None, f"{type(exc).__name__}: {exc}", letter, unit)


def _is_list(value: Value) -> bool:
    return value[0] == "set" or (value[0] == "seq" and value[1] + value[2] == "()")


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class MathVerifier:
    """``MathVerifier()(completion, gold) -> Score``; see the module docstring for the knobs."""

    strategies: tuple[Strategy, ...] = STRATEGIES
    rel_tol: float = 1e-9
    percent: Literal["either", "fraction", "strip"] = "either"
    require_simplified: bool = False
    equation_rhs: bool = True
    multiple_choice: bool = True
    strip_units: bool = True

    def __post_init__(self) -> None:  # types and names are checked by pydantic; these are ranges
        if not self.strategies:
            raise ValueError("strategies: give at least one extraction strategy")
        if not 0 <= self.rel_tol < 1:
            raise ValueError(f"rel_tol must be in [0, 1), got {self.rel_tol}")

    @property
    def _options(self) -> CompareOptions:
        return CompareOptions(rel_tol=self.rel_tol, percent=self.percent,
                              equation_rhs=self.equation_rhs, require_simplified=self.require_simplified)

    def __call__(self, completion: str, reference: Any) -> Score:
        try:
            return self._score(completion, reference)
        except RecursionError as exc:  # deep input that slipped past the limits: refused, not a bug
            return Score.failed(Status.PARSE_ERROR, None, reason=f"too deep: {exc}"[:200])
        except Exception as exc:  # a bug here: a status with the exception, never a silent 0
            return Score.failed(Status.ERROR, None, exception=f"{type(exc).__name__}: {exc}"[:2000])

    def _one_value_said_twice(self, answer: str) -> str | None:
        """The first alternative when every "or"-separated alternative is the same value, else None."""
        parts = [p.strip(" ()") for p in re.split(r"\bor\b", answer)]
        if len(parts) != 2 or not all(parts) or hedge_in(" ".join(parts), ""):  # "7 or possibly 7"
            return None
        try:
            values = [read_value(normalize(p, strip_units=self.strip_units)) for p in parts]
            same = equal(values[0], values[1], self._options)[0] and equal(values[1], values[0], self._options)[0]
        except (ParseFailure, Refused):
            return None
        return parts[0] if same else None

    def _score(self, completion: str, reference: Any) -> Score:
        if not isinstance(completion, str):
            return Score.failed(Status.PARSE_ERROR, None, reason=f"completion is a {type(completion).__name__}")
        gold_text = str(reference)
        gold = _read_gold(gold_text, self.strip_units)
        completion = canonical(completion)
        found = extract(completion, self.strategies, gold_text)
        if found.answer is None:
            return Score.failed(Status.NO_ANSWER, None)
        details: dict[str, Any] = {"extractor": found.extractor}
        if len(found.answer) > MAX_ANSWER_CHARS:
            return Score.failed(Status.PARSE_ERROR, found.answer[:200], **details,
                                reason=f"answer longer than {MAX_ANSWER_CHARS} characters")
        answer_text: str = found.answer
        if found.extractor == "boxed" and (found.hedge or "").endswith(SEVERAL_BOXES) and gold.value is not None \
                and _is_list(gold.value):
            # "x = \\boxed{2} or x = \\boxed{-3}" for a gold list of solutions: one answer, boxed in parts.
            shown = visible(completion[-MAX_SCAN:])
            boxes = list(dict.fromkeys(b.strip() for b in boxed_contents(shown)))
            # Boxes joined by "or" are alternative solutions: a list of solutions, never a point's coordinates.
            alternatives = gold.value[0] != "set" and any(hedge_in(b, "") for b in between_boxes(shown))
            if len(boxes) == len(gold.value[-1]) and not alternatives:
                answer_text = ", ".join(boxes)
                found = Extraction(answer_text, "boxed_parts", hedge_in(answer_text, gold_text))
                details["extractor"] = "boxed_parts"
        if found.hedge == "hedge word 'or'" and (single := self._one_value_said_twice(answer_text)) is not None:
            answer_text, found = single, Extraction(answer_text, found.extractor)  # "1/2 (or 0.5)"
        elif found.hedge == "hedge word 'or'" and gold.value is not None and gold.value[0] == "set":
            # "x = 3 or x = -3" for the solutions 3, -3 (written ±3): a list, judged as the gold's list.
            parts = [p.strip() for p in normalize(answer_text, strip_units=self.strip_units).split(" or ")]
            if len(parts) == len(gold.value[-1]) and all(parts) and not hedge_in(" ".join(parts), ""):
                answer_text, found = ", ".join(parts), Extraction(answer_text, found.extractor)
        elif found.alternative is not None and self._one_value_said_twice(
                f"{answer_text} or {found.alternative}") is not None:
            found = Extraction(answer_text, found.extractor)  # "\\boxed{\\frac12} or 50%."
        if found.hedge is not None:
            return Score.judged(0.0, found.answer, **details, method="hedge", hedge=found.hedge)
        answer = normalize(answer_text, strip_units=self.strip_units)
        if answer == gold.as_written != gold.text:  # "17 \\text{ any text}" for that gold: its own words
            return Score.judged(1.0, found.answer, **details, method="as_written")
        if self.multiple_choice and gold.choice is not None:
            chosen = _CHOICE_PRED.match(answer)
            shown = flatten(found.answer or "").strip()
            # A second letter as shown, or as normalised (which reads commands and fonts: "C\\mid D", "\\text{C}\\text{D}",
            # "C\\mathrm{D}", "C\\lor D" are "C | D", "C D", "C D", "C lor D"): any second letter a reader sees.
            joined = ((as_shown := _CHOICE_PRED.match(shown)) is not None and _SECOND_CHOICE.match(shown, as_shown.end())) \
                or (chosen is not None and _SECOND_CHOICE.match(answer, chosen.end()))
            correct = chosen is not None and chosen.group(1) == gold.choice \
                and not joined and not _CHOICE_HEDGE.search(answer, chosen.end())
            return Score.judged(float(correct), found.answer, **details, method="choice")
        if gold.value is None:
            if gold.error and gold.error.startswith("Refused"):
                return Score.failed(Status.PARSE_ERROR, found.answer, **details, reason=f"gold: {gold.error}")
            return Score.judged(float(plain_text(answer) == plain_text(gold.text)), found.answer, **details, method="text")
        if _LETTERS.fullmatch(answer) and fold_case(answer) == fold_case(gold.text):  # "yes" vs "\\text{Yes}"
            return Score.judged(1.0, found.answer, **details, method="text")
        if gold.unit is not None and units_differ(stated_unit(answer_text) or (  # 5 kg for 5 g; \boxed{5} kg too
                unit_after_box(completion, answer_text) if found.extractor == "boxed" else None), gold.unit):
            return Score.judged(0.0, found.answer, **details, method="unit")
        try:
            value = read_value(answer)
        except Refused as exc:
            return Score.failed(Status.PARSE_ERROR, found.answer, **details, reason=str(exc))
        except ParseFailure:  # unreadable as maths: only a text gold can match it, as text
            as_text = gold.value[0] == "text" and plain_text(answer) == plain_text(gold.text)
            return Score.judged(float(as_text), found.answer, **details, method="text")
        try:
            ok, method = equal(value, gold.value, self._options)
        except Refused as exc:
            return Score.failed(Status.PARSE_ERROR, found.answer, **details, reason=str(exc))
        return Score.judged(float(ok), found.answer, **details, method=method)
