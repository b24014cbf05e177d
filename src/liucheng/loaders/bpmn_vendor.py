"""Vendor and liucheng extension data on BPMN tasks: who does a step, its handler, its data.

Reads the Camunda 7 / Activiti / Flowable attributes (`assignee`, `candidateUsers`,
`candidateGroups`, `formKey`, `dueDate`, `priority`, `class`, `expression`,
`delegateExpression`, `type`/`topic`, `field`; forms are in `bpmn_forms`), the Zeebe
elements (`taskDefinition`, `assignmentDefinition`, `formDefinition`, `taskSchedule`,
`priorityDefinition`, `ioMapping`, `taskHeaders`, `calledDecision`, `script`), the
standard `potentialOwner` / `humanPerformer`, and liucheng's own `lc:` namespace, which
wins over the others. Problems go to the `report` callback; nothing here raises.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from liucheng import model
from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_expressions import translate_feel, translate_value
from liucheng.loaders.bpmn_ns import (
    BPMN,
    LC,
    VENDORS,
    ZEEBE,
    child,
    children,
    extension_elements,
    lc_attr,
    local,
    q,
    text_of,
    vendor_attr,
)
from liucheng.model import Text, UserTask

Report = Callable[[str, Any, str | None], None]
"""`report(message, xml_element, hint)` records one problem."""

@dataclass(frozen=True)
class Assignment:
    roles: tuple[str, ...] = ()
    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.roles or self.assignee or self.candidate_users)


def split_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _literal_list(value: str, what: str, el: Any, report: Report) -> list[str]:
    """`a, b` or a Zeebe FEEL list of strings `= ["a", "b"]`; expressions are reported."""
    body = value.strip()
    if body.startswith("="):
        items = re.fullmatch(r'=\s*\[\s*((?:"[^"]*"\s*,?\s*)*)\]', body)
        if items:
            return re.findall(r'"([^"]*)"', items.group(1))
    if "${" in body or "#{" in body or body.startswith("="):
        report(f"{what} '{body}' is an expression; liucheng needs fixed ids here", el,
               "list the ids, or use an assignee expression instead")
        return []
    return split_list(body)


def _expression(value: str, what: str, el: Any, report: Report,
                rename: Mapping[str, str]) -> str | None:
    try:
        return translate_value(value, rename)
    except ExpressionError as exc:
        report(f"{what}: {exc.message}", el, exc.hint)
        return None


def _resource_expressions(el: Any) -> list[tuple[str, str]]:
    """(`potentialOwner` | `humanPerformer`, formal expression text) of a task."""
    out = []
    for tag in ("potentialOwner", "humanPerformer", "performer"):
        for res in children(el, tag):
            expr = child(res, "resourceAssignmentExpression")
            formal = child(expr, "formalExpression") if expr is not None else None
            if formal is not None and text_of(formal):
                out.append((tag, text_of(formal)))
    return out


def assignment(el: Any, report: Report, rename: Mapping[str, str]) -> Assignment:
    """Who does the step, from lc:, vendor, Zeebe and standard resource assignments."""
    roles: list[str] = []
    users: list[str] = []
    assignee: str | None = None
    for tag, text in _resource_expressions(el):
        if tag == "humanPerformer":
            assignee = _expression(text, "humanPerformer", el, report, rename)
            continue
        for part in split_list(text):
            match = re.fullmatch(r"(user|group)\((.+)\)", part)
            kind, value = (match.group(1), match.group(2).strip()) if match else ("group", part)
            if "${" in value or "#{" in value:
                report(f"potentialOwner '{part}' is an expression; liucheng needs fixed ids",
                       el, "name the group or user, or use a humanPerformer expression")
            else:
                (users if kind == "user" else roles).append(value)
    for zeebe in extension_elements(el, ZEEBE):
        if local(zeebe) == "assignmentDefinition":
            if zeebe.get("assignee"):
                assignee = _expression(zeebe.get("assignee"), "zeebe assignee", el, report,
                                       rename)
            roles += _literal_list(zeebe.get("candidateGroups") or "", "candidateGroups", el,
                                   report)
            users += _literal_list(zeebe.get("candidateUsers") or "", "candidateUsers", el,
                                   report)
    if vendor_attr(el, "assignee"):
        assignee = _expression(vendor_attr(el, "assignee") or "", "assignee", el, report, rename)
    roles += _literal_list(vendor_attr(el, "candidateGroups") or "", "candidateGroups", el,
                           report)
    users += _literal_list(vendor_attr(el, "candidateUsers") or "", "candidateUsers", el, report)
    lc_roles = lc_attr(el, "roles") or lc_attr(el, "role")
    if lc_roles is not None:
        roles = split_list(lc_roles)
    if lc_attr(el, "assignee") is not None:
        assignee = lc_attr(el, "assignee") or None
    if lc_attr(el, "candidateUsers") is not None:
        users = split_list(lc_attr(el, "candidateUsers"))
    return Assignment(tuple(dict.fromkeys(roles)), assignee, tuple(dict.fromkeys(users)))


def priority(el: Any, extensions: dict[str, Any]) -> int:
    raw = lc_attr(el, "priority") or vendor_attr(el, "priority")
    for zeebe in extension_elements(el, ZEEBE):
        if local(zeebe) == "priorityDefinition" and zeebe.get("priority"):
            raw = zeebe.get("priority")
    if raw is None:
        return 50
    if raw.strip().lstrip("-").isdigit():
        return int(raw)
    extensions["priority"] = raw
    return 50


def user_extensions(el: Any) -> dict[str, Any]:
    """Vendor settings liucheng keeps without acting on them itself (form keys, dates)."""
    out: dict[str, Any] = {}
    for attr, key in (("formKey", "form_key"), ("dueDate", "due_date"),
                      ("followUpDate", "follow_up_date")):
        value = vendor_attr(el, attr)
        if value:
            out[key] = value
    for zeebe in extension_elements(el, ZEEBE):
        name = local(zeebe)
        if name == "formDefinition":
            for attr, key in (("formKey", "form_key"), ("formId", "form_id"),
                              ("externalReference", "form_key")):
                if zeebe.get(attr):
                    out[key] = zeebe.get(attr)
        elif name == "taskSchedule":
            for attr, key in (("dueDate", "due_date"), ("followUpDate", "follow_up_date")):
                if zeebe.get(attr):
                    out[key] = zeebe.get(attr)
    out.update(properties(el))
    out.update(lc_data(el))
    return out


def human_task_fields(el: Any, report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
    """UserTask keyword arguments (and extension entries, for settings the model lacks)
    from the lc: deadline, return, four-eyes, empty-pool and countersign attributes."""
    names = {f.name for f in dataclasses.fields(UserTask)}
    values: dict[str, Any] = {}
    for attr, name in (("due", "due"), ("countersign", "countersign")):
        raw = lc_attr(el, attr)
        if raw:
            try:
                values[name] = json.loads(raw)
            except ValueError:
                report(f"lc:{attr} is not valid JSON", el, "write it as JSON, e.g. "
                       '{"working_days": 2}')
    for attr, name in (("returnTo", "return_to"), ("distinctFrom", "distinct_from")):
        if lc_attr(el, attr):
            values[name] = tuple(split_list(lc_attr(el, attr)))
    if lc_attr(el, "onEmpty"):
        values["on_empty"] = lc_attr(el, "onEmpty")
    sign = getattr(model, "Countersign", None)
    if isinstance(values.get("countersign"), dict) and sign is not None:
        raw_sign = values["countersign"]
        values["countersign"] = sign(**{k: v for k, v in raw_sign.items()
                                        if k in {f.name for f in dataclasses.fields(sign)}})
    kwargs = {k: v for k, v in values.items() if k in names}
    extra = {k: v for k, v in values.items() if k not in names}
    return kwargs, extra


def properties(el: Any) -> dict[str, Any]:
    props: dict[str, str] = {}
    for ext in extension_elements(el, (*VENDORS, ZEEBE)):
        if local(ext) == "properties":
            for prop in ext:
                if local(prop) == "property" and prop.get("name"):
                    props[str(prop.get("name"))] = str(prop.get("value") or "")
    return {"properties": props} if props else {}


def lc_data(el: Any) -> dict[str, Any]:
    """`<lc:data key="k">JSON</lc:data>` entries (liucheng's own extension values)."""
    out: dict[str, Any] = {}
    for data in extension_elements(el, LC):
        if local(data) == "data" and data.get("key"):
            raw = text_of(data)
            try:
                out[str(data.get("key"))] = json.loads(raw) if raw else None
            except ValueError:
                out[str(data.get("key"))] = raw
    return out


def lc_settings(el: Any) -> dict[str, str]:
    """`<lc:setting name="…">JSON</lc:setting>` texts (see bpmn_codec)."""
    return {str(s.get("name")): text_of(s) for s in extension_elements(el, LC)
            if local(s) == "setting" and s.get("name")}


_HANDLER = re.compile(
    r"^\s*[$#]\{\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(\(.*\))?\s*\}\s*$", re.S)


def handler(el: Any, report: Report) -> tuple[str | None, dict[str, Any]]:
    """The handler name of a service-like task, with the vendor details kept as options."""
    ext: dict[str, Any] = {}
    name: str | None = None
    for attr in ("class", "delegateExpression", "expression"):
        value = vendor_attr(el, attr)
        if not value:
            continue
        if attr == "class":
            name = value.strip()
            continue
        match = _HANDLER.match(value)
        if match is None:
            report(f"cannot name a handler after {attr} '{value}'", el,
                   "use a bean name such as ${creditScore} or set lc:handler")
            continue
        name = match.group(1)
        if attr == "expression":
            ext["expression"] = value
    kind = vendor_attr(el, "type")
    if kind == "external":
        name = vendor_attr(el, "topic") or name
        ext["external_task"] = True
    elif kind:
        name = name or kind
    decision = vendor_attr(el, "decisionRef")
    if decision:
        name = f"decision:{decision}"
    for attr, key in (("resultVariable", "result_variable"),
                      ("mapDecisionResult", "map_decision_result")):
        if vendor_attr(el, attr):
            ext[key] = vendor_attr(el, attr)
    fields = {}
    for item in extension_elements(el, VENDORS):
        if local(item) == "field" and item.get("name"):
            value = item.get("stringValue") or item.get("expression") or text_of(item)
            fields[str(item.get("name"))] = value
        elif local(item) == "connector":
            connector = next((text_of(c) for c in item if local(c) == "connectorId"), "")
            name = name or (f"connector:{connector}" if connector else None)
    if fields:
        ext["fields"] = fields
    for zeebe in extension_elements(el, ZEEBE):
        zname = local(zeebe)
        if zname == "taskDefinition" and zeebe.get("type"):
            ztype = str(zeebe.get("type"))
            if ztype.startswith("="):
                report(f"zeebe job type '{ztype}' is an expression; liucheng needs a fixed "
                       "handler name", el, None)
            else:
                name = ztype
            if zeebe.get("retries"):
                ext["retries"] = zeebe.get("retries")
        elif zname == "taskHeaders":
            ext["headers"] = {str(h.get("key")): h.get("value") for h in zeebe
                              if local(h) == "header"}
        elif zname == "calledDecision" and zeebe.get("decisionId"):
            name = f"decision:{zeebe.get('decisionId')}"
            if zeebe.get("resultVariable"):
                ext["result_variable"] = zeebe.get("resultVariable")
    ext.update(properties(el))
    ext.update(lc_data(el))
    return lc_attr(el, "handler") or name, ext


def io_mapping(el: Any, report: Report, rename: Mapping[str, str]
               ) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """Zeebe output mappings as assignments (FEEL translated) and input mappings as data."""
    outputs: list[tuple[str, str]] = []
    inputs: list[dict[str, str]] = []
    for zeebe in extension_elements(el, ZEEBE):
        if local(zeebe) != "ioMapping":
            continue
        for m in zeebe:
            source, target = m.get("source") or "", m.get("target") or ""
            if local(m) == "input":
                inputs.append({"source": source, "target": target})
            elif local(m) == "output" and target:
                try:
                    outputs.append((target, translate_feel(source, rename)))
                except ExpressionError as exc:
                    report(f"output mapping of '{target}': {exc.message}", el, None)
    return outputs, inputs


def lc_assignments(el: Any) -> list[tuple[str, str]]:
    """`<lc:set var="x">expression</lc:set>` (liucheng's built-in service assignments)."""
    return [(str(s.get("var")), text_of(s)) for s in extension_elements(el, LC)
            if local(s) == "set" and s.get("var")]


def lc_text(el: Any, tag: str) -> Text:
    """`<lc:tag lang="zh">…</lc:tag><lc:tag lang="en">…</lc:tag>` as a Text."""
    parts = {str(t.get("lang") or "zh"): text_of(t) for t in extension_elements(el, LC)
             if local(t) == tag}
    return Text(parts.get("zh", ""), parts.get("en", ""))


def documentation(el: Any) -> Text:
    docs = [text_of(d) for d in children(el, "documentation", ns=BPMN)]
    return Text(next((d for d in docs if d), ""), str(el.get(q(LC, "documentationEn")) or ""))
