"""What a completion shows when rendered: hidden, struck-out and unrendered text is not an answer.

A policy that sees the extractor's source can write the answer it wants read where no reader sees
it: ``The answer is 4. % \\boxed{3}``, ``\\phantom{\\boxed{3}}``, ``{\\color{white}\\boxed{3}}``,
``~~\\boxed{3}~~``. ``visible`` rewrites the completion before any answer is looked for:

- invisible (LaTeX comments ``%`` to the end of the line, ``\\begin{comment}..\\end{comment}``,
  ``<!-- -->``, ``<script>``/``<style>``/``<template>``, a markdown ``[//]: # (..)`` line, the content of
  ``\\phantom``/``\\hphantom``/``\\vphantom``, of ``\\textcolor{white}{..}`` and the rest of a group after
  ``\\color{white}``, white in any spelling: ``White``, ``white!100``, ``[HTML]{FFFFFF}``, ``#fff``, ``red!0``,
  ``transparent``, or a colour too light to read: ``white!99``, ``gray!1``, ``#fffffe``, ``snow``, ``ivory``;
  ``<noscript>``; a box scaled to nothing: ``\\resizebox{0pt}{0pt}{..}``, ``\\scalebox{0}{..}``) becomes the
  command ``HIDDEN``: no answer is read from it, and an answer that touches it is no whole value
  (``math_context`` reads an unknown command next to the answer as more of the expression, so
  ``\\boxed{3}\\phantom{000}`` and ``\\textcolor{white}{-}\\boxed{3}`` stay refused);
- struck out (``~~..~~`` outside maths, ``<del>``, ``<s>``, ``<strike>``) is removed: taken back;
- shown but not rendered as maths (code spans and fenced blocks, ``verbatim``/``Verbatim``/``spverbatim``/
  ``lstlisting``/``minted``/``alltt``, ``filecontents`` (written to a file), HTML ``<pre>``, ``<code>``,
  ``<textarea>``, ``<samp>``, ``<kbd>``, a
  markdown block indented by four spaces after a blank line (not under a list item, nor inside a closed
  display ``\\[..\\]`` / ``$$..$$``), ``\\text{..}`` and its kin,
  where a renderer prints ``\\boxed{3}`` literally) keeps its text, but a box inside it is no box (a ``$..$``
  inside ``\\text{..}`` is maths again: ``\\text{$\\boxed{3}$}`` is a box).

Limits: by pattern, not a TeX or Markdown engine. A ``%`` is a percent sign after a digit or a closing
bracket ("25 %", "(a+b)%"), glued to a closing brace after a digit and followed by a word (``\\boxed{25}% of them``), or when only punctuation follows it on its line (``$3$%``); otherwise it starts a
comment: at a line's start, after punctuation and a blank ("4. % ..."), after a math span, ``\\%``, a brace
or a letter (``$x$ % \\boxed{3}``, ``50\\% %\\boxed{3}``, ``a%b %\\boxed{3}``). Markdown renderers print such a
``%``; a completion that writes one mid-line before its box loses the box, as it would in LaTeX. Other colours and ``\\smash`` render, so they stay.
One pass over the braces: nested groups cost linear time.
"""

from __future__ import annotations

import bisect
import re

HIDDEN = "\\hidden"
_COMMENT = re.compile(r"\\begin\{comment\}.*?(?:\\end\{comment\}|\Z)|<!--.*?(?:-->|\Z)"
                      # HTML a browser does not show, and a markdown link definition to "#" (the "[//]: # (..)" comment idiom)
                      r"|<(script|style|template|noscript)\b.*?(?:</\1\s*>|\Z)"
                      r"|^[ ]{0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>)[^\n]*", re.DOTALL | re.IGNORECASE | re.MULTILINE)
# A "%" (not "\\%") starts a comment unless a reader sees a percent sign: after a number ("25%", "25 %") or a closing
# bracket, or with nothing but punctuation after it. At a line's start or after punctuation and a blank ("4. % ...")
# it is a comment even after a digit; after a math span, "\\%", a brace or a letter ("$x$ % ..", "a%b") it is one too.
_PERCENT_COMMENT = re.compile(r"(?P<lead>^[^\S\n]*|(?<=[.,;:!?])[^\S\n]+|(?<![\d)\]\s\\])|(?<=[^\d)\]\s]) )"
                              # "\\boxed{25}% of them": glued to a box of digits and followed by a word, a percent sign
                              r"(?<!\\)%(?!(?<=\d\}%)[^\S\n]*[A-Za-z])(?![\s.,;:!?)]*$)[^\n]*", re.MULTILINE)
