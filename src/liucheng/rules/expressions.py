"""The sandboxed expression evaluator used by conditions, assignments and computed values.

Expressions use a small Python-like syntax (see docs/expressions.md). The source is parsed
with `ast` into a tree that is checked against a whitelist and compiled into closures; it
is never passed to `eval`/`exec`. Names resolve only to case variables and whitelisted
functions; `a.b` reads key `b` of a mapping and never a Python attribute. Sizes are bounded.

Numbers: integers stay integers; anything with a fraction is a `Decimal`, so money adds up
exactly (`0.1 + 0.2 == 0.3`).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation
from functools import lru_cache
from typing import Any

from liucheng.errors import ExpressionError

MAX_SOURCE = 4000
MAX_NODES = 600
MAX_SIZE = 100_000  # longest string or list an expression may build
MAX_DIGITS = 4000  # largest number (in digits) an expression may turn into an integer

Scope = Mapping[str, Any]
Compiled = Callable[[Scope, Mapping[str, Callable[..., Any]]], Any]

CONSTANTS: dict[str, Any] = {
    "true": True, "false": False, "null": None, "none": None,
    "True": True, "False": False, "None": None,
}


class Missing(ExpressionError):
    """A name used in an expression has no value."""

    code = "missing_variable"


def number(value: Any) -> Any:
    """Normalise a JSON number for arithmetic: floats become exact decimals."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _bounded(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_SIZE:
        raise ExpressionError(f"expression result longer than {MAX_SIZE} items")
    return value


def _div(a: Any, b: Any) -> Any:
    a, b = number(a), number(b)
    if isinstance(a, int) and isinstance(b, int) and b != 0 and a % b == 0:
        return a // b
    return Decimal(a) / Decimal(b)


def _size(value: Any) -> int:
    """Items in a value, nested lists, mappings and text counted in full (stops past
    MAX_SIZE): `[[0] * 99999] * 99999` repeats one list, but comparing, printing or
    storing it walks every item."""
    total, stack = 0, [value]
    while stack and total <= MAX_SIZE:
        item = stack.pop()
        if isinstance(item, (list, tuple)) and item:
            stack.extend(item)
        elif isinstance(item, Mapping) and item:
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += max(1, len(item)) if isinstance(item, str) else 1
    return total


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, (str, list)) or isinstance(b, (str, list)):
        count = b if isinstance(a, (str, list)) else a
        length = _size(a) if isinstance(a, (str, list)) else _size(b)
        if isinstance(count, int) and count * length > MAX_SIZE:
            raise ExpressionError(f"expression result longer than {MAX_SIZE} items")
    return operator.mul(number(a), number(b))


def _add(a: Any, b: Any) -> Any:
    return _bounded(operator.add(number(a), number(b)))


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):  # printf-style formatting: widths like '%999999999d'
        raise ExpressionError("'%' works on numbers; formatting text with '%' is not allowed")
    return number(a) % number(b)


def _integer(value: Any) -> int:
    """int(x), refusing numbers too large to be a sensible integer (int(1E+100000000)
    would compute a hundred-million-digit number)."""
    value = number(value)
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > MAX_DIGITS:
        raise ExpressionError(f"number too large: more than {MAX_DIGITS} digits")
    result = int(value)
    if result.bit_length() > MAX_DIGITS * 10 // 3:
        raise ExpressionError(f"number too large: more than {MAX_DIGITS} digits")
    return result


def _text(value: Any) -> str:
    if _size(value) > MAX_SIZE:  # str() of a huge nested list would be built first
        raise ExpressionError(f"expression result longer than {MAX_SIZE} items")
    result: str = _bounded(str(value))
    return result


BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: _add,
    ast.Sub: lambda a, b: number(a) - number(b),
    ast.Mult: _mul,
    ast.Div: _div,
    ast.FloorDiv: lambda a, b: number(a) // number(b),
    ast.Mod: _mod,
}

COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: number(a) == number(b),
    ast.NotEq: lambda a, b: number(a) != number(b),
    ast.Lt: lambda a, b: number(a) < number(b),
    ast.LtE: lambda a, b: number(a) <= number(b),
    ast.Gt: lambda a, b: number(a) > number(b),
    ast.GtE: lambda a, b: number(a) >= number(b),
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}


def _round(value: Any, digits: int = 0) -> Any:
    if isinstance(digits, int) and abs(digits) > MAX_DIGITS:
        raise ExpressionError(f"round() takes at most {MAX_DIGITS} digits")
    value = number(value)
    if isinstance(value, Decimal):
        result = value.quantize(Decimal(1).scaleb(-digits))
        return _integer(result) if digits == 0 else result
    return round(value, digits)


def _to_decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(number(value)))
    except InvalidOperation:
        raise ExpressionError(f"'{value}' is not a number") from None


