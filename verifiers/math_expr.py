"""A small, bounded expression language for answers: parse, then evaluate exactly or numerically.

Why our own parser rather than ``sympy.parse_expr``: the input is model-written,
and sympy's parser runs ``eval`` on a rewritten string, builds objects whose size
it does not bound, and may hang on ``9^9^9^9``. Here every limit is checked while
parsing or evaluating, so pathological input costs microseconds and raises
``Refused``:

- input over ``MAX_CHARS`` characters or ``MAX_TOKENS`` tokens; nesting over ``MAX_DEPTH``
  (a long but flat answer, the product of 60 factors ``(x+1)``, stays well inside them: every
  step below is linear in the number of tokens);
- exact rationals over ``MAX_EXACT_BITS`` bits, as a result or on the way (evaluation falls
  back to mpmath floats, which have unbounded exponents, so ``10^{10^{10}}`` is still a number);
- numeric powers whose exponent, or whose result's binary exponent, exceeds ``MAX_EXPONENT``
  in magnitude (``9^9^9^9``);
- any function but the few whose cost does not grow with their argument (``sqrt ln log abs
  floor ceil asin acos atan``: mpmath reads the argument's exponent, not its digits) on an
  argument whose real or imaginary part exceeds ``MAX_EXPONENT`` in magnitude: ``sin(10^{10^7})``
  needs ten million digits of pi to reduce its argument (46 s for ``sin(10^{999999})``), and
  ``exp``, ``tanh``, ``binom`` and a root's index cost alike;
- factorials of anything but an integer in ``0..MAX_FACTORIAL``.

Expressions are trees of tuples (hashable, picklable). ``exact`` evaluates to a
``Fraction`` when the value is rational (no sympy); ``numeric`` evaluates with
mpmath at ``DPS`` digits, free symbols bound to given values. Identity of
expressions with free symbols is decided by evaluation at random points
(Schwartz-Zippel), in ``math_compare``.
"""

from __future__ import annotations

import math
import re
import threading
from fractions import Fraction
from typing import Any

from mpmath.ctx_mp import MPContext

MAX_CHARS = 2000  # normalised text: a 1000-character answer grows a little ("\\frac{a}{b}" -> "((a)/(b))")
MAX_TOKENS = 1000
MAX_DEPTH = 40
MAX_EXACT_BITS = 20_000
MAX_EXPONENT = 10**12  # also the largest argument of a function whose cost grows with its size
MAX_FACTORIAL = 1000
DPS = 40

Node = tuple[Any, ...]

FUNCTIONS = frozenset({"sqrt", "root", "ln", "log", "exp", "sin", "cos", "tan", "cot", "sec", "csc",
                       "asin", "acos", "atan", "sinh", "cosh", "tanh", "floor", "ceil", "abs", "binom"})
CONSTANTS = {"pi": "pi", "oo": "oo", "e": "e", "i": "i", "infty": "oo"}
GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "phi", "omega",
         "rho", "tau", "psi", "chi", "eta", "zeta", "kappa", "nu", "xi")
_NAMES = sorted([*FUNCTIONS, *CONSTANTS, *GREEK], key=len, reverse=True)
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+\.?\d*|\.\d+)|(?P<name>" + "|".join(_NAMES) + r"|[A-Za-z])"
    r"|(?P<op>\^|[-+*/!(),|_%]))"
)


class Refused(ValueError):
    """The input is too large or too deep to handle safely; the verifier reports parse_error."""


class ParseFailure(ValueError):
    """The input is not an expression of this language."""