_HIDING_TAG = re.compile(r"<(?:!--|script|style|template|noscript)", re.IGNORECASE)  # "x < 3" costs no pass of _COMMENT
_BOS = re.compile(r"\s*<s>")  # a Llama-2 begin-of-sequence token, not a strike-out
_STRIKE_TAG = re.compile(r"<(/?)(del|s|strike)>", re.IGNORECASE)
_STRIKE_MARKS = re.compile(r"(?<![^\s(\[>*_])~~(?=\S)[^~\n]+?(?<=\S)~~")  # markdown, outside maths ($~~$ is spacing)
_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`"
                   # LaTeX environments that print (or only write to a file) their text as it is
                   r"|\\begin\{((?:verbatim|Verbatim|BVerbatim|LVerbatim|spverbatim|lstlisting|minted|filecontents|alltt)\*?)\}"
                   r".*?(?:\\end\{\1\}|\Z)", re.DOTALL)
# HTML that shows its text as it is, untypeset: a box in it is printed, no box.
_HTML_CODE = re.compile(r"<(pre|code|textarea|samp|kbd|xmp|plaintext|listing|tt)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
# A markdown indented code block: lines indented by four spaces or a tab, at the start or after a blank line, unless
# the paragraph before is a list item (its indented lines continue the item).
_INDENTED = re.compile(r"(?:\A|(?<=\n)[ \t]*\n)((?:(?: {4}|\t)[^\n]*(?:\n|\Z))+)")
_LIST_ITEM = re.compile(r"(?:^|\n)[ \t]*(?:[-*+]|\d+[.)])\s[^\n]*(?:\n[^\n]+)*\n[ \t]*\n\Z")
_BOX = re.compile(r"\\(boxed|fbox)")
_MATH_OR_BOX = re.compile(r"(?P<math>(?<!\\)\$[^$]*(?<!\\)\$)|\\(?P<name>boxed|fbox)")
# One pass over these: a group that hides its content, one shown as plain text, a colour that hides the rest
# of its group, and plain braces (an escaped brace is a literal, not a group).
# A colour that renders as the page: white in any spelling (``White``, ``white!100``, ``#FFFFFF``, ``#fff``, rgb 1,1,1),
# any colour mixed at 0 % (``red!0`` is white) and ``transparent``; an optional model (``[HTML]``) before it.
# A colour too light to read on the page is white too: ``white!99`` (any tint of white), ``gray!1`` (at most 10 % of a
# colour), ``#fffffe`` (each channel at least 0xE8), ``snow``, ``ivory``, rgb channels of at least 0.9 or 232.
_LIGHT_NAMES = (r"\w*white\w*|snow|ivory|azure|aliceblue|honeydew|mintcream|seashell|linen|oldlace|cornsilk|lightyellow"
                r"|lavenderblush|lightcyan|beige|lemonchiffon|papayawhip|mistyrose|lightgoldenrodyellow")
_LIGHT_1 = r"(?:1(?:\.0*)?|0?\.9\d*)"
_LIGHT_255 = r"(?:25[0-5]|24\d|23[2-9])"
_WHITE = (rf"(?:\[[^\]]*\]\s*)?\{{\s*(?i:(?:{_LIGHT_NAMES})(?:\s*!\s*\d+(?:\.\d*)?)?(?!\s*!)"
          r"|[a-z]+\s*!\s*(?:\d(?:\.\d*)?|10(?:\.0*)?)(?![\d.!])|\#?(?:[ef]{3}|(?:f[0-9a-f]|e[89a-f]){3})|transparent"
          rf"|{_LIGHT_1}(?:\s*,\s*{_LIGHT_1}){{2}}|{_LIGHT_1}|{_LIGHT_255}(?:\s*,\s*{_LIGHT_255}){{2}})\s*\}}")
# A box scaled to nothing: "\\resizebox{0pt}{0pt}{..}", "\\resizebox{0pt}{!}{..}", "\\scalebox{0}{..}".
_ZERO = r"\{\s*(?:0+(?:\.0*)?|\.0+)\s*(?:[a-z]{2})?\s*\}"
_SCALED_AWAY = (rf"\\resizebox\*?\s*(?:{_ZERO}\s*\{{[^{{}}]*\}}|\{{[^{{}}]*\}}\s*{_ZERO})\s*\{{"
                rf"|\\scalebox\s*{_ZERO}\s*(?:\[[^\]]*\]\s*)?\{{")
_GROUPS = re.compile(rf"(?P<hide>\\[hv]?phantom\s*\{{|\\textcolor\s*{_WHITE}\s*\{{|{_SCALED_AWAY})"
                     r"|(?P<text>\\(?:text(?:rm|up|normal|bf|it|sf|tt|md)?|mbox|hbox)\s*\{)"
                     rf"|(?P<color>\\color\s*{_WHITE})"
                     r"|(?P<escaped>\\[{}])|(?P<open>\{)|(?P<close>\})")


def _hidden_and_text(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(start, end) of the hidden regions and of the text-mode regions, from one pass over the groups."""
    hidden: list[tuple[int, int]] = []
    shown_as_text: list[tuple[int, int]] = []
    stack: list[list[int | str | None]] = []  # [content start, kind, start of a white colour inside it]
    for match in _GROUPS.finditer(text):
        kind = match.lastgroup
        if kind in ("hide", "text", "open"):
            stack.append([match.end(), kind, None])
        elif kind == "color":
            if stack:
                stack[-1][2] = stack[-1][2] if stack[-1][2] is not None else match.end()
            else:  # outside any group: to the end of the line
                line_end = text.find("\n", match.end())
                hidden.append((match.end(), len(text) if line_end < 0 else line_end))
        elif kind == "close" and stack:
            start, group, colour = stack.pop()
            assert isinstance(start, int)
            if group == "hide" and match.start() > start:
                hidden.append((start, match.start()))
            elif group == "text":
                shown_as_text.append((start, match.start()))
            if isinstance(colour, int) and match.start() > colour:
                hidden.append((colour, match.start()))
    return hidden, shown_as_text


def _outermost(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(regions):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _displays(text: str) -> list[tuple[int, int]]:
    """(start, end) of the closed display maths (``\\[..\\]``, ``$$..$$``), merged: no markdown is read inside one.
    One ``find`` per delimiter (a regex search from every unclosed ``\\[`` would be quadratic)."""
    found: list[tuple[int, int]] = []
    for opener, closer in (("\\[", "\\]"), ("$$", "$$")):
        pos = 0
        while (start := text.find(opener, pos)) >= 0 and (end := text.find(closer, start + 2)) >= 0:
            found.append((start, end + 2))
            pos = end + 2
    return _outermost(found)


def _unstrike(text: str) -> str:
    """``text`` without struck-out HTML (each close paired with the last open tag of its name: one pass; a tag left open
    strikes nothing, it prints) and markdown ``~~..~~``."""
    opened: dict[str, list[int]] = {}
    cuts: list[tuple[int, int]] = []
    for tag in _STRIKE_TAG.finditer(text):
        stack = opened.setdefault(tag.group(2).lower(), [])
        if not tag.group(1):
            stack.append(tag.start())
        elif stack:
            cuts.append((stack.pop(), tag.end()))
    pieces, pos = [], 0
    for start, end in _outermost(cuts):
        pieces.append(text[pos:start])
        pos = end
    return _STRIKE_MARKS.sub("", "".join([*pieces, text[pos:]]))


def _unbox(text: str) -> str:
    return _BOX.sub(r"\1", text)


def _unbox_text(text: str) -> str:
    """A text-mode region printed: its boxes are no boxes, but a ``$..$`` inside it is maths again (``\\text{$\\boxed{3}$}``)."""
    return _MATH_OR_BOX.sub(lambda m: m.group("math") or m.group("name"), text)


def visible(text: str) -> str:
    """``text`` as rendered for a reader (see the module docstring)."""
    if "\\begin{comment}" in text or "]:" in text or ("<" in text and _HIDING_TAG.search(text)):
        text = _COMMENT.sub(lambda _: HIDDEN, text)
    if "%" in text:
        text = _PERCENT_COMMENT.sub(lambda m: m.group("lead") + HIDDEN, text)
    if "~~" in text or "<" in text:
        # A leading "<s>" closed by a "</s>" with more text after it is a strike-out written to hide an answer,
        # not a begin-of-sequence token ("<s>\\boxed{3}</s> \\boxed{4}").
        bos = _BOS.match(text) if not re.search(r"</s>\s*\S", text, re.IGNORECASE) else None
        text = (bos.group() if bos else "") + _unstrike(text[bos.end() if bos else 0:])
    if "`" in text or "~~~" in text or "\\begin{" in text:
        text = _CODE.sub(lambda m: _unbox(m.group()), text)
    if "<" in text:
        text = _HTML_CODE.sub(lambda m: _unbox(m.group()), text)
    if "\n    " in text or "\n\t" in text or text[:1] in (" ", "\t"):
        displays = _displays(text)
        starts = [start for start, _ in displays]

        def in_display(at: int) -> bool:  # "\\[\n\n    \\boxed{3}\n\\]": an indented line of a display is maths
            i = bisect.bisect_right(starts, at) - 1
            return i >= 0 and at < displays[i][1]

        text = _INDENTED.sub(lambda m: m.group() if in_display(m.start(1)) or _LIST_ITEM.search(text, 0, m.start(1))
                             else _unbox(m.group()), text)
    if "\\" not in text or ("phantom" not in text and "color" not in text and "\\text" not in text
                            and "box{" not in text):
        return text
    hidden, shown_as_text = _hidden_and_text(text)
    if not hidden and not shown_as_text:
        return text
    regions = [(s, e, True) for s, e in _outermost(hidden)]
    regions += [(s, e, False) for s, e in _outermost(shown_as_text)
                if not any(hs <= s and e <= he for hs, he, _ in regions)]
    out, pos = [], 0
    for start, end, hide in sorted(regions):
        if start < pos:  # text inside a hidden region: already replaced
            continue
        out += [text[pos:start], HIDDEN if hide else _unbox_text(text[start:end])]
        pos = end
    return "".join([*out, text[pos:]])
