"""Normalise a final answer (LaTeX, Unicode or plain text) into one plain syntax.

The output is what ``math_expr`` parses: ``sqrt(2)``, ``((1)/(2))``, ``pi``,
``oo``, ``^`` for powers, ``*`` for products, ``<=`` / ``>=`` / ``!=``, ``∪``
for unions, ``⦃ ⦄`` around sets (``\\{ \\}``), ``⟪ ⟫`` around matrices (rows
separated by ``;``, cells by ``&``) and ``%`` kept as a postfix mark.

Handled: ``\\frac \\dfrac \\tfrac \\cfrac`` (also ``\\frac12`` and mixed numbers
``3\\frac12``), ``\\sqrt`` and ``\\sqrt[n]``, ``\\pi \\cdot \\times \\div \\infty``,
``\\left \\right``, ``\\text{} \\mathrm{} \\textbf{} \\mbox{}``, degrees,
``\\% \\$``, thin spaces and thousands separators (``70\\,000``, ``1{,}000``,
``1,000,000``), scientific notation (``3.2e5``), Unicode (√ ² ½ π ∞ ≤, full-width
digits, zero-width characters; sub- and superscripts stay ``_{}`` and ``^{}``: ``math_unicode``), repeating
decimals (``0.1\\overline{6}``, ``0.\\dot{3}``: exact fractions), ordinals (``5\\text{th}``,
``3^{rd}``), number words (``twenty-one``), size words (``3 thousand``) and trailing units
(``math_units``); radical signs, repeating decimals written 0.(3) or 0.333... and names made of
points (``math_notations``); other scripts' decimal digits (۳, ३), currency signs, ``\\over``, ``\\nicefrac``,
``aligned``, ``vmatrix`` (a determinant: compared as written, never as the matrix). An ellipsis
(``...``, ``\\dots``) stays, as the symbol ``dots``: ``3...`` is not 3, ``1, 2, 3, \\ldots`` is a list
ending in it.

Limits: this is a rewriting pass, not a LaTeX parser; unknown commands keep
their name (``\\foo`` becomes ``foo``), which then fails to match a gold answer
rather than silently matching it.
"""

from __future__ import annotations

import re

from .math_notations import names_of_points, repeating_decimals, repeating_periods
from .math_unicode import normalize_unicode
from .math_units import SCALE_WORDS, is_unit, scale_words, strip_unit_tail, words_to_fraction, words_to_number

_TEXT_COMMANDS = ("text", "textbf", "textit", "textrm", "textnormal", "mathrm", "mathbf", "mathit", "mbox",
                  "operatorname", "mathsf", "mathtt", "mathcal", "mathscr", "mathfrak", "boldsymbol", "bm", "hbox",
                  "underline", "pmb")  # \\underline{3}, \\pmb{3}: 3 drawn underlined or bold
_DROP_COMMANDS = ("displaystyle", "textstyle", "left", "right", "bigl", "bigr", "Bigl", "Bigr",
                  "big", "Big", "bigg", "Bigg", "limits", "nolimits", "!", "quad", "qquad",
                  "scriptstyle", "scriptscriptstyle", "tiny", "scriptsize", "footnotesize", "small", "normalsize",
                  "large", "Large", "LARGE", "huge", "Huge")  # sizes and styles: the same digits, drawn differently
