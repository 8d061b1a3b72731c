"""Whether an extracted answer is a hedge: said with doubt, as a bound or an estimate, or taken back.

- ``hedge_in``: a ``HEDGE_WORDS`` word in the answer (or the sentence it was read from): "or",
  "either", "possibly", "maybe", "not", "at least", ... (unless the gold itself uses that word).
- ``qualified``: what stands right around the answer (``math_context.Surroundings``):
  - a bound or a possibility right before it: "at least \\boxed{3}", "more than 3", "It might be
    \\boxed{3}", "could be", "may be"; a negation or exclusion: "isn't \\boxed{3}", "not \\boxed{3}",
    "cannot be", "anything except", "other than", "different from"; a range: "up to", "between 2 and",
    "from 1 to", "a minimum of", "bounded by", "hardly", "unlikely to be", "either";
    "maybe"/"perhaps"/"possibly"/"probably" in its sentence ("\\boxed{3}, probably.");
  - right after it: "or more", "or fewer", "or so", "at most", "at the very least", "-ish", "is wrong",
    "isn't right", "(wrong)", ", which is wrong", "can't be right", "is extraneous", "minimum", a cross mark (``✗``);
  - doubt in its sentence or the next one: "not sure", "unsure", "I guess", "no idea", "I doubt", "it is
    false that", "I could not solve it";
  - only supposed: "Suppose the answer is \\boxed{3}", "e.g. \\boxed{3}", "for example", "If the answer were";
  - a question or an unfinished answer: ``?``/``？``/``؟``/``⁇``/``‽`` after it, ``¿`` before it, an ellipsis after it
    (``...``, ``…``, ``\\ldots``, ``\\cdots``);
  - an estimate: "about", "approximately", "roughly", "around", "nearly", "almost", ``\\approx``,
    ``\\sim``, ``≅``, "estimated at" before it (or leading the answer itself, ``\\boxed{\\approx 3}``),
    "approximately", "(rounded)", "after rounding" after it, "Rounded," / "An estimate:" earlier in its
    sentence. An estimate is a hedge only against an exact gold: one written as a decimal (``7.78``, ``5.97\\times10^{24}``) or holding an irrational (``\\pi``, ``\\sqrt``, ``\\log``, ``e``)
    is itself rounded, and the value must still agree (exactly, or within ``rel_tol`` for an
    irrational gold); against ``3`` or ``\\frac13``, "about 3" does not say 3.
  "I think" / "I believe" is no hedge: it commits to one value (set apart after it, "(I think)", it is: so are
  "if I'm right", "unless I'm mistaken") (small models and reasoning
  traces write "I think the answer is 3" when sure), unlike "might be" or "I guess".
- ``taken_back``: a retraction cue or verdict between two boxed answers (the first is then no part of a list).
- ``retracted``: the answer taken back. A cue after it ("wait", "actually", "no,", "hmm", "just
  kidding", "oops", "sorry", "scratch that", "correction", "or rather", "I mean", "my mistake",
  "never mind", "make that", "hold on", "hang on", "whoops", "second guess", "then again", "revised",
  "erratum", "on second thoughts", "upon reflection", "it should be", "should've been", "reconsidering", "nope", "nah",
  "nvm", "not quite"; interjections with their letters drawn out: "Waaait", "Umm", "Uhh", "Errr", "Ahh", "Oh", "Huh",
  "Ugh", "Eh", "Whoa"; "wrong", "rather", "er", "PS", "better", "no", "mistake", "false" leading a clause: "Rather, 48.",
  "let me fix"; "typo", "final", "fix", "redo" before a colon) followed, before the completion ends, by a different value (digits, number
  words where a value is stated: "it's four"; "it's 4 instead", "4 is also plausible" too; a math span or
  a choice: "Actually, $\\pi$.", "Actually (B)."), or after "actually"/"correction" by a value changed in
  words ("Actually, double it.", "it's 3 squared"): "\\boxed{3}. Hmm, no, it is 4.",
  "The answer is (B), wait, (A)". Scored 0, not read as the later value: the completion then
  offers two answers, and rewarding the second would reward boxing a guess and correcting it
  afterwards. A check that comes back to the same value ("Wait, let me verify: 12/4 = 3"), or an equation
  that states the answer too ("Wait, let me check: 9 = 3²", "3\\cdot 4 = 12"), is no retraction, nor is a
  sentence without a cue ("Let me check: 3*4 = 12"). A value is new when it is no value the answer states
  (``math_same_value``: "3" after "-3", "2" after "12" or "\\frac{1}{2}" is new). Also a second candidate
  right after a cue of its own ("or maybe 8", "could also be 8", "unless it is 8", "else 8", "vs 8") or
  after another answer marker ("the answer is", "####", ``<answer>``, "Option 2:", "**4**", "Result = 4", "but it is 4"),
  a second value set apart at the end (``\\boxed{3}; 4``, ``; x = 4``, ``; 4 apples.``, ``; four``,
  ``\\boxed{3} \\Rightarrow 4``, ``⟹ 4``, ``==> 4``, ``(4)``, ``[4]``, alone on the next line; handed on as the
  alternative, so that ``\\boxed{\\frac12} \\Rightarrow 0.5`` stays right), or a
  bare conclusion with another value ("Hence 4.", "Therefore $x = 4$."). A reconsideration ("But wait",
  "Let me reconsider. Hmm") after which the completion stops mid-sentence, not back at the answer's
  value, has not settled on it. And a verdict with no
  new value in the answer's sentence or the next: "Wait, that's wrong.", "Scratch that.", "Just kidding.",
  "Actually, no.", "Never mind.", "Nope.", "Probably wrong.", "(guess)", "( wrong )", "(*guess*)", "(wild guess)",
  "(not verified)", "(placeholder)", "(made up)", "(I gave up)", "I made an error", "This leads to
  a contradiction." (a verdict on something else, "option
  (B) is wrong", names it and is no retraction).

Every scan reads the text folded (``math_fold``): "Wаіt" in Cyrillic letters, "isn’t" and "W\\u2063ait" are the words.

Limits: English cue words; the cue must come after the answer; conditional answers ("3 when x>0, for
x<0 it is 4") are not recognised; "different" compares the last number or letter after the cue
with the values the answer states (``math_same_value``; ``1/2`` then ``0.5`` counts as different here, and
``MathVerifier`` forgives an alternative equal in value where one is handed on); an equation that holds the
answer is read as a check of it, whatever else it states ("Wait, 3 + 1 = 4" after 3 is no retraction).
"""

