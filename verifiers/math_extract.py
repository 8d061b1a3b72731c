"""Find the final answer in a completion.

Strategies, tried in the configured order; the first that finds something wins:

- ``boxed``: the ``\\boxed{...}`` / ``\\fbox{...}`` answers (balanced braces, also ``\\boxed 5`` and ``\\boxed5``,
  whose box holds one digit, as in TeX).
  Several boxes with different contents are a hedge.
- ``whole``: the whole completion when it is one expression (``\\frac{1}{2}``, ``$[0,1)$``,
  ``x^2+2x+1``; see ``math_spans.whole_expression``).
- ``answer_tag``: the last ``<answer>...</answer>`` (R1-style prompts), narrowed by an
  answer phrase inside it.
- ``gsm8k``: the text after the last ``####``.
- ``answer_phrase``: after the last "final answer is", "the answer is", "Answer:",
  "correct option is", up to the end of its sentence or line.
- ``bold``: the last ``**...**`` span that holds a digit or a choice letter.
- ``last_number``: a number (or number words) that ends the completion, an optional
  short unit word and closing punctuation after it; or, when the completion ends
  with a finished sentence (``.`` or ``!``), the last number of that sentence with
  at most ``MAX_WORDS_AFTER`` words after it ("So 72 clips were sold in May."), or a
  math span (``$..$``, ``\\(..\\)``) or choice ``(D)`` that ends it.
  A completion cut off mid-sentence ("3 + 4 = 7 and then") has no answer rather
  than its last digit.

Hedges are judged wrong: several different boxed answers, answer tags or ``####`` lines; an
answer ending in a question mark (``\\boxed{3?}``, "The answer is 3?"); a trailing list of
candidate numbers, or an answer (or its sentence) holding one of ``math_hedge.HEDGE_WORDS``
("or", "maybe", "not", "at least", ...; unless the gold itself uses that word). Then the answer is
judged where it is written (the box, or the answer's last whole occurrence): part of a larger
expression or number (``math_context``: ``\\boxed{3}\\cdot 1000``, ``-\\,\\boxed{3}``,
``\\boxed{3}~000``; read from prose, followed by a word that may change it: "So there are 3
negatives."), or bounded, estimated, doubted, questioned or taken back (``math_hedge``:
"at least \\boxed{3}", "It might be \\boxed{3}", "\\boxed{3}...", "\\boxed{3}. Hmm, no, it is 4.").
A value restated after a single "or" or in brackets ("\\frac14, or 25\\%", "3 (three)") is offered as
``alternative``: ``MathVerifier`` accepts it when both sides say the same value and judges it a hedge otherwise.
A percent sign or word right after the answer belongs to it (``\\boxed{3}\\%`` is 3%); a unit right after a box
is read by ``MathVerifier`` (``math_unit_names.unit_after_box``).
When several boxes are written, each is checked (``\\boxed{3}000 ... \\boxed{3}`` is no answer 3).

What a reader does not see is not read (``math_visible``): comments, phantoms, white text and struck-out
text hide an answer, and a box in a code span or ``\\text{}`` is printed, not boxed.

Limits: only the last ``MAX_SCAN`` characters are searched (final answers are at
the end; a 200,000-character completion costs the same as a 20,000 one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .math_boxes import box_spans, boxes_not_whole, ends_in_open_box
from .math_context import not_whole, surroundings
from .math_hedge import hedge_in, qualified, retracted
from .math_spans import (
    AMOUNT,
    ANSWER_PHRASE,
    MAX_WORDS_AFTER,
    final_element,
    mask_spans,
    math_spans,
    strip_tail,
    whole_expression,
)
from .math_units import VALUE_WORDS, is_unit, words_to_number
from .math_visible import HIDDEN, visible

MAX_SCAN = 20_000
Strategy = Literal["boxed", "whole", "answer_tag", "gsm8k", "answer_phrase", "bold", "last_number"]
STRATEGIES: tuple[Strategy, ...] = ("boxed", "whole", "answer_tag", "gsm8k", "answer_phrase", "bold", "last_number")
_HEADING = re.compile(r"\s*(?:step|case|part|method|solution|stage|phase|example|note|option|approach)\b",
                      re.IGNORECASE)
# Three or more bare numbers in a row ("1, 2, 3, 4", "5 6 7"): a list of candidates, not an answer.
_CANDIDATES = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:(?:\s*,\s+|\s+|\s*,?\s+and\s+)\d+(?:\.\d+)?){2,}(?!\.?\d)")
_TRAILING_CHOICE = re.compile(r"(?<!\w)(\([A-J]\))[\s.!]*\Z")
_FINISHED = re.compile(r"[.!]\s*[*$]*\s*\Z")
# An operand is no answer: "= 3 \\times 3" cut off, "10^3", "5 - 3" end in a number that is part of an
# unfinished expression, not a result.
_NOT_OPERAND = "".join(rf"(?<!{op})(?<!{op}\s)" for op in (r"\\times", r"\\cdot", r"\\div", r"[-+*/^×÷·]"))
# The number, the space after it and one word ("12 apples", "3 thousand", "3k"). Whole: never the "3" of "13"
# (after "5 - 1" was refused as an operand), of ".3", "1,3" or "x_3".
_TRAILING = re.compile(rf"(?<![\w.,]){_NOT_OPERAND}({AMOUNT})(\s*)([a-zA-Z]{{1,12}})?[\s.!)*$\\\]]*\Z")


@dataclass(frozen=True)
class Extraction:
    answer: str | None  # the raw answer text, None when nothing was found
    extractor: str | None  # which strategy found it
    hedge: str | None = None  # why the answer is a hedge, when it is one
    context: str | None = None  # the text searched for hedge words (default: the answer)
    alternative: str | None = None  # the second candidate offered after the answer ("... Or maybe 8.")
    span: tuple[int, int] | None = None  # where the answer is written in the searched text, when known


SEVERAL_BOXES = "different boxed answers"  # the hedge that MathVerifier may read as a list boxed in parts


def _boxed(text: str) -> Extraction | None:
    spans = box_spans(text)
    if not spans:
        return None
    contents = [c.strip() for _, _, c in spans]
    distinct = {re.sub(r"\s+", "", c) for c in contents}
    hedge = f"{len(distinct)} {SEVERAL_BOXES}" if len(distinct) > 1 else None
    return Extraction(contents[-1], "boxed", hedge, span=spans[-1][:2])


def _answer_tag(text: str) -> Extraction | None:
    """The last ``<answer>...</answer>``; a "the answer is" phrase inside it narrows it further."""
    # Each tag is the last "<answer>" before a "</answer>": linear (a regex over thousands of "<answer>"
    # is quadratic). Two different tags are a hedge, as two different boxes are.
    lower, tags, pos = text.lower(), [], 0
    while (close := lower.find("</answer>", pos)) >= 0:
        start = lower.rfind("<answer>", pos, close)
        if start >= 0:
            tags.append(text[start + len("<answer>"):close].strip())
        pos = close + len("</answer>")
    if not tags or not tags[-1]:
        return None
    content = tags[-1]
    inner = _answer_phrase(content)
    hedge = "different answer tags" if len({re.sub(r"\s+", "", t) for t in tags}) > 1 else None
    return Extraction(inner.answer if inner else content, "answer_tag", hedge, context=content)


def _gsm8k(text: str) -> Extraction | None:
    index = text.rfind("####")
    if index < 0:
        return None
    answer = text[index + 4:].strip().splitlines()
    if not answer or not answer[0].strip():
        return None
    marked = {re.sub(r"\s+", "", a) for a in re.findall(r"####([^\n]*)", text) if a.strip()}
    return Extraction(answer[0].strip(), "gsm8k", "different #### answers" if len(marked) > 1 else None)


def _sentence(text: str) -> str:
    """Up to the end of the line, or the first full stop not inside a number or ``$..$`` (a
    question mark is kept)."""
    line = text.split("\n", 1)[0]
    in_math = False
    for i, char in enumerate(line):
        if char == "$":
            in_math = not in_math
        elif char in ".!?" and not in_math and (i + 1 == len(line) or line[i + 1] in " \t"):
            # "42!" at a sentence end is an exclamation, not a factorial; "42?" is a question (a hedge).
            return line[:i + 1] if char == "?" or line[i - 1:i] == "." else line[:i]  # "1, 2, ..." whole
    return line


# A remark after a stated answer is no part of it: "3, which satisfies both equations", "3 because 1+2=3",
# "3 (from step 2)", "3 ✓". A closed list of lead words: "3, 4" or "3 (4)" stay as written (a list, a product).
_REMARK = re.compile(
    r"(?:\s*,\s*(?:which|as|since|because|so|that|where|i\.\s?e\.|e\.\s?g\.|this|it|we|confirming|satisfying|"
    r"matching|consistent|checking|verified|verifying)(?!\w)|\s+(?:because|since)\b"
    r"|\s*\((?:from|see|using|use|compare|comparing|checked|check|verified|by|via|per|cf\.?|as|since|because|"
    r"note|step|eq\.?|equation|i\.\s?e\.|e\.\s?g\.)(?!\w)[^()]*\)"
    r"|\s*(?:[✓✔✅☑🎉👍✨]|:\)|:-\)|\(\s*:\s*\))[\s✓✔✅☑🎉👍✨!.]*\Z"
    r"|\s*—|\s+–\s)",  # a dash sets an aside apart: "The answer is 72 — 48 was April." answers 72
    re.IGNORECASE)
# A display on the lines after "The answer is:" holds the answer: "\\[\n3\n\\]", "$$\n3\n$$", a code fence.
_DISPLAY_AFTER = re.compile(r"\s*(?:\\\[(.*?)\\\]|\$\$(.*?)\$\$|```[a-z]*\n(.*?)```)", re.DOTALL)


def _answer_phrase(text: str) -> Extraction | None:
    matches = list(ANSWER_PHRASE.finditer(text))
    for match in reversed(matches):
        rest = text[match.end():]
        # "The answer is 101,": a clause mark ends the clause; it is no digit group of the number.
        if display := _DISPLAY_AFTER.match(rest.lstrip(" \t:*")):
            shown = next(g for g in display.groups() if g is not None).strip()
            after = _sentence(rest.lstrip(" \t:*")[display.end():])  # "\\[3\\] or 4": the hedge is after it
            return Extraction(shown, "answer_phrase", context=f"{shown} {after}") if shown else None
        sentence = _sentence(rest).strip().rstrip(",;:").strip().strip("*").strip()
        # A comment set apart after the answer hides nothing of it ("The answer is $4$ % \\boxed{3}").
        sentence = re.sub(rf"(?<=\S)\s+{re.escape(HIDDEN)}\Z", "", sentence)
        if "\\boxed" in sentence or "\\fbox" in sentence:  # a box left open: the completion was cut off
            return None
        if sentence:
            # Hedge words are looked for in the whole sentence: "definitely not 17 apples".
            remark = _REMARK.search(mask_spans(sentence))
            answer = sentence[:remark.start()].strip().rstrip(",;:") if remark and remark.start() else sentence
            found = _number_in_prose(answer) or answer
            span = None
            if answer != sentence and found == answer:  # the answer is written before the remark, not in it
                start = match.end() + rest.index(sentence)
                span = (start, start + len(answer))
            return Extraction(found, "answer_phrase", context=sentence, span=span)
    return None


def _number_in_prose(answer: str) -> str | None:
    """The answer in "The store sold 42 shirts", "The largest $n$ is 34": the sentence's final element."""
    outside = mask_spans(answer)
    if len(re.findall(r"(?<![\\A-Za-z])[A-Za-z]{3,}", outside)) < 2 or "\\" in outside:
        return None  # not prose: a formula or a short answer with a unit
    return final_element(answer)


