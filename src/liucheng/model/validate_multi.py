"""Checks of multi-instance activities (多实例), called from `validate`.

A multi-instance activity has exactly one of a collection and a cardinality, names of
its own for the item and the output list, and expressions that parse.
"""

from __future__ import annotations

from liucheng.errors import ExpressionError, Problem
from liucheng.model.definition import ProcessDefinition
from liucheng.model.elements import MultiInstance
from liucheng.rules.expressions import compile_expression

# set by the engine in each instance, or while the completion condition is checked
RESERVED = ("loop_counter", "nr_of_instances", "nr_of_completed_instances",
            "nr_of_active_instances")


def check_multi_instance(definition: ProcessDefinition, source: str | None) -> list[Problem]:
    problems: list[Problem] = []
    steps = {e.id for e, _ in definition.walk()}
    for element, _ in definition.walk():
        mi = getattr(element, "multi_instance", None)
        if not isinstance(mi, MultiInstance):
            continue

        def report(message: str, hint: str | None = None, _id: str = element.id,
                   _line: int | None = element.line) -> None:
            problems.append(Problem(f"multi-instance: {message}", element=_id, line=_line,
                                    source=source, hint=hint))

        if (mi.collection is None) == (mi.cardinality is None):
            report("give either a collection (a list to go through) or a cardinality (how "
                   "many times), not " + ("both" if mi.collection else "neither"),
                   "e.g. for_each: {items: reviewers, as: reviewer} or for_each: {times: 3}")
        for what, expression in (("collection", mi.collection),
                                 ("cardinality", mi.cardinality),
                                 ("completion condition", mi.completion_condition),
                                 ("output element", mi.output_element)):
            if expression is None:
                continue
            try:
                compile_expression(expression)
            except ExpressionError as exc:
                report(f"{what} does not parse: {exc.message}")
        for what, name in (("element variable", mi.element_variable),
                           ("output collection", mi.output_collection)):
            if name is None:
                continue
            if not name.isidentifier() or name.startswith("_"):
                report(f"{what} '{name}' is not a variable name",
                       "use letters, digits and '_' (e.g. reviewer)")
            elif name in RESERVED or name in steps:
                report(f"{what} '{name}' is a reserved name (an engine counter or a step id)",
                       "choose another name")
        if mi.output_element is not None and mi.output_collection is None:
            report("an output element needs an output collection to collect it into",
                   "add collect: {from: …, into: <variable>}")
    return problems
