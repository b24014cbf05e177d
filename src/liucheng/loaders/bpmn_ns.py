"""BPMN 2.0 XML vocabulary shared by the importer and the exporter.

Elements are matched by namespace URI and local name, never by prefix, so `bpmn:`,
`bpmn2:`, `semantic:` and a default namespace read alike. Vendor attributes of the
Camunda 7, Activiti and Flowable dialects share their names, so `vendor_attr` looks in
all three; Zeebe (Camunda 8) keeps its settings in child elements instead.
"""

from __future__ import annotations

from typing import Any

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI = "http://activiti.org/bpmn"
FLOWABLE = "http://flowable.org/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DROOLS = "http://www.jboss.org/drools"
LC = "https://liucheng.dev/schema/bpmn"
LC_EXPRESSION = "https://liucheng.dev/schema/bpmn/expression"
"""The `language` of a condition written in liucheng's own expression syntax."""

VENDORS = (CAMUNDA, ACTIVITI, FLOWABLE)
VENDOR_PREFIX = {CAMUNDA: "camunda", ACTIVITI: "activiti", FLOWABLE: "flowable", ZEEBE: "zeebe",
                 SPIFF: "spiffworkflow", DROOLS: "drools"}


UNSUPPORTED_NODES = {
    "complexGateway": ("complex gateways are not supported",
                       "use an inclusive or exclusive gateway"),
    "transaction": ("transaction sub-processes are not supported", None),
    "adHocSubProcess": ("ad-hoc sub-processes are not supported", None),
}
IGNORED = {"documentation", "extensionElements", "laneSet", "ioSpecification", "property",
           "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
           "association", "group", "incoming", "outgoing", "auditing", "monitoring",
           "dataInputAssociation", "dataOutputAssociation", "resourceRole", "potentialOwner",
           "humanPerformer", "performer", "correlationSubscription", "supports", "category",
           "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"}
UNSUPPORTED_EXTENSIONS = {
    **{(ns, name): "runs code on the engine's listeners, which liucheng does not have"
       for ns in VENDORS for name in ("executionListener", "taskListener", "eventListener")},
    (CAMUNDA, "inputOutput"): "maps variables in and out of the step, which is not supported",
    (ZEEBE, "executionListeners"): "runs job workers on listeners, which is not supported",
    (ZEEBE, "taskListeners"): "runs job workers on listeners, which is not supported",
    (DROOLS, "onEntry-script"): "runs a script on entry, which is not supported",
    (DROOLS, "onExit-script"): "runs a script on exit, which is not supported",
    (SPIFF, "preScript"): "runs a script before the step, which is not supported",
    (SPIFF, "postScript"): "runs a script after the step, which is not supported",
}
UNSUPPORTED_EXTENSIONS_NS = tuple(sorted({ns for ns, _ in UNSUPPORTED_EXTENSIONS}))
PASS_THROUGH = "pass_through"
DRAFT_GAP = "draft_gap"
"""Extension key marking a node of a drawing that cannot run yet (a draft import)."""
"""Extension key marking a step that does nothing (a plain task, an empty script)."""


def event_kinds(el: Any) -> list[str]:
    """Trigger kinds of an event: `timer`, `message`, `terminate`, …"""
    kinds = []
    for c in children(el):
        name = local(c)
        if name.endswith("EventDefinition"):
            kinds.append(name.removesuffix("EventDefinition"))
        elif name == "eventDefinitionRef":
            kinds.append("referenced")
    return kinds


def q(namespace: str, name: str) -> str:
    """The Clark name lxml uses: `{namespace}name`."""
    return f"{{{namespace}}}{name}"


def local(element: Any) -> str:
    """Local name of an element; comments and processing instructions give ''."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return str(tag[1:].split("}", 1)[0])


def is_bpmn(element: Any, *names: str) -> bool:
    return namespace(element) == BPMN and (not names or local(element) in names)


def children(element: Any, *names: str, ns: str = BPMN) -> list[Any]:
    """Child elements in namespace `ns` (any local name when `names` is empty)."""
    return [c for c in element if namespace(c) == ns and (not names or local(c) in names)]


def child(element: Any, name: str, ns: str = BPMN) -> Any | None:
    found = children(element, name, ns=ns)
    return found[0] if found else None


def extension_elements(element: Any, ns: str | tuple[str, ...]) -> list[Any]:
    """Children of `<extensionElements>` in the given namespace(s)."""
    spaces = (ns,) if isinstance(ns, str) else ns
    out: list[Any] = []
    for ext in children(element, "extensionElements"):
        out.extend(c for c in ext if namespace(c) in spaces)
    return out


def vendor_attr(element: Any, name: str) -> str | None:
    """`camunda:name`, `activiti:name` or `flowable:name`, whichever is present."""
    for ns in VENDORS:
        value = element.get(q(ns, name))
        if value is not None:
            return str(value)
    return None


def lc_attr(element: Any, name: str) -> str | None:
    value = element.get(q(LC, name))
    return None if value is None else str(value)


def text_of(element: Any | None) -> str:
    """All text inside an element (CDATA included), stripped."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def line(element: Any) -> int | None:
    value = getattr(element, "sourceline", None)
    return int(value) if isinstance(value, int) else None
