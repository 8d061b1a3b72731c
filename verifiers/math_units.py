"""Words after a number: which are units (dropped), which are size words (they multiply).

- A word is dropped only when it is a known unit (``UNITS``) or a count noun (a plural word,
  "apples", "buses", or any word after 1, "1 apple": it says what the number counts): ``5 \\text{ cm}``, ``12 dollars``,
  ``5 \\text{m/s}``, ``16\\pi \\text{ square units}``, ``3 dollars per hour``, ``9 buses``.
  Any other word stays, so the answer then fails to match instead of losing a qualifier:
  ``3 \\text{ wrong}``, ``3 \\text{k}``, ``3 \\text{ or less}``. Math-Verify drops any trailing
  ``\\text{..}`` and a list of words that includes "more", "less", "increase"; we do not.
- Size words multiply: ``3 thousand`` is 3000, ``2.5 million`` 2500000, ``2 dozen`` 24
  (``scale_words``); they never vanish. Abbreviations (``3k``, ``3M``, ``3 bn``) are not
  read: they are no unit either, so such an answer fails.

Single letters are units only inside ``\\text{}``, glued to a number (``5m``) or in a compound
(``km/h``), and case-sensitively (``\\text{m}`` is metres, ``\\text{M}`` is not); in plain text
``5 m`` stays a product, as before.

Limits: English unit names only; a plural word is taken for a count noun unless it is one of a
few listed function words ("less", "always", "perhaps"); the lists are hand-kept (a units
library is too slow to consult per call and knows no count nouns).
"""

from __future__ import annotations

import re

_WORDS = """
    mm cm dm km nm um µm meter meters metre metres millimeter millimeters millimetre millimetres
    centimeter centimeters centimetre centimetres kilometer kilometers kilometre kilometres
    in inch inches ft foot feet yd yard yards mi mile miles
    sq square cu cubic unit units acre acres hectare hectares
    mg kg gram grams milligram milligrams kilogram kilograms lb lbs pound pounds oz ounce ounces
    ton tons tonne tonnes
    ml liter liters litre litres milliliter milliliters millilitre millilitres gallon gallons gal
    quart quarts pint pints cup cups cc
    ms sec secs second seconds min mins minute minutes hr hrs hour hours day days week weeks
    month months yr yrs year years decade decades century centuries
    mph kph kmh kmph
    dollar dollars cent cents euro euros rupee rupees rs yen yuan usd eur gbp pence penny pennies
    degree degrees deg rad radian radians celsius fahrenheit
"""
UNITS = frozenset(_WORDS.split())
# Words ending in "s" that are no count nouns: "3 \\text{ or less}", "3 \\text{ always}" keep their word.
_NOT_NOUNS = frozenset(["less", "unless", "was", "is", "has", "does", "this", "thus", "yes", "plus", "minus",
                        "its", "us", "as", "always", "sometimes", "perhaps", "besides", "towards", "afterwards",
                        "nevertheless", "regardless", "nonetheless", "whereas", "dots"])
# After "1", a singular word counts what the 1 counts ("1 apple"), unless it changes or doubts the value.
_NOT_COUNTED = frozenset(["more", "less", "fewer", "extra", "over", "under", "wrong", "only", "plus", "minus",
                          "times", "squared", "cubed", "and", "not", "maybe", "perhaps"])
_SINGLE_LETTER_UNITS = frozenset("mgshlL")  # metres, grams, seconds, hours, litres (see the docstring)
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12, "dozen": 12}
SCALE_WORDS = r"(?:hundred|thousand|million|billion|trillion|dozen)s?"
# Words after a number that change its value: a size word, a power, a place value, a fraction.
VALUE_WORDS = (rf"(?:{SCALE_WORDS}|squared|cubed|tens|halves|thirds|quarters|fourths|fifths|sixths|sevenths"
               r"|eighths|ninths|tenths|hundredths|thousandths|millionths)")
_SCALED = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*({SCALE_WORDS})\b", re.IGNORECASE)


def _count_noun(word: str) -> bool:
    """A plural word ("apples", "buses", "marbles"): it says what the number counts. Not a
    fraction ("3 tenths", "3 hundredths", "3 quarters": read as fractions where ``math_normalize``
    knows them, never as 3)."""
    lower = word.lower()
    return (len(word) >= 3 and lower.endswith("s") and not lower.endswith("ss") and lower not in _NOT_NOUNS
            and not re.fullmatch(VALUE_WORDS, lower))


def is_unit(phrase: str, *, in_text: bool = False) -> bool:
    """Whether every word of ``phrase`` is a known unit or a count noun (``m/s``, ``km/h``,
    ``square units``, ``cm^2``, ``dollars per hour``, ``apples``); single letters count only
    ``in_text`` (inside ``\\text{}``) or in a compound with ``/``."""
    words = [w for w in re.split(r"[\s/]+", re.sub(r"\^\s*\(?[23]\)?|\.", " ", phrase)) if w]
    if not words or words[0].lower() == "per" or words[-1].lower() == "per":
        return False
    letters_ok = in_text or "/" in phrase
    return all(w.lower() in UNITS or w.lower() == "per" or _count_noun(w)
               or (letters_ok and w in _SINGLE_LETTER_UNITS) for w in words)


def scale_words(text: str) -> str:
    """``3 thousand`` -> ``(3*1000)``: a size word after a number multiplies it."""
    if not re.search(r"(?i)hundred|thousand|million|billion|trillion|dozen", text):
        return text
    return _SCALED.sub(lambda m: f"({m.group(1)}*{SCALES[m.group(2).lower().rstrip('s')]})", text)


# A trailing unit word: after a space, or glued to a digit or a closing bracket ("5cm", "(3)cm").
_TAIL_WORD = re.compile(r"(?:\s+|(?<=[\d)]))([a-zA-Z]+(?:\s*/\s*[a-zA-Z]+)*\.?(?:\^\(?[23]\)?)?)\s*\Z")
_MAX_UNIT_WORDS = 3


def strip_unit_tail(text: str, math_words: frozenset[str]) -> str:
    """``12 dollars per hour`` -> ``12``: up to three known unit words after a number; plain
    text (single letters and ``math_words`` such as ``pi`` are never units here)."""
    if len(text) > 200:  # bounded: an answer this long is no number with a unit
        return text
    stripped = text
    for _ in range(_MAX_UNIT_WORDS):
        match = _TAIL_WORD.search(stripped)
        if match is None:
            break
        word = match.group(1)
        letters = re.findall(r"[a-zA-Z]+", word)
        per_last = stripped is text and letters[-1].lower() == "per"  # "3 per" is no unit
        one_of = stripped is text and re.fullmatch(r"[a-zA-Z]{3,}", word) and word.lower() not in _NOT_COUNTED \
            and re.search(r"(?<![\d.])1\Z", stripped[:match.start()].rstrip())  # "1 apple"
        if per_last or any(w in math_words for w in letters) or not (
                is_unit(word) or word.lower() == "per" or one_of):
            break
        stripped = stripped[:match.start()].rstrip()
    if stripped is text or not re.search(r"\d", stripped) or re.search(r"(?i)\bper\Z", stripped):
        return text
    return stripped
