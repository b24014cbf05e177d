"""`for_each:` on a step — a multi-instance activity (多实例) in the YAML format.

    - id: review
      role: reviewer
      assignee: reviewer
      for_each: {items: reviewers, as: reviewer, parallel: true,
                 until: 'count(decisions, "approve") >= 2',
                 collect: {from: decision, into: decisions}}
    - {id: copies, handler: print_copy, for_each: {times: copies_needed}}
    - {id: checks, type: subprocess, for_each: vehicles, steps: [...]}

`items` (an expression giving a list; a plain string is the same) or `times` (a count);
`as` names the item in each instance (default `item`); `parallel` (default true) runs
the instances at once, false one after another; `until` ends early; `collect` gathers
one value per instance into a list. See docs/yaml.md.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from liucheng.loaders.yaml_source import Node
from liucheng.loaders.yaml_steps import suggest
from liucheng.model import MultiInstance

if TYPE_CHECKING:
    from liucheng.loaders.yaml_dsl import _Compiler, _Scope

FOR_EACH_HOSTS = ("user", "service", "decision", "subprocess", "call")
KEYS = {"items", "times", "as", "parallel", "until", "collect"}


def _expression(value: Any) -> str | None:
    return None if value is None else str(value)


def for_each(c: _Compiler, node: Node, sid: str) -> MultiInstance | None:
    value = node.get("for_each")
    if value is None:
        return None
    if isinstance(value, str):
        value = {"items": value}
    if not isinstance(value, dict):
        c.problem("'for_each' must be a list expression or a mapping such as "
                  "{items: reviewers, as: reviewer}", node, "for_each", sid)
        return None
    for key in value:
        if key not in KEYS:
            c.problem(f"unknown key '{key}' in for_each", node, "for_each", sid,
                      suggest(str(key), KEYS))
    parallel = value.get("parallel", True)
    if not isinstance(parallel, bool):
        c.problem("for_each parallel must be true or false", node, "for_each", sid)
        parallel = True
    collect = value.get("collect")
    source = into = None
    if collect is not None:
        if (isinstance(collect, dict) and set(collect) == {"from", "into"}
                and isinstance(collect["into"], str)):
            source, into = _expression(collect["from"]), collect["into"]
        else:
            c.problem("for_each collect must be {from: <expression>, into: <variable>}", node,
                      "for_each", sid, "e.g. collect: {from: decision, into: decisions}")
    name = value.get("as", "item")
    return MultiInstance(collection=_expression(value.get("items")),
                         cardinality=_expression(value.get("times")),
                         element_variable=str(name), sequential=not parallel,
                         completion_condition=_expression(value.get("until")),
                         output_element=source, output_collection=into)


def attach_for_each(c: _Compiler, scope: _Scope, node: Node, sid: str) -> None:
    """Put the step's `for_each` on the element its builder has just added."""
    mi = for_each(c, node, sid)
    if mi is None:
        return
    for i, element in enumerate(scope.elements):
        if element.id == sid:
            scope.elements[i] = replace(element, multi_instance=mi)  # type: ignore[call-arg]
