"""Words around a number: which are units (dropped), which are size words (they multiply), which
leave a final answer as it is (``keeps_value``), and number words (``words_to_number``, ``words_to_fraction``).

- A word is dropped only when it is a known unit (``UNITS``) or a listed counted noun
  (``COUNTED``, singular or plural: "9 buses", "1 apple", "42 marbles"): ``5 \\text{ cm}``,
  ``12 dollars``, ``5 \\text{m/s}``, ``16\\pi \\text{ square units}``, ``3 dollars per hour``.
  Any other word stays, so the answer then fails to match instead of losing a qualifier:
  ``3 \\text{ wrong}``, ``3 \\text{k}``, ``3 \\text{ or less}``, ``3 sixteenths``, ``3 negatives``,
  ``3 basis points``. An allow-list, not a deny-list: a word nobody listed is never dropped, so
  an attacker who reads this file finds no next word that vanishes. Math-Verify drops any
  trailing ``\\text{..}`` and a list of words that includes "more", "less", "increase"; we do not.
- Size words multiply: ``3 thousand`` is 3000, ``2.5 million`` 2500000, ``2 dozen`` 24, ``3 lakh``
  300000 (``scale_words``); they never vanish. Abbreviations (``3k``, ``3M``, ``3 bn``) are not
  read: they are no unit either, so such an answer fails. Words whose size is ambiguous ("score":
  20 or a test score; "gross", "pair", "couple") are neither listed nor multiplied: they stay.
- ``COUNTED`` holds what real answers count (objects, people, animals, food, money items,
  containers, pages, school and maths objects), gathered from the words after numbers in
  reasoning_gym's gsm_symbolic questions, our own and held-out cases and the peers' cases. It
  holds no word that changes a value: no fraction (halves, quarters, sixteenths), power or
  place (squares, cubes, tens), sign or inverse (negatives, reciprocals, inverses), size
  (lakh, score, gross, myriad), or rate (percent, basis points, per mille).

Words right after a final answer (``keeps_value``: "So there are 3 negatives." is no answer 3): a
unit or counted noun ("72 clips were sold"), a word of ``CLAUSE_WORDS`` that starts the rest of the
sentence ("12 is the answer", "45 in total"), or allow-listed adjectives before a counted noun ("3
distinct real solutions", "15 more minutes"; "3 more." alone says no value). Any other word may change
the value ("3 negatives", "3 basis points", "3 per mille", "3 scores"), so the number is no answer.

Single letters are units only inside ``\\text{}``, glued to a number (``5m``) or in a compound
(``km/h``), and case-sensitively (``\\text{m}`` is metres, ``\\text{M}`` is not); in plain text
``5 m`` stays a product, as before.

Limits: English words only; a counted noun missing from ``COUNTED`` (or an adjective missing from
``ADJECTIVES``) makes a right answer with that word fail (add it); the lists are hand-kept (a units library is too slow to consult per
call and knows no count nouns).
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
    tsp tbsp teaspoon teaspoons tablespoon tablespoons ml liter liters litre litres milliliter milliliters millilitre millilitres gallon gallons gal
    quart quarts pint pints cup cups cc
    ms sec secs second seconds min mins minute minutes hr hrs hour hours day days week weeks
    month months yr yrs year years decade decades century centuries
    mph kph kmh kmph
    dollar dollars cent cents euro euros rupee rupees rs yen yuan usd eur gbp pence penny pennies
    degree degrees deg rad radian radians celsius fahrenheit kelvin kelvins
"""
UNITS = frozenset(_WORDS.split())
# Singular forms; plurals are made by the usual rules (singulars) or listed in _IRREGULAR.
_COUNTED = """
    person man woman child boy girl kid baby adult student teacher worker friend player member
    employee guest customer patient passenger visitor sibling brother sister cousin parent
    grandchild grandparent athlete volunteer doctor nurse driver runner participant voter fan
    tourist camper scout dancer singer musician author team family group
    animal pet dog cat puppy kitten bird chicken hen rooster duck goose cow pig sheep goat horse
    rabbit fish frog snake spider ant bee wasp beetle butterfly caterpillar ladybug grasshopper
    insect llama alpaca donkey turkey lion tiger bear elephant monkey deer mouse rat hamster
    parrot owl eagle shark whale dolphin goblin ogre orc troll giant dragon leg wing eye wheel
    apple banana orange pear plum peach grape cherry strawberry blueberry lemon lime mango kiwi
    papaya pineapple coconut watermelon melon tomato potato carrot onion mushroom olive almond
    nut peanut persimmon fig cookie cake cupcake muffin brownie pie pizza slice sandwich burger
    hamburger hotdog taco burrito bagel donut doughnut croissant pretzel cracker biscuit candy
    chocolate lollipop sweet treat goodie egg loaf serving portion meal snack drink soda can
    bottle glass jar scoop pancake waffle popsicle roll dumpling kernel seed bean pea clam
    shrimp sushi calorie
    coin bill nickel dime token stamp ticket share
    box bag basket crate carton pack packet package bucket bin barrel tray bowl plate container
    envelope bundle bunch bouquet batch set spool skein tube rack clip fork spoon ring anchor ward
    page book chapter pencil pen crayon marker eraser notebook folder ruler paper sheet sticker
    card letter word sentence paragraph question problem exercise test exam quiz lesson class
    course email message post photo picture video song episode movie game puzzle riddle toy doll
    ball block bead marble button shell pebble rock stone stick flower rose tulip daisy lily
    orchid sunflower plant tree pot vase signature order delivery item thing object piece part
    house room bed seat chair table desk door window car bus truck bike bicycle boat train plane
    tire building apartment floor store shop tile brick nail screw bolt washer board plank bulb
    battery phone computer tool hammer shirt shoe sock hat dress jacket coat
    trip ride lap step jump goal point run match win vote like follower view subscriber visit
    call time die leaf knife shelf wolf
    way solution integer digit divisor factor multiple term triangle circle diagonal edge vertex
    face side line path arrangement combination permutation outcome subset element value
    intersection region
"""
COUNTED = frozenset(_COUNTED.split())
_IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child", "mice": "mouse",
              "geese": "goose", "teeth": "tooth", "vertices": "vertex", "loaves": "loaf", "leaves": "leaf",
              "knives": "knife", "shelves": "shelf", "wolves": "wolf", "dice": "die",
              "grandchildren": "grandchild"}