from __future__ import annotations

import re

from .math_context import NEAR, Surroundings, flatten, last_word
from .math_fold import fold
from .math_same_value import a_check, bare, disowned, same
from .math_spans import AMOUNT, ANSWER_PHRASE
from .math_units import words_to_number

HEDGE_WORDS = ("or", "either", "possibly", "maybe", "perhaps", "not", "probably", "neither", "unsure",
               "unless", "otherwise", "at least", "at most", "somewhere", "could also be", "might also be",
               "alternatively")
# A leading lookahead on the characters a match can start with, after the word boundary (here and in the scan
# patterns below that start at one; test_math_hedge_lookahead.py checks that it names them all): a search then skips
# every other position without trying each alternative (a retraction scan over 400 characters after an answer:
# ~190 -> ~60 us). Not on a pattern without a leading word boundary (_ANOTHER_ANSWER): in a run of one of its
# letters ("aaaa...") every position would pass the lookahead and pay for it on top of the alternatives.
_HEDGE = re.compile(r"\b(?=[" + "".join(sorted({w[0] for w in HEDGE_WORDS})) + r"])("
                    + "|".join(w.replace(" ", r"\s+") for w in HEDGE_WORDS) + r")\b", re.IGNORECASE)


def hedge_in(answer: str, gold: str) -> str | None:
    """The hedge word in ``answer`` that ``gold`` does not itself contain, if any."""
    gold_words = {w.lower() for w in _HEDGE.findall(gold)}
    for word in _HEDGE.findall(fold(answer)):
        if word.lower() not in gold_words:
            return f"hedge word {word.lower()!r}"
    return None


_ESTIMATE = (r"about|approximately|approx\.?|roughly|around|nearly|almost|circa|close\s+to|\\approx|\\sim|\\simeq"
             r"|\\thickapprox|\\cong|\\doteq|≈|∼|≃|～|〜|~|≅|estimated(?:\s+(?:at|as|to\s+be))?|rounds?\s+to|rounded\s+to")
# A bound, a possibility, an exclusion or a range ("up to", "anything except", "different from", "between 2 and").
_BOUND = (r"at\s+(?:least|most|minimum|maximum)|(?:more|less|fewer|greater|larger|smaller|bigger|higher|lower)\s+than"
          r"|no\s+(?:more|less|fewer)\s+than|over|under|above|below|exceeds?|exceeding"
          r"|(?<!add )(?<!adds )(?<!added )(?<!adding )(?<!sum )(?<!sums )(?<!summed )(?<!comes )(?<!come )(?<!came )up\s+to"
          r"|(?:a|the)\s+(?:minimum|maximum)\s+of"
          r"|(?:might|may|could)\s+(?:well\s+|also\s+|possibly\s+|perhaps\s+)?(?:be|equal)(?:\s+equal\s+to)?"
          r"|not|never|not\s+(?:be|equal)(?:\s+to)?|can\s*not\s+(?:be|equal)|except(?:\s+for)?|other\s+than|different\s+from"
          r"|(?:anything|everything|all|any\s+\w+)\s+but|between\s+\S{1,30}\s+and|from\s+\S{1,30}\s+to|hardly|unlikely\s+to\s+be"
          r"|(?:un|not\s+)equal\s+to|(?:a|an|the)\s+(?:lower|upper)\s+bound\s+(?:of|is)|bounded\s+(?:above\s+|below\s+)?by"
          r"|at\s+(?:max|min)|either|neither"
          r"|(?:wrong|incorrect|false|rejected)\s+(?:answer|result|solution|value)s?\s*(?:is|was|would\s+be)?\s*:?")
