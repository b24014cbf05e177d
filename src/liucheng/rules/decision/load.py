"""The YAML form of a decision table (docs/rules.md): `load_table` and the cell readers.

`load_table` reports every problem it finds at once, as a ModelError, and by default
refuses a table whose analysis finds overlapping rules (see `analysis`). `input_entry` and
`output_entry` read single cells; `liucheng.rules.dmn` uses this loader for DMN XML too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from liucheng.errors import ExpressionError, ModelError, Problem
from liucheng.rules.decision.analysis import analyse
from liucheng.rules.decision.model import (
    AGGREGATIONS,
    HIT_POLICIES,
    TYPES,
    DecisionTable,
    Input,
    Output,
    OutputEntry,
    Rule,
    coerce,
)
from liucheng.rules.expressions import compile_expression, number
from liucheng.rules.feel import UnaryTests, parse_unary_tests, to_feel
from liucheng.rules.validators import Message

_ALIASES = {"U": "UNIQUE", "F": "FIRST", "P": "PRIORITY", "A": "ANY", "C": "COLLECT",
            "R": "RULE ORDER", "O": "OUTPUT ORDER", "RULE_ORDER": "RULE ORDER",
            "OUTPUT_ORDER": "OUTPUT ORDER"}
_SHORT_AGGREGATION = {"C+": "SUM", "C<": "MIN", "C>": "MAX", "C#": "COUNT"}
_TYPE_ALIASES = {"decimal": "number", "double": "number", "long": "integer", "int": "integer",
                 "text": "string", "str": "string", "bool": "boolean"}


def _text_of(value: Any, default: str) -> Message:
    if isinstance(value, Mapping):
        zh, en = str(value.get("zh") or ""), str(value.get("en") or "")
        return Message(zh or en or default, en or zh or default)
    return Message(str(value), str(value)) if value else Message(default, default)


def _kind(value: Any) -> str:
    kind = _TYPE_ALIASES.get(str(value).lower(), str(value).lower()) if value else "any"
    if kind not in TYPES:
        raise ValueError(f"unknown type '{value}'; use one of {', '.join(TYPES)}")
    return kind


def input_entry(value: Any) -> UnaryTests:
    """An input entry from YAML: FEEL text, or a number/boolean/date meaning equality."""
    if isinstance(value, str):
        return parse_unary_tests(value)
    if value is None:
        raise ValueError("an empty cell: write '-' for any value or 'null' for a missing one")
    if isinstance(value, (bool, int, float, Decimal, date)):
        return parse_unary_tests(to_feel(number(value)))
    raise ValueError(f"{value!r} is not an input entry")


def output_entry(value: Any) -> OutputEntry:
    """An output entry from YAML: a literal, or an expression written after '='."""
    if isinstance(value, str) and value.lstrip().startswith("="):
        source = value.lstrip()[1:].strip()
        return OutputEntry(value, expression=compile_expression(source))
    if isinstance(value, float):
        value = Decimal(repr(value))
    if value is None or isinstance(value, (str, bool, int, Decimal, date, list, dict)):
        return OutputEntry(str(value), literal=value)
    raise ValueError(f"{value!r} is not an output entry")


def _values(raw: Any) -> UnaryTests | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return parse_unary_tests(raw)
    if isinstance(raw, list) and raw:
        return parse_unary_tests(", ".join(to_feel(number(v)) for v in raw))
    raise ValueError("values must be a list of values or FEEL text such as '[300..850]'")


def load_table(
    data: Mapping[str, Any], source_name: str | None = None, *, check: bool = True
) -> DecisionTable:
    """Build a table from its YAML mapping; ModelError listing every problem found.

    With `check` (the default) a UNIQUE table whose rules overlap, or an ANY table whose
    overlapping rules give different literal outputs, is refused too (see `analyse`).
    """
    table_id = str(data.get("decision") or data.get("id") or "")
    problems: list[Problem] = []

    def problem(what: str, line: Any = None, hint: str | None = None) -> None:
        line = line if isinstance(line, int) else data.get("line")  # importers set lines
        problems.append(Problem(what, element=table_id or None, source=source_name,
                                line=line if isinstance(line, int) else None, hint=hint))

    if not table_id:
        problem("the table has no 'decision' id", hint="add e.g. decision: late_interest")
    policy = str(data.get("hit_policy") or "UNIQUE").upper().replace("_", " ").strip()
    aggregation = data.get("aggregation")
    if policy in _SHORT_AGGREGATION:
        policy, aggregation = "COLLECT", _SHORT_AGGREGATION[policy]
    elif policy.startswith("COLLECT ") and policy[8:].strip() in AGGREGATIONS:
        policy, aggregation = "COLLECT", policy[8:].strip()
    policy = _ALIASES.get(policy.replace(" ", "_"), policy)
    if policy not in HIT_POLICIES:
        problem(f"unknown hit policy '{policy}'", hint="use one of " + ", ".join(HIT_POLICIES))
    if aggregation is not None:
        aggregation = str(aggregation).upper()
        if aggregation not in AGGREGATIONS or policy != "COLLECT":
            problem(f"aggregation '{aggregation}' needs hit policy COLLECT and one of "
                    + ", ".join(AGGREGATIONS))
    inputs = _columns(data.get("inputs"), "input", problem)
    outputs = _columns(data.get("outputs"), "output", problem)
    if aggregation and len(outputs) > 1:
        problem(f"aggregation {aggregation} works on one output, the table has {len(outputs)}")
    if policy in ("PRIORITY", "OUTPUT ORDER") and not any(o.values for o in outputs):
        problem(f"hit policy {policy} needs an output with a 'values' list, highest first")
    rules = []
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problem("the table has no rules", hint="add rules: a list of [inputs..., outputs...]")
        raw_rules = []
    for n, raw in enumerate(raw_rules, start=1):
        rule = _rule(n, raw, inputs, outputs, problem)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise ModelError(problems, source=source_name)
    table = DecisionTable(table_id, _text_of(data.get("name"), table_id), policy, tuple(inputs),
                          tuple(outputs), tuple(rules), aggregation, source_name)
    if check:
        found = analyse(table).problems()
        if found:
            raise ModelError(found, source=source_name)
    return table


def _columns(raw: Any, kind: str, problem: Callable[..., None]) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        problem(f"the table has no {kind}s", hint=f"add {kind}s: [{{id: ...}}]")
        return []
    columns: list[Any] = []
    for n, col in enumerate(raw, start=1):
        col = {"id": col} if isinstance(col, str) else col
        if not isinstance(col, Mapping) or not col.get("id"):
            problem(f"{kind} {n} needs an id")
            continue
        cid, line = str(col["id"]), col.get("line")
        if any(c.id == cid for c in columns):
            problem(f"{kind} '{cid}' is declared twice", line)
            continue
        try:
            label = _text_of(col["label"], cid) if col.get("label") else None
            ctype = _kind(col.get("type"))
            if kind == "input":
                columns.append(Input(cid, compile_expression(str(col.get("expression") or cid)),
                                     label, ctype, _values(col.get("values"))))
                continue
            values = col.get("values") or []
            if isinstance(values, str):
                points = parse_unary_tests(values).points()
                if points is None:
                    raise ValueError("output values must be a list of literals")
                values = list(points)
            default = output_entry(col["default"]) if "default" in col else None
            columns.append(Output(cid, label, ctype, tuple(coerce(ctype, v) for v in values),
                                  default))
        except (ExpressionError, ValueError) as exc:
            text = exc.message if isinstance(exc, ExpressionError) else str(exc)
            problem(f"{kind} '{cid}': {text}", line)
    return columns


def _rule(n: int, raw: Any, inputs: list[Input], outputs: list[Output],
          problem: Callable[..., None]) -> Rule | None:
    rid, annotation, line = f"rule_{n}", None, None
    if isinstance(raw, Mapping):
        rid, annotation, line = str(raw.get("id") or rid), raw.get("annotation"), raw.get("line")
        when, then = raw.get("when") or {}, raw.get("then")
        if isinstance(when, Mapping):
            unknown = set(when) - {c.id for c in inputs}
            if unknown:
                problem(f"rule {n}: no input named {sorted(unknown)}", line)
                return None
            when = [when.get(c.id, "-") for c in inputs]
        if isinstance(then, Mapping):
            missing = [o.id for o in outputs if o.id not in then]
            if missing or set(then) - {o.id for o in outputs}:
                problem(f"rule {n}: 'then' must give exactly the outputs "
                        f"{[o.id for o in outputs]}", line)
                return None
            then = [then[o.id] for o in outputs]
        cells = list(when) + list(then) if isinstance(when, list) and isinstance(
            then, list) else None
    else:
        cells = list(raw) if isinstance(raw, list) else None
    if cells is None or len(cells) != len(inputs) + len(outputs):
        problem(f"rule {n} has {len(cells) if cells is not None else 'no'} cells, the table "
                f"has {len(inputs)} inputs and {len(outputs)} outputs", line,
                hint="write one cell per input, then one per output")
        return None
    entries, results, ok = [], [], True
    for i, cell in enumerate(cells):
        column = inputs[i].id if i < len(inputs) else outputs[i - len(inputs)].id
        try:
            if i < len(inputs):
                entries.append(input_entry(cell))
            else:
                out = outputs[i - len(inputs)]
                entry = output_entry(cell)
                if entry.expression is None:
                    coerce(out.type, entry.literal)
                results.append(entry)
        except (ExpressionError, ValueError) as exc:
            text = exc.message if isinstance(exc, ExpressionError) else str(exc)
            problem(f"rule {n}, column '{column}': {text}", line)
            ok = False
    if not ok:
        return None
    return Rule(n, rid, tuple(entries), tuple(results),
                str(annotation) if annotation else None, line if isinstance(line, int) else None)