def singulars(word: str) -> set[str]:
    """The singular forms ``word`` may be the plural of (apples, buses, puppies, loaves)."""
    forms = {word, _IRREGULAR.get(word, word)}
    if word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    return forms


def is_counted(word: str) -> bool:
    """Whether ``word`` is a listed counted noun, singular or plural ("apple", "puppies")."""
    return not singulars(word.lower()).isdisjoint(COUNTED)


SINGLE_LETTER_UNITS = frozenset("mgshlL")  # metres, grams, seconds, hours, litres (see the docstring)
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12, "dozen": 12,
          "lakh": 10**5, "crore": 10**7, "myriad": 10**4}
SCALE_WORDS = r"(?:hundred|thousand|million|billion|trillion|dozen|lakh|crore|myriad)s?"
# "3 sixteenths" is 3/16 (``words_to_fraction``), never 3.
DENOMINATORS = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
                "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
                "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
                "hundredth": 100, "thousandth": 1000, "millionth": 10**6, "billionth": 10**9}
# Words after a number that change its value: a size word, a power, a place value, a fraction.
VALUE_WORDS = rf"(?:{SCALE_WORDS}|squared|cubed|tens|(?:{'|'.join(sorted(DENOMINATORS, key=len, reverse=True))})s?)"
_SCALED = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*({SCALE_WORDS})\b", re.IGNORECASE)


def is_unit(phrase: str, *, in_text: bool = False) -> bool:
    """Whether every word of ``phrase`` is a known unit or a counted noun (``m/s``, ``km/h``,
    ``square units``, ``cm^2``, ``dollars per hour``, ``apples``); single letters count only
    ``in_text`` (inside ``\\text{}``) or in a compound with ``/``."""
    words = [w for w in re.split(r"[\s/]+", re.sub(r"\^\s*\(?[23]\)?|\.", " ", phrase)) if w]
    if not words or words[0].lower() == "per" or words[-1].lower() == "per":
        return False
    letters_ok = in_text or "/" in phrase
    return all(w.lower() in UNITS or w.lower() == "per" or is_counted(w)
               or (letters_ok and w in SINGLE_LETTER_UNITS) for w in words)


