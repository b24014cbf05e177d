"""The decision table model: frozen columns, rules, tables and results, and the column types.

A table has input columns (an expression over case variables, see
`liucheng.rules.expressions`), output columns and rules; a rule's input entries are FEEL
unary tests (`liucheng.rules.feel`) and its output entries are literals or expressions.
`coerce` turns a value into a column's type; loading, evaluation and analysis build on
these classes in their own modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from liucheng.errors import ExpressionError
from liucheng.rules.expressions import Expression, number, to_json
from liucheng.rules.feel import UnaryTests
from liucheng.rules.validators import Message

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
SINGLE_HIT = ("UNIQUE", "FIRST", "PRIORITY", "ANY")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
TYPES = ("any", "string", "number", "integer", "boolean", "date")


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
