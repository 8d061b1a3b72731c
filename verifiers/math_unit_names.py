"""The unit an answer states, in one spelling: ``5 \\text{ kilometers}`` and ``5 km`` both state ``km``.

``strip_units`` drops a known unit after a number (``math_units``), so ``5 kg`` and ``5 g`` both read
as 5. ``stated_unit`` recovers what was dropped, so that a completion whose unit differs from the
gold's is wrong (``MathVerifier``). It answers None unless every word of the unit is a listed unit
(``UNITS``, the single-letter ones, ``per``, ``square``/``cubic``): a counted noun ("5 apples"), the
generic "units" and a gold's free words say nothing to compare. No conversion: ``5000 m`` for
``5 km`` was 0 before (5000 is not 5) and stays 0. A degree sign with no scale matches a degree with
one (``30^\\circ`` and ``30^\\circ C``). Limits: English names only; a unit missing from ``_SAME``
compares as its lower-case singular spelling, so two spellings of one unrecorded unit differ.
"""

from __future__ import annotations

import re

from .math_normalize import normalize
from .math_units import SINGLE_LETTER_UNITS, UNITS, singulars

_GROUPS = {
    "mm": "mm millimeter millimetre", "cm": "cm centimeter centimetre", "km": "km kilometer kilometre",
    "m": "m meter metre", "um": "um µm", "in": "in inch", "ft": "ft foot feet", "yd": "yd yard",
    "mi": "mi mile", "mg": "mg milligram", "kg": "kg kilogram", "g": "g gram", "lb": "lb lbs pound",
    "oz": "oz ounce", "ml": "ml milliliter millilitre cc", "L": "l L liter litre", "gal": "gal gallon",
    "tsp": "tsp teaspoon", "tbsp": "tbsp tablespoon", "ms": "ms", "s": "s sec second",
    "min": "min minute", "h": "h hr hour", "yr": "yr year", "km/h": "kph kmh kmph", "mph": "mph",
    "dollar": "dollar usd", "cent": "cent", "pence": "pence penny", "euro": "euro eur",
    "gbp": "gbp", "yen": "yen", "rupee": "rupee rs", "degree": "degree deg", "rad": "rad radian",
    "degree C": "celsius", "degree F": "fahrenheit", "kelvin": "kelvin",
}
_SAME = {word: name for name, words in _GROUPS.items() for word in words.split()}
_POWER_WORDS = {"square": "2", "sq": "2", "cubic": "3", "cu": "3"}
_SYMBOLS = {"\\$": "dollar", "€": "euro", "£": "gbp", "¥": "yen", "¢": "cent", "℃": "degree C", "℉": "degree F"}
# A degree sign (or a temperature's) at the very end: "30^\circ", "5°C"; inside "\sin 30^\circ" it is no unit.
_DEGREE_END = re.compile(r"(?:\^\s*\{?\s*\\circ\s*\}?|°|\\degree)\s*(?:\\(?:text|mathrm|rm)\s*\{\s*([CF])\s*\}|([CF]))?\s*\}?\s*\Z")


def _word(word: str) -> str | None:
    """One word's unit name, or None when it is no listed unit."""
    if len(word) == 1:
        return _SAME.get(word) if word in SINGLE_LETTER_UNITS else None
    for form in sorted(singulars(word.lower()), key=len, reverse=True):
        if form in _SAME:
            return _SAME[form]
    return word.lower() if word.lower() in UNITS and word.lower() not in ("unit", "units") else None


def _phrase(tail: str) -> str | None:
    """``square centimeters`` -> ``cm^2``, ``meters per second`` -> ``m/s``; None for anything unlisted."""
    tail = re.sub(r"\s*\^\s*\(?\s*(-?\d)\s*\)?", r"^\1", tail.strip())
    parts = []
    for part in re.split(r"\s*/\s*|\s+per\s+", tail):
        words, power = part.split(), ""
        if words and words[0].lower().rstrip(".") in _POWER_WORDS:  # "sq. cm" as "sq cm"
            power, words = "^" + _POWER_WORDS[words[0].lower().rstrip(".")], words[1:]
        names = []
        for word in words:
            base, _, exponent = word.partition("^")
            name = _word(base)
            if name is None:
                return None
            names.append(name + (f"^{exponent}" if exponent else power))
        if not names:
            return None
        parts.append(" ".join(names))
    return "/".join(parts)


