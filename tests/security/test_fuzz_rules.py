"""Property-based fuzzing of form validation and decision tables (YAML and DMN).

Forms: any field definition the model validation accepts, and any submitted JSON, give
clean values and field problems — never an exception — quickly, and the clean values are
plain JSON. Decision tables: any table text loads or is refused with ModelError, and a
loaded table evaluated on any variables gives a result or a LiuchengError (DecisionError),
whose outputs the case history can store. DMN files, random or damaged, load or are
refused with ModelError.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from security_kit import FUZZ, isolated, only_documented, quick, tried

from liucheng.errors import LiuchengError, ModelError
from liucheng.model import FormField, Text
from liucheng.rules import jsontext
from liucheng.rules.decision import DecisionTable, evaluate, load_table
from liucheng.rules.dmn import read_dmn
from liucheng.rules.expressions import to_json
from liucheng.rules.forms import TYPES, spec_problems, validate_form

TODAY = date(2026, 3, 2)
NASTY_TEXT = ["", " ", "1e100000000", "9e99999999999999", "-1e5000", "1e-100000000", "NaN",
              "Infinity", "12,000.50", "１２３", "0x10", "1_000", "110105194912310021",
              "11010519491231002X", "+86 138-1234-5678", "13812345678", "2026-02-30",
              "2026-03-01T25:00", "9999-12-31", "0001-01-01", "<script>", "是", "否",
              "a" * 5000, "\x00", "\ud800", "../../etc/passwd", "%s%s%n", "{0.__class__}"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats()
    | st.text(max_size=20) | st.sampled_from(NASTY_TEXT),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=6) | st.sampled_from(["m", "name", "id"]), inner, max_size=4),
    max_leaves=10)
options = st.fixed_dictionaries({}, optional={
    "min": st.integers(-10, 10 ** 6) | st.sampled_from(["today", "2026-01-01"]),
    "max": st.integers(-10, 10 ** 6) | st.sampled_from(["today", "2030-01-01"]),
    "min_length": st.integers(0, 10), "max_length": st.integers(0, 100),
    "pattern": st.sampled_from([r"\d+", r"[A-Z]{2}\d{4}", r"(a+)+$", r".*"]),
    "choices": st.lists(st.text(max_size=5) | st.integers(), min_size=1, max_size=4),
    "required_if": st.sampled_from(["kind == 'car'", "amount > 10", "missing > 1", "true"]),
    "visible_if": st.sampled_from(["kind == 'house'", "not yes", "missing"]),
    "compute": st.sampled_from(["amount * 2", "amount + missing", "str(kind)", "[0] * 99999",
                                "decimal('1e999') * 10", "len(kind)"]),
    "mode": st.sampled_from(["edit", "readonly", "hidden"]),
    "min_items": st.integers(0, 3), "max_items": st.integers(0, 5)})


@st.composite
def fields(draw: st.DrawFn, depth: int = 0) -> FormField:
    kind = draw(st.sampled_from(TYPES if depth == 0 else [t for t in TYPES if t != "group"]))
    opts = dict(draw(options))
    for bound in ("min", "max"):  # settings that fit the type, so most forms are valid
        if bound in opts and kind in ("integer", "decimal", "money"):
            opts[bound] = draw(st.integers(-10, 10 ** 6))
        elif bound in opts and kind in ("date", "datetime"):
            opts[bound] = draw(st.sampled_from(["today", "2026-01-01", "2030-12-31"]))
    if kind in ("select", "multiselect") and not opts.get("choices"):
        opts["choices"] = draw(st.lists(st.text(max_size=5), min_size=1, max_size=4))
    if kind == "group":
        subs = draw(st.lists(fields(depth + 1), min_size=1, max_size=3))
        opts["fields"] = [{"id": s.id, "type": s.type, **s.options} for s in subs]
    return FormField(draw(st.sampled_from(["amount", "kind", "mobile", "owner_id", "when",
                                          "files", "phones", "note"])),
                     kind, Text("字段", "Field"), draw(st.booleans()),
                     draw(st.none() | json_values), opts)


@isolated
@FUZZ
@given(st.lists(fields(), max_size=5, unique_by=lambda f: f.id),
       st.dictionaries(st.sampled_from(["amount", "kind", "mobile", "owner_id", "when",
                                        "files", "phones", "note", "extra"]), json_values),
       st.dictionaries(st.sampled_from(["amount", "kind", "yes"]), json_values, max_size=3))
def test_form_validation_returns_problems_never_raises(form: list[FormField],
                                                       submitted: dict[str, Any],
                                                       known: dict[str, Any]) -> None:
    if spec_problems(form):
        return  # the model validation refuses this form before any case uses it
    tried("forms: fields and submissions", (form, submitted, known))
    with quick():
        clean, problems = validate_form(form, submitted, known, today=TODAY)
        jsontext.dumps(clean)
    assert all(p.field for p in problems), "every problem names its field"


# -- decision tables -------------------------------------------------------------------
unary_tests = st.sampled_from([
    "-", "<= 0", "> 7", "[1..7]", "(1..7)", "]1..7[", "[1..7)", "not(3)", "3, 4, 5", "\"a\"",
    "\"a\", \"b\"", "null", "true", "date(\"2026-01-01\")", "< date(\"2026-01-01\")",
    "[1..", "..", "[7..1]", "not(", "1e999999", "[1e999999..1e-999999]", "<= -0", "= 3",
    "?", "> x", "[\"a\"..\"z\"]", "<= 99999999999999999999999", "\"\\u0000\"", "'a'", "",
    ">= 1, <= 5", "not(-)", "[date(\"2026-02-30\")..date(\"x\")]"]) | st.text(max_size=12)
output_entries = (st.integers() | st.floats() | st.text(max_size=10) | st.booleans()
                  | st.sampled_from(["= amount * 2", "= missing", "= [0] * 99999",
                                     "= decimal('1e999') * 10", "= int(decimal('1e9999'))",
                                     "= amount ** 2", "= __import__('os')", "= '%999999d' % 1",
                                     "=", "= (", 0.5, None]))
columns = st.lists(st.fixed_dictionaries({"id": st.sampled_from(["amount", "days", "kind"])},
                                         optional={
    "expression": st.sampled_from(["amount", "days", "kind", "missing", "amount / 0",
                                   "[0] * 99999", "'x' * 99999"]),
    "type": st.sampled_from(["any", "string", "number", "decimal", "integer", "boolean",
                             "date", "money", "x"]),
    "values": st.sampled_from(["[0..100]", "[1..", "-"]) | st.lists(st.integers(), max_size=3),
    "default": output_entries}), min_size=1, max_size=3)


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    inputs = draw(columns)
    outputs = draw(st.lists(st.fixed_dictionaries(
        {"id": st.sampled_from(["fee", "months", "ok"])},
        optional={"type": st.sampled_from(["number", "integer", "string", "boolean"]),
                  "values": st.lists(st.integers(), min_size=1, max_size=3),
                  "default": output_entries}), min_size=1, max_size=2))
    width = draw(st.sampled_from([len(inputs) + len(outputs), len(inputs), 1]))
    rules = draw(st.lists(st.lists(unary_tests | output_entries, min_size=width,
                                   max_size=width), max_size=5))
    return {"decision": draw(st.sampled_from(["late", "", "x" * 200])),
            "hit_policy": draw(st.sampled_from(["UNIQUE", "FIRST", "PRIORITY", "ANY",
                                                "COLLECT", "RULE ORDER", "OUTPUT ORDER",
                                                "C+", "C#", "COLLECT SUM", "nonsense"])),
            "inputs": inputs, "outputs": outputs, "rules": rules}


variables = st.fixed_dictionaries({}, optional={
    "amount": st.integers() | st.floats() | st.text(max_size=5) | st.none(),
    "days": st.integers(-5, 20) | st.sampled_from(["7", 7.5, None, [], {}]),
    "kind": st.text(max_size=5) | st.integers()})


def _decide(raw: dict[str, Any], values: dict[str, Any]) -> str:
    try:
        table = load_table(raw, "fuzz.yaml", check=True)
    except ModelError:
        return "refused"
    try:
        result = evaluate(table, values)
        jsontext.dumps(to_json(result.to_history()))
    except LiuchengError:
        return "error"
    return "ok"


@isolated
@FUZZ
@given(tables(), variables)
def test_decision_tables_load_and_evaluate_or_refuse(raw: dict[str, Any],
                                                     values: dict[str, Any]) -> None:
    tried("decision tables (YAML): tables and variables", (raw, values))
    with quick():
        _decide(raw, values)


@isolated
@FUZZ
@given(st.dictionaries(st.sampled_from(["decision", "id", "hit_policy", "aggregation",
                                        "inputs", "outputs", "rules", "name", "line"]),
                       json_values, max_size=7))
def test_decision_table_any_mapping(raw: dict[str, Any]) -> None:
    tried("decision tables (YAML): arbitrary mappings", raw)
    result = only_documented(lambda: load_table(raw, "fuzz.yaml"), ModelError)
    assert isinstance(result, DecisionTable | ModelError)


# -- DMN -------------------------------------------------------------------------------
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
             namespace="http://liucheng/test">
  <decision id="late" name="逾期利息">
    <decisionTable id="t" hitPolicy="UNIQUE">
      <input id="i1" label="逾期天数">
        <inputExpression id="e1" typeRef="number"><text>days_late</text></inputExpression>
      </input>
      <output id="o1" name="months" typeRef="number"/>
      <rule id="r1"><inputEntry id="a1"><text>&lt;= 0</text></inputEntry>
        <outputEntry id="b1"><text>0</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="a2"><text>[1..7]</text></inputEntry>
        <outputEntry id="b2"><text>0.5</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="a3"><text>&gt; 7</text></inputEntry>
        <outputEntry id="b3"><text>1</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_the_dmn_seed_loads() -> None:
    document = read_dmn(DMN, "late.dmn")
    assert evaluate(document.table("late"), {"days_late": 3}).outputs["months"] == 0.5


def _read_dmn(data: str | bytes) -> str:
    try:
        document = read_dmn(data, "fuzz.dmn", strict=False)
    except ModelError:
        return "refused"
    for table in document.tables:
        with contextlib.suppress(LiuchengError):
            evaluate(table, {"days_late": 3})
    return "ok"


@isolated
@FUZZ
@given(st.data())
def test_dmn_damaged_or_random_files(data: st.DataObject) -> None:
    text: str | bytes = DMN
    if data.draw(st.booleans()):
        text = data.draw(st.binary(max_size=300) | st.text(max_size=300))
    else:
        for _ in range(data.draw(st.integers(1, 4))):
            at = data.draw(st.integers(0, len(text)))
            cut = data.draw(st.integers(0, 30))
            junk = data.draw(st.sampled_from(["<", "&", "&lt;", "]]>", "</rule>", "<rule>",
                                              "hitPolicy=\"X\"", "[1..", "\"", "typeRef=\"date\"",
                                              "&#0;", "1e99999"]) | st.text(max_size=6))
            text = text[:at] + junk + text[at + cut:]
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    tried("DMN import: damaged and random files", text)
    with quick():
        _read_dmn(text)


@isolated
@FUZZ
@given(st.lists(st.tuples(unary_tests, output_entries), min_size=1, max_size=5),
       st.sampled_from(["UNIQUE", "FIRST", "COLLECT", "PRIORITY", "ANY", "X"]),
       st.sampled_from(["number", "string", "date", "boolean", "integer", "nonsense"]))
def test_dmn_tables_with_any_entries(rules: list[tuple[Any, Any]], policy: str,
                                     type_ref: str) -> None:
    from xml.sax.saxutils import escape

    body = "".join(
        f'<rule id="r{i}"><inputEntry id="a{i}"><text>{escape(str(a))}</text></inputEntry>'
        f'<outputEntry id="b{i}"><text>{escape(str(b))}</text></outputEntry></rule>'
        for i, (a, b) in enumerate(rules))
    text = DMN.replace('hitPolicy="UNIQUE"', f'hitPolicy="{policy}"').replace(
        'typeRef="number"><text>', f'typeRef="{type_ref}"><text>')
    start, end = text.index("<rule "), text.index("</decisionTable>")
    text = text[:start] + body + text[end:]
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    tried("DMN import: generated tables", text)
    with quick():
        _read_dmn(text)
