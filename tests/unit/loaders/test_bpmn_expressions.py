"""JUEL, FEEL, Python-style and script translation into liucheng expressions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_expressions import (
    UnsupportedExpression,
    language_of,
    script_assignments,
    translate_condition,
    translate_feel,
    translate_juel,
    translate_value,
)
from liucheng.rules.expressions import evaluate


@pytest.mark.parametrize(("juel", "expected"), [
    ("${input == 1}", "input == 1"),
    ("#{!approved}", "not approved"),
    ("${a eq 'x' && not empty b.c}", "a == 'x' and not empty(b.c)"),
    ("${!a == b}", "(not a) == b"),
    ("${a < b == c < d}", "(a < b) == (c < d)"),
    ("${x gt 5 ? \"big\" : \"small\"}", "'big' if x > 5 else 'small'"),
    ("${x div 2 mod 3}", "x / 2 % 3"),
    ("${amount ge 1000 or vip}", "amount >= 1000 or vip"),
    ("${a['k'].class}", "a['k']['class']"),
    ("${ order.total le 10.5 }", "order.total <= 10.5"),
    ("${x == null}", "x == null"),
])
def test_juel_translates(juel: str, expected: str) -> None:
    assert translate_juel(juel) == expected


@pytest.mark.parametrize(("juel", "variables", "result"), [
    ("${!a == b}", {"a": False, "b": True}, True),
    ("${a lt b and b le c}", {"a": 1, "b": 2, "c": 2}, True),
    ("${empty list}", {"list": []}, True),
    ("${not empty name}", {"name": "张三"}, True),
    ("${x ne 'a' || y}", {"x": "a", "y": False}, False),
    ("${a - b - c}", {"a": 10, "b": 3, "c": 2}, 5),
    ("${v > 5 ? 'big' : 'small'}", {"v": 9}, "big"),
])
def test_juel_keeps_its_meaning(juel: str, variables: dict[str, Any], result: Any) -> None:
    assert evaluate(translate_juel(juel), variables) == result


@pytest.mark.parametrize(("juel", "why"), [
    ("${svc.check(order)}", "method"),
    ("${execution.getVariable('x')}", "engine object"),
    ("${fn:contains(a, b)}", "function"),
    ("${a} and ${b}", "single JUEL expression"),
    ("${a instanceof b}", "unexpected"),
    ("${a = 1}", "unexpected"),
])
def test_juel_without_counterpart_is_reported(juel: str, why: str) -> None:
    with pytest.raises(UnsupportedExpression, match=why):
        translate_juel(juel)


@pytest.mark.parametrize(("feel", "expected"), [
    ("= loopAmount != totalLoops", "loopAmount != totalLoops"),
    ('= reviewResult = "approved"', "reviewResult == 'approved'"),
    ("=VA and not(VB)", "VA and not VB"),
    ("= not(approved)", "not approved"),
    ('= if a > 1 then "x" else "y"', "'x' if a > 1 else 'y'"),
    ("= count([1, 2]) > 1", "len([1, 2]) > 1"),
    ("VB or not(VA)", "VB or not VA"),
])
def test_feel_translates(feel: str, expected: str) -> None:
    assert translate_feel(feel) == expected


@pytest.mark.parametrize(("feel", "why"), [
    ('= some r in risks satisfies r = "red"', "'some' is not supported"),
    ('Vacation Approval = "Approved"', "names with spaces"),
    ("= xs[1]", "1-based"),
    ("= x in [1, 2]", "'in' is not supported"),
    ("= a ** 2", r"'\*\*'"),
    ("= now()", "now"),
])
def test_feel_without_counterpart_is_reported(feel: str, why: str) -> None:
    with pytest.raises(UnsupportedExpression, match=why):
        translate_feel(feel)


@pytest.mark.parametrize(("text", "language", "default", "expected"), [
    ("${x > 1}", None, None, "x > 1"),
    ("= x > 1", None, None, "x > 1"),
    ("u > 0", None, None, "u > 0"),
    ("  foo == 'left' ", "groovy", None, "foo == 'left'"),
    ("return true;", None, "http://www.mvel.org/2.0", "true"),
    ("x > 1", None, "https://www.omg.org/spec/DMN/20191111/FEEL/", "x > 1"),
    ("${ok}", "http://www.w3.org/1999/XPath", None, "ok"),
    ("", "groovy", None, None),
])
def test_condition_language_is_chosen(text: str, language: str | None, default: str | None,
                                      expected: str | None) -> None:
    assert translate_condition(text, language, default) == expected


@pytest.mark.parametrize(("text", "language"), [
    ("return request.isValid();", "http://www.java.com/java"),
    ('getProcessProperty("x")/doc/text()="a"', "http://www.w3.org/1999/XPath"),
    ("x === 1", "javascript"),
    ("x > 1", "http://example.com/my-language"),
])
def test_unsupported_condition_languages_are_reported(text: str, language: str) -> None:
    with pytest.raises(ExpressionError):
        translate_condition(text, language)


def test_language_names() -> None:
    assert language_of("http://www.omg.org/spec/FEEL/20140401") == "feel"
    assert language_of("juel") == "juel"
    assert language_of("ecmascript") == "javascript"
    assert language_of(None) is None


def test_values_are_literals_or_expressions() -> None:
    assert translate_value("kermit") == "'kermit'"
    assert translate_value("${starter}") == "starter"
    assert translate_value("= assignee") == "assignee"
    assert translate_value("${employeeName}", {"employeeName": "starter"}) == "starter"
    with pytest.raises(UnsupportedExpression):
        translate_value("user-${id}")


@pytest.mark.parametrize(("script", "fmt", "result_variable", "expected"), [
    ("v += 1", None, None, (("v", "v + 1"),)),
    ("x = a * 2\ny = b * 2\nz = x + y", "python", None,
     (("x", "a * 2"), ("y", "b * 2"), ("z", "x + y"))),
    ("#{echo}", "juel", "result", (("result", "echo"),)),
    ("#{echo}", "juel", None, ()),
    ('execution.setVariable("a", 5);', "javascript", None, (("a", "5"),)),
    ('kcontext.setVariable("Task1", "ok");\nSystem.out.println("Task1");',
     "http://www.java.com/java", None, (("Task1", '"ok"'),)),
    ("var total = price * qty;", "javascript", None, (("total", "price * qty"),)),
    ("a + b", "groovy", "sum", (("sum", "a + b"),)),
])
def test_simple_scripts_become_assignments(script: str, fmt: str | None,
                                           result_variable: str | None,
                                           expected: tuple[tuple[str, str], ...]) -> None:
    assert script_assignments(script, fmt, result_variable) == expected


@pytest.mark.parametrize(("script", "fmt"), [
    ("def p = execution.getProcessInstance()", "groovy"),
    ("if (x) { y = 1 }", "javascript"),
    ("del x", "python"),
    ("x = open('f')", "python"),
    ("x = 1", "ruby"),
])
def test_real_code_in_scripts_is_reported(script: str, fmt: str) -> None:
    with pytest.raises(UnsupportedExpression):
        script_assignments(script, fmt)


OPS = {"lt": lambda a, b: a < b, "gt": lambda a, b: a > b, "le": lambda a, b: a <= b,
       "ge": lambda a, b: a >= b, "eq": lambda a, b: a == b, "ne": lambda a, b: a != b}


@given(st.integers(-50, 50), st.integers(-50, 50), st.sampled_from(sorted(OPS)),
       st.booleans())
def test_juel_comparisons_agree_with_their_definition(a: int, b: int, op: str,
                                                      negate: bool) -> None:
    source = f"${{{'!' if negate else ''}(a {op} b)}}"
    expected = OPS[op](a, b) != negate
    assert evaluate(translate_juel(source), {"a": a, "b": b}) is expected


@given(st.integers(-20, 20), st.integers(-20, 20), st.integers(1, 20))
def test_juel_arithmetic_keeps_precedence(a: int, b: int, c: int) -> None:
    assert evaluate(translate_juel("${a - b * c + a mod c}"), {"a": a, "b": b, "c": c}) == (
        a - b * c + a % c)
