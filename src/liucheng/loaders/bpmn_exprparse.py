"""A small recursive-descent parser from JUEL or FEEL into liucheng expression source.

The parser follows each language's own operator precedence and writes Python-style
source with only the parentheses that precedence needs, so `!a == b` (JUEL: `(!a) == b`)
becomes `(not a) == b` and `a < b == c` never turns into a Python comparison chain.
Anything without a faithful counterpart raises `UnsupportedExpression` with the column.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from liucheng.errors import ExpressionError

TERNARY, OR, AND, NOT, CMP, ADD, MUL, NEG, ATOM = range(1, 10)

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<name>[A-Za-z_$][\w$]*)"
    r"|(?P<op>===|!==|==|!=|<=|>=|&&|\|\||\*\*|[-+*/%<>!?:().,\[\]=;{}])",
    re.S,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
ENGINE_OBJECTS = frozenset({
    "execution", "processEngine", "processEngineServices", "authenticatedUserId",
    "delegateTask", "externalTask", "caseExecution", "variableScope", "runtimeService",
    "taskService", "kcontext",
})
FEEL_KEYWORDS = frozenset({"and", "or", "then", "else", "satisfies", "in", "between",
                           "instance", "of", "return"})
FEEL_UNSUPPORTED = frozenset({"some", "every", "for", "function", "between", "in", "instance"})
FEEL_FUNCTIONS = {"count": "len", "contains": "contains", "sum": "sum", "min": "min",
                  "max": "max", "abs": "abs", "string": "str", "number": "decimal"}
JUEL_COMPARE = {"==": "==", "!=": "!=", "eq": "==", "ne": "!=", "<": "<", ">": ">", "<=": "<=",
                ">=": ">=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}


class UnsupportedExpression(ExpressionError):
    """An expression (or script) that has no faithful translation."""

    code = "unsupported_expression"


@dataclass(frozen=True)
class Out:
    """Translated source and the precedence of its outermost operator."""

    src: str
    prec: int


def wrap(out: Out, min_prec: int) -> str:
    return out.src if out.prec >= min_prec else f"({out.src})"


def quote(text: str) -> str:
    """A string literal the evaluator reads back as `text`."""
    return repr(text)


def _decode(literal: str) -> str:
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            i += 1
            out.append(_ESCAPES.get(body[i], body[i]))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class ExprParser:
    """Parse one JUEL (`dialect="juel"`) or FEEL (`"feel"`) expression body."""

    def __init__(self, source: str, dialect: str, rename: Mapping[str, str]) -> None:
        self.source = source
        self.dialect = dialect
        self.rename = rename
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(source):
            match = _TOKEN.match(source, pos)
            if match is None:
                raise self.error(f"unexpected character '{source[pos]}'", pos)
            kind = match.lastgroup or ""
            if kind != "ws":
                self.tokens.append((kind, match.group(), pos))
            pos = match.end()
        self.tokens.append(("end", "", len(source)))
        self.i = 0

    # -- token helpers -------------------------------------------------------------------
    def error(self, what: str, pos: int | None = None) -> UnsupportedExpression:
        at = pos if pos is not None else self.tokens[self.i][2]
        lang = "JUEL" if self.dialect == "juel" else "FEEL"
        return UnsupportedExpression(f"{lang} '{self.source.strip()}': {what} at column {at + 1}")

    def peek(self, offset: int = 0) -> tuple[str, str, int]:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def accept(self, *values: str) -> str | None:
        kind, value, _ = self.peek()
        if kind in ("op", "name") and value in values:
            self.i += 1
            return value
        return None

    def expect(self, value: str) -> None:
        if self.accept(value) is None:
            got = self.peek()[1] or "the end"
            raise self.error(f"expected '{value}' but found '{got}'")

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> str:
        if self.peek()[0] == "end":
            raise self.error("empty expression")
        out = self.ternary()
        if self.peek()[0] != "end":
            raise self.error(f"unexpected '{self.peek()[1]}'")
        return out.src

    def ternary(self) -> Out:
        cond = self.disjunction()
        if self.dialect == "juel" and self.accept("?"):
            yes = self.ternary()
            self.expect(":")
            no = self.ternary()
            return Out(f"{wrap(yes, OR)} if {wrap(cond, OR)} else {wrap(no, TERNARY)}", TERNARY)
        return cond

    def disjunction(self) -> Out:
        left = self.conjunction()
        while self.accept("||", "or"):
            right = self.conjunction()
            left = Out(f"{wrap(left, OR)} or {wrap(right, AND)}", OR)
        return left

    def conjunction(self) -> Out:
        left = self.equality()
        while self.accept("&&", "and"):
            right = self.equality()
            left = Out(f"{wrap(left, AND)} and {wrap(right, NOT)}", AND)
        return left

    def _compare(self, ops: Mapping[str, str], operand: Callable[[], Out]) -> Out:
        left = operand()
        while True:
            kind, value, _ = self.peek()
            if kind not in ("op", "name") or value not in ops:
                return left
            self.i += 1
            right = operand()
            left = Out(f"{wrap(left, CMP + 1)} {ops[value]} {wrap(right, CMP + 1)}", CMP)

    def equality(self) -> Out:
        if self.dialect == "feel":
            ops = {"=": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
            out = self._compare(ops, self.additive)
            if self.peek()[1] in FEEL_UNSUPPORTED:
                raise self.error(f"'{self.peek()[1]}' is not supported")
            return out
        eq = {k: v for k, v in JUEL_COMPARE.items() if k in ("==", "!=", "eq", "ne")}
        rel = {k: v for k, v in JUEL_COMPARE.items() if k not in eq}
        return self._compare(eq, lambda: self._compare(rel, self.additive))

    def additive(self) -> Out:
        left = self.multiplicative()
        while (op := self.accept("+", "-")) is not None:
            right = self.multiplicative()
            left = Out(f"{wrap(left, ADD)} {op} {wrap(right, ADD + 1)}", ADD)
        return left

    def multiplicative(self) -> Out:
        left = self.unary()
        ops = ("*", "/", "%", "div", "mod") if self.dialect == "juel" else ("*", "/")
        while (op := self.accept(*ops)) is not None:
            right = self.unary()
            py = {"div": "/", "mod": "%"}.get(op, op)
            left = Out(f"{wrap(left, MUL)} {py} {wrap(right, MUL + 1)}", MUL)
        if self.peek()[1] == "**":
            raise self.error("'**' is not supported")
        return left

    def unary(self) -> Out:
        if self.accept("-"):
            return Out(f"-{wrap(self.unary(), NEG)}", NEG)
        if self.dialect == "juel":
            if self.accept("!", "not"):
                return Out(f"not {wrap(self.unary(), NOT)}", NOT)
            if self.accept("empty"):
                return Out(f"empty({self.unary().src})", ATOM)
        return self.postfix()

    def postfix(self) -> Out:
        out = self.primary()
        while True:
            if self.accept("."):
                kind, name, pos = self.peek()
                if kind != "name":
                    raise self.error("expected a property name after '.'")
                self.i += 1
                if self.peek()[1] == "(":
                    raise self.error(f"calls the method '{name}()'; method calls on objects "
                                     "are not supported", pos)
                out = Out(self._property(out, name), ATOM)
            elif self.peek()[1] == "[":
                if self.dialect == "feel":
                    raise self.error("list filters and 1-based indexes are not supported")
                self.i += 1
                index = self.ternary()
                self.expect("]")
                out = Out(f"{wrap(out, ATOM)}[{index.src}]", ATOM)
            elif self.peek()[1] == "(":
                raise self.error("calling a value is not supported")
            else:
                kind, value, pos = self.peek()
                if self.dialect == "feel" and kind == "name" and value not in FEEL_KEYWORDS:
                    raise self.error("names with spaces are not supported", pos)
                return out

    @staticmethod
    def _property(target: Out, name: str) -> str:
        if name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_"):
            return f"{wrap(target, ATOM)}.{name}"
        return f"{wrap(target, ATOM)}[{quote(name)}]"

    def primary(self) -> Out:
        kind, value, pos = self.peek()
        self.i += 1
        if kind == "num":
            return Out(value, ATOM)
        if kind == "str":
            if self.dialect == "feel" and value.startswith("'"):
                raise self.error("FEEL strings use double quotes", pos)
            return Out(quote(_decode(value)), ATOM)
        if value == "(":
            inner = self.ternary()
            self.expect(")")
            return inner
        if value == "[" and self.dialect == "feel":
            items = self._arguments("]")
            return Out("[" + ", ".join(i.src for i in items) + "]", ATOM)
        if kind == "name":
            return self._name(value, pos)
        raise self.error(f"unexpected '{value or 'end of expression'}'", pos)

    def _arguments(self, close: str) -> list[Out]:
        items: list[Out] = []
        if self.accept(close):
            return items
        while True:
            items.append(self.ternary())
            if self.accept(close):
                return items
            self.expect(",")

    def _name(self, name: str, pos: int) -> Out:
        if name in ("true", "false", "null"):
            return Out(name, ATOM)
        if self.dialect == "feel":
            if name == "not" and self.accept("("):
                args = self._arguments(")")
                if len(args) != 1:
                    raise self.error("not(…) with several tests is not supported", pos)
                return Out(f"not {wrap(args[0], NOT)}", NOT)
            if name == "if":
                cond = self.ternary()
                self.expect("then")
                yes = self.ternary()
                self.expect("else")
                no = self.ternary()
                return Out(f"{wrap(yes, OR)} if {wrap(cond, OR)} else {wrap(no, TERNARY)}",
                           TERNARY)
            if name in FEEL_UNSUPPORTED or name in FEEL_KEYWORDS:
                raise self.error(f"'{name}' is not supported", pos)
        elif name in JUEL_COMPARE or name in ("and", "or", "not", "div", "mod", "instanceof"):
            raise self.error(f"unexpected '{name}'", pos)
        elif self.peek()[1] == ":" and self.peek(1)[0] == "name" and self.peek(2)[1] == "(":
            raise self.error(f"calls the function '{name}:{self.peek(1)[1]}()', which has no "
                             "liucheng counterpart", pos)
        if self.peek()[1] == "(":
            if self.dialect == "feel" and name in FEEL_FUNCTIONS:
                self.i += 1
                args = self._arguments(")")
                return Out(f"{FEEL_FUNCTIONS[name]}({', '.join(a.src for a in args)})", ATOM)
            raise self.error(f"calls the function '{name}()', which has no liucheng "
                             "counterpart", pos)
        if name in ENGINE_OBJECTS:
            raise self.error(f"uses the engine object '{name}', which liucheng does not have",
                             pos)
        name = self.rename.get(name, name)
        if "$" in name or keyword.iskeyword(name) or name in ("None", "True", "False"):
            raise self.error(f"the name '{name}' cannot be used as a variable", pos)
        return Out(name, ATOM)