# A colour name and what \\hphantom / \\vphantom hide (drawn as nothing): \\color{red}{3}, \\hphantom{1}3 show 3.
# \\phantom{0} keeps a digit's place ("3\\phantom{0}" reads as glued digits), so it stays.
_FORMATTING = re.compile(r"\\(?:textcolor|color|colorbox|hphantom|vphantom)\s*\{[^{}]*\}")
_COMMANDS = {
    "pi": "pi", "infty": "oo", "infinity": "oo", "cdot": "*", "times": "*", "ast": "*", "div": "/",
    "leq": "<=", "le": "<=", "leqslant": "<=", "geq": ">=", "ge": ">=", "geqslant": ">=",
    "neq": "!=", "ne": "!=", "lt": "<", "gt": ">", "cup": "∪", "cap": "∩", "emptyset": "⦃⦄",
    "varnothing": "⦃⦄", "approx": "≈", "in": "∈", "pm": "±", "mp": "∓", "circ": "",
    "degree": "", "ln": "ln", "log": "log", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan",
    "cot": "cot", "sec": "sec", "csc": "csc", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "lfloor": "floor(", "rfloor": ")",
    "lceil": "ceil(", "rceil": ")", "mid": "|", "vert": "|", "lvert": "|", "rvert": "|",
    "langle": "(", "rangle": ")", "colon": ":", "to": "->", "rightarrow": "->", "implies": "=>",
    "dots": "dots", "ldots": "dots", "cdots": "dots",  # an ellipsis is one symbol, never a unit
    "lnot": "neg", "lor": "vee", "land": "wedge", "backslash": "setminus",  # one name for each logic and set sign
}
_TRIG = r"(sin|cos|tan|sec|csc|cot)"
# A degree sign: ^\circ, ^{\circ} (a brace only with its pair: \text{°} is \text{^\circ }), \degree, ^{\text{o}};
# a temperature scale after it goes with it (3^\circ C, 3 ℃).
_DEGREE_SIGN = r"(?:\^\s*(?:\{\s*\\circ\s*\}|\\circ(?![a-zA-Z]))|\\degree(?![a-zA-Z])|\^\s*\{\s*\\text\{\s*o\s*\}\s*\})"
_DEGREE = re.compile(_DEGREE_SIGN + r"(?:\s*(?:\\text\s*\{\s*[CF]\s*\}|[CF](?![A-Za-z])))?")
_DEGREES = re.compile(_TRIG + r"(\s*(?:\^\s*\{?\s*\d\s*\}?)?\s*\(?\s*)(\d+(?:\.\d+)?)\s*" + _DEGREE_SIGN)  # sin^2 30°
_INVERSE = re.compile(r"(?<![a-z])(sinh|cosh|tanh|sin|cos|tan|sec|csc|cot)\s*\^\s*(?:\(\s*-\s*1\s*\)|-\s*1(?![\d.]))")
# A space glued to what follows ("\\quadx_2 = 5", a gold's typo) is still a space: x_2 is then a label.
_DROP = re.compile(r"\\(?:" + "|".join(re.escape(c) for c in _DROP_COMMANDS) + r")(?![a-zA-Z])|\\q?quad")
_COMMAND = re.compile(r"\\([a-zA-Z]+)")
_SPACING = re.compile(r"\\[,;:> ]|\\thinspace|~")
# Words a trailing-unit strip must never remove: they are maths, not units.
_MATH_WORDS = frozenset({"pi", "oo", "sqrt", "root", "ln", "log", "exp", "sin", "cos", "tan", "cot",
                         "sec", "csc", "asin", "acos", "atan", "sinh", "cosh", "tanh", "floor",
                         "ceil", "binom", "abs", "i", "e"})
# A \\text{..} right after a value: dropped when it holds a known unit (``math_units``), kept otherwise;
# also a compound one (\\text{cm}/\\text{s}, \\mathrm{m\\,s^{-1}}, \\text{kg}\\cdot... is not: only "/" joins).
_UNIT_BODY = r"([a-zA-Z](?:[a-zA-Z./ ]|\\[,;: ]|\^\s*\{?\s*-?\s*[1-3]\s*\}?)*)"
_UNIT_COMMAND = r"\\(?:text|mbox|mathrm|textrm|textnormal|rm)\s*\{(?!\s*(?:or|and|not)\b)\s*" + _UNIT_BODY + r"\}"
_UNIT_POWER = r"(?:\s*\^\s*\{?\s*-?\s*[1-3]\s*\}?)?"
_TEXT_UNIT = re.compile(r"(?<=[\w})])(?:\s|\\ |\\,|\\;|~)*" + _UNIT_COMMAND + _UNIT_POWER
                        + r"(?:\s*/\s*" + _UNIT_COMMAND + _UNIT_POWER + ")?")


