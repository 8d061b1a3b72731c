"""What stands around an extracted answer, as a reader sees it, and whether it leaves the answer whole.

``\\boxed{3}\\cdot 1000`` shows 3000, ``-\\,\\boxed{3}`` shows -3 and ``\\boxed{3}\\hphantom{}000``
shows 3000: a box (or a final number) is the answer only when what touches it does not make it an
operand, a digit of a longer number, a signed or bounded value.

- ``surroundings``: the text before and after the answer, flattened (``flatten``): LaTeX spacing
  (``\\,``, ``~``, ``\\quad``, ``\\hspace{..}``, ``\\left``) and any Unicode blank but a newline
  become one blank; what renders as nothing (empty groups ``{}``, ``\\hphantom{}``, font sizes ``\\tiny``, braces, ``$``,
  ``\\(``, ``\\]``, ``**``, ``<answer>`` and other tags, zero-width characters) is removed;
  wrappers (``\\text{..}``, ``\\mathrm{..}``, ``\\operatorname{..}``, ``\\phantom{..}``) are
  replaced by their content and ``\\textsuperscript{`` by ``^``. So
  ``\\boxed{3}\\operatorname{thousand}`` reads "3thousand" and ``\\text{-}\\boxed{3}`` "-3".
- ``not_whole``: why the answer is part of something larger, if it is. Before it: a sign, an
  operator or relation (``\\pm``, ``\\neg``, ``>``, ``\\le``; any command but ``BEFORE_COMMANDS``:
  ``=``, ``:``, arrows, ``\\in``, ...), a digit (on the same line), a decimal point (glued, after
  a digit on its line, a comma inside maths: ``1.\\,3`` is no 3), a letter glued to it (a product),
  a command whose argument it is (``\\frac{\\boxed{3}}{4}``), a word that changes its value
  ("negative", "minus", "twice", "half of", "the square root of", "10 to the"), a negated relation (``\\not=``). After it: a digit
  (glued or spaced on its line; ``²``, ``½``, full-width digits, ``.3`` set apart too), ``.5``, a
  power or subscript (also ``⁻¹``, ``ⁿ``; a root ``√2``, ``∞``, a prime ``′``), what follows a closing bracket
  round the answer (``(\\boxed{3})^2``), an operator or relation with an operand, a factorial or bracket inside maths,
  a ratio (``:4``), ``‰``, a thousands group after ``,``/``'``/``’``, a word that changes its value
  ("plus 1", "times ten", "divided by", "to the power of", "basis points", "in base 8", "below zero"; "3 times a
  week" is a count, not a product), a size word (``thousand``) or abbreviation (``k``, ``M``,
  ``万``), letters (of any script) glued to it that are no unit, a command outside
  ``AFTER_COMMANDS``; for an answer read from prose (``prose``, not a box or tag), a word set
  apart that ``math_units.keeps_value`` does not allow ("So there are 3 negatives."). Approximation
  signs (``\\approx``, ``\\sim``) are left to ``math_hedge``:
  whether an estimate counts depends on the gold.

Limits: ``WINDOW`` characters each side, cut at a paragraph break (a blank line); a math span
is found within that window only. Reading is by pattern, not by a TeX engine: a macro we do not
list counts as "more of the expression" after the answer, never as harmless.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from .math_spans import math_spans
from .math_units import VALUE_WORDS, is_unit, keeps_value

WINDOW = 150
NEAR = 60  # what touches the answer is judged in this many flattened characters each side
# Space as typeset: what a reader sees as one blank (or nothing) between two tokens.
_SPACE = (r"\\(?:left|right)\s*\.|[^\S\n]+|~|\\[,;:> ]|\\(?:quad|qquad|enspace|enskip|thinspace|medspace|thickspace"
          r"|negthinspace|negmedspace|negthickspace|space|nobreakspace|hfill|hfil|relax|displaystyle|textstyle"
          r"|scriptstyle|nonumber|notag)(?![a-zA-Z])|\\[hv]space\*?\s*\{[^{}]*\}"
          r"|\\(?:hskip|kern|mkern|mskip)\s*-?[\d.]+\s*[a-z]{2}")
# Renders as nothing of its own: a bracket size (``3\\left(2\\right)`` shows "3(2)"), a negative space (``1,\\!3`` shows "1,3"), empty groups and phantoms, group
# braces, math delimiters, markdown bold, tags; a wrapper's opening (its content stays, its closing brace goes
# with the braces).
_NOTHING = (r"\\!|\\(?:left|right|[bB]igg?[lrm]?|tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|huge|Huge)"
            r"(?![a-zA-Z])|\\[hv]?phantom\s*\{\s*\}|\\(?:textcolor|colorbox)\s*\{[^{}]*\}\s*\{|\\color\s*\{[^{}]*\}|\\[()\[\]]"
            r"|\\(?:text(?:rm|up|normal|bf|it|sf|tt|md)?|math(?:rm|bf|it|sf|tt|normal|bb)?|boldsymbol|bm|mbox|hbox"
            r"|operatorname\*?|emph|underline|overline|[hv]?phantom|smash|mathstrut|ensuremath)\s*\{"
            r"|[{}$]|\*\*|</?[A-Za-z_]+>|[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
# The leading lookahead fails fast on plain characters and single spaces (most of the text), before the
# alternatives are tried; runs of spaces are collapsed afterwards.
_TOKEN = re.compile(rf"(?=[\\{{}}$~*<\t\r\f\v\u0080-\uffff])(?:(?P<space>{_SPACE})|(?P<sup>\\textsuperscript\s*\{{)|(?P<sub>\\textsubscript\s*\{{)"
                    rf"|(?P<nothing>{_NOTHING})|(?P<keep>\\[a-zA-Z]+|\\.))")

_TOKEN_AS = {"space": " ", "sup": "^", "sub": "_", "nothing": ""}
_SPACES = re.compile(" {2,}")


def flatten(raw: str) -> str:
    """``raw`` as a reader sees its symbols (see the module docstring); newlines are kept."""
    return _SPACES.sub(" ", _TOKEN.sub(_read_token, raw))


def _read_token(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "keep":  # a space after a command name, so that letters after a dropped brace stay apart
        return match.group() + " " if match.group()[1:].isalpha() else match.group()
    return _TOKEN_AS[kind or "nothing"]


@dataclass(frozen=True)
class Surroundings:
    before: str  # flattened, from the start of the paragraph (at most WINDOW characters back)
    after: str  # flattened, to the end of the paragraph
    in_math: bool  # the answer sits inside a math span ($..$, \\(..\\), \\[..\\], $$..$$)
    opens_math: bool  # ... and opens it: what stands before the answer is outside that span


_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def surroundings(text: str, start: int, end: int) -> Surroundings:
    """What stands around ``text[start:end]``, within its paragraph."""
    before, after = text[max(0, start - WINDOW):start], text[end:end + WINDOW]
    if "\n" in before and (cut := list(_PARAGRAPH.finditer(before))):
        before = before[cut[-1].end():]
    if "\n" in after and (stop := _PARAGRAPH.search(after)) is not None:
        after = after[:stop.start()]
    window = text[start - len(before):end + len(after)]
    low, high = len(before), len(window) - len(after)
    spans = [(s, e) for s, e, _ in math_spans(window) if s <= low and e >= high and (s, e) != (low, high)]
    opens = any(_MATH_OPENING.fullmatch(window[s:low]) for s, _ in spans)
    return Surroundings(flatten(before), flatten(after), bool(spans), opens)


# A math span's opening delimiter and nothing else before the answer: "\\[ \\boxed{4} \\]", "$$\n\\boxed{7}".
_MATH_OPENING = re.compile(r"(?:\$\$?|\\[\[(])\s*")


# Commands that may stand right before an answer: arrows, "therefore", congruence, line breaks.
BEFORE_COMMANDS = frozenset({"Rightarrow", "rightarrow", "Longrightarrow", "longrightarrow", "implies", "to", "therefore",
                             "iff", "Leftrightarrow", "equiv", "in", "colon", "coloneqq", "hline", "item", "newline", "par",
                             "\\\\", "\\$", "\\#", "\\&", "approx", "sim", "simeq", "thickapprox", "cong", "doteq"})
# ... and right after it: units and percent, congruence, end-of-proof marks, approximations (math_hedge judges those).
AFTER_COMMANDS = frozenset({"\\%", "\\$", "\\\\", "\\&", "pmod", "bmod", "mod", "pod", "approx", "end", "newline", "hline",
                            "checkmark", "blacksquare", "square", "Box", "qed", "qedhere", "implies", "Rightarrow",
                            "therefore", "degree", "textdegree", "label", "tag", "ldots", "cdots", "dots", "dotsc", "dotsb"})
_RULE = re.compile(r"(?:^|\n)[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,})[ \t]*\Z")  # a markdown rule or heading underline
_OPERATOR = "+*/×÷·±∓-−–＋－∗⋅∙⨯✕／∕⁄"
# After the answer, a superscript sign or letter (``⁻¹``, ``ⁿ``), a root (``3√2``), infinity or a prime make it part of more.
_POWER_AFTER = re.compile(r"[\u2070-\u209f√∛∜∞′″‴]")
_RELATION = "<>≤≥≠≦≧⩽⩾＜＞≪≫≳≲⪆⪅≷≶"
_OPERAND = re.compile(r" ?(?:[\d.(\[{|\\$√]|[A-Za-z](?![A-Za-z]))")
# Abbreviated sizes, also the CJK ones ("3万" is 30,000).
_ABBREVIATION = re.compile(r"(?:k|K|M|B|bn|mn|mln|mil|thou|[十百千万萬亿億兆])(?![A-Za-z])")


_EMPHASIS = re.compile(r"(?:^|[\s(:])\*+\Z")  # markdown emphasis opening: "*\\boxed{3}*"
_GLUED_TO_BRACKET = re.compile(r"[\w)\]]\Z")
_FACTOR_BEFORE_BRACKET = re.compile(r"(?:[\d)\]]|\b[A-Za-z])\Z")
_COMMAND_BEFORE = re.compile(r"\\([a-zA-Z]+|.)\Z")
_NEGATED_RELATION = re.compile(r"\\not\s*(?:[=<>]|\\[a-zA-Z]+)\s*\Z")
# The negated relations written as one sign ("x ∉ \\boxed{\\{3\\}}"), or with a combining overlay (U+0338, U+20E5).
_NEGATED_SIGNS = frozenset("∉∌⊄⊅⊈⊉∤∦≢≁≄≇≉≭⊀⊁⋢⋣⋠⋡⊬⊭⊮⊯\u0338\u20e5")
_COMMAND_AFTER = re.compile(r"\\([a-zA-Z]+|.)")
_POINT_BEFORE = re.compile(r"\d\.\Z")
_SEPARATOR_BEFORE = re.compile(r"\d[.,]\Z")
_LETTER_BEFORE = re.compile(r"(?<![A-Za-z])[A-Za-z]\Z")
_WORD_OR_CLOSE_BEFORE = re.compile(r"[A-Za-z)\]]\Z")
_PERCENT_OR_DEGREE = re.compile(r"\\?%|\^ ?\\circ|(?:percentage|percent|pct)\b")
_DECIMALS = re.compile(r"[.,]\d")
_POINT_DIGIT = re.compile(r"\.\d")
_DECIMALS_SPACED = re.compile(r"[.,] ?\d")
_THOUSANDS = re.compile(r"[,'’] ?\d{3}\b")  # "3,000", "3'000" (Swiss), "3’000"
_DEGREE = re.compile(r"\^ ?(?:\\circ|\\prime|o\b|')")
_BRACKETED_FACTOR = re.compile(r"\( ?(?:[\d.\\(-]|[A-Za-z](?![A-Za-z]))")
# Letters of any script ("3ｋ" is no more a number than "3k"), without superscripts ("m²" is metres).
_LETTERS = re.compile(r"[^\W\d_\u00b2\u00b3\u00b9\u2070-\u209f]+")
_VALUE_WORD = re.compile(VALUE_WORDS, re.IGNORECASE)
# Words that make the answer part of a larger value, said in prose: "negative \\boxed{3}", "twice", "the square root of",
# "10 to the"; after it, "plus 1", "divided by 2", "to the power of 2", "in base 8", "basis points". A gold of -3 is not
# answered by "negative \\boxed{3}" either: the box holds 3, and a sign outside it is refused as "-\\boxed{3}" is.
_NUMBER_WORD = (r"(?:[\d$\\(√]|[A-Za-z]\b|(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
                r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|half|pi|e)\b)")
_VALUE_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:negative|minus|plus|twice|double|triple|thrice|half(?:\s+of)?|(?:a\s+)?(?:quarter|third)\s+of"
    r"|(?:(?:square|cube|fourth|fifth|nth|\w+th)\s+)?root\s+of|sqrt\s+of|(?:reciprocal|inverse|opposite|negative|factorial"
    r"|logarithm|log|ln|exponential|exp|sine|cosine|tangent|power|multiple|fraction|percent|square|cube)\s+of|percent\s+of"
    r"|to\s+the(?:\s+power(?:\s+of)?)?|raised\s+to(?:\s+the(?:\s+power(?:\s+of)?)?)?|times|divided\s+by|multiplied\s+by"
    r"|one\s+(?:over|in))\s*\Z", re.IGNORECASE)
_VALUE_AFTER = re.compile(
    rf"(?:[,;] ?)?(?:plus|minus|(?:times|over|mod|modulo|(?:less|more|fewer)(?:\s+than)?)\s+(?!an?\b){_NUMBER_WORD}|divided\s+by|multiplied\s+by|(?:to|raised\s+to)\s+the"
    r"|raised\s+to|to\s+(?:the\s+)?(?:power|base)|squared|cubed|factorial|per\s*mill?e|permille|basis\s+points?|bps"
    r"|(?:in|to)\s+base|base\s*\d|in\s+(?:binary|octal|hex(?:adecimal)?)|percent\s+of"
    r"|(?:below|under|beneath)\s+(?:zero|0|sea\s+level|freezing)"
    r"|(?:out\s+of|through|thru|to|in|and)\s+(?=\d)|[&|]\s*(?=\d))(?![A-Za-z])", re.IGNORECASE)  # "3 out of 4", "3 and 4"

# The last word of a _VALUE_BEFORE match is a literal word of its pattern: text that ends in any other word is not
# searched (a search tries every position). ASCII text only, as in ``math_hedge._ends_like_before``.
_VALUE_BEFORE_LAST_WORDS = frozenset(re.findall(r"[a-z]{2,}", re.sub(r"(?<!\\)\\[sSwWdDb]", " ", _VALUE_BEFORE.pattern)))


def last_word(text: str) -> str:
    """The run of ASCII lower-case letters that ``text`` ends with ("" if none): stripped from the end,
    where a search for ``[a-z]+\\Z`` would start a match at every letter of the text."""
    return text[len(text.rstrip(string.ascii_lowercase)):]


def _ends_like_value_before(body: str) -> bool:
    return not body.isascii() or last_word(body.rstrip().lower()) in _VALUE_BEFORE_LAST_WORDS


def _before(before: str, in_math: bool) -> str | None:
    stripped = before[-NEAR:].rstrip(" \n")
    gap = before[len(stripped):]
    spaced, same_line = bool(gap), "\n" not in gap
    # Patterns anchored at the end are searched from where their match can start (a search from the
    # first character tries every position): the same result, for a fraction of the cost.
    body = _RULE.sub("", stripped).rstrip(" \n") if stripped.rstrip(" \t")[-1:] in ("-", "*", "_", "=") else stripped
    if body.endswith("*") and _EMPHASIS.search(body):
        body = body.rstrip("*").rstrip(" \n")
    while body[-1:] in ("(", "["):  # "f(\\boxed{3})", "2(\\boxed{3})", "-(\\boxed{3})": what the bracket follows
        bracket_gap = len(body) - len(body[:-1].rstrip(" "))
        body = body[:-1].rstrip(" ")
        end = max(0, len(body) - 1)
        if (bracket_gap == 1 and _GLUED_TO_BRACKET.search(body, end)) or (in_math and _FACTOR_BEFORE_BRACKET.search(body, end)):
            return "the box is an argument or factor"
        spaced = True  # what the bracket is glued to was judged just above
    if "\\not" in body and _NEGATED_RELATION.search(body):  # "x \\not= \\boxed{3}" says x is not 3
        return "a negated relation before the answer"
    if body[-1:] in _NEGATED_SIGNS:
        return "a negated relation before the answer"
    command = _COMMAND_BEFORE.search(body, max(0, body.rfind("\\") - 1)) if "\\" in body else None
    if command is not None:
        name = command.group(1) if command.group(1).isalpha() else command.group()
        return None if name in BEFORE_COMMANDS else f"the answer follows \\{command.group(1)}"
    last = body[-1:]
    if last and last in _OPERATOR + _RELATION + "^_√|¬":
        if last == "–" and spaced:  # an en dash set apart is punctuation
            return None
        return f"a sign or operator before the answer ({last!r})"
    if body[-1:].isnumeric() and (same_line or in_math):
        return "a digit before the answer"
    if _ends_like_value_before(body) and (words := _VALUE_BEFORE.search(body)) is not None:
        return f"a word that changes its value before the answer ({words.group().strip()!r})"
    # "1.\\boxed{3}", "1.\\,3" and "1. 3" are 1.3 (or no number), ".3" is 0.3: never 3. A point on an earlier line
    # ends a sentence; "\\boxed{1},\\boxed{2}" is a list (a comma counts inside maths only: "$1{,}3$").
    two_last, last_one = max(0, len(body) - 2), max(0, len(body) - 1)
    if (not spaced and body[-1:] == ".") or (same_line and _POINT_BEFORE.search(body, two_last)) \
            or (in_math and _SEPARATOR_BEFORE.search(body, two_last)):
        return "a decimal point before the answer"
    if not spaced and (_LETTER_BEFORE.search(body, last_one) or (in_math and _WORD_OR_CLOSE_BEFORE.search(body, last_one))):
        return "a factor glued before the answer"
    if in_math and body[-1:] in (")", "]"):
        return "a factor before the answer"
    return None


def _after(after: str, in_math: bool, prose: bool) -> str | None:
    body = after[:NEAR].lstrip(" \n")
    gap = after[:len(after) - len(body)]
    spaced, same_line = bool(gap), "\n" not in gap
    if not body:
        return None
    if (sign := _PERCENT_OR_DEGREE.match(body)) is not None:  # "3\\%", "30^\\circ": what follows them counts too
        return _after(body[sign.end():], in_math, prose)
    first = body[0]
    if first in ")]":  # "(\\boxed{3})^2", "$(\\boxed{3}) + 1$": what follows the bracket round the answer counts
        return _after(body[1:], in_math, prose)
    # Also "²", "½", "３", and a second number ".3" set apart ("1 .3" is no 1).
    if (first.isnumeric() or (spaced and _POINT_DIGIT.match(body))) and (same_line or in_math):
        return "a digit after the answer"
    if (not spaced and _DECIMALS.match(body)) or (in_math and _DECIMALS_SPACED.match(body)) or _THOUSANDS.match(body):
        return "more digits after the answer"
    if (first in "^_" and not _DEGREE.match(body)) or _POWER_AFTER.match(first) or first in "‰‱" or re.match(r": ?\d", body):
        return "a power, subscript, ratio or per mille after the answer"
    if (words := _VALUE_AFTER.match(body)) is not None:
        return f"a word that changes its value after the answer ({words.group()!r})"
    # An operator with an operand after it ("+ 2", "- x", "/4"; a dash before a word is punctuation), a relation
    # ("3 < x" bounds x), a factorial or a bracketed factor: on the answer's line, or anywhere inside its maths.
    near = same_line or in_math
    if first in "+＋" and not body[1:].strip(" .!)*\n"):  # "\\boxed{3}+" ends it: "3 or more", a bound
        return "a plus sign after the answer"
    if near and first in _OPERATOR and _OPERAND.match(body, 1) is not None:
        return f"an operator after the answer ({first!r})"
    if (near and first in _RELATION) or (in_math and (first == "!" or _BRACKETED_FACTOR.match(body))) \
            or (not spaced and first in "(["):
        return f"the answer is an operand ({first!r} after it)"
    command = _COMMAND_AFTER.match(body)
    if command is not None:
        name = command.group(1) if command.group(1).isalpha() else command.group()
        return None if name in AFTER_COMMANDS else f"\\{command.group(1)} after the answer"
    word = _LETTERS.match(body)
    if word is not None:
        if _VALUE_WORD.fullmatch(word.group()) or _ABBREVIATION.match(word.group()):
            return f"a size word after the answer ({word.group()!r})"
        if not spaced and not is_unit(word.group(), in_text=True):
            return f"letters glued to the answer ({word.group()!r})"
        # A word set apart that may change the value ("3 negatives"); a capital on a later line starts a sentence.
        if prose and spaced and (same_line or not word.group()[0].isupper()) and not keeps_value(body):
            return f"a word after the answer that is no unit ({word.group()!r})"
    return None


def not_whole(around: Surroundings, prose: bool = False) -> str | None:
    """Why the answer is part of a larger expression or number, given what surrounds it, if it is."""
    # "The final answer is 8.\n$$\\boxed{8}$$": the point ends a sentence outside the box's maths; read as prose
    # ("8.$\\boxed{8}$" glued, or "8. $\\boxed{8}$" on one line, is still a decimal point).
    return _before(around.before, around.in_math and not around.opens_math) or _after(around.after, around.in_math, prose)
