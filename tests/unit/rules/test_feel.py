"""FEEL unary tests: parsing, matching, errors and the interval sets used for analysis."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liucheng.errors import ExpressionError
from liucheng.rules.feel import Domain, IntervalSet, parse_unary_tests, to_feel

D = Decimal
CASES: list[tuple[str, list[Any], list[Any]]] = [
    # entry, values it matches, values it does not match
    ("< 7", [6, D("6.99"), -100, 6.5, float("-inf")], [7, 8, "6", None, True, float("nan")]),
    ("<= 7", [7, D("7.00"), 0], [D("7.01"), "7"]),
    ("> 7", [8, D("7.01")], [7, 0]),
    (">= 7", [7, 100], [D("6.999")]),
    ("= 7", [7, D("7.0"), 7.0], [8, "7"]),
    ("7", [7], [6, "7", True]),
    ("!= 7", [6, "7", None], [7]),
    ("[1..7]", [1, 4, 7, D("1.5")], [0, 8, D("0.99"), D("7.01")]),
    ("(1..7)", [2, D("1.01"), D("6.99")], [1, 7]),
    ("]1..7[", [2], [1, 7]),
    ("[1..7)", [1, 6], [7]),
    ("(1..7]", [7], [1]),
    ("[-5..-1]", [-5, -1, -3], [0, -6]),
    ("-5", [-5], [5]),
    ('"a","b"', ["a", "b"], ["c", "A", None, 1]),
    ('"单身", "离异"', ["单身", "离异"], ["已婚"]),
    ("1, 2, 3", [1, 2, 3], [4, "1"]),
    ("< 0, > 10", [-1, 11], [0, 5, 10]),
    ('not("a")', ["b", 1, None], ["a"]),
    ('not("a", "b")', ["c"], ["a", "b"]),
    ("not([1..7])", [0, 8], [1, 7]),
    ("not(null)", [0, ""], [None]),
    ("-", [1, "x", None, True], []),
    ("true", [True], [False, 1, "true"]),
    ("false", [False], [True, 0]),
    ("null", [None], [0, "", False]),
    ('""', [""], ["a", None]),
    ('"say \\"hi\\""', ['say "hi"'], ["say hi"]),
    ('"\\u4e2d"', ["中"], []),
    ('date("2026-01-01")', [date(2026, 1, 1), "2026-01-01"], [date(2026, 1, 2), "x", 20260101]),
    ('> date("2026-01-01")', [date(2026, 1, 2), "2026-12-31"], [date(2026, 1, 1), "2025-01-01"]),
    ('[date("2026-01-01")..date("2026-01-31")]', [date(2026, 1, 15)], [date(2026, 2, 1)]),
    ('["a".."c"]', ["a", "b", "bz", "c"], ["d", "ca"]),
    ("  <=   7  ", [7], [8]),
]


@pytest.mark.parametrize(("entry", "hits", "misses"), CASES)
def test_matching(entry: str, hits: list[Any], misses: list[Any]) -> None:
    tests = parse_unary_tests(entry)
    for value in hits:
        assert tests.matches(value), (entry, value)
    for value in misses:
        assert not tests.matches(value), (entry, value)


def test_numbers_are_exact_decimals() -> None:
    tests = parse_unary_tests("[0.1..0.3]")
    assert tests.tests[0].low == D("0.1") and isinstance(tests.tests[0].low, Decimal)
    assert parse_unary_tests("0.3").matches(D("0.1") + D("0.2"))
    assert parse_unary_tests("0.3").matches(0.3)


def test_empty_entry_means_any() -> None:
    assert parse_unary_tests("").any and parse_unary_tests(" - ").any


def test_points() -> None:
    assert parse_unary_tests('"a", "b"').points() == ("a", "b")
    assert parse_unary_tests("null").points() == (None,)
    assert parse_unary_tests("< 3").points() is None
    assert parse_unary_tests("not(1)").points() is None


@pytest.mark.parametrize(("entry", "column", "words"), [
    ("<", 2, "ends"),
    ("[1..", 5, "ends"),
    ("abc", 1, "quote text"),
    ("[7..1]", 1, "lower end first"),
    ("1..7", 2, "unexpected '..'"),
    ("< true", 3, "not true"),
    ("< maximum", 3, "quote text"),
    ('date("2026-02-30")', 6, "not a date"),
    ("date(1)", 6, "quoted date"),
    ('[1.."a"]', 1, "mixes"),
    ("[true..false]", 2, "number, text or date, not true"),
    ("> null", 3, "not null"),
    ('"abc', 1, "unexpected"),
    ("<<3", 2, "found '<'"),
    ("1 2", 3, "unexpected '2'"),
    ("not(not(1))", 5, "'not' is not a value"),
    ("[1..7}", 6, "unexpected '}'"),
    ('"a\\q"', 1, "unknown escape"),
    ("1,", 3, "ends"),
    ("x > 3", 1, "names of variables"),
])
def test_errors_name_entry_and_column(entry: str, column: int, words: str) -> None:
    with pytest.raises(ExpressionError) as err:
        parse_unary_tests(entry)
    message = err.value.message
    assert f"'{entry}'" in message and f"column {column}:" in message and words in message
    assert err.value.hint


def test_too_long_and_not_text() -> None:
    with pytest.raises(ExpressionError):
        parse_unary_tests("1," * 2000)
    with pytest.raises(ExpressionError):
        parse_unary_tests(7)


@given(st.text(max_size=60))
def test_random_text_raises_only_expression_error(text: str) -> None:
    try:
        tests = parse_unary_tests(text)
    except ExpressionError:
        return
    for value in (0, D("1.5"), "a", None, True, date(2026, 1, 1), [1], 2.5, D("NaN")):
        tests.matches(value)


FEELISH = st.text(alphabet='<>=![]().,"- 0123456789abdeflnortu\\', max_size=40)


@given(FEELISH)
def test_feel_like_text_raises_only_expression_error(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse_unary_tests(text)


def test_to_feel_round_trips() -> None:
    for value in (D("7"), D("-0.5"), "a\"b", "中", True, None, date(2026, 2, 28)):
        assert parse_unary_tests(to_feel(value)).matches(value)


# -- interval sets ---------------------------------------------------------------------------
def entries() -> st.SearchStrategy[str]:
    ints = st.integers(min_value=-5, max_value=15)
    single = st.one_of(
        st.builds(lambda op, n: f"{op} {n}", st.sampled_from(["<", "<=", ">", ">=", "=", "!="]),
                  ints),
        st.builds(lambda a, b, lo, hi: f"{lo}{min(a, b)}..{max(a, b)}{hi}", ints, ints,
                  st.sampled_from(["[", "(", "]"]), st.sampled_from(["]", ")", "["])),
        st.builds(str, ints),
    )
    listed = st.lists(single, min_size=1, max_size=3).map(", ".join)
    return st.one_of(listed, listed.map(lambda t: f"not({t})"), st.just("-"))


@given(entries())
def test_value_set_agrees_with_matching_on_integers(entry: str) -> None:
    tests = parse_unary_tests(entry)
    domain = Domain("number", discrete=True)
    values = tests.value_set(domain)
    for n in range(-8, 19):
        assert values.contains(n) == tests.matches(n), (entry, n, values.bounds)


@given(entries())
def test_value_set_agrees_with_matching_on_decimals(entry: str) -> None:
    tests = parse_unary_tests(entry)
    domain = Domain("number")
    values = tests.value_set(domain)
    for n in range(-16, 36):
        v = D(n) / 2
        assert values.contains(v) == tests.matches(v), (entry, v, values.bounds)
    if not values.is_empty():
        assert tests.matches(values.witness())
    rest = values.complement()
    assert rest.intersect(values).is_empty()
    assert rest.union(values).bounds == domain.universe.bounds


def test_value_sets_print_as_feel() -> None:
    whole = Domain("number", discrete=True)
    assert parse_unary_tests("]1..8[").value_set(whole).to_feel() == "[2..7]"
    assert parse_unary_tests("not([1..7])").value_set(whole).to_feel() == "<= 0, >= 8"
    assert parse_unary_tests("-").value_set(whole).to_feel() == "-"
    real = Domain("number")
    assert parse_unary_tests("not([1..7])").value_set(real).to_feel() == "< 1, > 7"
    days = Domain("date")
    span = parse_unary_tests('(date("2026-01-01")..date("2026-01-03"))').value_set(days)
    assert span.to_feel() == 'date("2026-01-02")'
    flags = Domain("boolean")
    assert parse_unary_tests("true").value_set(flags).complement().to_feel() == "false"
    assert IntervalSet.empty(flags).to_feel() == ""