def _unit_phrase(match: re.Match[str]) -> str:
    """``m\\,s^{-1}`` -> ``m s``, ``cm`` and ``s`` (two commands) -> ``cm/s``: the words ``is_unit`` judges."""
    phrase = "/".join(part for part in match.groups() if part)
    return re.sub(r"\\[,;: ]|\^\s*\{?\s*-?\s*[1-3]\s*\}?", " ", phrase)


def _drop_text_unit(match: re.Match[str]) -> str:
    return "" if is_unit(_unit_phrase(match), in_text=True) else match.group(0)


def _drop_gold_text(match: re.Match[str]) -> str:
    """A gold is trusted: its own words after the value go ("17 \\text{ any text}"), a size word stays."""
    return match.group(0) if re.search(rf"(?i)\b{SCALE_WORDS}\b", _unit_phrase(match)) else ""


def _matching_brace(text: str, open_index: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``open_index``, or -1."""
    depth = 0
    for i in range(open_index, len(text)):
        if text[i] == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return i
    return -1


def _take_argument(text: str, start: int) -> tuple[str, int] | None:
    """One LaTeX argument at ``start``: ``{...}``, or a single character/command. (arg, end)."""
    while start < len(text) and text[start] == " ":
        start += 1
    if start >= len(text):
        return None
    if text[start] == "{":
        end = _matching_brace(text, start)
        return None if end < 0 else (text[start + 1:end], end + 1)
    if text[start] == "\\":
        match = re.match(r"\\[a-zA-Z]+", text[start:])
        if match:
            return match.group(0), start + match.end()
    return text[start], start + 1


def _rewrite_command(text: str, name: str, arity: int, render, optional: bool = False) -> str:
    """Replace ``\\name{a}{b}`` (``arity`` arguments, optional ``[n]``) by ``render(args, opt)``."""
    if f"\\{name}" not in text:  # the common case, and the cheap way to find it
        return text
    out, pos = [], 0
    pattern = re.compile(rf"\\{name}(?![a-zA-Z])")
    while True:
        match = pattern.search(text, pos)
        if match is None:
            break
        cursor, opt = match.end(), None
        if optional and text[cursor:cursor + 1] == "[":
            close = text.find("]", cursor)
            if close > 0:
                opt, cursor = text[cursor + 1:close], close + 1
        args = []
        for _ in range(arity):
            arg = _take_argument(text, cursor)
            if arg is None:
                break
            args.append(arg[0])
            cursor = arg[1]
        if len(args) < arity:  # malformed ("5\\sqrt", "\\frac{1}"): a command short of its arguments is no value
            out.append(text[pos:match.start()] + " ⊥ ")
            pos = match.end()
            continue
        out.append(text[pos:match.start()])
        out.append(render(args, opt, text[:match.start()]))
        pos = cursor
    out.append(text[pos:])
    return "".join(out)


def _render_frac(args: list[str], _opt: str | None, before: str) -> str:
    num, den = (normalize_latex(a) for a in args)
    # 3\frac{1}{2} is the mixed number 3 1/2 when every part is an integer; 2\frac{2}{2} (a numerator not
    # below the denominator) is no number at all, as "2 2/2" is not (``_mixed_number``).
    if re.search(r"(?:^|[^\d.^_])\d+\s*$", before) and num.isdigit() and den.isdigit():
        return f"+{num}/{den})" if int(num) < int(den) else "⊥"
    return f"(({num})/({den}))"


def _render_sqrt(args: list[str], opt: str | None, _before: str) -> str:
    inner = normalize_latex(args[0])
    # A leading space, so that "\\pm\\sqrt{5}" cannot fuse into one command "\\pmsqrt".
    return f" root({inner},{normalize_latex(opt)})" if opt else f" sqrt({inner})"


def _mixed_numbers(text: str) -> str:
    """Open the parenthesis that ``_render_frac`` closes for a mixed number: ``3+1/2)`` -> ``(3+1/2)``."""
    return re.sub(r"(?<![\d.])(\d+)\s*\+(\d+/\d+)\)", r"(\1+\2)", text)




# Digit groups joined by LaTeX's thousands separators ``{,}`` and ``,\\!``.
_GROUPED = re.compile(r"(?<![\d.])\d+(?:\s*(?:\{\s*,\s*\}|,\s*\\!)\s*\d+)+")
_GROUP_SEPARATOR = re.compile(r"\s*(?:\{\s*,\s*\}|,\s*\\!)\s*")


def _join_groups(match: re.Match[str]) -> str:
    """One number when the groups are thousands (``1{,}000{,}000``) or Indian lakhs (``56,\\!01,\\!78,\\!760``):
    groups of three, or of two then a last of three. Anything else stays apart: ``1,\\!3`` is no 13."""
    first, *rest = _GROUP_SEPARATOR.split(match.group())
    sizes = [len(g) for g in rest]
    western = len(first) <= 3 and set(sizes) == {3}
    indian = len(first) <= 2 and sizes[-1] == 3 and set(sizes[:-1]) <= {2}
    return first + "".join(rest) if western or indian else match.group()


# Compiled once: normalising runs several times per answer, and ``re.sub`` with a pattern string pays a
# cache lookup per call.
_DOUBLED_ESCAPE = re.compile(r"(?<!\\)\\\\(?=[a-zA-Z])")
_ARRAY_OPEN = re.compile(r"(?:\\left)?\s*[\[(]\s*\\begin\{array\}\{[^}]*\}")
_ARRAY_CLOSE = re.compile(r"\\end\{array\}\s*(?:\\right)?\s*[\])]")
_MATRIX_OPEN = re.compile(r"\\begin\{[pbvBV]?matrix\}")
_MATRIX_CLOSE = re.compile(r"\\end\{[pbvBV]?matrix\}")
_ARRAY_BARE = re.compile(r"\\begin\{array\}\{[^}]*\}|\\end\{array\}")
_THIN_THOUSANDS = re.compile(r"(\d)\s*(?:\\[,;:!]|\\thinspace|~|\\ )\s*(?=\d{3}(?!\d))")
_BINOM_VARIANT = re.compile(r"\\[dt]binom(?![a-zA-Z])")
_CHOOSE = re.compile(r"\{([^{}]*)\\choose(?![a-zA-Z])([^{}]*)\}")
_INVISIBLE_DELIMITER = re.compile(r"\\(?:left|right)\s*\.")
_FRAC_VARIANT = re.compile(r"\\(?:[dtc]frac|nicefrac)(?![a-zA-Z])")
_OVER = re.compile(r"\{([^{}]*)\\over(?![a-zA-Z])([^{}]*)\}")
_CURRENCY = re.compile(r"\\pounds(?![a-zA-Z])|\b(?:US|[ACR]|AU|NZ|HK|S)\\\$")
_ALIGNED = re.compile(r"\\begin\{(aligned|align\*?|gathered|gather\*?|split)\}(.*?)\\end\{\1\}", re.DOTALL)
_DETERMINANT = re.compile(r"\\begin\{[vV]matrix\}(.*?)\\end\{[vV]matrix\}", re.DOTALL)
_REALS_BUT = re.compile(r"\\mathbb\s*\{?\s*R\s*\}?\s*\\setminus\s*\\\{\s*(-?\d+(?:\.\d+)?)\s*\\\}")
_DELIMITERS = re.compile(r"\\[()\[\]]")  # \( \) \[ \] math delimiters
_REALS = re.compile(r"\\mathbb\s*\{?\s*R\s*\}?")
# \mathbb{Z}, \mathbb Z: the letter, as NFKC reads ℤ (and \mathbf{Z} reads Z); \Delta ABC: a triangle's name.
_BLACKBOARD = re.compile(r"\\mathbb\s*(?:\{\s*([A-Z])\s*\}|([A-Z])(?![A-Za-z]))")
_DELTA_TRIANGLE = re.compile(r"\\Delta\s*(?=\{?[A-Z]{3}\}?(?![A-Za-z]))")
_SIGN_BRACES = re.compile(r"\\(triangle|angle|measuredangle|neg|lnot)\s*\{\s*(\w+)\s*\}")
_BLANKS = re.compile(r"\s+")


def normalize_latex(text: str) -> str:
    """LaTeX to plain syntax, without unit stripping or number words (see ``normalize``)."""
    # Every rewrite but the separators, "$" and the braces needs a backslash (or "~"): plain text skips them.
    latex = "\\" in text
    if "." in text and ("(" in text or "dots" in text or "..." in text):  # 0.(3), 0.333...
        text = repeating_periods(text)
    if latex:
        # A test file's doubled escapes ("\\\\frac" for "\\frac"); a row break "\\\\" is never
        # followed directly by a letter. A lone trailing backslash is a typo.
        text = _DOUBLED_ESCAPE.sub(r"\\", text).rstrip("\\")
        if "\\left." in text or "\\right." in text:  # an invisible delimiter: \\left.3\\right. is 3
            text = _INVISIBLE_DELIMITER.sub(" ", text)
        if "color" in text or "phantom" in text:
            text = _FORMATTING.sub(" ", text)
        if "\\overline" in text or "\\bar" in text or "\\dot" in text:
            text = repeating_decimals(text)
        if "frac" in text:
            text = _FRAC_VARIANT.sub(r"\\frac", text)
        if "\\over" in text:  # {3 \\over 4}, TeX's own fraction; \\overrightarrow{AB}, a vector's name
            text = _OVER.sub(r"\\frac{\1}{\2}", text)
            text = names_of_points(text)
        if "\\pounds" in text or "\\$" in text:  # \\pounds 3, US\\$3: currency signs, as \\$ goes
            text = _CURRENCY.sub(r"\\$", text)
        if "\\begin" in text and ("align" in text or "gather" in text or "split" in text):
            text = _ALIGNED.sub(lambda m: m.group(2).replace("&", ""), text)  # \\begin{aligned}x&=3\\end{aligned}
        if "vmatrix" in text or "Vmatrix" in text:  # a determinant (or a norm) is a number, never the matrix of its entries
            text = _DETERMINANT.sub(r"det⟪\1⟫", text)
        if "setminus" in text:  # \\mathbb{R}\\setminus\\{0\\}: the reals but one point
            text = _REALS_BUT.sub(r"(-\\infty,\1)\\cup(\1,\\infty)", text)
        if "\\vec" in text or "\\wide" in text or "arc" in text:  # \\vec{AB}, \\widehat{ABC}, \\arc{AB}
            text = names_of_points(text)
        if "binom" in text or "choose" in text:  # \dbinom{5}{2}, {5 \choose 2}
            text = _CHOOSE.sub(r"\\binom{\1}{\2}", _BINOM_VARIANT.sub(r"\\binom", text))
        if "circ" in text or "degree" in text:  # \sin 30^\circ: a trigonometric function of degrees
            text = _DEGREES.sub(r"\1\2((\3)*\\pi/180)", text)
        if "{array}" in text:  # \left[\begin{array}{cc} ... \end{array}\right]: a matrix
            text = _ARRAY_CLOSE.sub("⟫", _ARRAY_OPEN.sub("⟪", text))
        if "\\begin" in text or "\\end" in text:
            text = _ARRAY_BARE.sub("", _MATRIX_CLOSE.sub("⟫", _MATRIX_OPEN.sub("⟪", text)))
        text = text.replace("\\\\", ";")
    if "," in text:  # 1{,}000, MATH's 1,\!000 and 56,\!01,\!78,\!95,\!760
        text = _GROUPED.sub(_join_groups, text)
    if latex or "~" in text:
        text = _SPACING.sub(" ", _THIN_THOUSANDS.sub(r"\1", text))
    if latex:
        text = _DEGREE.sub("", text).replace("\\%", "%").replace("\\$", "")
    text = text.replace("$", "")
    if latex:
        text = _REALS.sub("(-oo,oo)", _DELIMITERS.sub(" ", text))  # all reals
        if "\\mathbb" in text or "\\Delta" in text:
            text = _DELTA_TRIANGLE.sub(r"\\triangle ", _BLACKBOARD.sub(lambda m: f" {m.group(1) or m.group(2)} ", text))
        if "angle" in text or "neg" in text:  # \\triangle{ABC} is \\triangle ABC: braces after a sign group nothing
            text = _SIGN_BRACES.sub(r"\\\1 \2 ", text)
        text = text.replace("\\{", "⦃").replace("\\}", "⦄")
        for name in _TEXT_COMMANDS:
            text = _rewrite_command(text, name, 1, lambda a, _o, _b: f" {a[0]} ")
        text = _rewrite_command(text, "frac", 2, _render_frac)
    if "+" in text and ")" in text:
        text = _mixed_numbers(text)
    if latex:
        text = _rewrite_command(text, "sqrt", 1, _render_sqrt, optional=True)
        text = _rewrite_command(text, "binom", 2,
                                lambda a, _o, _b: f" binom({normalize_latex(a[0])},{normalize_latex(a[1])})")
        if "\\" in text:
            text = _DROP.sub(" ", text)
            text = _COMMAND.sub(lambda m: f" {_COMMANDS.get(m.group(1), m.group(1))} ", text)
    text = text.replace("{", "(").replace("}", ")").replace("**", "^")
    if "^" in text:  # sin^(-1) is arcsin, not 1/sin; an inverse we do not evaluate (sec^(-1)) is no expression
        text = _INVERSE.sub(lambda m: f" a{m.group(1)} " if m.group(1) in ("sin", "cos", "tan") else " ⊥ ", text)
    return _BLANKS.sub(" ", text).strip()


_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d,.])")
# Not right after an opening bracket: "(3,141)" is a pair, not 3141.
_COMMA_THOUSANDS = re.compile(r"(?<![\d.,(\[⦃])(\d{1,3}(?:,\d{3})+)(?![\d,]|\.\d*,)")


_APOSTROPHE_THOUSANDS = re.compile(r"(?<![\d.'])\d{1,3}(?:'\d{3})+(?![\d'])")  # Swiss 3'000


def _strip_thousands(text: str) -> str:
    """``1,234,567``, ``1 234 567`` and ``1'234'567`` -> ``1234567`` (groups of exactly three digits; not
    inside longer lists)."""
    if "'" in text:
        text = _APOSTROPHE_THOUSANDS.sub(lambda m: m.group(0).replace("'", ""), text)
    text = _SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _COMMA_THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), text)


_SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?|\.\d+)\s*[eE]\s*([+-]?\d+)(?![\w.])")
_ELLIPSIS = re.compile(r"\.{3,}")
_LEADING_SIGN = re.compile(r"^(?:=|≈|#)\s*")
_TIMES_X = re.compile(r"(?<=[\d)])\s+x\s+(?=[-\d(])")  # 6 x 7
_AND = re.compile(r"(?<=[\w)\]⦄])\s*,?\s+and\s+(?=[-\w(\[⦃])")
_DIGIT_OR_EQUALS = re.compile(r"[\d=]")
_PERCENT_WORD = re.compile(r"(?<=[\d)])\s*(?:percentage|percent|pct)\b")
_SIDE_BY_SIDE = re.compile(r"(?<![\w.^])(\d+(?:\.\d+)?)\s+(?=\d)")
_LETTER = re.compile(r"[A-Za-z]")
_SURD = re.compile(r"\\surd(?![a-zA-Z])")


def normalize(text: str, *, strip_units: bool = True, gold: bool = False) -> str:
    """The full pass: Unicode, LaTeX, separators, scientific notation, number words, units.
    ``gold``: any ``\\text{}`` words after the value are dropped (a completion may drop only units).
    Each step runs only where a character its pattern needs is present (the same output, cheaper)."""
    if "\\surd" in text:  # TeX's radical sign, drawn as √
        text = _SURD.sub("√", text)
    text = normalize_unicode(text)
    if strip_units and "\\" in text:  # 5\text{ cm}^2: a unit in a text command right after a value
        text = _TEXT_UNIT.sub(_drop_gold_text if gold else _drop_text_unit, text)
    text = normalize_latex(text)  # from here on every blank is one space
    if " " in text or "," in text or "'" in text:
        text = _strip_thousands(text)
    if "e" in text or "E" in text:
        text = _SCIENTIFIC.sub(r"(\1*10^(\2))", text)
    # A full stop ends a sentence; an ellipsis ("3...", "1, 2, ...") is a symbol that stays, and a
    # question mark stays too (the extractor judges "3?" a hedge).
    if "..." in text:
        text = _ELLIPSIS.sub(" dots ", text.strip())
    text = text.strip()
    text = text[:-1].rstrip() if text.endswith(".") else text
    if text[:1] in ("=", "≈", "#"):
        text = _LEADING_SIGN.sub("", text)
    if " x " in text:
        text = _TIMES_X.sub(" * ", text)
    if "st" in text or "nd" in text or "rd" in text or "th" in text:
        text = _ORDINAL.sub(_ordinal, text)
    if " and " in text and _DIGIT_OR_EQUALS.search(text):  # "1 and 2", "19, 46, and 82", "p=-1 and p=15/8"
        text = _AND.sub(", ", text)
    if "p" in text:
        text = _PERCENT_WORD.sub("%", text)
    if "/" in text:
        text = _MIXED.sub(_mixed_number, text)
    # Two numbers side by side ("3 4", LaTeX's "2 3" that prints 23) are no product and no number.
    # A subscript or a power is no such number ("log_2 8").
    if " " in text:
        text = _SIDE_BY_SIDE.sub(r"\1 ⊥ ", text)
    if not _LETTER.search(text):  # what follows reads words: size, number and fraction words, units
        return text
    text = scale_words(text)  # "3 thousand" is 3000: a size word never vanishes as a unit would
    number = words_to_number(text)
    if number is not None:
        return str(number)
    fraction = words_to_fraction(text) if len(text) < 60 else None
    if fraction is not None:
        return fraction
    if strip_units:
        text = strip_unit_tail(text, _MATH_WORDS)
    return text


# An ordinal's suffix, written plain, in \\text{} or raised: 5th, 5\\text{th}, 3^{\\text{rd}}, 1^{st}.
_ORDINAL = re.compile(r"(?<![\w.])(\d+)\s*(?:\^\s*\(\s*(st|nd|rd|th)\s*\)|\^\s*(st|nd|rd|th)|(st|nd|rd|th))"
                      r"(?![A-Za-z])")


def _ordinal(match: re.Match[str]) -> str:
    """The number of an ordinal whose suffix is its own (3rd, 11th); a wrong suffix (3th) stays."""
    number = int(match.group(1))
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return match.group(1) if suffix in match.groups()[1:] else match.group(0)


# "4 4/9" is 4 + 4/9; "11 6/6" (numerator >= denominator) is no number at all.
_MIXED = re.compile(r"(?<![\d.,/^])(\d+)\s+(\d+)/(\d+)(?![\d./^])")


def _mixed_number(match: re.Match[str]) -> str:
    whole, num, den = match.groups()
    return f"({whole}+{num}/{den})" if int(num) < int(den) else "⊥"