def _last_line(text: str, end: int) -> str:
    return text[text.rfind("\n", 0, end) + 1:].split("\n", 1)[0]


def _bold(text: str) -> Extraction | None:
    for match in reversed(list(re.finditer(r"\*\*([^*\n]{1,200})\*\*", text))):
        span = match.group(1)
        if _HEADING.match(span):  # **Step 1**, **Case 2**: headings, not answers
            continue
        if re.search(r"\d", span) or re.fullmatch(r"\s*\(?[A-J]\)?\s*", span) or words_to_number(span) is not None:
            # "**7** or **8**": the hedge is outside the bold span, so check its whole line.
            return Extraction(span.strip(), "bold", context=_last_line(text, match.start()))
    return None


def _last_number(text: str) -> Extraction | None:
    found = _find_last_number(text)
    if found is not None and _CANDIDATES.search(found.context or ""):
        return Extraction(found.answer, found.extractor, "a list of candidate numbers", found.context)
    return found


_SENTENCE_BREAK = re.compile(r"[.!?](?<!\d[.!?])(?!\d)\s+")  # not after a digit (the lookbehind second: faster)


def _last_sentence(tail: str) -> str:
    """The last sentence: the text after the last sentence end outside a math span."""
    body = tail.rstrip(" \t\n.!*")
    ends = [m.end() for m in _SENTENCE_BREAK.finditer(mask_spans(body, "x"))]
    return body[ends[-1]:] if ends else body