def scale_words(text: str) -> str:
    """``3 thousand`` -> ``(3*1000)``: a size word after a number multiplies it."""
    if not re.search(rf"(?i){SCALE_WORDS}", text):
        return text
    return _SCALED.sub(lambda m: f"({m.group(1)}*{SCALES[m.group(2).lower().rstrip('s')]})", text)


_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}


def words_to_number(text: str) -> int | None:
    """``"twenty-one"`` -> 21, ``"one hundred and five"`` -> 105; None unless every word is a number word."""
    words = re.split(r"[\s\-]+", text.lower().replace(" and ", " ").strip(" ."))
    if not words or not all(w in _NUMBER_WORDS or w in SCALES for w in words):
        return None
    total, current = 0, 0
    for word in words:
        if word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * SCALES[word]
            current = 0
    return total + current


def words_to_fraction(text: str) -> str | None:
    """``"three quarters"`` -> ``"3/4"``, ``"3 hundredths"`` -> ``"3/100"``, ``"a half"`` -> ``"1/2"``;
    None for anything else."""
    match = re.fullmatch(r"(.+?)[\s\-]+([a-z]+?)s?", text.lower().strip(" ."))
    if match is None or match.group(2) not in DENOMINATORS:
        return None
    numerator = 1 if match.group(1) in ("a", "an", "one") else (
        int(match.group(1)) if match.group(1).isdigit() else words_to_number(match.group(1)))
    return None if numerator is None else f"{numerator}/{DENOMINATORS[match.group(2)]}"


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
        if per_last or any(w in math_words for w in letters) or not (is_unit(word) or word.lower() == "per"):
            break
        stripped = stripped[:match.start()].rstrip()
    if stripped is text or not re.search(r"\d", stripped) or re.search(r"(?i)\bper\Z", stripped):
        return text
    return stripped


# Words that may follow a final answer without touching its value: they start the rest of the sentence
# (verbs, prepositions, conjunctions, pronouns, articles, "in total", "left", a new statement). A closed
# list without "over", "times", "plus": before a number ``math_context`` reads those as operators.
_CLAUSE = """
    is are was were be been being am will would shall should can could must do does did has have had
    and or but nor so yet then because since if when whenever while which that who whom whose where as
    thus hence therefore whereas although though
    of in on at to for from by with within without into onto after before during until till through
    across between among via off inside outside every others
    it its this these those they them he she we you i his her our their the a an there here
    each apiece total altogether overall combined together now today left remaining remain remains
    remained leaving only exactly respectively again too also already still
    final answer solution step note check verification explanation let
"""
CLAUSE_WORDS = frozenset(_CLAUSE.split())
# Words that may stand between a number and the noun it counts ("3 distinct real solutions", "3 red
# marbles"), only with that noun after them: alone, "3 negative" is -3 and "3 more" says no value.
_ADJECTIVES = """
    more fewer less extra additional other another distinct different possible real positive negative
    nonnegative non-negative whole prime odd even unique integer integral consecutive ordered unordered
    equal identical new old full empty same separate individual complete valid favorable favourable
    successful given small large big little tiny long short tall wide heavy light occupied potted stuffed
    colored multicolored dark red blue green yellow black white purple pink brown gray grey
"""
ADJECTIVES = frozenset(_ADJECTIVES.split())
_SIGNS = frozenset({"negative", "positive", "nonnegative", "non-negative"})  # "3 negative degrees" is -3 degrees
_WORD_RUN = re.compile(r"[A-Za-z]+(?:[-/][A-Za-z]+)*(?: [A-Za-z]+(?:[-/][A-Za-z]+)*){0,3}")


def keeps_value(after: str) -> bool:
    """Whether the words that start ``after`` (the text right after a number, from its first letter)
    leave the number's value as written; see the module docstring."""
    run = _WORD_RUN.match(after)
    if run is None:
        return True
    words = run.group().split(" ")
    first = words[0].lower()
    if first in CLAUSE_WORDS or is_unit(words[0], in_text=True):
        return True
    if first == "per":  # "per year" is a rate of the number; "per mille" changes it
        return len(words) > 1 and is_unit(words[1], in_text=True)
    adjectives = 0
    while adjectives < len(words) - 1 and words[adjectives].lower() in ADJECTIVES:
        adjectives += 1
    if adjectives == 0:
        return False
    noun = words[adjectives]
    if any(w.lower() in _SIGNS for w in words[:adjectives]):
        return is_counted(noun) and noun.lower() not in UNITS
    return is_unit(noun, in_text=True)