def stated_unit(answer: str) -> str | None:
    """The unit ``answer`` states after its value, in one spelling, or None (see the module docstring)."""
    for symbol, name in _SYMBOLS.items():
        if symbol in answer:
            return name
    degree = _DEGREE_END.search(answer)
    if degree and not re.search(r"[A-Za-z\\]", answer[:degree.start()]):  # "\sin 30^\circ" is a number
        scale = degree.group(1) or degree.group(2)
        return f"degree {scale}" if scale else "degree"
    kept, stripped = normalize(answer, strip_units=False), normalize(answer)
    if kept == stripped or not kept.startswith(stripped):
        return None
    return _phrase(kept[len(stripped):])


# What may follow a box as its unit, up to the end of the clause ("\\boxed{5} kg." is 5 kg; in "\\boxed{5} kg of
# flour" or "\\boxed{5} in total" no unit is read): TeX spacing (\\, ~ \\ \\; \\: \\quad), then a text command,
# a sign (¢ ℃ ℉) or up to three words, each with an optional exponent (^2, ^{2}, ²), or a degree sign with its
# scale (°F, ^\\circ\\text{F}); the unit may also stand in brackets ("(kg)", "(in kg)").
_SPACE = r"(?:[ \t~]|\\[,;:> ]|\\(?:q?quad|enspace|thinspace)(?![A-Za-z]))*"
_TEXT = r"\\(?:text|mathrm|mbox|textrm|rm|operatorname)\s*\{[^{}]{1,40}\}"
_POWER = r"(?:\s*\^\s*(?:\{\s*-?\d\s*\}|-?\d)|[²³])?"
_DEGREE = r"(?:\^\s*\{?\s*\\circ\s*\}?|°|\\degree(?![A-Za-z]))" + _SPACE + r"(?:\\(?:text|mathrm|rm)\s*\{\s*[CF]\s*\}|[CF](?![A-Za-z]))?"
_UNIT = (rf"(?:{_DEGREE}|(?:{_TEXT}|[¢℃℉]|[^\W\d_]+){_POWER}"
         rf"(?:{_SPACE}(?:{_TEXT}|[^\W\d_]+){_POWER}){{0,2}})")
_UNIT_AFTER_BOX = re.compile(rf"\s*\}}{_SPACE}(?:({_UNIT})|\(\s*(?:in\s+)?({_UNIT})\s*\))[ \t]*(?:[.,;:!?)\n$]|\Z)")
_SPACING = re.compile(r"~|\\[,;:> ]|\\(?:q?quad|enspace|thinspace)(?![A-Za-z])")
_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{\s*")


def unit_after_box(completion: str, answer: str) -> str | None:
    """The unit written right after a box that holds ``answer`` (``\\boxed{5}\\,\\mathrm{kg}``, ``\\boxed{5}¢``,
    ``\\boxed{5} cents.``, ``\\boxed{5}\\text{ m}^2``, ``\\boxed{5}°F``, ``\\boxed{5} (in kg)``), in ``stated_unit``'s
    spelling, or None; every such box is read, so a second copy of the box cannot hide the first one's unit.
    Limits: a unit before the box, or other text between it and the unit, is not read."""
    if not answer:
        return None
    for box in _BOX_OPEN.finditer(completion):
        if completion.startswith(answer, box.end()) and (after := _UNIT_AFTER_BOX.match(completion, box.end() + len(answer))):
            written = _SPACING.sub(" ", after.group(1) or after.group(2))
            unit = stated_unit(f"1 {written}")
            if unit is not None:
                return unit
    return None


def units_differ(predicted: str | None, gold: str | None) -> bool:
    """Whether both sides state a unit and the units differ (a bare degree fits any temperature scale)."""
    if predicted is None or gold is None or predicted == gold:
        return False
    return not {predicted, gold} <= {"degree", "degree C", "degree F"} or "degree" not in (predicted, gold)
