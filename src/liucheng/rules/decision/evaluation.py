"""Evaluating a decision table on case variables under its hit policy.

`evaluate` coerces each input to its column type, finds the matching rules, computes only
the outputs the hit policy needs and returns a `DecisionResult` saying which rules were
selected; a violated hit policy (UNIQUE with two matches, ANY with differing outputs) or a
bad value is a `DecisionError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from liucheng.errors import ExpressionError
from liucheng.rules.decision.model import (
    SINGLE_HIT,
    DecisionError,
    DecisionResult,
    DecisionTable,
    Output,
    Rule,
    coerce,
)
from liucheng.rules.feel import to_feel


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