# Right before the answer: "about", "\\approx", "approximately =" (an estimate); "at least", "might be", "not", "isn't"
# (a bound, a possibility or a negation; no colon, so "as shown below: \\boxed{3}" stays).
_BEFORE = re.compile(rf"(?:(?<![A-Za-z])(?P<estimate>{_ESTIMATE})(?:\s+(?:to|is|equal\s+to))?\s*[:=]?"
                     rf"|(?:\b(?P<bound>{_BOUND})|(?<=n)(?P<nt>'t)(?:\s+(?:be|equal\s+to))?))\s*\Z", re.IGNORECASE)
_LEADING = re.compile(rf"\A\s*(?:(?P<estimate>{_ESTIMATE}|~(?=\s*\d))|(?P<bound>at\s+(?:least|most)|(?:more|less|fewer)\s+than"
                      r"|up\s+to|over|under))(?![A-Za-z])", re.IGNORECASE)
_AFTER = re.compile(
    r"\A\s*[,(]?\s*(?:(?P<estimate>approximately|approx\.?|roughly|or\s+so|-?ish|give\s+or\s+take|more\s+or\s+less"
    r"|(?:\+\s*/\s*-|±|\\pm)(?!\s*\d)|rounded|after\s+rounding|when\s+rounded|to\s+the\s+nearest)"
    r"|(?P<bound>or\s+(?:more|fewer|less|greater|higher|lower|larger|smaller|bigger"
    r"|above|below|over|under|thereabouts|something|around|about|close|near|maybe|possibly|perhaps)"
    r"|and\s+(?:up|above|over|more|higher|below|under)|at\s+(?:the\s+)?(?:very\s+)?(?:least|most|best|worst|minimum|maximum)"
    r"|tops|if\s+not\s+more|minimum|maximum|max|or\s+thereabouts?))(?![A-Za-z])"
    r"|\A\s*(?P<negated>(?:is|was|would\s+be)?\s*(?:an?\s+)?(?:not|n't|wrong|incorrect|false|mistake|mistaken|error)\b"
    r"|[,(—–-]?\s*(?:which|that|this)?\s*(?:is|was)?\s*(?:wrong|incorrect|false)\b|[✗✘❌]"
    r"|(?:is|was|are|were)\s+(?:extraneous|invalid|rejected|discarded|spurious|not\s+(?:valid|a\s+solution))\b"
    r"|(?:can'?t|cannot|could\s*n'?t)\s+be\s+(?:right|correct))",
    re.IGNORECASE)
# Doubt: an adverb in the answer's sentence ("It's probably \\boxed{3}"), or a phrase in it or the next one.
_DOUBT = re.compile(r"\b(?=[pmnuiadcgt])(?:(?P<adverb>possibly|perhaps|maybe|probably|presumably)\b|not\s+(?:sure|certain|confident)|unsure"
                    r"|uncertain|I\s+guess|I'?m\s+guessing|(?:a|my)\s+(?:best\s+|second\s+)?guess|no\s+idea|(?:do\s*n[o']?t|dont)\s+know"
                    r"|(?:might|could|may)\s+be\s+wrong|not\s+100\s*%|I\s+doubt|doubtful|(?:it\s+is|it's)\s+(?:false|untrue|not\s+true)\s+that"
                    r"|(?:could|can)\s*(?:not|n't)\s+solve|unable\s+to\s+solve"
                    # A belief set apart after the answer doubts it ("\\boxed{3} (I think)", "3, if I'm right").
                    r"|(?<=\()I\s+(?:think|believe|suppose)\s*\)|\bif\s+I(?:'m|\s+am)\s+(?:right|correct|not\s+(?:wrong|mistaken))"
                    r"|\bunless\s+I(?:'m|\s+am)\s+(?:wrong|mistaken)|\bif\s+my\s+(?:math|arithmetic|calculation)\s+is\s+right"
                    r"|\bguess\s*:|\b(?:tentative|draft|provisional|preliminary)(?:\s+(?:answer|solution|result))?\s*:)",
                    re.IGNORECASE)
