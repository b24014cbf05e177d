"""Property-based fuzzing of the expression evaluator (Hypothesis).

Whatever the text — random characters, or expressions built from the grammar with every
operator, whitelisted function, literal and case variable — compiling, evaluating and
storing the result (`to_json` then JSON text, as a computed field is stored) either works
or raises ExpressionError, within two seconds, in a forked child with a memory limit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from security_kit import FUZZ, isolated, quick, tried

from liucheng.errors import ExpressionError
from liucheng.rules import jsontext
from liucheng.rules.expressions import BUILTINS, compile_expression, to_json

VARIABLES: dict[str, Any] = {
    "s": "王丽 <b>", "n": 7, "neg": -3, "zero": 0, "x": Decimal("1.5"), "f": 0.1,
    "big": 10 ** 300, "huge": Decimal("1E+999"), "tiny": Decimal("1E-999"),
    "l": [1, 2, 3], "long": list(range(1000)), "text": "a" * 5000, "d": {"k": "v", "n": 1},
    "nested": {"a": {"b": [{"c": 1}]}}, "none": None, "yes": True,
    "apply": {"outcome": "approve", "by": "wang", "at": "2026-03-02T09:00:00+00:00"},
}
NAMES = sorted(VARIABLES) + ["missing", "_x", "__class__", "starter"]
FUNCTIONS = sorted(BUILTINS) + ["eval", "open", "nothing"]
BINARY = ["+", "-", "*", "/", "//", "%", "==", "!=", "<", "<=", ">", ">=", " in ", " not in ",
          " and ", " or ", " && ", " || ", " is ", " is not ", "**", "&", "|", "^", "<<", ">>"]

literals = st.one_of(
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str),
    st.sampled_from(["0", "1", "99999", "100000", "100001", "1e308", "1e309", "0.1", "2.5",
                     "1_000", "0x1f", "1j", "-0", "4000", "-4001"]),
    st.text(max_size=12).map(repr),
    st.sampled_from(["'1e999999'", "'nan'", "'inf'", "'-1'", "'%s'", "'%999d'", "'{0}'",
                     "'a' * 3"]),
    st.sampled_from(["true", "false", "null", "None", "True"]),
    st.sampled_from(NAMES),
)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(st.sampled_from(["-", "+", "not ", "!", "~"]), inner).map("".join),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, st.sampled_from(["a", "b", "k", "outcome", "__class__", "keys",
                                          "upper"])).map(lambda t: f"{t[0]}.{t[1]}"),
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(inner, inner), max_size=3).map(
            lambda xs: "{" + ", ".join(f"{k}: {v}" for k, v in xs) + "}"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
    )


expressions = st.recursive(literals, _extend, max_leaves=24)


def _run(source: str) -> str:
    try:
        value = compile_expression(source).evaluate(VARIABLES)
        jsontext.dumps(to_json(value))
    except ExpressionError:
        return "refused"
    return "ok"


@isolated
@FUZZ
@given(st.text(max_size=300))
def test_any_text_compiles_and_evaluates_or_is_refused(source: str) -> None:
    tried("expressions: random text", source)
    with quick():
        _run(source)


@isolated
@FUZZ
@given(expressions)
def test_grammar_built_expressions_evaluate_and_store_or_are_refused(source: str) -> None:
    tried("expressions: built from the grammar", source)
    with quick():
        _run(source)


@isolated
@FUZZ
@given(expressions, st.dictionaries(st.sampled_from(NAMES), st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3), max_leaves=8)))
def test_expressions_over_any_json_variables(source: str, variables: dict[str, Any]) -> None:
    tried("expressions: any JSON variables", (source, variables))
    with quick():
        try:
            value = compile_expression(source).evaluate(variables)
            jsontext.dumps(to_json(value))
        except ExpressionError:
            pass