def tokenize(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_CHARS:
        raise Refused(f"expression longer than {MAX_CHARS} characters")
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ParseFailure(f"unexpected {text[pos:pos + 10]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        if len(tokens) > MAX_TOKENS:
            raise Refused(f"more than {MAX_TOKENS} tokens")
    return tokens


class _Parser:
    """Precedence climbing: sum > product (explicit or implicit) > unary minus > power > postfix."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ParseFailure(f"expected {value or 'more input'}, got {token[1] if token else 'end'}")
        self.pos += 1
        return token

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused(f"nesting deeper than {MAX_DEPTH}")

    def sum(self) -> Node:
        self.enter()
        terms = [self.product()]
        while (t := self.peek()) and t[1] in "+-":
            self.take()
            term = self.product()
            terms.append(term if t[1] == "+" else ("neg", term))
        self.depth -= 1
        return terms[0] if len(terms) == 1 else ("add", tuple(terms))

    def _starts_atom(self) -> bool:
        t = self.peek()
        return t is not None and (t[0] in ("num", "name") or t[1] == "(")

    def product(self) -> Node:
        factors = [self.unary()]
        while True:
            t = self.peek()
            if t and t[1] in "*/":
                self.take()
                factor = self.unary()
                factors.append(factor if t[1] == "*" else ("inv", factor))
            elif self._starts_atom():  # implicit product: 2x, 3(4), 2sqrt(2); never of numbers side by side, nor
                last = self.tokens[self.pos - 1]  # of "1.": "1. 3" (1.\\,3), "1 .3", "1.2.3", "1.(3)" are no 3, 0.3, 0.36
                if last[0] == "num" and (self.tokens[self.pos][0] == "num" or last[1].endswith(".")):
                    raise ParseFailure(f"no product of {last[1]!r} and {self.tokens[self.pos][1]!r}")
                factors.append(self.power())
            else:
                break
        return factors[0] if len(factors) == 1 else ("mul", tuple(factors))

    def unary(self) -> Node:
        t = self.peek()
        if t and t[1] in "+-":
            self.take()
            self.enter()
            node = self.unary()
            self.depth -= 1
            return ("neg", node) if t[1] == "-" else node
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if (t := self.peek()) and t[1] == "^":
            self.take()
            self.enter()
            exponent = self.unary()  # right-associative: a^b^c = a^(b^c)
            self.depth -= 1
            return ("pow", base, exponent)
        return base

    def postfix(self) -> Node:
        node = self.atom()
        while (t := self.peek()) and t[1] in ("!", "%"):
            self.take()
            node = ("fact", node) if t[1] == "!" else ("mul", (node, ("num", Fraction(1, 100))))
        return node

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return ("num", Fraction(value))
        if value == "(":
            node = self.sum()
            self.take(")")
            return node
        if value == "|":
            node = self.sum()
            self.take("|")
            return ("call", "abs", (node,))
        if kind != "name":
            raise ParseFailure(f"unexpected {value!r}")
        if value in FUNCTIONS:
            return self.call(value)
        if value in CONSTANTS:
            return ("const", CONSTANTS[value])
        if (t := self.peek()) and t[1] == "_":  # x_1 is one symbol
            self.take()
            return ("sym", value + "_" + self.take()[1])
        return ("sym", value)

    def call(self, name: str) -> Node:
        base = None
        if name == "log" and (t := self.peek()) and t[1] == "_":  # log_2(8)
            self.take()
            base = self.postfix()
        power = None
        if (t := self.peek()) and t[1] == "^":  # sin^2(x)
            self.take()
            power = self.postfix()
        if (t := self.peek()) and t[1] == "(":
            self.take()
            self.enter()
            args = [self.sum()]
            while (t := self.peek()) and t[1] == ",":
                self.take()
                args.append(self.sum())
            self.depth -= 1
            self.take(")")
        else:
            args = [self.power()]
        if len(args) not in ((2,) if name in ("root", "binom") else (1, 2) if name == "log" and base is None else (1,)):
            raise ParseFailure(f"{name} of {len(args)} arguments")  # root(8), sin(1, 2)
        if base is not None:
            args.append(base)
        node: Node = ("call", name, tuple(args))
        return ("pow", node, power) if power is not None else node


def parse(text: str) -> Node:
    tokens = tokenize(text)
    if not tokens:
        raise ParseFailure("empty expression")
    parser = _Parser(tokens)
    node = parser.sum()
    if parser.pos != len(tokens):
        raise ParseFailure(f"unexpected {tokens[parser.pos][1]!r}")
    return node


def free_symbols(node: Node) -> set[str]:
    if node[0] == "sym":
        return {node[1]}
    out: set[str] = set()
    for child in _children(node):
        out |= free_symbols(child)
    return out


def _children(node: Node) -> tuple[Node, ...]:
    kind = node[0]
    if kind in ("add", "mul"):
        return node[1]
    if kind in ("neg", "inv", "fact"):
        return (node[1],)
    if kind == "pow":
        return (node[1], node[2])
    if kind == "call":
        return node[2]
    return ()


def _bits(value: Fraction) -> int:
    return value.numerator.bit_length() + value.denominator.bit_length()


def exact(node: Node) -> Fraction | None:
    """The value as a Fraction when it is rational and small enough; None otherwise."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind in ("sym", "const"):
        return None
    if kind == "neg":
        v = exact(node[1])
        return None if v is None else -v
    if kind == "inv":
        v = exact(node[1])
        return None if v is None or v == 0 else 1 / v
    if kind in ("add", "mul"):
        values = [exact(c) for c in node[1]]
        if any(v is None for v in values):
            return None
        total = Fraction(0) if kind == "add" else Fraction(1)
        for v in values:
            total = total + v if kind == "add" else total * v  # type: ignore[operator]
            if _bits(total) > MAX_EXACT_BITS:  # sixty factors 1000!: gcds of huge integers, per step
                return None
        return total
    if kind == "pow":
        base, exponent = exact(node[1]), exact(node[2])
        if base is None or exponent is None or exponent.denominator != 1:
            return _exact_root(base, exponent)
        if base == 0 and exponent < 0:
            return None
        if _bits(base) * abs(exponent.numerator) > MAX_EXACT_BITS:
            return None
        return base ** exponent.numerator
    if kind == "fact":
        v = exact(node[1])
        if v is None or v.denominator != 1 or not 0 <= v <= MAX_FACTORIAL:
            raise Refused("factorial of a non-integer or of more than 1000")
        return Fraction(math.factorial(v.numerator))
    if kind == "call" and node[1] == "sqrt":
        v = exact(node[2][0])
        return _exact_root(v, Fraction(1, 2))
    if kind == "call" and node[1] == "abs":
        v = exact(node[2][0])
        return None if v is None else abs(v)
    return None


def _exact_root(base: Fraction | None, exponent: Fraction | None) -> Fraction | None:
    """base^(p/q) when it is rational (4^(1/2) = 2, (8/27)^(2/3) = 4/9), else None."""
    if base is None or exponent is None or base < 0 or exponent.denominator > 64:
        return None
    q = exponent.denominator
    if _bits(base) > 2000 or abs(exponent.numerator) * _bits(base) > MAX_EXACT_BITS:
        return None
    roots = []
    for part in (base.numerator, base.denominator):
        r = round(part ** (1 / q)) if part < 2**1000 else None
        if r is None:
            return None
        found = next((c for c in (r - 1, r, r + 1) if c >= 0 and c**q == part), None)
        if found is None:
            return None
        roots.append(found)
    return Fraction(roots[0], roots[1]) ** exponent.numerator


# One mpmath context per thread: mpmath's global precision (``mp.dps``) is shared by
# every thread, so ``workdps`` in one thread would change another's precision mid-call.
_LOCAL = threading.local()


def mp() -> MPContext:
    """This thread's mpmath context, at ``DPS`` digits."""
    ctx = getattr(_LOCAL, "ctx", None)
    if ctx is None:
        ctx = _LOCAL.ctx = MPContext()
        ctx.dps = DPS
    return ctx


def numeric(node: Node, env: dict[str, Any]) -> Any:
    """mpmath value (mpf or mpc, from ``mp()``) of ``node``; raises ``Refused`` for runaway sizes,
    ``ArithmeticError`` / ``ValueError`` on domain errors."""
    return _num(node, env, mp())


def _num(node: Node, env: dict[str, Any], ctx: MPContext) -> Any:
    kind = node[0]
    if kind == "num":
        return ctx.mpf(node[1].numerator) / node[1].denominator
    if kind == "sym":
        if node[1] not in env:
            raise ParseFailure(f"unbound symbol {node[1]}")
        return env[node[1]]
    if kind == "const":
        return {"pi": ctx.pi, "e": ctx.e, "i": ctx.j, "oo": ctx.inf}[node[1]] + 0
    if kind == "neg":
        return -_num(node[1], env, ctx)
    if kind == "inv":
        value = _num(node[1], env, ctx)
        if value == 0:
            raise ZeroDivisionError("division by zero")
        return 1 / value
    if kind == "add":
        return ctx.fsum(_num(c, env, ctx) for c in node[1])
    if kind == "mul":
        total = ctx.mpf(1)
        for c in node[1]:
            total *= _num(c, env, ctx)
        return total
    if kind == "pow":
        return _power(_num(node[1], env, ctx), _num(node[2], env, ctx), ctx)
    if kind == "fact":
        value = _num(node[1], env, ctx)
        if ctx.im(value) != 0 or not 0 <= value <= MAX_FACTORIAL or value != int(value):
            raise Refused("factorial of a non-integer or of more than 1000")
        return ctx.factorial(value)
    return _num_call(node[1], [_num(a, env, ctx) for a in node[2]], ctx)


def _power(base: Any, exponent: Any, ctx: MPContext) -> Any:
    # No exemption for a base of 1: a base that only rounds to 1 ((1 + 10^{-10^{11}})^{10^{10^{11}}})
    # would pass, and mpmath turns a huge exponent of 1 into a huge integer (MemoryError).
    if abs(exponent) > MAX_EXPONENT:
        raise Refused("exponent too large")
    if abs(base) > 0 and abs(exponent) * abs(ctx.log(abs(base))) > MAX_EXPONENT:
        raise Refused("power too large")
    return ctx.power(base, exponent)


# mpmath reads these functions' arguments by their exponent (log|x|), so their cost does not
# grow with the argument's size. Every other function, including any added later, must not see
# an argument beyond MAX_EXPONENT: argument reduction (sin, tan, exp of i*x), exp's result, a
# root's index and binom's gamma functions all cost in proportion to the argument's digits.
_ANY_SIZE = frozenset({"sqrt", "ln", "log", "abs", "floor", "ceil", "asin", "acos", "atan"})


def _num_call(name: str, args: list[Any], ctx: MPContext) -> Any:
    if name not in _ANY_SIZE and any(abs(ctx.re(a)) > MAX_EXPONENT or abs(ctx.im(a)) > MAX_EXPONENT for a in args):
        raise Refused(f"{name} of an argument larger than {MAX_EXPONENT:.0e}")
    if name == "sqrt":
        return ctx.sqrt(args[0])
    if name == "root":
        return ctx.root(args[0], int(args[1])) if args[1] == int(args[1]) else _power(args[0], 1 / args[1], ctx)
    if name == "log":
        return ctx.log(args[0], args[1]) if len(args) > 1 else ctx.log(args[0])
    if name == "binom":
        return ctx.binomial(args[0], args[1])
    if name == "abs":
        return abs(args[0])
    return getattr(ctx, name)(args[0])