# The answer judged wrong in its sentence or the next ("Wait, that's wrong.", "Scratch that.", "This leads to a
# contradiction."), or only supposed ("Suppose the answer is 3", "e.g. 3"): no value is offered instead, and none is given.
_VERDICT = re.compile(r"\b(?=[\s,acdeghijlmnprstuw])(?:(?:that|this|it|which)(?:'s|\s+is|\s+was|\s+(?:is\s+)?(?:likely|probably|definitely))?\s+"
                      r"(?:wrong|incorrect|false|not\s+(?:right|correct)|impossible|absurd)|,\s*impossible\b|scratch\s+that|I\s+retract|retracted|just\s+kidding"
                      r"|(?:actually|hmm+),?\s+no\b|never\s*mind|(?:leads?|led)\s+to\s+a\s+contradiction|ignore\s+(?:that|this)"
                      r"|(?:can'?t|cannot)\s+be\s+right|(?:this|the|that|my)\s+answer\s+is\s+(?:wrong|incorrect|not\s+right)"
                      r"|I\s+made\s+(?:an?\s+)?(?:error|mistake)"
                      r"|(?:(?<=[.!?]\s)|(?<=\n)|(?<=\$\.\s))(?:nope|no|wrong|incorrect|unverified|tentative(?:ly)?"
                      r"|(?:probably|likely|possibly|definitely)\s+(?:wrong|incorrect)|(?:a\s+)?(?:random|wild|rough)\s+guess)"
                      r"\s*[.!]*\s*(?=\Z|\n|[.!?]\s))",
                      re.IGNORECASE)
# A verdict set apart in brackets: "(guess)", "( wrong )", "(*guess*)", "(wild guess)", "(not verified)", "(made up)".
_ASIDE = re.compile(r"[(\[][\s*_]*(?:(?:a\s+|my\s+)?(?:wild|random|rough|blind|lucky|best|educated)\s+)?(?:guess(?:ing|ed)?|tentative|wrong"
                    r"|incorrect|unverified|unchecked|untested|not\s+(?:verified|checked|sure|certain|confirmed)|unsure|estimated?|typo"
                    r"|draft|placeholder|dummy|made\s+up|(?:randomly|arbitrarily)\s+(?:chosen|picked|guessed)|(?:I\s+)?gave\s+up"
                    r"|(?:lower|upper)\s+bound)[\s*_]*[!.]*\s*[)\]]", re.IGNORECASE)
_SUPPOSED = re.compile(r"\b(?=[slhifemc])(?:\b(?:suppose|supposing|let's\s+say|hypothetically|if\s+(?:the\s+answer|it)\s+(?:were|was)"
                       r"|(?:might|could)\s+(?:write|say|think|answer|guess|claim))\b"
                       # ... up to the answer, unless a turn comes first ("One might think 4, but it is \\boxed{3}")
                       r"(?:(?!\b(?:but|however|yet|actually|instead|in\s+fact)\b)[^.!?])*\Z"
                       r"|\b(?:for\s+example|for\s+instance)\s*[:,]?\s*\Z"
                       r"|\be\.\s?g\.?\s*[:,]?\s*\Z)", re.IGNORECASE)
_QUESTION_AFTER = re.compile(r"\A\s*\(?\s*(?:\?|？|؟|⁇|‽|⁈|⁉|…|\.\.|\\(?:l|c|v)?dots[cb]?(?![a-zA-Z])|⋯)")
# An estimate said earlier in the answer's sentence: "Rounded, the answer is 3", "An estimate: 3", "The approximate value is".
_ESTIMATED = re.compile(r"\b(?=[rea])(?:rounded|rounding|estimate[sd]?|approximate(?:ly)?|approximation)(?:\s*[,:]|\s+(?:value|answer"
                        r"|result|total|number)\b)", re.IGNORECASE)
# A rounded gold: a decimal, or an irrational (pi, a root, a logarithm, e, a trigonometric value).
_ROUNDED_GOLD = re.compile(r"\d\.\d|\\pi|π|\\sqrt|√|\\ln|\\log|\\exp|\be\b|\\(?:sin|cos|tan)|\\approx")
# Not after a digit ("3.5"); the lookbehind follows the mark so that the search scans for the mark first.
_SENTENCE_END = re.compile(r"[.!?](?<!\d[.!?])(?!\d)(?:\s|\Z)")


# Words one of the qualifier patterns needs: those patterns are tried only where the last few words (or the
# answer's first) hold one, an approximation sign or a non-ASCII character (most answers have none).
_HINT_SPAN = 6  # words: the longest qualifier, "could possibly be equal to", has five
_HINT_WORDS = frozenset(["about", "approximately", "approx", "roughly", "around", "nearly", "almost", "circa", "close",
                         "least", "most", "than", "over", "under", "above", "below", "exceed", "exceeds", "exceeding",
                         "might", "may", "could", "not", "never", "cannot", "minimum", "maximum", "up", "except", "other",
                         "different", "but", "between", "from", "estimated", "rounds", "rounded", "hardly", "unlikely",
                         "unequal", "equal", "bound", "bounded", "max", "min", "either", "neither",
                         "wrong", "incorrect", "false", "rejected"])


# The answer's first word, inside a \\text{} if it starts with one: "\\text{about} 3", "~3", "\\approx 3".
_FIRST_WORD = re.compile(r"\s*(?:\\(?:text\w*|mathrm|mbox)\s*\{\s*)?([^\s{}]+)")


