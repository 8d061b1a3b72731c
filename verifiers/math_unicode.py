"""Unicode in a final answer, rewritten as the LaTeX and ASCII that ``math_normalize`` reads.

Symbols become LaTeX commands (√ π ∞ × ≤ ∪ ° ...), a vulgar fraction its quotient (3½ is 3 + 1/2),
zero-width characters go, and NFKC folds other fonts of a digit (full-width ３, 𝟑) into digits.
A superscript stays a power and a subscript a subscript (``10₂`` is ``10_{2}``, never 102; ``2ⁿ`` is
``2^{n}``, never 2n); circled, parenthesised and other compatibility forms that NFKC turns into digits
are set apart by spaces, so they never merge into a neighbouring number; another script's decimal digits
(Persian ۳, Devanagari ३) are digits, and a radical sign takes the whole number after it (``math_notations``).

Limits: only the symbols listed here are rewritten; any other non-ASCII character is left to NFKC and,
if still not ASCII, is passed on as it is. ASCII text is returned unchanged without any scan.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from .math_notations import radicals

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_VULGAR = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5",
           "⅗": "3/5", "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8"}
_UNICODE_SYMBOLS = {
    "π": "\\pi", "∞": "\\infty", "×": "\\times ", "·": "\\cdot ", "⋅": "\\cdot ",
    "÷": "\\div ", "−": "-", "–": "-", "‒": "-", "≤": "\\le ", "≥": "\\ge ", "≠": "\\ne ", "∪": "\\cup ",
    "∩": "\\cap ", "∅": "\\emptyset ", "°": "^\\circ ", "±": "\\pm ", "≈": "\\approx ", "∈": "\\in ",
    "º": "^\\circ ",  # the ordinal indicator, written for a degree sign (NFKC makes it the letter o)
    "℃": "^\\circ\\text{C}", "℉": "^\\circ\\text{F}",  # NFKC would make them "°C", which no pass reads
    "€": "\\$", "£": "\\$", "¥": "\\$", "₹": "\\$",  # a currency sign goes as \$ does (math_unit_names compares them)
    "¢": "\\text{ cents}",  # a unit after the value, compared as a unit (5¢ is not \$5)
    "٫": ".", "٬": ",", "٪": "%",  # the Arabic decimal and thousands separators and percent sign
    "\u2010": "-", "\u2011": "-",  # hyphens written for a minus
    "ℝ": "\\mathbb{R}",  # the reals, as \mathbb{R} reads (NFKC would make it the letter R)
    "△": "\\triangle ", "▵": "\\triangle ", "∠": "\\angle ", "¬": "\\neg ", "∨": "\\vee ", "∧": "\\wedge ",
    "∖": "\\setminus ",
}


def _script(char: str) -> str:
    """``^`` for a superscript character (² ⁿ ⁻), ``_`` for a subscript (₂ ᵢ), else ``""``."""
    tag = unicodedata.decomposition(char)
    return "^" if tag.startswith("<super>") else "_" if tag.startswith("<sub>") else ""


# Compatibility forms that NFKC folds into plain digits but that are no digits of the number
# they touch: circled and parenthesised numbers (① ⑴ ⒈), fractions (⅑), squared forms. Only
# other fonts of a digit (𝟑, full-width ３) may join a number.
_DIGIT_FONTS = ("<font>", "<wide>", "<narrow>")


def _apart(char: str) -> str:
    """``char``, or its digits set apart by spaces when it is such a compatibility form."""
    if char.isascii() or unicodedata.decomposition(char).startswith(_DIGIT_FONTS):
        return char
    if (digit := unicodedata.decimal(char, None)) is not None and not unicodedata.decomposition(char):
        return str(digit)  # a decimal digit of another script (Persian ۳, Devanagari ३): NFKC leaves it
    folded = unicodedata.normalize("NFKC", char)
    return f" {folded} " if re.search(r"\d", folded) else char


def normalize_unicode(text: str) -> str:
    """Unicode symbols to LaTeX, then NFKC. A superscript stays a power and a subscript a
    subscript (``10₂`` is ``10_{2}``, never 102; ``2ⁿ`` is ``2^{n}``, never 2n), and no other
    character that NFKC turns into a digit merges into a neighbouring number."""
    if text.isascii():  # nothing below touches ASCII (NFKC leaves it as it is)
        return text
    text = text.translate(_ZERO_WIDTH)
    for char, frac in _VULGAR.items():  # 3½ and 3 ½ are three and a half
        text = re.sub(rf"(\d)\s*{char}", rf"(\1+({frac}))", text).replace(char, f"({frac})")
    if "√" in text or "∛" in text or "∜" in text:
        text = radicals(text)
    for char, latex in _UNICODE_SYMBOLS.items():
        text = text.replace(char, latex)
    out = []
    for mark, run in itertools.groupby(text, key=lambda c: "" if c.isascii() else _script(c)):
        chars = "".join(run)
        out.append(f"{mark}{{{chars}}}" if mark else "".join(map(_apart, chars)))
    text = unicodedata.normalize("NFKC", "".join(out))
    if "π" in text:  # what NFKC made of another font's pi (math-italic 𝜋)
        text = text.replace("π", "\\pi ")
    return text.replace("⁄", "/").replace("−", "-")
