"""FEEL unary tests: the cell language of decision-table input entries.

The supported subset (grammar in docs/rules.md):

    entry      := "-" | "not" "(" tests ")" | tests
    tests      := test ("," test)*                     any one may match
    test       := ("<" | "<=" | ">" | ">=" | "=" | "!=") endpoint
                | ("[" | "(" | "]") endpoint ".." endpoint ("]" | ")" | "[")
                | literal
    endpoint   := number | string | date("YYYY-MM-DD")
    literal    := endpoint | true | false | null

`=` and `!=` are liucheng conveniences (FEEL writes `7` and `not(7)`). Numbers are exact
Decimals. A test matches only values of its own kind (a number test never matches a text),
`null` matches only a missing value, and `not(...)` is the plain complement. An ISO date
text (`"2026-01-01"`, as JSON form data carries it) is read as a date when a date test
looks at it. Each entry is parsed once into a `UnaryTests` matcher; nothing is evaluated
with `eval`. Bad syntax raises `ExpressionError` naming the entry and the column.

For deploy-time analysis every entry also yields the `IntervalSet` of values it matches
within a `Domain` (the values an input column can take), see `liucheng.rules.decision`.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, Literal

from liucheng.errors import ExpressionError

Kind = Literal["number", "string", "date", "boolean", "null"]
MAX_ENTRY = 2000
_TOKEN = re.compile(
    r'\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*")'
    r"|(?P<op>\.\.|<=|>=|!=|<|>|=|\[|\]|\(|\)|,)|(?P<name>[A-Za-z_]\w*))"
)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def classify(value: Any) -> tuple[Kind | None, Any]:
    """The kind of an input value and its comparable form (None kind: not comparable)."""
    if value is None:
        return "null", None
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, (int, Decimal, float)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return ("number", number) if not number.is_nan() else (None, value)  # NaN: no order
    if isinstance(value, str):
        return "string", value
    if isinstance(value, date) and type(value) is date:
        return "date", value
    return None, value


@dataclass(frozen=True)
class Test:
    """One positive test: values of `kind` between `low` and `high` (None: unbounded)."""

    kind: Kind
    low: Any = None
    high: Any = None
    low_closed: bool = True
    high_closed: bool = True
    negated: bool = False  # the `!=` convenience

    def matches(self, value: Any) -> bool:
        kind, v = classify(value)
        if kind == "string" and self.kind == "date":
            with contextlib.suppress(ValueError):
                kind, v = "date", date.fromisoformat(v)
        hit = kind == self.kind and (
            kind == "null" or (
                (self.low is None or v > self.low or (self.low_closed and v == self.low))
                and (self.high is None or v < self.high or (self.high_closed and v == self.high))
            )
        )
        return hit != self.negated


@dataclass(frozen=True)
class UnaryTests:
    """A parsed input entry; `matches(value)` tells whether a value satisfies it."""

    source: str
    tests: tuple[Test, ...]
    negated: bool = False  # not(...)
    any: bool = False  # "-"

    def matches(self, value: Any) -> bool:
        if self.any:
            return True
        return any(t.matches(value) for t in self.tests) != self.negated

    def kinds(self) -> frozenset[Kind]:
        return frozenset(t.kind for t in self.tests)

    def points(self) -> tuple[Any, ...] | None:
        """The listed values when the entry is a plain list of literals, else None."""
        if self.any or self.negated or any(
            t.negated or t.low != t.high or t.low is None and t.kind != "null" for t in self.tests
        ):
            return None
        return tuple(t.low for t in self.tests)

    def value_set(self, domain: Domain) -> IntervalSet:
        """The values of `domain` this entry matches."""
        if self.any:
            return domain.universe
        matched = IntervalSet.empty(domain)
        for t in self.tests:
            if t.kind != domain.kind:
                part = domain.universe if t.negated else IntervalSet.empty(domain)
            else:
                part = IntervalSet.of(domain, [(domain.key(t.low), t.low_closed,
                                                domain.key(t.high), t.high_closed)])
                if t.negated:
                    part = part.complement()
            matched = matched.union(part)
        return matched.complement() if self.negated else matched.intersect(domain.universe)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.lastgroup is None:
                start = pos + len(text[pos:]) - len(text[pos:].lstrip())
                raise self.fail(f"unexpected '{text[start]}'", start)
            self.tokens.append((m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup)))
            pos = m.end()
        self.i = 0
        self.at = 0  # where the last token taken starts, for errors about it

    def fail(self, what: str, at: int | None = None) -> ExpressionError:
        if at is None:
            at = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
        return ExpressionError(
            f"input entry '{self.text}' does not parse at column {at + 1}: {what}",
            expression=self.text,
            hint='write e.g. < 7, [1..7], "a","b", not("x"), date("2026-01-01") or - for any',
        )

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise self.fail(f"expected {expected or 'a value'} but the entry ends")
        kind, value, self.at = self.tokens[self.i]
        if expected is not None and value != expected:
            raise self.fail(f"expected '{expected}', found '{value}'")
        self.i += 1
        return kind, value

    def entry(self) -> UnaryTests:
        if self.peek() == "not":
            self.take()
            self.take("(")
            tests = self.tests()
            self.take(")")
            result = UnaryTests(self.text, tests, negated=True)
        else:
            result = UnaryTests(self.text, self.tests())
        if self.i < len(self.tokens):
            raise self.fail(f"unexpected '{self.tokens[self.i][1]}'")
        return result

    def tests(self) -> tuple[Test, ...]:
        found = [self.test()]
        while self.peek() == ",":
            self.take()
            found.append(self.test())
        return tuple(found)

    def test(self) -> Test:
        token = self.peek()
        if token in ("<", "<=", ">", ">="):
            self.take()
            kind, value = self.endpoint()
            if token.startswith("<"):
                return Test(kind, None, value, True, token == "<=")
            return Test(kind, value, None, token == ">=", True)
        if token in ("=", "!="):
            self.take()
            kind, value = self.literal()
            return Test(kind, value, value, negated=token == "!=")
        if token in ("[", "(", "]"):
            self.take()
            start = self.at
            low_kind, low = self.endpoint()
            self.take("..")
            high_kind, high = self.endpoint()
            close = self.peek()
            if close not in ("]", ")", "["):
                raise self.fail("expected ']', ')' or '[' to close the range")
            self.take()
            if low_kind != high_kind:
                raise self.fail(f"range mixes a {low_kind} and a {high_kind}", start)
            if low > high:
                raise self.fail(f"range is empty: {low} is above {high}; write the lower end"
                                " first", start)
            return Test(low_kind, low, high, token == "[", close == "]")
        kind, value = self.literal()
        return Test(kind, value, value)

    def literal(self) -> tuple[Kind, Any]:
        word = self.peek()
        if word in ("true", "false"):
            self.take()
            return "boolean", word == "true"
        if word == "null":
            self.take()
            return "null", None
        return self.endpoint()

    def endpoint(self) -> tuple[Kind, Any]:
        kind, value = self.take()
        if kind == "num":
            return "number", Decimal(value)
        if kind == "str":
            return "string", self.string(value)
        if kind == "name" and value == "date":
            self.take("(")
            skind, svalue = self.take()
            where = self.at
            if skind != "str":
                raise self.fail('date() takes a quoted date, e.g. date("2026-01-01")', where)
            self.take(")")
            try:
                return "date", date.fromisoformat(self.string(svalue))
            except ValueError:
                raise self.fail(f"{svalue} is not a date (YYYY-MM-DD)", where) from None
        if kind == "name" and value in ("true", "false", "null"):
            raise self.fail(f"a comparison or range needs a number, text or date, not {value}",
                            self.at)
        if kind == "name":
            raise self.fail(f"'{value}' is not a value: quote text (\"{value}\"); "
                            "names of variables are not supported in input entries", self.at)
        raise self.fail(f"expected a value, found '{value}'", self.at)

    def string(self, quoted: str) -> str:
        body, out, i = quoted[1:-1], [], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\":
                nxt = body[i + 1]
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                    out.append(chr(int(body[i + 2:i + 6], 16)))
                    i += 6
                    continue
                if nxt not in _ESCAPES:
                    raise self.fail(f"unknown escape '\\{nxt}' in a text", self.at)
                out.append(_ESCAPES[nxt])
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)


@lru_cache(maxsize=4096)
def parse_unary_tests(text: str) -> UnaryTests:
    """Parse an input entry; ExpressionError naming the entry and column if it is bad."""
    if not isinstance(text, str):
        raise ExpressionError(f"an input entry must be text, got {type(text).__name__}")
    stripped = text.strip()
    if len(stripped) > MAX_ENTRY:
        raise ExpressionError(f"input entry longer than {MAX_ENTRY} characters")
    if stripped in ("-", ""):
        return UnaryTests(stripped or "-", (), any=True)
    return _Parser(stripped).entry()


def to_feel(value: Any) -> str:
    """A value written as a FEEL literal (for messages and round trips)."""
    kind, v = classify(value)
    if kind == "null":
        return "null"
    if kind == "boolean":
        return "true" if v else "false"
    if kind == "date":
        return f'date("{v.isoformat()}")'
    if kind == "string":
        text: str = v
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


# -- interval algebra for deploy-time analysis -------------------------------------------
Bound = tuple[Any, bool, Any, bool]  # low, low closed, high, high closed; None = unbounded


@dataclass(frozen=True)
class Domain:
    """The values an input column can take, as intervals over comparable keys.

    Keys are Decimals for numbers, texts for strings, day ordinals for dates and 0/1 for
    booleans. In a `discrete` domain (integers, dates, booleans) open ends are moved to
    the next whole key, so `]1..8[` and `[2..7]` are the same set.
    """

    kind: Kind
    discrete: bool = False
    allowed: tuple[Bound, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind in ("date", "boolean"):
            object.__setattr__(self, "discrete", True)  # whole days, two truth values

    def key(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "date":
            return value.toordinal()
        if self.kind == "boolean":
            return int(value)
        return value

    def value(self, key: Any) -> Any:
        if self.kind == "date":  # a gap's open end may lie a day past 0001-01-01 or 9999-12-31
            return date.fromordinal(min(max(int(key), 1), date.max.toordinal()))
        if self.kind == "boolean":
            return bool(key)
        if self.kind == "number":
            return Decimal(key)
        return key

    @cached_property
    def universe(self) -> IntervalSet:
        if self.allowed is not None:
            return IntervalSet.of(self, self.allowed)
        if self.kind == "boolean":
            return IntervalSet.of(self, [(0, True, 1, True)])
        if self.kind == "string":
            return IntervalSet.of(self, [("", True, None, True)])
        return IntervalSet.of(self, [(None, True, None, True)])


def _low_key(b: Bound) -> tuple[int, Any, int]:
    return (0, 0, 0) if b[0] is None else (1, b[0], 0 if b[1] else 1)


@dataclass(frozen=True)
class IntervalSet:
    """A normalised union of disjoint, sorted, non-empty intervals of one domain."""

    domain: Domain
    bounds: tuple[Bound, ...]

    @classmethod
    def empty(cls, domain: Domain) -> IntervalSet:
        return cls(domain, ())

    @classmethod
    def of(cls, domain: Domain, bounds: Any) -> IntervalSet:
        cleaned = [b for b in (cls._normal(domain, b) for b in bounds) if b is not None]
        merged: list[Bound] = []
        for b in sorted(cleaned, key=_low_key):
            if merged and cls._touches(domain, merged[-1], b):
                lo, lc, hi, hc = merged[-1]
                if hi is None or b[2] is None:
                    merged[-1] = (lo, lc, None, True)
                elif b[2] > hi or (b[2] == hi and b[3]):
                    merged[-1] = (lo, lc, b[2], b[3])
            else:
                merged.append(b)
        return cls(domain, tuple(merged))

    @staticmethod
    def _normal(domain: Domain, b: Bound) -> Bound | None:
        lo, lc, hi, hc = b
        if domain.discrete:
            if lo is not None:
                lo, lc = (math.ceil(lo) if lc else math.floor(lo) + 1), True
            if hi is not None:
                hi, hc = (math.floor(hi) if hc else math.ceil(hi) - 1), True
        if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lc and hc))):
            return None
        return (lo, lc, hi, hc)

    @staticmethod
    def _touches(domain: Domain, a: Bound, b: Bound) -> bool:
        if a[2] is None or b[0] is None:
            return True
        if b[0] < a[2] or (b[0] == a[2] and (a[3] or b[1])):
            return True
        return domain.discrete and b[0] == a[2] + 1

    def is_empty(self) -> bool:
        return not self.bounds

    def union(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet.of(self.domain, self.bounds + other.bounds)

    def intersect(self, other: IntervalSet) -> IntervalSet:
        found = []
        for a in self.bounds:
            for b in other.bounds:
                lo = b[:2] if a[0] is None or (b[0] is not None and (
                    b[0] > a[0] or (b[0] == a[0] and not b[1]))) else a[:2]
                hi = b[2:] if a[2] is None or (b[2] is not None and (
                    b[2] < a[2] or (b[2] == a[2] and not b[3]))) else a[2:]
                found.append((lo[0], lo[1], hi[0], hi[1]))
        return IntervalSet.of(self.domain, found)

    def complement(self) -> IntervalSet:
        """The values of the domain's universe not in this set."""
        gaps: list[Bound] = []
        lo, lc = None, True
        for b in self.bounds:
            if b[0] is not None:
                gaps.append((lo, lc, b[0], not b[1]))
            if b[2] is None:
                break
            lo, lc = b[2], not b[3]
        else:
            gaps.append((lo, lc, None, True))
        return IntervalSet.of(self.domain, gaps).intersect(self.domain.universe)

    def contains(self, key: Any) -> bool:
        return any(
            (lo is None or key > lo or (lc and key == lo))
            and (hi is None or key < hi or (hc and key == hi))
            for lo, lc, hi, hc in self.bounds
        )

    def witness(self) -> Any:
        """A value in the set (the set must not be empty)."""
        lo, lc, hi, hc = self.bounds[0]
        if lo is not None and lc:
            key = lo
        elif hi is not None and hc:
            key = hi
        elif self.domain.kind == "string":
            key = (lo or "") + "\x00" if hi is not None else (lo or "") + "a"
        elif lo is None and hi is None:
            key = 0
        elif lo is None:
            key = hi - 1
        elif hi is None:
            key = lo + 1
        else:
            key = (lo + hi) / 2
        return self.domain.value(key)

    def to_feel(self) -> str:
        """The set as FEEL unary tests: `-`, `< 0`, `[1..7]`, `"a", "b"`, …"""
        if self.bounds == self.domain.universe.bounds:
            return "-"
        parts = []
        for lo, lc, hi, hc in self.bounds:
            low = None if lo is None else to_feel(self.domain.value(lo))
            high = None if hi is None else to_feel(self.domain.value(hi))
            if low is not None and low == high:
                parts.append(low)
            elif low is None:
                parts.append(f"{'<=' if hc else '<'} {high}" if high else "-")
            elif high is None:
                parts.append(f"{'>=' if lc else '>'} {low}")
            else:
                parts.append(f"{'[' if lc else '('}{low}..{high}{']' if hc else ')'}")
        return ", ".join(parts)