def _hinted(words: list[str]) -> bool:
    for w in words:
        if w.strip(".,;:=()*") in _HINT_WORDS or w.endswith("n't") or "approx" in w or "~" in w or not w.isascii() \
                or ("\\" in w and ("\\sim" in w or "\\cong" in w or "\\doteq" in w)):
            return True
    return False


# The last word of a _BEFORE match is a literal word of its patterns (or "n't"): text that ends in any other word is
# not searched (a search tries every position: ~12 us per answer). ASCII text only: case-insensitive matching
# folds some other letters into ASCII ones.
_BEFORE_LAST_WORDS = frozenset(re.findall(r"[a-z]{2,}", re.sub(r"(?<!\\)\\[sSwWdDb]", " ", f"{_ESTIMATE}|{_BOUND}|to|is|equal|be")))


def _ends_like_before(text: str) -> bool:
    if not text.isascii():
        return True
    tail = text.rstrip().rstrip(":=.").rstrip().lower()
    return tail.endswith(("'t", "~")) or last_word(tail) in _BEFORE_LAST_WORDS


def _estimate_ok(gold: str) -> bool:
    return bool(_ROUNDED_GOLD.search(gold))


def qualified(around: Surroundings, answer: str, gold: str) -> str | None:
    """Why the answer, with what stands around it, is a bound, an estimate, doubtful or a question."""
    # Folded: a look-alike or invisible letter in a cue word ("nоt", "isn’t") reads as the word does.
    before, after, answer = fold(around.before).rstrip(" \n"), fold(around.after), fold(answer)
    sentence_before = before[ends[-1].end():] if (ends := list(_SENTENCE_END.finditer(before))) else before
    ends_after = list(_SENTENCE_END.finditer(after))
    next_sentences = after[:ends_after[1].end()] if len(ends_after) > 1 else after
    near = sentence_before[-NEAR:]
    right_before = _BEFORE.search(near) if _hinted(near.lower().split()[-_HINT_SPAN:]) and _ends_like_before(near) else None
    leading = None
    if (first := _FIRST_WORD.match(answer)) is not None and _hinted([first.group(1).lower()]):
        leading = _LEADING.match(answer) or _LEADING.match(flatten(answer))  # raw first: flattening reads "~" as a space
    estimate_ok = _estimate_ok(gold)
    for found in (right_before, leading, _AFTER.match(after)):
        if found is None:
            continue
        if found.lastgroup != "estimate":
            return f"a bound, possibility or negation ({found.group().strip()!r})"
        if not estimate_ok:
            return f"an estimate of an exact answer ({found.group().strip()!r})"
    if not estimate_ok and (estimated := _ESTIMATED.search(sentence_before)) is not None:
        return f"an estimate of an exact answer ({estimated.group()!r})"
    own_sentence = ends_after[0].start() if ends_after else len(after)  # an adverb after the answer counts up to here
    doubts = [d for d in _DOUBT.finditer(next_sentences) if not d.group("adverb") or d.start() < own_sentence]
    if (doubt := _DOUBT.search(sentence_before) or (doubts[0] if doubts else None)) is not None:
        return f"hedge word {doubt.group().lower()!r}" if doubt.group("adverb") else f"doubt about the answer ({doubt.group()!r})"
    if (supposed := _SUPPOSED.search(before)) is not None:
        return f"the answer is only supposed ({supposed.group().strip()!r})"
    if _QUESTION_AFTER.match(after) or "¿" in sentence_before:
        return "a question or an unfinished answer"
    return None


# A cue after the answer that takes it back ("The answer is 50. Actually, wait, it might be 40.").
_RETRACTION = re.compile(r"\b(?=[abcefhijklmnoprstuw])(actually|wa+i+t|hold\s+on|whoops|second\s+guess|on\s+second\s+thoughts?|correction"
                         r"|scratch that|i mean|i meant|i was wrong|or rather"
                         r"|just kidding|kidding|hmm+|oops|sorry|my (?:mistake|bad)|never\s*mind|nvm|make that|update|edit"
                         r"|hang\s+on|then\s+again|(?:up)?on\s+reflection|revised|revision|erratum|rechecking|re-?evaluating"
                         r"|re(?:calculat|consider|think)ing|let\s+me\s+redo(?:\s+it)?"
                         # ... with the value right after it: "It should be clear that ..." is no correction
                         r"|(?:it\s+should\s+(?:be|have\s+been)|should(?:'ve|\s+have)\s+been)(?=\s*[-−$\d(\\])"
                         # Interjections, their letters drawn out as speech draws them ("Waaait", "Umm", "Errr", "Ahh").
                         r"|a+h+|o+h+|u+h+|e+r+r+|u+m+|e+h+|hu+h+|u+g+h+|who+a+|nope|nah"
                         r"|no(?=\s*[,;:!—-]|\s+wait)|not\s+quite(?=\s*[,;:!.—–-])|(?:typo|final|fix|redo)(?=\s*:)"
                         # leading a sentence: "(B) is false, since 4 > 5" is a verdict on something else
                         r"|(?:(?<=[.!?]\s)|(?<=\n))(?:mistake|false)(?=\s*[,;:!—–-])"
                         r"|let\s+me\s+(?:fix|correct)(?:\s+(?:it|that|this))?"
                         # A verdict or a correction word leading a clause: "Wrong, it's 4.", "Rather, 48.", "PS: 48".
                         r"|(?:wrong|incorrect|rather|er|ps|better)(?=\s*[,;:!—-]))\b", re.IGNORECASE)