BUILTINS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": lambda *a: min(*(number(x) for x in a)) if len(a) > 1 else min(number(x) for x in a[0]),
    "max": lambda *a: max(*(number(x) for x in a)) if len(a) > 1 else max(number(x) for x in a[0]),
    "abs": lambda x: abs(number(x)),
    "sum": lambda xs: sum((number(x) for x in xs), 0),
    "round": _round,
    "int": _integer,
    "decimal": _to_decimal,
    "str": _text,
    "bool": bool,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "contains": lambda haystack, needle: needle in haystack,
    "count": lambda items, value: sum(1 for x in items if x == value),
    "startswith": lambda s, prefix: str(s).startswith(prefix),
    "empty": lambda x: x is None or x == "" or x == [] or x == {},
    "get": lambda mapping, key, default=None: (
        mapping.get(key, default) if isinstance(mapping, Mapping) else default
    ),
    "defined": lambda x: x is not None,
}


def _lookup(container: Any, key: Any, src: str) -> Any:
    if isinstance(container, Mapping):
        if key not in container:
            raise Missing(f"'{key}' is not set", expression=src)
        return container[key]
    if isinstance(container, (list, tuple, str)) and isinstance(key, int):
        try:
            return container[key]
        except IndexError:
            raise ExpressionError(f"index {key} is out of range", expression=src) from None
    raise ExpressionError(f"cannot read '{key}' of {type(container).__name__}", expression=src)


class _Compiler:
    def __init__(self, src: str) -> None:
        self.src = src

    def fail(self, node: ast.AST, what: str) -> ExpressionError:
        col = getattr(node, "col_offset", None)
        at = f" at column {col + 1}" if col is not None else ""
        return ExpressionError(f"{what}{at} in expression '{self.src}'", expression=self.src)

    def compile(self, node: ast.AST) -> Compiled:  # noqa: C901 - one dispatch over node types
        src = self.src
        if isinstance(node, ast.Constant):
            value: Any = node.value
            if isinstance(value, float):
                value = Decimal(repr(value))
            if not isinstance(value, (int, str, Decimal, bool)) and value is not None:
                raise self.fail(node, "unsupported constant")
            return lambda s, f: value
        if isinstance(node, ast.Name):
            name = node.id
            if name in CONSTANTS:
                constant = CONSTANTS[name]
                return lambda s, f: constant

            def load(s: Scope, f: Mapping[str, Callable[..., Any]]) -> Any:
                if name in s:
                    return number(s[name])
                raise Missing(f"variable '{name}' is not set", expression=src, variable=name)

            return load
        if isinstance(node, ast.Attribute):
            target, attr = self.compile(node.value), node.attr
            if attr.startswith("_"):
                raise self.fail(node, f"name '{attr}' is not allowed")
            return lambda s, f: number(_lookup(target(s, f), attr, src))
        if isinstance(node, ast.Subscript):
            target, index = self.compile(node.value), self.compile(node.slice)
            return lambda s, f: number(_lookup(target(s, f), index(s, f), src))
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(v) for v in node.values]
            if isinstance(node.op, ast.And):
                def all_of(s: Scope, f: Mapping[str, Callable[..., Any]]) -> Any:
                    result: Any = True
                    for part in parts:
                        result = part(s, f)
                        if not result:
                            return result
                    return result
                return all_of

            def any_of(s: Scope, f: Mapping[str, Callable[..., Any]]) -> Any:
                result: Any = False
                for part in parts:
                    result = part(s, f)
                    if result:
                        return result
                return result
            return any_of
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda s, f: not operand(s, f)
            if isinstance(node.op, ast.USub):
                return lambda s, f: -number(operand(s, f))
            if isinstance(node.op, ast.UAdd):
                return lambda s, f: +number(operand(s, f))
            raise self.fail(node, "operator not allowed")
        if isinstance(node, ast.BinOp):
            op = BINARY.get(type(node.op))
            if op is None:
                raise self.fail(node, f"operator {type(node.op).__name__} not allowed")
            left, right = self.compile(node.left), self.compile(node.right)
            return lambda s, f: op(left(s, f), right(s, f))
        if isinstance(node, ast.Compare):
            first = self.compile(node.left)
            ops = []
            for cmp, comparator in zip(node.ops, node.comparators, strict=True):
                fn = COMPARE.get(type(cmp))
                if fn is None:
                    raise self.fail(node, "comparison not allowed")
                ops.append((fn, self.compile(comparator)))

            def compare(s: Scope, f: Mapping[str, Callable[..., Any]]) -> Any:
                left = first(s, f)
                for fn, right_c in ops:
                    right = right_c(s, f)
                    if not fn(left, right):
                        return False
                    left = right
                return True
            return compare
        if isinstance(node, ast.IfExp):
            test, body, orelse = (self.compile(n) for n in (node.test, node.body, node.orelse))
            return lambda s, f: body(s, f) if test(s, f) else orelse(s, f)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.compile(e) for e in node.elts]
            return lambda s, f: [item(s, f) for item in items]
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise self.fail(node, "'**' is not allowed")
            keys = [self.compile(k) for k in node.keys if k is not None]
            values = [self.compile(v) for v in node.values]
            return lambda s, f: {k(s, f): v(s, f) for k, v in zip(keys, values, strict=True)}
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                raise self.fail(node, "only calls of named functions are allowed")
            fname = node.func.id
            args = [self.compile(a) for a in node.args]

            def call(s: Scope, f: Mapping[str, Callable[..., Any]]) -> Any:
                fn = f.get(fname)
                if fn is None:
                    raise ExpressionError(f"unknown function '{fname}'", expression=src)
                try:
                    return fn(*(a(s, f) for a in args))
                except ExpressionError:
                    raise
                except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
                    raise ExpressionError(f"{fname}(): {exc}", expression=src) from None
            return call
        raise self.fail(node, f"'{type(node).__name__}' is not allowed")


