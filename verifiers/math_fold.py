"""``fold``: the text the hedge, negation and retraction scans read, as its words look to a reader.

Those scans match English cue words ("wait", "actually", "not", "isn't"). A policy that sees them can
write a cue a reader still reads but the pattern does not: ``Wаіt`` (Cyrillic а, і), ``W\\u2063ait``
(an invisible separator), ``Ａｃｔｕａｌｌｙ`` (full width), ``wáit`` (an accent), ``isn’t`` (a curly
apostrophe, common in real output). ``fold`` maps them back: compatibility forms to their plain
letters (NFKD), format characters (Unicode category Cf: zero-width and invisible marks) and combining
marks (Mn) dropped, the Cyrillic and Greek letters that look like Latin ones mapped to those, and
typographic apostrophes to ``'``.

Only for scanning: the answer itself is read from the text as written. Superscript and subscript digits
and signs and vulgar fractions are kept: no cue word is written with them, and folding ``3²`` to ``32`` or
``½`` to ``1⁄2`` would make a check that restates the answer ("9 = 3²") state a new value. Hangul fillers and the blank Braille pattern (drawn as nothing) are dropped.

Limits: the look-alike table covers Cyrillic, Greek, Cherokee and Armenian letters, small capitals and a few
Latin letters shaped like Latin ones, not every confusable of Unicode's list (no confusables library is
installed); mathematical alphanumerics are folded by NFKD.
"""

from __future__ import annotations

import re
import unicodedata

_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝһӏкмнтвАВЕКМНОРСТХУІЈЅԚԜ"  # Cyrillic
    "οαινκρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"  # Greek
    "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ"  # Latin small capitals
    "ɑɡıȷ"  # Latin letters shaped like a, g, i, j
    "ᎪᎬᎠᎡᎢᎳᎻᎷᏚᏟᏦᏞᏢᏙᏃᏀᏏ"  # Cherokee
    "օսհոռզ"  # Armenian
    "’‘ʼ′`´",
    "aeopcyxijsdqwhlkmhtbABEKMHOPCTXYIJSQW"
    "oaivkptuxABEZHIKMNOPTYX"
    "abcdefghijklmnoprstuvwyz"
    "agij"
    "AEDRTWHMSCKLPVZGb"
    "ouhnnq"
    "''''''",
    "\u3164\u115f\u1160\uffa0\u2800")  # Hangul fillers and the blank Braille pattern: letters drawn as nothing


# Superscript and subscript digits and signs (U+00B2, U+00B3, U+00B9, U+2070-U+208E) and vulgar fractions.
_KEPT = re.compile("([\u00b2\u00b3\u00b9\u00bc-\u00be\u2070\u2074-\u207e\u2080-\u208e\u2150-\u215f\u2189])")


def _fold_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Cf", "Mn"))
    return kept.translate(_LOOK_ALIKES)


def fold(text: str) -> str:
    """``text`` with look-alike, invisible and accented letters folded to plain ASCII ones (see the module
    docstring); ASCII text is returned as it is, at no cost."""
    if text.isascii():
        return text
    if _KEPT.search(text) is None:
        return _fold_letters(text)
    # re.split with a group: the kept characters at the odd places, the text between them at the even ones.
    return "".join(part if i % 2 else _fold_letters(part) for i, part in enumerate(_KEPT.split(text)))