def _find_last_number(text: str) -> Extraction | None:
    tail = text[-300:]
    line = _last_line(tail, len(tail))
    # "The solutions are $x=1$ and $x=2$.": several solved-for spans in the last sentence are one list.
    contents = [c for _, _, c in math_spans(_last_sentence(line))]
    solved: list[str] = []  # the trailing run of solved-for spans: "(7, 6)" after "$x=7$, $y=6$" is the answer
    while contents and re.fullmatch(r"\s*[A-Za-z]\s*=[^$]{1,100}", contents[-1]):
        solved.insert(0, contents.pop())
    if len(solved) > 1 and _FINISHED.search(tail):
        return Extraction(", ".join(s.strip() for s in solved), "last_number", context=line)
    match = _TRAILING.search(mask_spans(tail))  # a number inside a span is no answer of its own
    if match:
        number, space, word = match.groups()
        if word and (re.fullmatch(VALUE_WORDS, word, re.IGNORECASE) or not (space or is_unit(word, in_text=True))):
            number += space + word  # "3 thousand" is 3000, "3 squared" not 3; "3k" is no number we read
        return Extraction(number, "last_number", context=line)
    words = re.findall(r"[A-Za-z\-]+", line)  # "... the total is twenty one"
    for n in range(min(5, len(words)), 0, -1):
        phrase = " ".join(words[-n:])
        if re.search(rf"{re.escape(words[-1])}[\s.!]*\Z", tail) and words_to_number(phrase) is not None:
            return Extraction(phrase, "last_number", context=line)
    spans = math_spans(tail)
    if spans and not tail[spans[-1][1]:].strip(" \t\n.!"):  # "Answer \\( (9+1) \\)": a closed span ends it
        return Extraction(spans[-1][2].strip(), "last_number", context=line)
    if not _FINISHED.search(tail):  # cut off mid-sentence: no final answer
        return None
    choice = _TRAILING_CHOICE.search(tail)
    if choice:
        return Extraction(choice.group(1), "last_number", context=line)
    # A finished last sentence: its last number or math span, with at most MAX_WORDS_AFTER words
    # after it ("So 48 + 24 = 72 clips were sold in May.", "Therefore $x \\geq 5$ is the solution."),
    # or its last run of number words.
    sentence = _last_sentence(tail)
    # "So we get 3, as expected.": a remark without a number is no answer; one with a number may state it
    # ("..., so its speed is 60 km/h.").
    remark = _REMARK.search(mask_spans(sentence))
    cut = remark is not None and remark.start() > 0 and not re.search(r"\d", sentence[remark.start():])
    found = final_element(sentence[:remark.start()] + "." if remark and cut else sentence)
    if found is not None:
        return Extraction(found, "last_number", context=sentence)
    words = re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", sentence)
    for end in range(len(words), max(0, len(words) - MAX_WORDS_AFTER - 1), -1):
        for start in range(max(0, end - 5), end):
            phrase = " ".join(words[start:end])
            if words_to_number(phrase) is not None and words_to_number(" ".join(words[start - 1:end]) if start else "") is None:
                return Extraction(phrase, "last_number", context=sentence)
    return None


