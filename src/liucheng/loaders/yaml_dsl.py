"""The YAML process format: an office procedure as an ordered list of steps.

Steps follow one another unless a step says `next`, a gateway lists `routes`, or a
block (`parallel` / `inclusive` with `branches`, `subprocess` with `steps`) nests them.
A start event is added before the first step and an end event after the last. The
result is the same `ProcessDefinition` a BPMN file gives. See docs/yaml.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from liucheng.errors import ModelError, Problem
from liucheng.loaders.yaml_events import (
    BOUNDARY_HOSTS,
    EVENT_STEP_KEYS,
    attach_boundaries,
    error_end,
    event_builders,
    event_subprocesses,
    start_event,
)
from liucheng.loaders.yaml_http import http_call
from liucheng.loaders.yaml_multi import FOR_EACH_HOSTS, attach_for_each
from liucheng.loaders.yaml_reports import check_reports
from liucheng.loaders.yaml_source import Node, line_of, read_yaml
from liucheng.loaders.yaml_steps import UserStepSettings, suggest, text
from liucheng.model import (
    BusinessRuleTask,
    Element,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    ParallelGateway,
    ProcessDefinition,
    Role,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    Text,
    UserTask,
    Variable,
    validate,
)

COMMON_KEYS = {"id", "type", "name", "next", "description", "documentation"}
STEP_KEYS: dict[str, set[str]] = {
    "user": {"role", "roles", "assignee", "candidate_users", "form", "instructions", "priority",
             "outcomes", "documents", "checks", "distinct_from", "due", "window",
             "countersign", "return_to", "board_stage", "on_empty",
             "timers", "messages", "signals", "deadline"},
    "service": {"handler", "set", "input", "output", "retries", "http", "errors", "timers"},
    "decision": {"decision"},
    "exclusive": {"routes", "default"},
    "inclusive": {"routes", "branches", "default"},
    "parallel": {"routes", "branches"},
    "subprocess": {"steps", "timers", "messages", "signals", "errors", "escalations",
                   "on_event"},
    "end": {"terminate", "error", "escalate"},
    **EVENT_STEP_KEYS,
}
for _kind in FOR_EACH_HOSTS:
    STEP_KEYS[_kind] = STEP_KEYS[_kind] | {"for_each"}
TOP_KEYS = {"process", "name", "description", "roles", "variables", "steps", "category",
            "board", "decisions", "reports", "notes", "start", "on_event"}


@dataclass
class _Scope:
    elements: list[Element] = field(default_factory=list)
    flows: list[SequenceFlow] = field(default_factory=list)


@dataclass
class _Compiler(UserStepSettings):
    source: str | None
    problems: list[Problem] = field(default_factory=list)
    flow_ids: set[str] = field(default_factory=set)

    def problem(self, message: str, node: Any = None, key: str | None = None,
                element: str | None = None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, element=element, line=line_of(node, key),
                                     source=self.source, hint=hint))

    def flow(self, scope: _Scope, source: str, target: str, line: int | None,
             condition: str | None = None, name: Text = Text()) -> SequenceFlow:
        base = f"{source}_to_{target}"
        flow_id, n = base, 1
        while flow_id in self.flow_ids:
            n += 1
            flow_id = f"{base}_{n}"
        self.flow_ids.add(flow_id)
        flow = SequenceFlow(flow_id, source, target, condition, name, line)
        scope.flows.append(flow)
        return flow

    # -- steps ---------------------------------------------------------------------------
    def steps(self, scope: _Scope, items: Any, where: str,
              owner: Any) -> tuple[str, list[str]] | None:
        """Compile a list of steps; returns its entry id and its open exits.

        Open exits are the elements that continue to "whatever follows the list"; the
        caller connects them (to the next step, a join, or the scope's end event).
        """
        if not isinstance(items, list) or not items:
            self.problem(f"{where} must be a non-empty list of steps", owner)
            return None
        compiled: list[tuple[Node, str, list[str]]] = []  # (node, entry id, open exits)
        for index, item in enumerate(items):
            if not isinstance(item, Node):
                self.problem(f"step {index + 1} of {where} must be a mapping with an 'id'", owner)
                continue
            result = self.step(scope, item)
            if result is not None:
                compiled.append((item, *result))
        exits: list[str] = []
        for i, (node, _entry, open_exits) in enumerate(compiled):
            if i + 1 < len(compiled):
                nxt = compiled[i + 1][1]
                for exit_id in open_exits:
                    self.flow(scope, exit_id, nxt, line_of(node))
            else:
                exits = open_exits
        if not compiled:
            return None
        return compiled[0][1], exits

    def step(self, scope: _Scope, node: Node) -> tuple[str, list[str]] | None:
        step_id = node.get("id")
        if not isinstance(step_id, str) or not step_id:
            self.problem("step has no 'id'", node, hint="give the step a short id such as 'review'")
            return None
        kind = node.get("type") or ("user" if {"role", "roles", "assignee"} & node.keys() else None)
        if kind is None:
            kind = next((k for k in ("branches", "steps", "routes", "handler", "set", "http",
                                     "escalate") if k in node), None)
            kind = {"steps": "subprocess", "routes": "exclusive", "handler": "service",
                    "set": "service", "http": "service", "branches": "parallel",
                    "escalate": "throw"}.get(kind or "", "user")
        if not isinstance(kind, str) or kind not in STEP_KEYS:
            self.problem(f"unknown step type '{kind}'", node, "type", step_id,
                         suggest(str(kind), STEP_KEYS))
            return None
        allowed = COMMON_KEYS | STEP_KEYS[kind]
        for key in node:
            if key not in allowed:
                self.problem(f"unknown key '{key}' for a {kind} step", node, key, step_id,
                             suggest(key, allowed))
        name = text(node.get("name"))
        line = node.line
        doc = text(node.get("description") or node.get("documentation"))
        builder: Callable[[_Scope, Node, str, Text, int | None, Text], tuple[str, list[str]]] = {
            "user": self._user, "service": self._service, "exclusive": self._gateway,
            "decision": self._decision,
            "inclusive": self._gateway, "parallel": self._gateway,
            "subprocess": self._subprocess, "end": self._end,
            **event_builders(self),
        }[kind]
        entry, exits = builder(scope, node, step_id, name, line, doc)
        if kind in FOR_EACH_HOSTS:
            attach_for_each(self, scope, node, step_id)
        if kind in BOUNDARY_HOSTS:
            exits = exits + attach_boundaries(self, scope, node, step_id)
        nxt = node.get("next")
        if nxt is not None and exits:
            targets = nxt if isinstance(nxt, list) else [nxt]
            for exit_id in exits:
                for target in targets:
                    self.flow(scope, exit_id, str(target), line_of(node, "next"))
            exits = []
        return entry, exits

    def _user(self, scope: _Scope, node: Node, sid: str, name: Text, line: int | None,
              doc: Text) -> tuple[str, list[str]]:
        known = {"role", "roles", "assignee", "candidate_users", "form", "instructions", "priority",
                 "outcomes", "next", "id", "type", "name", "description", "documentation",
                 "countersign", "return_to", "distinct_from", "due", "on_empty", "documents",
                 "checks", "deadline", "for_each"}
        extensions = {k: v for k, v in node.items() if k not in known}
        outcomes = node.get("outcomes") or (["approve", "reject"] if "countersign" in node else [])
        if not isinstance(outcomes, list):
            self.problem("outcomes must be a list such as [approve, reject]", node, "outcomes", sid)
            outcomes = []
        users = node.get("candidate_users") or []
        scope.elements.append(UserTask(
            id=sid, name=name, line=line, documentation=doc,
            roles=self.roles(node, sid), assignee=_opt_str(node.get("assignee")),
            candidate_users=tuple(str(u) for u in users) if isinstance(users, list) else (),
            form=self.form(node.get("form"), sid),
            instructions=text(node.get("instructions")),
            priority=_priority(node.get("priority", 50)),
            outcomes=tuple(str(o) for o in outcomes), extensions=extensions,
            countersign=self.countersign(node, sid),
            return_to=self.id_list(node, "return_to", sid),
            distinct_from=self.id_list(node, "distinct_from", sid),
            due=node.get("due") if isinstance(node.get("due"), dict) else None,
            on_empty=str(node.get("on_empty", "pool")),
            documents=self.documents(node, sid), checks=self.checks(node, sid),
            deadline=node.get("deadline") if isinstance(node.get("deadline"), dict) else None,
        ))
        if "due" in node and not isinstance(node.get("due"), dict):
            self.problem("'due' must be a mapping such as {working_days: 2} or {hours: 4}", node,
                         "due", sid)
        return sid, [sid]

    def _decision(self, scope: _Scope, node: Node, sid: str, name: Text, line: int | None,
                  doc: Text) -> tuple[str, list[str]]:
        table = node.get("decision")
        if not isinstance(table, str):
            self.problem("a decision step names its table: 'decision: <table id>'", node,
                         element=sid)
            table = ""
        scope.elements.append(BusinessRuleTask(id=sid, name=name, line=line, documentation=doc,
                                               decision=table))
        return sid, [sid]

    def _service(self, scope: _Scope, node: Node, sid: str, name: Text, line: int | None,
                 doc: Text) -> tuple[str, list[str]]:
        assignments = node.get("set") or {}
        if not isinstance(assignments, dict):
            self.problem("'set' must map variable names to expressions", node, "set", sid)
            assignments = {}
        known = {"handler", "set", "next", "id", "type", "name", "description", "documentation",
                 "for_each", "http", "errors", "timers"}
        scope.elements.append(ServiceTask(
            id=sid, name=name, line=line, documentation=doc,
            handler=_opt_str(node.get("handler")),
            assignments=tuple((str(k), str(v)) for k, v in assignments.items()),
            extensions={k: v for k, v in node.items() if k not in known},
            http=http_call(self, node, sid),
        ))
        return sid, [sid]

    def _end(self, scope: _Scope, node: Node, sid: str, name: Text, line: int | None,
             doc: Text) -> tuple[str, list[str]]:
        if node.get("error") is not None or node.get("escalate") is not None:
            scope.elements.append(error_end(node, sid, name, line, doc))
            return sid, []
        scope.elements.append(EndEvent(id=sid, name=name, line=line, documentation=doc,
                                       terminate=bool(node.get("terminate", False))))
        return sid, []

    def _gateway(self, scope: _Scope, node: Node, sid: str, name: Text, line: int | None,
                 doc: Text) -> tuple[str, list[str]]:
        kind = node.get("type") or ("parallel" if "branches" in node else "exclusive")
        cls = {"exclusive": ExclusiveGateway, "inclusive": InclusiveGateway,
               "parallel": ParallelGateway}[kind]
        if "branches" in node:
            return self._block(scope, node, sid, name, line, doc, cls)
        default: str | None = None
        routes = node.get("routes")
        if not isinstance(routes, list) or not routes:
            self.problem("gateway needs 'routes' (or 'branches')", node, element=sid,
                         hint="list where each route goes: '- {to: step, when: condition}'")
            scope.elements.append(cls(id=sid, name=name, line=line, documentation=doc))
            return sid, []
        for route in routes:
            if not isinstance(route, Node) or not isinstance(route.get("to"), str):
                self.problem("each route needs 'to: <step id>'",
                             route if isinstance(route, Node) else node, element=sid)
                continue
            for key in route:
                if key not in {"to", "when", "default", "name"}:
                    self.problem(f"unknown key '{key}' in a route", route, key, sid,
                                 suggest(key, {"to", "when", "default", "name"}))
            when = route.get("when")
            flow = self.flow(scope, sid, route["to"], route.line,
                             None if when is None else str(when), text(route.get("name")))
            if route.get("default"):
                if default is not None:
                    self.problem("gateway has more than one default route", route, element=sid)
                default = flow.id
                if when is not None:
                    self.problem("the default route must not have a 'when'", route, "when", sid)
        scope.elements.append(cls(id=sid, name=name, line=line, documentation=doc,
                                  default=default))
        return sid, []

    def _block(self, scope: _Scope, node: Node, sid: str, name: Text, line: int | None,
               doc: Text, cls: type[Element]) -> tuple[str, list[str]]:
        join_id = f"{sid}_join"
        branches = node.get("branches")
        default: str | None = None
        if not isinstance(branches, list) or not branches:
            self.problem("'branches' must be a list of step lists", node, "branches", sid)
            branches = []
        for i, branch in enumerate(branches):
            when: str | None = None
            steps = branch
            if isinstance(branch, Node):
                steps = branch.get("steps")
                when = None if branch.get("when") is None else str(branch["when"])
            result = self.steps(scope, steps, f"branch {i + 1} of '{sid}'",
                                branch if isinstance(branch, Node) else node)
            if result is None:
                continue
            flow = self.flow(scope, sid, result[0], line_of(branch) or line, when)
            if isinstance(branch, Node) and branch.get("default"):
                default = flow.id
            for exit_id in result[1]:
                self.flow(scope, exit_id, join_id, line)
        scope.elements.append(cls(id=sid, name=name, line=line, documentation=doc,
                                  default=default))
        scope.elements.append(cls(id=join_id, name=name, line=line))
        return sid, [join_id]

    def _subprocess(self, scope: _Scope, node: Node, sid: str, name: Text, line: int | None,
                    doc: Text) -> tuple[str, list[str]]:
        inner = _Scope()
        self.body(inner, node.get("steps"), sid, node)
        event_subprocesses(self, inner, node, sid)
        scope.elements.append(SubProcess(id=sid, name=name, line=line, documentation=doc,
                                         elements=tuple(inner.elements), flows=tuple(inner.flows)))
        return sid, [sid]

    def body(self, scope: _Scope, items: Any, prefix: str | None, owner: Any) -> None:
        """Steps of a whole scope, with its start and end events."""
        start_id = f"{prefix}_start" if prefix else "start"
        end_id = f"{prefix}_end" if prefix else "end"
        scope.elements.append(StartEvent(id=start_id, name=Text("开始", "Start"),
                                         line=line_of(owner)))
        result = self.steps(scope, items, f"'steps' of '{prefix}'" if prefix else "'steps'", owner)
        if result is None:
            return
        entry, exits = result
        self.flow(scope, start_id, entry, line_of(owner))
        if exits:
            scope.elements.append(EndEvent(id=end_id, name=Text("结束", "End")))
            for exit_id in exits:
                self.flow(scope, exit_id, end_id, None)


def _priority(value: Any) -> int:
    return int(value) if str(value).isdigit() else 50


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _decisions(c: _Compiler, data: Node) -> dict[str, Any]:
    """`decisions:` — decision tables in the format of docs/rules.md, keyed by their id."""
    from liucheng.rules.decision import load_table

    items = data.get("decisions")
    if items is None:
        return {}
    if not isinstance(items, list):
        c.problem("'decisions' must be a list of decision tables", data, "decisions")
        return {}
    tables: dict[str, Any] = {}
    for item in items:
        try:
            table = load_table(item, c.source)
        except ModelError as exc:
            for p in exc.problems:
                c.problems.append(Problem(p.message, element=p.element, line=p.line or line_of(
                    item), source=c.source, hint=p.hint))
            continue
        if table.id in tables:
            c.problem(f"two decision tables are called '{table.id}'", item)
        tables[table.id] = table
    return tables


TEXT_KEYS = {"zh", "en", "zh-CN", "zh_CN"}


def _check_texts(c: _Compiler, node: Any) -> None:
    """`{zh: …, en: a, b}` parses as a key `b`: the English text was cut at a comma."""
    if isinstance(node, Node):
        if node.keys() & {"zh", "en"}:
            for key, value in node.items():
                if key not in TEXT_KEYS and value is None:
                    c.problem(f"the text is cut at a comma before '{key}'", node, key,
                              hint="put text that contains a comma in quotes")
        for value in node.values():
            _check_texts(c, value)
    elif isinstance(node, list):
        for item in node:
            _check_texts(c, item)


def compile_yaml(data: Any, source: str | None = None) -> ProcessDefinition:
    """Compile parsed YAML into a validated definition; raise ModelError with every problem."""
    c = _Compiler(source)
    if not isinstance(data, Node):
        raise ModelError([Problem("a process file must be a mapping with 'process' and 'steps'",
                                  source=source)], source=source)
    _check_texts(c, data)
    for top_key in data:
        if top_key not in TOP_KEYS:
            c.problem(f"unknown top-level key '{top_key}'", data, top_key,
                      hint=suggest(top_key, TOP_KEYS))
    key = data.get("process")
    if not isinstance(key, str) or not key.strip():
        c.problem("missing 'process: <key>' naming the process", data,
                  hint="add e.g. 'process: sales_order' at the top")
        key = "unnamed"
    roles_data = data.get("roles") or {}
    roles: list[Role] = []
    if isinstance(roles_data, dict):
        roles = [Role(str(r), text(v), line_of(roles_data, str(r))) for r, v in roles_data.items()]
    else:
        c.problem("'roles' must map role ids to names", data, "roles")
    variables: list[Variable] = []
    vars_data = data.get("variables") or {}
    if isinstance(vars_data, dict):
        for name, spec in vars_data.items():
            spec = spec if isinstance(spec, dict) else {"default": spec}
            variables.append(Variable(str(name), str(spec.get("type", "text")),
                                      text(spec.get("label")), spec.get("default"),
                                      line_of(vars_data, str(name))))
    else:
        c.problem("'variables' must map names to their type and default", data, "variables")
    top = _Scope()
    if "steps" not in data:
        c.problem("missing 'steps'", data, hint="list the steps of the procedure under 'steps:'")
    else:
        c.body(top, data.get("steps"), None, data)
        if top.elements:
            top.elements[0] = start_event(c, data, top.elements[0])
        event_subprocesses(c, top, data, None)
    decisions = _decisions(c, data)
    check_reports(c, data)
    extensions = {k: v for k, v in data.items()
                  if k not in {"process", "name", "description", "roles", "variables", "steps",
                               "decisions", "on_event"}}
    definition = ProcessDefinition(
        key=key, name=text(data.get("name")) or Text(key), elements=tuple(top.elements),
        flows=tuple(top.flows), roles=tuple(roles), variables=tuple(variables),
        description=text(data.get("description")), source_name=source, extensions=extensions,
        decisions=decisions,
    )
    problems = c.problems + (validate(definition) if not c.problems else [])
    if problems:
        raise ModelError(problems, source=source)
    return definition


def load_yaml(text_: str, source: str | None = None) -> ProcessDefinition:
    return compile_yaml(read_yaml(text_, source), source)
