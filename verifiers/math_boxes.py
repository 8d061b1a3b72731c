"""The ``\\boxed{..}`` / ``\\fbox{..}`` answers written in a text: where they are and whether each stands whole.

``box_spans`` finds every complete box (balanced braces, also ``\\boxed 5``) in one pass over the braces
from the first box, ``ends_in_open_box`` tells a completion cut off inside its last box, and
``boxes_not_whole`` judges the boxes before the final one, or every box when several different ones may be
the parts of a list (``math_context``, ``math_hedge``: a box that is part of a larger number, or qualified,
is no answer: ``\\boxed{3}000 ... \\boxed{3}`` does not answer 3).

Limits: braces are counted as written (an escaped ``\\{`` counts too), a box never closed is no box,
and only the last ``MAX_PARTS`` boxes are judged one by one.
"""

from __future__ import annotations

import functools
import itertools
import re

from .math_context import not_whole, surroundings
from .math_hedge import qualified, taken_back
from .math_same_value import same
from .math_spans import AMOUNT, ANSWER_PHRASE

MAX_PARTS = 20  # boxes checked one by one when there are several (a list gold is read from at most these)


@functools.lru_cache(maxsize=8)
def box_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, content) of every complete ``\\boxed{..}`` / ``\\fbox{..}`` / ``\\boxed x``, in order
    (cached: the box strategy and the check of every box ask about the same text)."""
    out: list[tuple[int, int, str]] = []
    matches = list(re.finditer(r"\\(?:boxed|fbox)(?:\s*(\{|\s)|(?=\d))", text))
    closing: dict[int, int] = {}  # "{" -> its "}", one pass from the first box (not one scan per box:
    stack: list[int] = []  # a run of thousands of "\\boxed{" was quadratic)
    for brace in re.finditer(r"[{}]", text[matches[0].start():] if matches else ""):
        if brace.group() == "{":
            stack.append(brace.start() + matches[0].start())
        elif stack:
            closing[stack.pop()] = brace.start() + matches[0].start()
    for match in matches:
        if match.group(1) == "{":
            start = match.end() - 1
            if start in closing:
                out.append((match.start(), closing[start] + 1, text[start + 1:closing[start]]))
        else:  # \boxed 5: up to the next whitespace or dollar; \boxed5 (no space): TeX's argument is one digit
            word = re.match(r"[^\s$]+" if match.group(1) else r"\d", text[match.end():])
            if word:
                out.append((match.start(), match.end() + word.end(), word.group(0)))
    return tuple(out)


def boxed_contents(text: str) -> list[str]:
    """Contents of every complete ``\\boxed{..}`` / ``\\fbox{..}`` / ``\\boxed x``, in order."""
    return [content for _, _, content in box_spans(text)]


def between_boxes(text: str) -> list[str]:
    """The text between each two consecutive complete boxes (of the last ``MAX_PARTS``), in order."""
    spans = box_spans(text)[-MAX_PARTS:]
    return [text[end:start] for (_, end, _), (start, _, _) in itertools.pairwise(spans)]


def ends_in_open_box(text: str) -> bool:
    """Whether ``text`` ends inside its last ``\\boxed{`` / ``\\fbox{`` (a completion cut off mid-answer)."""
    start = max(text.rfind("\\boxed{"), text.rfind("\\fbox{"))
    if start < 0:
        return False
    depth = 0
    for char in text[text.index("{", start):]:
        depth += (char == "{") - (char == "}")
        if depth == 0:
            return False
    return True


def boxes_not_whole(text: str, gold: str, several: bool) -> str | None:
    """Why a box before the final one is no whole value ("\\boxed{3}000 ... \\boxed{3}" does not answer 3);
    when ``several`` different boxes may be read as the parts of a list gold, why any box is no answer."""
    boxes = box_spans(text)[-MAX_PARTS:]
    for start, end, content in boxes if several else boxes[:-1]:
        around = surroundings(text, start, end)
        if reason := not_whole(around) or (qualified(around, content, gold) if several else None):
            return reason
    if several:  # "\\boxed{2}. Wait, it's \\boxed{-3}.": the second box takes the first back, it is no second part
        for between in between_boxes(text):
            if reason := taken_back(between):
                return reason
    return offered_before(text, boxes[-1][0], boxes[-1][2]) if boxes else None


# Right before a box (nothing but space, a dollar or a display opening between): a value stated as another final
# answer ("The answer is 4.\n\n\\boxed{3}", "#### 4\n\\boxed{3}") or offered with it ("Either 4 or \\boxed{3}",
# "x = 4 \\text{ or } \\boxed{3}", "4 and/or \\boxed{3}").
_OFFERED_BEFORE = re.compile(
    rf"(?:(?:{ANSWER_PHRASE.pattern}|####\s*|<answer>\s*)\$?\s*(?P<marked>{AMOUNT})\s*\$?\s*[.!]?\s*(?:</answer>\s*)?"
    rf"|(?<![\w.])(?P<offered>{AMOUNT})\s*\$?\s*(?:and/or|or|\\text\s*\{{\s*(?:and/)?or\s*\}})\s*\$?\s*"
    r")(?:\$\$|\\\[|\\\()?\s*\Z", re.IGNORECASE)


def offered_before(text: str, start: int, content: str) -> str | None:
    """Why the box at ``text[start:]`` holding ``content`` comes with another value stated right before it, if it does."""
    before = text[max(0, start - 200):start]
    if before.rstrip()[-1:] not in tuple("0123456789.!$r[(>}") or (found := _OFFERED_BEFORE.search(before)) is None:
        return None
    value = found.group("marked") or found.group("offered")
    return None if same(value, content) else (
        "a different answer stated before it" if found.group("marked") else "a second candidate offered with it")
