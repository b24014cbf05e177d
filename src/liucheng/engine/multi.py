"""Multi-instance activities (多实例): one task, sub-process or call per item, or n times.

Entering the activity evaluates its collection (or cardinality) once and parks the
activity's token (status `multi`). Each instance is a scope of its own under that token,
holding the instance's variables — the item under its element variable, `loop_counter`
(1, 2, …) and whatever the instance's work writes — so instances never overwrite each
other or the case. A task instance is a token at the activity itself inside its scope; a
sub-process instance runs the sub-process's elements there. Sequential: the next
instance opens when one ends; parallel: all open at once.

When an instance ends, its output element is evaluated in it and kept at its index, and
the completion condition is checked (with `nr_of_instances`, `nr_of_completed_instances`,
`nr_of_active_instances`, the instance's variables and the outputs so far). When every
instance is done, or the condition holds (the other instances are then cancelled, their
tasks with them), the outputs are set as the output collection — in the input order,
null for a cancelled instance — a user step gets its record (`by`: the performers), and
the token leaves. Boundary events belong to the whole: an interrupting one ends every
instance. An output or condition that cannot be evaluated is an incident on the activity;
retrying evaluates it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.errors import ExpressionError
from liucheng.model import SubProcess, UserTask
from liucheng.rules.expressions import compile_expression, to_json

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run
    from liucheng.model import Element, MultiInstance

Token = dict[str, Any]
MAX_INSTANCES = 1000
# the names BPMN engines use, accepted in completion conditions and output elements
BPMN_NAMES = {"nrOfInstances": "nr_of_instances",
              "nrOfCompletedInstances": "nr_of_completed_instances",
              "nrOfActiveInstances": "nr_of_active_instances", "loopCounter": "loop_counter"}


def _spec(run: Run, token: Token) -> tuple[Element, MultiInstance]:
    element = run.definition.element(token["element"])
    mi = getattr(element, "multi_instance", None)
    assert mi is not None
    return element, mi


class MultiInstanceBehavior:
    def enter(self, run: Run, token: Token) -> None:
        element, mi = _spec(run, token)
        items: list[Any] | None = None
        try:
            if mi.collection is not None:
                value = to_json(run.evaluate(mi.collection, token["scope"]))
                if not isinstance(value, list):
                    run.incident(token, f"collection '{mi.collection}' gave "
                                 f"{type(value).__name__}, not a list; set it, then retry")
                    return
                items, count = value, len(value)
            else:
                value = run.evaluate(mi.cardinality or "0", token["scope"])
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    run.incident(token, f"cardinality '{mi.cardinality}' gave {value!r}, not "
                                 "a whole number ≥ 0; set it, then retry")
                    return
                count = value
        except ExpressionError as exc:
            run.incident(token, f"the instances could not be worked out: {exc.message}")
            return
        if count > MAX_INSTANCES:
            run.incident(token, f"{count} instances asked for; at most {MAX_INSTANCES} run "
                         "in one activity")
            return
        run.emit("multi_instance_entered", token=token["id"], element=element.id, count=count,
                 items=items, sequential=mi.sequential)
        if count == 0:
            _complete(run, run.state["tokens"][token["id"]], condition=False)
            return
        for index in range(1 if mi.sequential else count):
            _open(run, token, index)


MULTI_INSTANCE = MultiInstanceBehavior()


def _open(run: Run, body: Token, index: int) -> None:
    element, mi = _spec(run, body)
    items = body["mi"]["items"]
    variables: dict[str, Any] = {"loop_counter": index + 1}
    if items is not None:
        variables[mi.element_variable] = items[index]
    scope = run.ctx.new_id()
    run.emit("multi_instance_opened", token=body["id"], element=element.id, scope=scope,
             index=index, variables=variables)
    first = (run.definition.start_event(element.id).id if isinstance(element, SubProcess)
             else element.id)
    run.enter(first, scope, None)


def _counters(mi_state: dict[str, Any], done: int) -> dict[str, Any]:
    return {"nr_of_instances": mi_state["count"], "nr_of_completed_instances": done,
            "nr_of_active_instances": mi_state["opened"] - done}


def _with_bpmn_names(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, **{old: values[new] for old, new in BPMN_NAMES.items() if new in values}}


def instance_done(run: Run, scope_id: str) -> bool:
    """An instance scope has no token left: collect it and go on. False when it waits for
    an incident on the activity to be retried (nothing changed)."""
    scope = run.state["scopes"][scope_id]
    body = run.state["tokens"][scope["parent_token"]]
    if any(i.get("owner_token") == body["id"] and i.get("kind") == "multi_instance"
           for i in run.state["incidents"].values()):
        return False
    element, mi = _spec(run, body)
    mi_state = body["mi"]
    values = _with_bpmn_names({**run.variables(scope_id), **_counters(mi_state, mi_state["done"])})
    index = scope["index"]
    try:
        output = None
        if mi.output_element is not None:
            output = to_json(compile_expression(mi.output_element).evaluate(values,
                                                                            run.functions))
        holds = False
        done = mi_state["done"] + 1
        if mi.completion_condition is not None and done < mi_state["count"]:
            outputs = list(mi_state["outputs"])
            outputs[index] = output
            extra = {mi.output_collection: outputs} if mi.output_collection else {}
            check = _with_bpmn_names({**values, **extra, **_counters(mi_state, done)})
            holds = bool(compile_expression(mi.completion_condition).evaluate(
                check, run.functions))
    except ExpressionError as exc:
        run.emit("event_incident", incident=run.ctx.new_id(), element=element.id,
                 token=body["id"], kind="multi_instance",
                 reason=f"instance {index + 1} could not be collected: {exc.message}; fix "
                        "the data, then retry")
        return True
    record = scope["variables"].get(element.id) if isinstance(element, UserTask) else None
    run.emit("multi_instance_done", token=body["id"], element=element.id, scope=scope_id,
             index=index, output=output, record=record)
    body = run.state["tokens"][body["id"]]
    mi_state = body["mi"]
    if holds:
        reason = f"the completion condition of '{element.id}' holds"
        for other in [s for s, v in run.state["scopes"].items()
                      if v["parent_token"] == body["id"]]:
            run.terminate(other, reason)
            run.emit("scope_closed", scope=other, element=element.id, reason=reason)
    if holds or mi_state["done"] == mi_state["count"]:
        _complete(run, body, condition=holds)
    elif mi.sequential:
        _open(run, body, mi_state["opened"])
    return True


def _complete(run: Run, body: Token, *, condition: bool) -> None:
    element, mi = _spec(run, body)
    mi_state = body["mi"]
    run.emit("multi_instance_completed", token=body["id"], element=element.id,
             completed=mi_state["done"], cancelled=mi_state["count"] - mi_state["done"],
             condition=condition)
    if mi.output_collection:
        run.set_variables(body, {mi.output_collection: list(mi_state["outputs"])},
                          element=element.id)
    if isinstance(element, UserTask):
        from liucheng.engine.humantask.common import record_step

        records = [r for r in mi_state["records"] if isinstance(r, dict)]
        record_step(run, element.id, token=body, outcome=None,
                    by=[r.get("by") for r in records],
                    outcomes=[r.get("outcome") for r in records],
                    instances=mi_state["count"], skipped=not records)
    run.leave(body)