def _whole(text: str) -> Extraction | None:
    text = bold.group(1) if (bold := re.fullmatch(r"\*\*([^*]+)\*\*", text.strip())) else text  # "**3**" alone
    answer = whole_expression(text) if "####" not in text else None
    if not answer:
        return None
    # "5 6 7 8": numbers side by side are candidates, not a product ("1 000 000" is one number).
    listed = re.search(r"(?<![\d.])\d+(?:\s+\d+){2,}(?![\d./])", answer)
    hedge = listed is not None and not re.fullmatch(r"\d{1,3}(?:\s+\d{3})+", listed.group(0))
    return Extraction(answer, "whole", "a list of candidate numbers" if hedge else None)


_EXTRACTORS = {"boxed": _boxed, "whole": _whole, "answer_tag": _answer_tag, "gsm8k": _gsm8k, "answer_phrase": _answer_phrase,
               "bold": _bold, "last_number": _last_number}


def _locate(text: str, answer: str) -> tuple[int, int] | None:
    """Where ``answer`` is last written in ``text``, whole (the "3" of "13" is not it), if it is."""
    pattern = ("(?<![\\d.])" if answer[:1].isdigit() else "") + re.escape(answer) + ("(?!\\d)" if answer[-1:].isdigit() else "")
    matches = list(re.finditer(pattern, text))
    return matches[-1].span() if matches else None


