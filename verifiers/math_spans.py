"""Reading a completion as a grader reads it: math spans, the whole string, the final sentence.

- ``strip_tail``: a chat-template tail after the answer (``<|im_start|>user ...``, ``<|im_end|>``,
  ``<|eot_id|>``, ``</s>``) and Minerva's "I hope it is correct." are not part of the answer.
- ``math_spans``: the ``$$..$$``, ``$..$``, ``\\[..\\]`` and ``\\(..\\)`` spans, in order (an escaped
  ``\\$`` is a dollar sign, not a delimiter; inline ``$..$`` / ``\\(..\\)`` do not cross a line).
- ``whole_expression``: the whole completion when it is one mathematical expression: bare
  (``\\frac{1}{2}``, ``x^2+2x+1``, ``4 4/9``, ``\\text{odd}``) or one span covering all of it
  (``$[0,1)$``, ``\\(x \\geq 5\\)``), a trailing ``.``/``,`` dropped. Prose is not an expression:
  bare text with a word outside LaTeX commands and ``\\text{}`` (other than one word alone,
  ``odd``) is left to the other strategies, and so is anything longer than ``MAX_WHOLE_CHARS``
  or spread over several lines.
- ``final_element``: in a finished sentence, its last number or math span, with at most
  ``MAX_WORDS_AFTER`` words after it ("Therefore $x \\geq 5$ is the solution.", "The largest
  $n$ is 34."). A number is never taken from inside a word (``AZYUK2A``), a span or a
  fraction's denominator: numbers are matched whole, outside spans.

Limits: regex scans over at most the completion's last ``MAX_SCAN`` characters (the caller
cuts it); every pattern here is linear (no nested quantifiers).
"""

from __future__ import annotations

import functools
import re

from .math_units import VALUE_WORDS, is_unit

MAX_WHOLE_CHARS = 600
MAX_WORDS_AFTER = 8

_CHAT_TAIL = re.compile(r"<\|(?:im_start|im_end|eot_id|endoftext|end_of_text|start_header_id)\|>|</s>")
_HOPE = re.compile(r"I hope (?:it|this) is correct\.?\Z", re.IGNORECASE)
_SPAN = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?!\$)([^\n]+?)(?<![\\$])\$(?!\$)"
                   r"|\\\[(.+?)\\\]|\\\(([^\n]+?)\\\)", re.DOTALL)
# A number written whole: not inside a word, not after a decimal point, a slash (a denominator)
# or a caret (an exponent); a mixed number "4 4/9" and thousands "1,000.99" stay one number.
# A word that changes its value is part of it ("3 million", "3 squared"), and so are letters glued to it that are no unit
# ("3k" then fails; "5cm" is 5), but not an ordinal suffix ("3rd").
NUMBER = (r"(?<![\w.^/\\{}])-?\d[\d,]*(?:\.\d+)?(?:\s+\d+/\d+|/\d+)?%?(?![\d/^]|[.,]\d)"
          rf"(?:\s*{VALUE_WORDS}\b|(?P<glued>(?!(?:st|nd|rd|th)\b)[A-Za-z]+))?")
# A number as prose writes it, sign, dollar, fraction and percent included: "-$12.50", "3/4", "25%".
AMOUNT = r"-?\$?\d[\d,]*(?:\.\d+)?(?:/\d+)?%?"
# "The final answer is", "Answer:", "the correct option is": what follows states the answer.
ANSWER_PHRASE = re.compile(
    r"(?:final\s+answer|the\s+answer|answer|correct\s+(?:option|choice|answer))\s*"
    r"(?:is\s*:?|:|=|would\s+be|will\s+be)\s*",
    re.IGNORECASE,
)
_COMMAND = re.compile(r"\\[a-zA-Z]+")
_TEXT_BODY = re.compile(r"\\(?:text|textbf|mathrm|mbox|textrm|textnormal|begin|end)\s*\{[^{}]*\}")
_MATH_WORDS = frozenset({"sqrt", "frac", "pi", "ln", "log", "exp", "sin", "cos", "tan", "cot", "sec", "csc",
                         "and", "or", "pct", "percent", "percentage", "infty", "oo"})


