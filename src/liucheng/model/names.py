"""Names used in a process's expressions that nothing in the process provides.

A name read by a condition, an assignee, a computed value or a required-if must be a
declared variable, a form field, a step (its record: `s.outcome`, `s.by`, `s.at`), a value
a step sets (`set:`, decision outputs, call outputs) or a built-in (`starter`,
`documents`, `supplements`, `parent_case`). A misspelt name would otherwise only show when
a case reaches it, as an incident.

A process that declares its variables (YAML `variables:`) is held to this: an unknown
name is an error. Elsewhere (BPMN imports, small YAML files that take their data when a
case starts) free names are normal, and `unknown_names` answers them as warnings for
`liucheng validate` to print.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from liucheng.errors import ExpressionError, Problem
from liucheng.model.calls import CallActivity
from liucheng.model.definition import ProcessDefinition
from liucheng.model.elements import (
    BusinessRuleTask,
    Element,
    SequenceFlow,
    ServiceTask,
    UserTask,
)
from liucheng.model.events import (
    BoundaryEvent,
    EventStartEvent,
    MessageEvent,
    MessageStartEvent,
    SignalEvent,
)
from liucheng.rules.expressions import compile_expression

MESSAGES = (MessageEvent, MessageStartEvent, SignalEvent)  # their payload sets variables

BUILT_INS = frozenset({"starter", "documents", "supplements", "parent_case"})
# what every instance of a multi-instance step sees besides its item (BPMN names too)
INSTANCE_NAMES = frozenset({"loop_counter", "nr_of_instances", "nr_of_completed_instances",
                            "nr_of_active_instances", "loopCounter", "nrOfInstances",
                            "nrOfCompletedInstances", "nrOfActiveInstances"})


def _expressions(definition: ProcessDefinition
                 ) -> Iterator[tuple[str, str, Element | SequenceFlow]]:
    """(what, expression, where) for each expression of the process."""
    for flow in definition.all_flows():
        if flow.condition:
            yield "condition", flow.condition, flow
    for element, _ in definition.walk():
        if isinstance(element, UserTask):
            if element.assignee:
                yield "assignee", element.assignee, element
            if element.countersign is not None and element.countersign.signers:
                yield "signers", element.countersign.signers, element
            for f in element.form:
                for key in ("required_if", "visible_if", "compute"):
                    if key in f.options:
                        yield f"field '{f.id}' {key}", str(f.options[key]), element
            for item in element.documents:
                if isinstance(item.required, str):
                    yield f"document '{item.id}' required", item.required, element
        if isinstance(element, ServiceTask):
            for var, expr in element.assignments:
                yield f"value of '{var}'", expr, element
        mi = getattr(element, "multi_instance", None)
        if mi is not None:
            for what in ("collection", "cardinality", "completion_condition", "output_element"):
                if getattr(mi, what):
                    yield f"for_each {what}", getattr(mi, what), element


def provided(definition: ProcessDefinition) -> set[str]:
    """Every name the process itself gives a value (or a record) to."""
    names = set(BUILT_INS) | {v.id for v in definition.variables}
    for element, _ in definition.walk():
        names.add(element.id)
        if isinstance(element, UserTask):
            names.update(f.id for f in element.form)
        if isinstance(element, ServiceTask):
            names.update(var for var, _ in element.assignments)
            if element.http is not None:
                names.update(var for var, _ in element.http.output)
        mi = getattr(element, "multi_instance", None)
        if mi is not None:
            names.update(INSTANCE_NAMES | {mi.element_variable})
            names.update({mi.output_collection} if mi.output_collection else set())
        if isinstance(element, BusinessRuleTask) and element.decision in definition.decisions:
            names.update(o.id for o in getattr(definition.decisions[element.decision],
                                                "outputs", ()))
        if isinstance(element, CallActivity):
            names.update(var for var, _ in element.outputs)
    return names


def open_ended(definition: ProcessDefinition) -> bool:
    """Whether something sets variables the model cannot list (service handlers, called
    cases returning all their variables, message payloads)."""
    for element, _ in definition.walk():
        if isinstance(element, ServiceTask) and element.handler:
            return True
        if isinstance(element, MESSAGES) or (isinstance(element, BoundaryEvent | EventStartEvent)
                                             and (element.message or element.signal)):
            return True
        if isinstance(element, CallActivity) and not element.outputs:
            return True
    return False


def unknown_names(definition: ProcessDefinition) -> list[Problem]:
    """A problem per expression naming something the process does not provide."""
    known = provided(definition)
    out: list[Problem] = []
    for what, source, where in _expressions(definition):
        try:
            names = compile_expression(source).names
        except ExpressionError:
            continue  # reported by validate() as not parsing
        for name in sorted(names - known):
            close = difflib.get_close_matches(name, sorted(known), n=1)
            out.append(Problem(
                f"{what} uses '{name}', which is not a declared variable, a form field, a "
                "step or a value the process sets", element=where.id, line=where.line,
                source=definition.source_name,
                hint=f"did you mean '{close[0]}'?" if close else
                f"declare it under 'variables:' or add a form field '{name}'"))
    return out


def strict(definition: ProcessDefinition) -> bool:
    """Held to known names: a YAML process that declares its variables and whose every
    value comes from the model."""
    return (bool(definition.variables) and "bpmn_import" not in definition.extensions
            and not open_ended(definition))