_FRACTIONS = {"half": "1/2", "third": "1/3", "quarter": "1/4", "fourth": "1/4", "fifth": "1/5"}
_MIXED = re.compile(r"\}?\s+and\s+(?:a|one)?\s*(half|third|quarter|fourth|fifth|\d+/\d+)(?![\w/])", re.IGNORECASE)
_PERCENT_AFTER = re.compile(r" ?(?:\\?%|percent\b|pct\b)", re.IGNORECASE)
# A value restated in brackets: "3 (three)", "\\frac34 (75\\%)"; a bracketed number alone ("3 (4)") is a product.
_BRACKETED = re.compile(r"(.+?)\s*\(\s*([A-Za-z][A-Za-z\s-]*|[^()]*%)\s*\)")


def _restated(context: str, answer: str) -> tuple[str, str | None]:
    """(the answer, the value it is restated as): "3 (three)" is 3 restated; "\\frac14, or 25\\%" offers the other
    side of its one "or" (``MathVerifier`` accepts a restatement equal in value, and judges a different one a hedge)."""
    if (bracketed := _BRACKETED.fullmatch(answer.strip())) is not None and (
            "%" in bracketed.group(2) or words_to_number(bracketed.group(2)) is not None):
        return bracketed.group(1), bracketed.group(2)
    sides = re.split(r"\bor\b", context)
    if len(sides) != 2:
        return answer, None
    left = final_element(sides[0].rstrip(" ,;(") + ".")
    right = sides[1].strip(" ,;.()*")
    right = whole_expression(right) or right
    if answer.strip() == (left or "").strip():
        return answer, right
    return answer, left if answer.strip() in right else None


def extract(completion: str, strategies: tuple[Strategy, ...] = STRATEGIES, gold: str = "") -> Extraction:
    """The final answer of ``completion``; ``gold`` is used only to exempt its own words from hedging
    and to allow an estimate of a rounded gold (``math_hedge``)."""
    text = strip_tail(visible(completion[-MAX_SCAN:]))  # what is hidden or struck out is not read
    if ends_in_open_box(text):  # cut off inside its final \boxed{: no answer, whatever came before
        return Extraction(None, None)
    for name in strategies:
        found = _EXTRACTORS[name](text)
        if found is None or not found.answer:
            continue
        answer = found.answer
        span = found.span or _locate(text, answer)
        if found.extractor == "boxed" and (reason := boxes_not_whole(text, gold, several=found.hedge is not None)):
            return Extraction(answer, found.extractor, reason, span=span)
        if found.hedge is not None:
            return found
        hedge, alternative = hedge_in(found.context or answer, gold), None
        if hedge is None and re.search(r"[?？؟⁇‽⁈⁉]\Z", answer.rstrip(" $*")):  # "\\boxed{3?}", "The answer is 3?"
            hedge = "a question mark after the answer"
        restatement = None
        if hedge == "hedge word 'or'" or (hedge is None and "(" in answer):
            answer, restatement = _restated(found.context or answer, answer)
            hedge = None if restatement is not None else hedge
        if hedge is None and (mixed := re.fullmatch(r"(\d+)(.+)", answer.strip())) and (
                fraction := _MIXED.fullmatch(mixed.group(2))):  # "The answer is 3 and 1/2."
            answer = f"{mixed.group(1)}+{_FRACTIONS.get(fraction.group(1).lower(), fraction.group(1))}"
        elif hedge is None and span is not None and (fraction := _MIXED.match(text, span[1])):
            # "3 and a half" is 7/2 (a box then "and a half" is no whole answer); "3 and 1/2" too.
            if found.extractor == "boxed" or not re.fullmatch(r"\d+", answer.strip()):
                return Extraction(answer, found.extractor, "a fraction added after the answer", span=span)
            answer = f"{answer.strip()}+{_FRACTIONS.get(fraction.group(1).lower(), fraction.group(1))}"
            span = (span[0], fraction.end())
        if hedge is None and span is not None:
            # Read from prose (not from a box or tag that delimits it), the words after it count too
            # (``math_units.keeps_value``: "So there are 3 negatives." is no answer 3).
            around = surroundings(text, *span)
            hedge = not_whole(around, prose=found.extractor not in ("boxed", "answer_tag")) or qualified(around, answer, gold)
            if hedge is None:
                hedge, alternative = retracted(text, answer, *span)
            if _PERCENT_AFTER.match(around.after) and "%" not in answer:  # "\\boxed{3}\\%" is 3%: percent="fraction"
                answer += "\\%"
        if hedge is None and restatement is not None:  # MathVerifier accepts it only if both say the same value
            hedge, alternative = "a second value after 'or' or in brackets", restatement
        return Extraction(answer, found.extractor, hedge, alternative=alternative, span=span)
    return Extraction(None, None)