def strip_tail(text: str) -> str:
    """``text`` without a chat-template tail or a closing "I hope it is correct."."""
    tail = _CHAT_TAIL.search(text)
    if tail is not None:
        text = text[:tail.start()]
    text = text.rstrip()
    # Searched in the last characters only: a leading \s* tried at every space of a long blank run
    # was quadratic (20,000 spaces took seconds).
    hope = _HOPE.search(text, max(0, len(text) - 40))
    return text[:hope.start()].rstrip() if hope else text


@functools.lru_cache(maxsize=32)
def math_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, content) of every math span, in order (cached: the extractors ask several times
    about the same tail)."""
    if "$" not in text and "\\(" not in text and "\\[" not in text:
        return ()
    return tuple((m.start(), m.end(), next(g for g in m.groups() if g is not None)) for m in _SPAN.finditer(text))


def mask_spans(text: str, fill: str = " ") -> str:
    """``text`` with every math span blanked out (same length, so indices still match)."""
    spans = math_spans(text)
    if not spans:
        return text
    out, pos = [], 0
    for start, end, _ in spans:
        out += [text[pos:start], fill * (end - start)]
        pos = end
    return "".join([*out, text[pos:]])


def prose_words(text: str) -> int:
    """Words outside LaTeX commands and ``\\text{}``: three or more letters, or a capitalised pair
    ("So"); "ab" is a product."""
    plain = _COMMAND.sub(" ", _TEXT_BODY.sub(" ", text))
    return sum(w.lower() not in _MATH_WORDS for w in re.findall(r"[A-Za-z]{3,}|\b[A-Z][a-z]\b", plain))


def _end_stop(text: str) -> str:
    """Without a final full stop or comma ("$\\frac{1}{3}.$"); an ellipsis "1, 2, 3, ..." stays."""
    text = text.strip()
    return text[:-1].rstrip() if text[-1:] in ".,;" and not text.endswith("..") else text


def whole_expression(text: str) -> str | None:
    """The whole of ``text`` when it is a single expression (see the module docstring), else None."""
    text = _end_stop(text)
    if not text or len(text) > MAX_WHOLE_CHARS:
        return None
    spans = math_spans(text)
    if len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(text):
        inner = _end_stop(spans[0][2])
        return inner or None
    if spans and spans[0][0] == 0 and "\n" not in text and prose_words(mask_spans(text)[:spans[-1][1]]) == 0:
        # "$28$ %", "$125$ miles": spans and signs, a unit word at most after the last one.
        after = text[spans[-1][1]:]
        if len(re.findall(r"[A-Za-z]+", after)) <= 1 and not re.search(r"[$\\]", after):
            return "".join(c if isinstance(c, str) else c[2] for c in _pieces(text, spans))
    if spans or "\n" in text or "$" in text.replace("\\$", "") or "\\boxed" in text:
        return None
    return text if prose_words(text) == 0 or re.fullmatch(r"[A-Za-z']+", text) else None


def _pieces(text: str, spans: tuple[tuple[int, int, str], ...]) -> list[str | tuple[int, int, str]]:
    """``text`` as its plain runs (str) and its spans (tuples), in order."""
    out: list[str | tuple[int, int, str]] = []
    pos = 0
    for span in spans:
        out += [text[pos:span[0]], span]
        pos = span[1]
    return [*out, text[pos:]]


def final_element(sentence: str) -> str | None:
    """The last number or math span of ``sentence``, with at most ``MAX_WORDS_AFTER`` words after it."""
    spans, masked = math_spans(sentence), mask_spans(sentence)
    numbers = list(re.finditer(NUMBER, masked))
    last_span = spans[-1] if spans else None
    last_number = numbers[-1] if numbers else None
    if last_span is not None and (last_number is None or last_span[1] > last_number.end()):
        end, found = last_span[1], last_span[2].strip()
    elif last_number is not None:
        end, found = last_number.end(), last_number.group(0)
        if last_number.group("glued") and is_unit(last_number.group("glued"), in_text=True):
            found = found[:last_number.start("glued") - last_number.start()]
    else:
        return None
    after = re.findall(r"[A-Za-z]+", masked[end:])
    return found if len(after) <= MAX_WORDS_AFTER and found else None