# After a cue, a completion that stops mid-sentence has not settled on the answer ("\\boxed{3}. But wait").
_RECONSIDER = re.compile(r"\b(?=[abhlw])(?:wait|hmm+|actually|hold\s+on|hang\s+on|let\s+me\s+(?:reconsider|re-?check|double-check|verify|check"
                         r"|redo)|but\s+let\s+me)\b", re.IGNORECASE)
_FINISHED = re.compile(r"[.!)$}\]*]\s*\Z")
# After a cue, the value changed in words in the next sentence ("Actually, it's 3 squared.", "Actually, double it.").
_CHANGED = re.compile(r"\A[^.!?\n]*?(?:\b(?:double|halve|triple|negate|square|cube|add\s+\w+\s+to|subtract\s+\w+\s+from|invert)\s+"
                      r"(?:it|that|this)\b|\b(?:half|twice|double|triple|the\s+(?:negative|opposite|square|cube|reciprocal|inverse))(?:\s+of)?"
                      r"\s+(?:it|that|this)\b|\bits\s+(?:square|cube|negative|reciprocal|opposite)\b|\b(?:add|subtract)\s+\w+[.!]?\s*\Z"
                      r"|\bone\s+(?:more|less)\b|\d\s*(?:squared|cubed|thousand|million|times\s+\w+))", re.IGNORECASE)
# After a cue, a value written in maths or a choice ("Actually, $\\pi$.", "Actually (B)."), when no number is.
_OTHER_FORM = re.compile(r"(?<!\\)\$([^$\n]{1,60})\$|\(([A-J])\)")
# "it's 4 instead": the other value comes before its cue.
_INSTEAD = re.compile(rf"({AMOUNT})\s+(?:is\s+|would\s+be\s+)?(?:instead|otherwise|as\s+well|too|also)\b", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"[\d,]+")


def _instead(tail: str) -> re.Match[str] | None:
    """``_INSTEAD.search(tail)``, in linear time. A search tries every digit of a run of digits and commas, and
    each try reads the rest of the run: "\\boxed{7}." and 19,000 digits on the next line took ~20 s. A match
    from a later digit of a run implies one from its first digit (the amount's ``[\\d,]*`` covers the rest), so
    only that digit and a sign or dollar right before it can start the leftmost match."""
    for run in _DIGIT_RUN.finditer(tail):
        first = run.start() + len(run.group()) - len(run.group().lstrip(","))
        if first == run.end():  # commas only
            continue
        for start in range(max(0, first - 2), first + 1):
            if (found := _INSTEAD.match(tail, start)) is not None:
                return found
    return None
# A value in words where a value is stated ("it's four", "is twenty-one", ": seven", "Actually four" right after the cue);
# a bare "one" ("no one") is none.
_STATED_WORDS = re.compile(r"(?:\A[\s,;:—-]*|(?:\bis|'s|\bbe|[:=])\s+)(?=([A-Za-z]+(?:[\s-]+[A-Za-z]+){0,3}))")
# "Or maybe 8", "it could also be 8" right after the answer: a second candidate.
_ALTERNATIVE = re.compile(r"\b(?=[abcemopuv])(or|maybe|perhaps|possibly|probably|alternatively|unless|else|otherwise|vs|versus"
                          r"|but\s+(?:it|this|that|the\s+(?:correct\s+|right\s+|real\s+|true\s+|actual\s+)?answer)\s+(?:is|was|'s)"
                          r"|(?:could|might|may|can)\s+(?:also\s+)?(?:be|equal)|(?<=\()also(?=\s+[^\s()]{1,20}\s*\)))\b", re.IGNORECASE)
# Another final-answer marker after the answer: "#### 4", "<answer>4</answer>", "Option 2: 4", the answer phrase.
_ANOTHER_ANSWER = re.compile(rf"{ANSWER_PHRASE.pattern}|####\s*|<answer>\s*"
                             r"|\b(?:option|guess|alternative|candidate|choice)\s*\d*\s*:\s*"
                             # A bold value ("**4**"), not the end of a bold heading ("**Verification:** $2 \\cdot 3 = 6$").
                             r"|(?<![^\s(])\*\*\s*(?=[^*\n]{1,40}\*\*)", re.IGNORECASE)