class Expression:
    """A checked, compiled expression; call `evaluate(variables)`."""

    __slots__ = ("source", "_fn", "names")

    def __init__(self, source: str, fn: Compiled, names: frozenset[str]) -> None:
        self.source = source
        self._fn = fn
        self.names = names

    def evaluate(
        self, variables: Scope, functions: Mapping[str, Callable[..., Any]] | None = None
    ) -> Any:
        try:
            return self._fn(variables, BUILTINS if functions is None else functions)
        except ExpressionError:
            raise
        except (TypeError, ValueError, ArithmeticError, DivisionByZero, InvalidOperation) as exc:
            raise ExpressionError(
                f"cannot evaluate '{self.source}': {exc}", expression=self.source
            ) from None
        except RecursionError:
            raise ExpressionError("expression too deeply nested", expression=self.source) from None


def _normalise(source: str) -> str:
    """Accept `&&`, `||`, `!` and `=`-free JUEL-ish forms by mapping them to Python words."""
    out: list[str] = []
    i, quote = 0, ""
    while i < len(source):
        ch = source[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(source):
                out.append(source[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif source.startswith("&&", i):
            out.append(" and ")
            i += 1
        elif source.startswith("||", i):
            out.append(" or ")
            i += 1
        elif ch == "!" and not source.startswith("!=", i):
            out.append(" not ")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Parse and check an expression; raises ExpressionError saying what is wrong."""
    if not isinstance(source, str):
        raise ExpressionError(f"expression must be text, got {type(source).__name__}")
    text = source.strip()
    if not text:
        raise ExpressionError("empty expression")
    if len(text) > MAX_SOURCE:
        raise ExpressionError(f"expression longer than {MAX_SOURCE} characters")
    try:
        tree = ast.parse(_normalise(text).strip(), mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(
            f"expression '{text}' does not parse{col}: {exc.msg}", expression=text
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression too deeply nested or invalid", expression=text) from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(f"expression has more than {MAX_NODES} parts", expression=text)
    names = frozenset(
        n.id for n in nodes if isinstance(n, ast.Name) and n.id not in CONSTANTS
    ) - {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    try:
        fn = _Compiler(text).compile(tree.body)
    except RecursionError:
        raise ExpressionError("expression too deeply nested", expression=text) from None
    return Expression(text, fn, names)


def evaluate(
    source: str, variables: Scope, functions: Mapping[str, Callable[..., Any]] | None = None
) -> Any:
    return compile_expression(source).evaluate(variables, functions)


def to_json(value: Any) -> Any:
    """Turn an expression result into a JSON value: whole numbers become int, other
    decimals stay exact `Decimal`s (JSON numbers with every digit, see `rules.jsontext`)."""
    if _size(value) > MAX_SIZE:
        raise ExpressionError(f"expression result larger than {MAX_SIZE} items")
    if isinstance(value, int) and not isinstance(value, bool):
        return _integer(value)  # JSON (and the database) cannot hold a 5,000-digit number
    if isinstance(value, float) and not math.isfinite(value):  # a float inside a list
        raise ExpressionError(f"'{value}' cannot be stored as a number")
    if isinstance(value, Decimal):
        if not value.is_finite():  # JSON has no NaN or infinity
            raise ExpressionError(f"'{value}' cannot be stored as a number")
        if value == value.to_integral_value():
            return _integer(value)
        if abs(value.adjusted()) > MAX_DIGITS or len(value.as_tuple().digits) > MAX_DIGITS:
            raise ExpressionError(f"'{value:.6}' has too many digits to store")
        return value
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    return value
