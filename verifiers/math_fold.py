"""``fold``: the text the hedge, negation and retraction scans read, as its words look to a reader.

Those scans match English cue words ("wait", "actually", "not", "isn't"). A policy that sees them can
write a cue a reader still reads but the pattern does not: ``Wаіt`` (Cyrillic а, і), ``W\\u2063ait``
(an invisible separator), ``Ａｃｔｕａｌｌｙ`` (full width), ``wáit`` (an accent), ``isn’t`` (a curly
apostrophe, common in real output). ``fold`` maps them back: compatibility forms to their plain
letters (NFKD), format characters (Unicode category Cf: zero-width and invisible marks) and combining
marks (Mn) dropped, the Cyrillic and Greek letters that look like Latin ones mapped to those, and
typographic apostrophes to ``'``.

Only for scanning: the answer itself is read from the text as written (folding ``²`` to ``2`` would
change a value). Limits: the look-alike table covers Cyrillic and Greek letters shaped like Latin ones,
not every confusable of Unicode's list (Cherokee, mathematical alphanumerics are folded by NFKD).
"""

from __future__ import annotations

import unicodedata

_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝһӏкмнтвАВЕКМНОРСТХУІЈЅԚԜ"  # Cyrillic
    "οαινκρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"  # Greek
    "’‘ʼ′`´",
    "aeopcyxijsdqwhlkmhtbABEKMHOPCTXYIJSQW"
    "oaivkptuxABEZHIKMNOPTYX"
    "''''''")


def fold(text: str) -> str:
    """``text`` with look-alike, invisible and accented letters folded to plain ASCII ones (see the module
    docstring); ASCII text is returned as it is, at no cost."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Cf", "Mn"))
    return kept.translate(_LOOK_ALIKES)
