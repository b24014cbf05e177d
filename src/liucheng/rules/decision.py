"""Decision tables: the frozen model, the YAML form, evaluation under a hit policy and the
deploy-time analysis of overlapping rules and gaps.

A table has input columns (an expression over case variables, see
`liucheng.rules.expressions`), output columns and rules; a rule's input entries are FEEL
unary tests (`liucheng.rules.feel`) and its output entries are literals or expressions.
`load_table` reads the YAML mapping form (docs/rules.md), `evaluate` runs a table against
case variables and says which rules matched, `analyse` finds overlaps and gaps. DMN XML
is read by `liucheng.rules.dmn` into the same model.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from liucheng.errors import ExpressionError, ModelError, Problem
from liucheng.rules.expressions import Expression, compile_expression, number, to_json
from liucheng.rules.feel import (
    Domain,
    IntervalSet,
    Kind,
    UnaryTests,
    parse_unary_tests,
    to_feel,
)
from liucheng.rules.validators import Message

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
SINGLE_HIT = ("UNIQUE", "FIRST", "PRIORITY", "ANY")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
TYPES = ("any", "string", "number", "integer", "boolean", "date")
_ALIASES = {"U": "UNIQUE", "F": "FIRST", "P": "PRIORITY", "A": "ANY", "C": "COLLECT",
            "R": "RULE ORDER", "O": "OUTPUT ORDER", "RULE_ORDER": "RULE ORDER",
            "OUTPUT_ORDER": "OUTPUT ORDER"}
_SHORT_AGGREGATION = {"C+": "SUM", "C<": "MIN", "C>": "MAX", "C#": "COUNT"}
_TYPE_ALIASES = {"decimal": "number", "double": "number", "long": "integer", "int": "integer",
                 "text": "string", "str": "string", "bool": "boolean"}
MAX_CELLS = 20_000  # input combinations the gap analysis will enumerate


class DecisionError(ExpressionError):
    """A decision table cannot give a result for these inputs (see the message for which)."""

    code = "decision_failed"


@dataclass(frozen=True)
class Input:
    id: str
    expression: Expression
    label: Message | None = None
    type: str = "any"
    values: UnaryTests | None = None  # the allowed values, when declared


@dataclass(frozen=True)
class OutputEntry:
    """A literal value, or an expression over the case variables."""

    text: str
    literal: Any = None
    expression: Expression | None = None

    def value(self, variables: Mapping[str, Any],
              functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
        if self.expression is None:
            return self.literal
        return number(self.expression.evaluate(variables, functions))


@dataclass(frozen=True)
class Output:
    id: str
    label: Message | None = None
    type: str = "any"
    values: tuple[Any, ...] = ()  # priority order for PRIORITY / OUTPUT ORDER, highest first
    default: OutputEntry | None = None  # the value when no rule matches (single-hit tables)


@dataclass(frozen=True)
class Rule:
    number: int  # 1-based position, as shown in the table and the case history
    id: str
    inputs: tuple[UnaryTests, ...]
    outputs: tuple[OutputEntry, ...]
    annotation: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class DecisionTable:
    id: str
    name: Message
    hit_policy: str
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]
    aggregation: str | None = None
    source_name: str | None = None


@dataclass(frozen=True)
class DecisionResult:
    """What a table decided. `outputs` maps each output id to:

    * single-hit policies: the value of the selected rule, else the output's default or None;
    * COLLECT with an aggregation: the aggregate (COUNT 0, SUM/MIN/MAX None when nothing matched);
    * COLLECT, RULE ORDER, OUTPUT ORDER: the list of values, one per selected rule.

    `rules` are the 1-based numbers of the selected rules in result order, `rows` their
    output values; for ANY every matching rule is listed.
    """

    decision: str
    hit_policy: str
    outputs: Mapping[str, Any]
    rules: tuple[int, ...] = ()
    rule_ids: tuple[str, ...] = ()
    rows: tuple[Mapping[str, Any], ...] = ()
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return bool(self.rules)

    def to_history(self) -> dict[str, Any]:
        """A JSON-able record for the case history: which rules matched and what came out."""
        return {"decision": self.decision, "hit_policy": self.hit_policy,
                "rules": list(self.rules), "rule_ids": list(self.rule_ids),
                "inputs": to_json(_plain(dict(self.inputs))),
                "outputs": to_json(_plain(dict(self.outputs)))}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# -- evaluation ------------------------------------------------------------------------------
def coerce(kind: str, value: Any) -> Any:
    """The value as the column type; ValueError when it is not of that type."""
    value = number(value)
    if value is None or kind == "any":
        return value
    if kind == "number" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value)
    if (kind == "integer" and not isinstance(value, bool) and isinstance(value, (int, Decimal))
            and value == int(value)):
        return int(value)
    if kind == "string" and isinstance(value, str):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "date":
        if type(value) is date:
            return value
        if isinstance(value, str):
            return date.fromisoformat(value)
    raise ValueError(f"{value!r} is not of type {kind}")


def evaluate(
    table: DecisionTable,
    variables: Mapping[str, Any],
    *,
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> DecisionResult:
    """Run the table on case variables; DecisionError if the hit policy is violated.

    No matching rule is not an error: the result has `matched == False` and the outputs
    described on DecisionResult.
    """
    where = f"decision '{table.id}'"
    values: dict[str, Any] = {}
    for col in table.inputs:
        try:
            value = coerce(col.type, col.expression.evaluate(variables, functions))
        except ExpressionError as exc:
            raise DecisionError(f"{where}, input '{col.id}': {exc.message}", decision=table.id,
                                input=col.id, hint="set the variable before the decision runs"
                                ) from None
        except ValueError as exc:
            raise DecisionError(f"{where}, input '{col.id}': {exc}", decision=table.id,
                                input=col.id) from None
        if col.values is not None and not col.values.matches(value):
            raise DecisionError(
                f"{where}, input '{col.id}': {to_feel(value)} is not an allowed value "
                f"({col.values.source})", decision=table.id, input=col.id)
        values[col.id] = value
    hits = [r for r in table.rules
            if all(e.matches(values[c.id]) for e, c in zip(r.inputs, table.inputs, strict=True))]
    policy = table.hit_policy
    if policy == "UNIQUE" and len(hits) > 1:
        raise DecisionError(
            f"{where}: rules {hits[0].number} and {hits[1].number} both match "
            f"{_show(values)}, but the hit policy is UNIQUE", decision=table.id,
            hint="make the rules exclusive or change the hit policy to FIRST or PRIORITY")
    # outputs are computed only for the rules the policy needs (FIRST: the first one)
    rows = {r.number: _row(table, r, variables, functions)
            for r in (hits[:1] if policy in ("FIRST", "UNIQUE") else hits)}

    def result(selected: Sequence[Rule], outputs: Mapping[str, Any]) -> DecisionResult:
        return DecisionResult(table.id, policy, outputs, tuple(r.number for r in selected),
                              tuple(r.id for r in selected),
                              tuple(rows[r.number] for r in selected), values)

    if policy in SINGLE_HIT:
        if not hits:
            return result([], _defaults(table, variables, functions))
        if policy == "ANY":
            differing = [r.number for r in hits if rows[r.number] != rows[hits[0].number]]
            if differing:
                raise DecisionError(
                    f"{where}: rules {hits[0].number} and {differing[0]} both match "
                    f"{_show(values)} with different outputs, but the hit policy is ANY",
                    decision=table.id, hint="give overlapping rules the same outputs")
            return result(hits, rows[hits[0].number])
        if policy == "PRIORITY":
            best = min(hits, key=lambda r: _rank(table, r, rows[r.number]))
            return result([best], rows[best.number])
        return result([hits[0]], rows[hits[0].number])
    if policy == "OUTPUT ORDER":
        hits = sorted(hits, key=lambda r: _rank(table, r, rows[r.number]))
    if table.aggregation:
        return result(hits, {o.id: _aggregate(table, o, [rows[r.number][o.id] for r in hits])
                             for o in table.outputs})
    return result(hits, {o.id: [rows[r.number][o.id] for r in hits] for o in table.outputs})


def _show(values: Mapping[str, Any]) -> str:
    return "(" + ", ".join(f"{k} = {to_feel(v)}" for k, v in values.items()) + ")"


def _row(table: DecisionTable, rule: Rule, variables: Mapping[str, Any],
         functions: Mapping[str, Callable[..., Any]] | None) -> dict[str, Any]:
    row = {}
    for out, entry in zip(table.outputs, rule.outputs, strict=True):
        try:
            row[out.id] = coerce(out.type, entry.value(variables, functions))
        except (ExpressionError, ValueError) as exc:
            text = exc.message if isinstance(exc, ExpressionError) else str(exc)
            raise DecisionError(f"decision '{table.id}', rule {rule.number}, output '{out.id}'"
                                f": {text}", decision=table.id, rule=rule.number) from None
    return row


def _defaults(table: DecisionTable, variables: Mapping[str, Any],
              functions: Mapping[str, Callable[..., Any]] | None) -> dict[str, Any]:
    found = {}
    for out in table.outputs:
        try:
            found[out.id] = coerce(out.type, out.default.value(variables, functions)
                                   ) if out.default else None
        except (ExpressionError, ValueError) as exc:
            text = exc.message if isinstance(exc, ExpressionError) else str(exc)
            raise DecisionError(f"decision '{table.id}', default of output '{out.id}': {text}",
                                decision=table.id) from None
    return found


def _rank(table: DecisionTable, rule: Rule, row: Mapping[str, Any]) -> tuple[int, ...]:
    ranks = []
    for out in table.outputs:
        if out.values:
            if row[out.id] not in out.values:
                raise DecisionError(
                    f"decision '{table.id}', rule {rule.number}, output '{out.id}': "
                    f"{to_feel(row[out.id])} is not in the priority list {list(out.values)}",
                    decision=table.id, rule=rule.number)
            ranks.append(out.values.index(row[out.id]))
    return tuple(ranks)


def _aggregate(table: DecisionTable, out: Output, values: list[Any]) -> Any:
    if table.aggregation == "COUNT":
        return len(values)
    present = [v for v in values if v is not None]
    if not present:
        return None
    try:
        if table.aggregation == "SUM":
            return sum(present[1:], present[0])
        return min(present) if table.aggregation == "MIN" else max(present)
    except TypeError:
        raise DecisionError(f"decision '{table.id}', output '{out.id}': cannot take the "
                            f"{table.aggregation} of {present}", decision=table.id) from None


# -- the YAML form ---------------------------------------------------------------------------
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


# -- deploy-time analysis ----------------------------------------------------------------------
@dataclass(frozen=True)
class Overlap:
    rules: tuple[int, int]
    example: Mapping[str, str]  # input id -> a FEEL value both rules match


@dataclass(frozen=True)
class Gap:
    entries: Mapping[str, str]  # input id -> FEEL unary tests no rule covers (together)


@dataclass(frozen=True)
class Analysis:
    """Overlapping rules (an error for UNIQUE, and for ANY when outputs differ) and gaps."""

    table: str
    overlaps: tuple[Overlap, ...] = ()
    gaps: tuple[Gap, ...] = ()
    gap_count: int = 0  # uncovered input combinations, of which `gaps` lists the first
    notes: tuple[str, ...] = ()
    source: str | None = None

    def problems(self) -> list[Problem]:
        return [Problem(
            f"rules {o.rules[0]} and {o.rules[1]} both match " + ", ".join(
                f"{k} = {v}" for k, v in o.example.items()),
            element=self.table, source=self.source,
            hint="make the rules exclusive, or use hit policy FIRST or PRIORITY",
        ) for o in self.overlaps]

    def warnings(self) -> list[Problem]:
        found = [Problem("no rule matches " + ", ".join(
            f"{k} {v}" if v[0] in "<>" else f"{k} = {v}" if _literal(v) else f"{k} in {v}"
            for k, v in g.entries.items() if v != "-"),
            element=self.table, source=self.source,
            hint="add a rule or a default output for these inputs") for g in self.gaps]
        return found + [Problem(n, element=self.table, source=self.source) for n in self.notes]


def _literal(feel: str) -> bool:
    return parse_unary_tests(feel).points() is not None and "," not in feel


def _domain(col: Input, entries: list[UnaryTests]) -> Domain | str:
    kinds: set[Kind] = set().union(*(e.kinds() for e in entries)) - {"null"}
    kind: Kind
    if col.type in ("integer", "number"):
        kind = "number"
    elif col.type in ("string", "date", "boolean"):
        kind = col.type  # type: ignore[assignment]  # narrowed by the tuple above
    elif len(kinds) > 1:
        return f"input '{col.id}' mixes {sorted(kinds)}; declare its type"
    else:
        kind = kinds.pop() if kinds else "number"
    domain = Domain(kind, col.type == "integer" or kind in ("date", "boolean"))
    if col.values is not None:
        return Domain(domain.kind, domain.discrete, col.values.value_set(domain).bounds)
    if kind == "string":  # no declared list: the values the rules name are all there are
        named = {t.low for e in entries for t in e.tests if t.kind == "string" and t.low == t.high}
        return Domain("string", False, tuple((v, True, v, True) for v in sorted(named)))
    return domain


def analyse(table: DecisionTable) -> Analysis:
    """Find overlapping rules (UNIQUE, ANY) and input combinations no rule covers.

    Each input column is a set of values (intervals of numbers or dates, texts, booleans);
    two rules overlap when their entries intersect in every column. Gaps are found by
    cutting each column at every bound the rules use and checking each combination of
    pieces, up to MAX_CELLS combinations. Null inputs are not considered.
    """
    domains = []
    for c, col in enumerate(table.inputs):
        domain = _domain(col, [r.inputs[c] for r in table.rules])
        if isinstance(domain, str):
            return Analysis(table.id, notes=(domain + "; analysis skipped",),
                            source=table.source_name)
        domains.append(domain)
    sets = [[e.value_set(d) for e, d in zip(r.inputs, domains, strict=True)]
            for r in table.rules]
    overlaps, notes = [], []
    if table.hit_policy in ("UNIQUE", "ANY"):
        for (i, a), (j, b) in itertools.combinations(enumerate(sets), 2):
            common = [x.intersect(y) for x, y in zip(a, b, strict=True)]
            if any(c.is_empty() for c in common):
                continue
            ra, rb = table.rules[i], table.rules[j]
            if table.hit_policy == "ANY":
                if any(e.expression for e in ra.outputs + rb.outputs):
                    notes.append(f"rules {ra.number} and {rb.number} overlap and compute their "
                                 "outputs; check that they agree")
                    continue
                if [e.literal for e in ra.outputs] == [e.literal for e in rb.outputs]:
                    continue
            example = {col.id: to_feel(c.witness()) for col, c in zip(table.inputs, common,
                                                                       strict=True)}
            overlaps.append(Overlap((ra.number, rb.number), example))
    gaps, count, note = _gaps(table, domains, sets)
    return Analysis(table.id, tuple(overlaps), tuple(gaps), count,
                    tuple(notes + ([note] if note else [])), table.source_name)


def _pieces(domain: Domain, column: list[IntervalSet]) -> list[IntervalSet]:
    """The column cut at every bound used, as pieces inside the domain."""
    keys = sorted({k for s in column + [domain.universe] for b in s.bounds
                   for k in (b[0], b[2]) if k is not None})
    bounds = [(None, True, keys[0], False)] if keys else [(None, True, None, True)]
    for k, nxt in itertools.zip_longest(keys, keys[1:]):
        bounds += [(k, True, k, True), (k, False, nxt, False)]
    pieces = [IntervalSet.of(domain, [b]).intersect(domain.universe) for b in bounds]
    return [p for p in pieces if not p.is_empty()]


def _gaps(table: DecisionTable, domains: list[Domain],
          sets: list[list[IntervalSet]]) -> tuple[list[Gap], int, str | None]:
    pieces = [_pieces(d, [s[c] for s in sets]) for c, d in enumerate(domains)]
    cells = 1
    for p in pieces:
        cells *= len(p)
    if cells > MAX_CELLS:
        return [], 0, f"{cells} input combinations; gap analysis skipped (limit {MAX_CELLS})"
    covered = [[frozenset(k for k, p in enumerate(pieces[c])
                          if s[c].contains(domains[c].key(p.witness()))) for c in range(len(s))]
               for s in sets]
    missing: dict[tuple[int, ...], list[int]] = {}
    for cell in itertools.product(*(range(len(p)) for p in pieces)):
        if not any(all(k in cov[c] for c, k in enumerate(cell)) for cov in covered):
            missing.setdefault(cell[:-1], []).append(cell[-1])
    last = len(domains) - 1
    # merge along the last column, then along the one before it when the tails agree
    rows: dict[tuple[tuple[int, ...], frozenset[int]], list[int]] = {}
    for head, found in missing.items():
        rows.setdefault((head[:-1], frozenset(found)), []).append(head[-1] if head else -1)

    def merged(column: int, keys: Sequence[int]) -> str:
        found = IntervalSet.empty(domains[column])
        for k in keys:
            found = found.union(pieces[column][k])
        return found.to_feel()

    gaps = []
    for (start, ends), befores in list(rows.items())[:20]:
        entries = {table.inputs[c].id: pieces[c][k].to_feel() for c, k in enumerate(start)}
        if last:
            entries[table.inputs[last - 1].id] = merged(last - 1, befores)
        entries[table.inputs[last].id] = merged(last, sorted(ends))
        gaps.append(Gap(entries))
    return gaps, sum(len(t) for t in missing.values()), None