# A conclusion after the answer that states another value and ends its line: "Hence 4.", "Therefore $x = 4$.", "Result = 4."
# ("The total is 12 apples shared by 4" explains; it is no second answer). Possessive quantifiers: each run of spaces
# is read once (adjacent "\s*"s split a run every way: "\\boxed{3}." then 441 " so" and 40 spaces took 5 s).
_CONCLUSION = re.compile(r"\b(?=[hrst])(?:\b(?:therefore|hence|thus|so)\b,?\s*+(?:we\s++get\s++|the\s++(?:total|result|answer|sum|value)\s++is\s++"
                         r"|it\s++is\s++)?|\b(?:result|total|sum)\s*+(?:=|:|is)\s*+)\$?\s*+(?:[A-Za-z]\s*+=\s*+)?(?P<value>[^\s$.!]{1,20})"
                         r"[^\S\n]*+\$?[^\S\n]*+[.!]?[^\S\n]*+(?:\Z|\n)", re.IGNORECASE)
# A second value set apart after the answer, then nothing: "\\boxed{3}; 4", "\\boxed{3} \\Rightarrow 4", "\\boxed{C}; \\textbf{D}".
# After a mark or an arrow ("; x = 4", "⟹ 4", "==> 4"), in brackets ("(4)", "[4]") or alone on the next line; a unit
# word may follow ("; 4 apples."). The value is handed on: "\\frac12 \\Rightarrow 0.5" says one value twice.
_ARROW = r"\\(?:Rightarrow|Longrightarrow|rightarrow|longrightarrow|implies|to|therefore)(?![A-Za-z])|[⇒→∴⟹⟶⇨⟾⇛➔➜➞]|={1,2}>|-{1,2}>"
_SET_APART = re.compile(rf"\A(?:\s*(?:[;,]|{_ARROW})\s*(?:[A-Za-z]\s*=\s*)?|\s*(?P<open>[(\[])\s*|[ \t]*\n\s*)"
                        r"(?P<value>[^\s;,()\[\]]{1,20}?)\s*(?(open)[)\]])(?P<more>(?:\s*,\s*[^\s;,()\[\]]{1,20}){0,100})"
                        r"(?:\s+[A-Za-z]{1,12})?\s*[.!]?\s*(?:\Z|\n)")
# Between two boxes, an arrow or "should be" alone takes the first back ("\\boxed{2} \\Rightarrow \\boxed{-3}").
_TURNED_INTO = re.compile(rf"[\s,;.]*(?:{_ARROW}|should\s+(?:be|have\s+been))\s*", re.IGNORECASE)
_SET_APART_START = frozenset(";,\\⇒→∴⟹⟶⇨⟾⇛➔➜➞=-$}([\n")  # what _SET_APART's text starts with, before flattening
ALTERNATIVE_WINDOW_WORDS = 4  # the other candidate must follow its cue closely
# Cues that are adverbs offer another value only where they start a clause (after punctuation, the answer
# itself, or a conjunction), not inside one ("would otherwise take 12 days", a model rambling after its answer).
_ADVERB_CUES = frozenset(("maybe", "perhaps", "possibly", "probably", "alternatively", "unless", "else", "otherwise"))
_CLAUSE_START = re.compile(r"(?:\A|[.,;:!?)\]}$*—–-]|\b(?:but|and|or|so|then))\s*\Z", re.IGNORECASE)
_CHOICE_LETTER = r"(?<![A-Za-z])\(?[A-J]\)?(?![A-Za-z])"
_CHOICE_ANSWER = re.compile(r"\(?[A-J]\)?(?:[,.;:)]\s.*)?", re.DOTALL)  # "C", "(B), wait, (A)", "C) 42"


# A digit-group mark inside a number, no end of it: the spaces "\\!", "\\,", "~" and the braced comma "{,}".
_DIGIT_GROUP = re.compile(r"(?<=[\d,])(?:\\[!,;: ]|\{,\}|~)(?=\d)")


def _last_value(text: str, other_answer: str) -> tuple[int, str] | None:
    """Where the last value ``text`` states is, and that value: a number (or a choice letter) as written, or number
    words read as digits."""
    found = [(m.start(), bare(m.group())) for m in re.finditer(other_answer, text)]
    if other_answer == AMOUNT:
        for stated in _STATED_WORDS.finditer(text):
            words = list(re.finditer(r"[A-Za-z]+", stated.group(1)))
            run = 0  # the run of number words it starts with ("twenty one"), then no other word: "one way" is none
            while run < len(words) and words_to_number(words[run].group()) is not None:
                run += 1
            if 0 < run == len(words) and (value := words_to_number(
                    stated.group(1)[:words[run - 1].end()])) is not None:
                found.append((stated.start(1), str(value)))
    return max(found) if found else None


def retracted(text: str, answer: str, start: int, end: int) -> tuple[str | None, str | None]:
    """(why, the other value): a retraction or a second candidate after ``answer``, written at
    ``text[start:end]``, if any (see the module docstring)."""
    # A choice letter is taken back by another letter ("C. Actually, it's D."), a number by a number.
    other_answer = _CHOICE_LETTER if _CHOICE_ANSWER.fullmatch(answer.strip()) else AMOUNT
    # The answer and what follows it (a cue inside the answer's sentence counts too), folded: "Wаіt" (Cyrillic) is "Wait".
    scan, length = fold(text[start:]), len(fold(text[start:end]))
    if "\\" in scan[length:] or "{," in scan[length:]:  # "16,\\!386.20" after the answer is the number 16,386.20
        scan = scan[:length] + _DIGIT_GROUP.sub("", scan[length:])
    cue = _RETRACTION.search(scan)
    tail = scan[length:]
    if cue is not None:
        own = bare(scan[:cue.start()] if cue.start() < length else answer)
        rest = scan[cue.end():]
        found = _last_value(rest, other_answer)
        last = found[1] if found is not None and not a_check(rest, found[0], own, cue.group(1)) else None
        if found is not None and any(m.start() <= found[0] < m.end() and same(m.group(1), own)  # "$3\\sqrt{2}$" restated:
                                     for m in _OTHER_FORM.finditer(rest) if m.group(1)):  # its "2" is no new value
            last = None
        if found is None and (form := _OTHER_FORM.search(rest)) is not None:
            last = (form.group(1) or form.group(2)).strip()
        changed = cue.group(1).lower() in ("actually", "correction", "make that", "i mean", "i meant", "or rather") \
            and _CHANGED.search(rest) is not None
        if (last is not None and not same(last, own)) or changed or disowned(rest, own):
            return f"retracted after the answer ({cue.group(1).lower()!r})", None
    if (instead := _instead(tail)) is not None and not same(instead.group(1), answer):
        return "retracted after the answer ('instead')", None
    for cue in _ALTERNATIVE.finditer(tail):
        if cue.group(1).lower() in _ADVERB_CUES and not _CLAUSE_START.search(tail[max(0, cue.start() - 12):cue.start()]):
            continue  # "a number that would otherwise take 12 days" tells a story; "Otherwise, 12." offers a value
        window = " ".join(tail[cue.end(): cue.end() + 120].split()[:ALTERNATIVE_WINDOW_WORDS])
        other = re.search(other_answer, window)
        if other and not same(other.group(0), answer):
            return f"a second candidate after the answer ({cue.group(1).lower()!r})", other.group(0)
    for phrase in _ANOTHER_ANSWER.finditer(tail):  # "\\boxed{3}. The answer is 4.": a second final answer
        other = re.match(rf"\s*\$?\s*({other_answer})", tail[phrase.end():])
        if other and not same(other.group(1), answer):
            return "a different answer stated after it", None
    if (conclusion := _CONCLUSION.search(tail)) is not None and not same(conclusion.group("value"), answer) \
            and re.fullmatch(other_answer, bare(conclusion.group("value"))):
        return "a different value concluded after it", None
    if tail.lstrip(" \t")[:1] in _SET_APART_START and (apart := _SET_APART.match(flatten(tail[:200]).rstrip(" ,;"))) is not None:
        for value in [apart.group("value"), *apart.group("more").split(",")[1:]]:  # "\\boxed{3}, 4, 5": each
            value = bare(value.strip())
            if other_answer == AMOUNT and (number := words_to_number(value)) is not None:  # "; four"
                value = str(number)
            if re.fullmatch(other_answer, value) and not same(value, answer):
                return "a second value set apart after the answer", value
    if (cue := _RECONSIDER.search(tail)) is not None and not _FINISHED.search(tail) \
            and ((said := _last_value(tail, other_answer)) is None or not same(said[1], answer)):
        return f"unfinished after the answer ({cue.group().lower()!r})", None
    ends = list(_SENTENCE_END.finditer(tail, 0, 300))  # a verdict in the answer's sentence or the next, no value offered
    reach = ends[1].end() if len(ends) > 1 else 300
    if (verdict := _VERDICT.search(tail, 0, reach) or (
            _ASIDE.search(tail, 0, reach) if "(" in tail[:reach] or "[" in tail[:reach] else None)) is not None:
        return f"retracted after the answer ({verdict.group().strip().lower()!r})", None
    return None, None


def taken_back(between: str) -> str | None:
    """Why the text between two boxed answers takes the first back ("Wait, it's", "Actually,", "that's wrong"), if it does."""
    between = fold(between)
    if (cue := _RETRACTION.search(between) or _VERDICT.search(between) or _TURNED_INTO.fullmatch(between)) is not None:
        return f"retracted between the boxes ({cue.group().strip().lower()!r})"
    return None
