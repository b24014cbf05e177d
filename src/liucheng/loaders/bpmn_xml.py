"""Import BPMN 2.0 XML (bpmn.io, Camunda, Flowable, Signavio, …) into the process model.

`load_bpmn(text)` parses with a hardened lxml parser (no DTDs, no entities, no network,
bounded size), picks the process to run, reads its nodes (`bpmn_nodes`) and vendor data
(`bpmn_vendor`), and checks the result with `liucheng.model.validate`. Every problem of
the file is reported at once in one `ModelError`, each naming the element, its tag and
its line. The import notes (which process was chosen, implicit end events, pass-through
steps, default roles) are kept in `definition.extensions["bpmn_import"]`.

`load_bpmn(text, draft=True)` imports a *drawing* (a modelling tool's diagram, e.g. the
MIWG reference models): every problem that only stops execution becomes a *finding*
(`extensions["bpmn_import"]["findings"]`: element, tag, line, message, hint), and a node
that cannot run is kept as a service step without handler marked `draft_gap`. Broken
files (malformed XML, duplicate ids, missing references) still fail. A draft exports with
`lc:draft="true"`, which the strict import (deploy, start) refuses with the findings.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from lxml import etree

from liucheng.errors import ExpressionError, ModelError, Problem
from liucheng.loaders.bpmn_codec import restore
from liucheng.loaders.bpmn_events import read_refs
from liucheng.loaders.bpmn_expressions import translate_feel
from liucheng.loaders.bpmn_forms import form_fields
from liucheng.loaders.bpmn_nodes import NodeReader
from liucheng.loaders.bpmn_ns import (
    BPMN,
    BPMNDI,
    LC,
    VENDORS,
    ZEEBE,
    children,
    extension_elements,
    lc_attr,
    line,
    local,
    namespace,
    text_of,
    vendor_attr,
)
from liucheng.loaders.bpmn_vendor import documentation, lc_data, lc_settings
from liucheng.model import ProcessDefinition, Role, Text, Variable, validate
from liucheng.rules.expressions import compile_expression

MAX_BYTES = 5_000_000
DEFAULT_ROLE = "staff"
DEFAULT_ROLE_NAME = Text("员工", "Staff")
_CONNECTIVITY = ("has no incoming flow", "has no outgoing flow", "cannot be reached",
                 "has no start event", "flow source", "flow target", "is not an outgoing flow",
                 "an event gateway needs")
_BROKEN = ("duplicate id", "does not exist", "names no element", "names no <",
           "is in another scope", "sequence flow has no", "is drawn twice")
_XSD_TYPES = {"string": "text", "boolean": "boolean", "int": "integer", "integer": "integer",
              "long": "integer", "double": "number", "float": "number", "decimal": "number",
              "datetime": "datetime", "date": "date", "json": "json"}


def load_bpmn(text: str | bytes, source_name: str | None = None, *, max_bytes: int = MAX_BYTES,
              default_role: str = DEFAULT_ROLE, process: str | None = None,
              draft: bool = False) -> ProcessDefinition:
    """Import one process from BPMN 2.0 XML; raise ModelError listing every problem.

    With `draft`, what only stops execution is kept as findings (see the module doc);
    `is_draft(definition)` tells whether any were found.

    `default_role` is given to user tasks that name nobody (no assignee, candidates or
    lane). The file may hold several processes (a collaboration): the one whose id is
    `process`, else the first executable one with a start event (see `choose_process`).
    """
    root = parse_document(text, source_name, max_bytes)
    return _Importer(root, source_name, default_role, draft).run(process)


def findings(definition: ProcessDefinition) -> list[dict[str, Any]]:
    """The findings of a draft import: what the drawing must still get to run."""
    return list(definition.extensions.get("bpmn_import", {}).get("findings", ()))


def is_draft(definition: ProcessDefinition) -> bool:
    return bool(findings(definition))


def _fail(message: str, source: str | None, line_no: int | None = None,
          element: str | None = None, hint: str | None = None) -> ModelError:
    return ModelError([Problem(message, element=element, line=line_no, source=source, hint=hint)],
                      source=source)


def parse_document(text: str | bytes, source: str | None, max_bytes: int = MAX_BYTES) -> Any:
    """Parse XML safely: no DTD, no entity expansion, no network access, bounded size."""
    if isinstance(text, str):
        text = text.lstrip("\ufeff")
        # The text is already decoded; an encoding declaration would make lxml refuse it.
        text = re.sub(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*([\"'])[^\"']*\2", r"\1", text,
                      count=1)
        data = text.encode("utf-8")
    else:
        data = text
    if len(data) > max_bytes:
        raise _fail(f"the file is {len(data):,} bytes; the limit is {max_bytes:,}", source,
                    hint="split the model or raise max_bytes")
    declaration = re.search(rb"<!(DOCTYPE|ENTITY)", data)
    if declaration:
        raise _fail(f"the file contains a <!{declaration.group(1).decode()}> declaration; "
                    "BPMN files must not declare a DTD or entities", source,
                    data[:declaration.start()].count(b"\n") + 1,
                    hint="remove the DOCTYPE: BPMN needs none, and entities are refused "
                         "for safety (XXE, entity expansion)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = str(getattr(exc, "msg", "") or exc)
        raise _fail(f"the file is not well-formed XML: {message}", source,
                    getattr(exc, "lineno", None), hint="fix the XML at this line") from None
    except ValueError as exc:
        raise _fail(f"the file cannot be read as XML: {exc}", source) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise _fail("the file declares a DTD; BPMN files must not", source, 1)
    return root


def choose_process(processes: list[Any]) -> tuple[Any, str]:
    """The process to import, and a note saying why it was chosen.

    Order of preference: executable (`isExecutable="true"`) with a start event, any
    executable, any with a start event, the first.
    """
    def has_start(p: Any) -> bool:
        return bool(children(p, "startEvent"))

    executable = [p for p in processes if p.get("isExecutable") == "true"]
    ranked = ([(p, "it is executable") for p in executable if has_start(p)]
              + [(p, "it is executable") for p in executable]
              + [(p, "it has a start event") for p in processes if has_start(p)]
              + [(p, "it is the first") for p in processes])
    chosen, why = ranked[0]
    others = [str(p.get("id")) for p in processes if p is not chosen]
    if not others:
        return chosen, f"imported process '{chosen.get('id')}'"
    return chosen, (f"imported process '{chosen.get('id')}' because {why}; not imported: "
                    + ", ".join(f"'{o}'" for o in others))


class _Importer:
    def __init__(self, root: Any, source: str | None, default_role: str,
                 draft: bool = False) -> None:
        self.root = root
        self.source = source
        self.default_role = default_role
        self.draft = draft

    def run(self, wanted: str | None = None) -> ProcessDefinition:
        root, source = self.root, self.source
        if namespace(root) != BPMN or local(root) != "definitions":
            raise _fail(f"not a BPMN 2.0 file: the root element is <{local(root)}> in namespace "
                        f"'{namespace(root) or 'none'}'", source, line(root), root.get("id"),
                        f"BPMN files start with <definitions xmlns=\"{BPMN}\">")
        all_ids: dict[str, Any] = {}
        reader = NodeReader(source, all_ids, self.default_role,
                            root.get("expressionLanguage"), draft=self.draft)
        for el in root.iter():
            if namespace(el) == BPMN and el.get("id"):
                eid = str(el.get("id"))
                if eid in all_ids and all_ids[eid] is not None:
                    reader.problem(f"duplicate id '{eid}' (first on line {line(all_ids[eid])})",
                                   el, "give every element its own id")
                all_ids.setdefault(eid, el)
        if self.draft:  # a drawing's diagram must be sound: one shape per element and plane
            for plane in root.iter(f"{{{BPMNDI}}}BPMNPlane"):
                drawn: set[str] = set()
                for shape in children(plane, "BPMNShape", ns=BPMNDI):
                    ref = str(shape.get("bpmnElement") or "")
                    if ref in drawn:
                        reader.problem(f"element '{ref}' is drawn twice on plane "
                                       f"'{plane.get('id')}'", shape, "remove one of the shapes")
                    drawn.add(ref)
        processes = children(root, "process")
        if not processes:
            reader.problems.append(Problem("the file has no <process> to import",
                                           element=root.get("id"), line=line(root),
                                           source=source, hint="model a process (a pool) with "
                                           "a start event"))
            raise ModelError(reader.problems, source=source)
        if wanted is not None:
            named = [p for p in processes if p.get("id") == wanted]
            if not named:
                raise _fail(f"the file has no process '{wanted}'", source, line(root),
                            root.get("id"), "its processes: " + ", ".join(
                                f"'{p.get('id')}'" for p in processes))
            process, note = named[0], f"imported process '{wanted}' as asked"
        else:
            process, note = choose_process(processes)
        reader.notes.append(note)
        reader.zeebe = ZEEBE in (root.nsmap or {}).values()
        return self.read(process, reader)

    def participant_name(self, process_id: str) -> str:
        for collaboration in children(self.root, "collaboration"):
            for participant in children(collaboration, "participant"):
                if participant.get("processRef") == process_id and participant.get("name"):
                    return str(participant.get("name"))
        return ""

    def read(self, process: Any, reader: NodeReader) -> ProcessDefinition:
        key = str(process.get("id") or "")
        if not key:
            reader.problem("process has no id", process, "the id is the process key")
        for start in process.iter(f"{{{BPMN}}}startEvent"):
            initiator = vendor_attr(start, "initiator")
            if initiator:
                reader.rename[initiator] = "starter"
                reader.notes.append(f"initiator variable '{initiator}' reads as 'starter'")
        reader.refs = read_refs(self.root, reader)
        reader.read_lanes(process)
        declared = [Role(str(r.get("id")), Text(str(r.get("name") or ""),
                                                str(r.get("nameEn") or "")), line(r))
                    for r in extension_elements(process, LC) if local(r) == "role" and r.get("id")]
        elements, flows = reader.scope(process, None, None)
        if self.default_role in reader.roles_used:
            reader.role_names.setdefault(self.default_role, DEFAULT_ROLE_NAME)
        known = {r.id for r in declared}
        roles = declared + [Role(r, reader.role_names.get(r) or Text(r)) for r in
                            reader.roles_used if r not in known]
        name = str(process.get("name") or self.participant_name(key) or key)
        extensions: dict[str, Any] = {
            k: v for k, v in (("history_time_to_live", vendor_attr(process, "historyTimeToLive")),
                              ("version_tag", vendor_attr(process, "versionTag"))) if v}
        extensions.update(lc_data(process))
        extensions["bpmn_import"] = {"process": key, "notes": reader.notes}
        settings, bad = restore(ProcessDefinition, lc_settings(process))
        for name in bad:
            reader.problem(f"lc:setting '{name}' is not a setting of a process", process)
        definition = ProcessDefinition(
            **settings, key=key or "unnamed", name=Text(name, lc_attr(process, "nameEn") or ""),
            elements=tuple(elements), flows=tuple(flows), roles=tuple(roles),
            variables=tuple(self.variables(process, reader)),
            description=documentation(process), source_name=self.source, extensions=extensions)
        checked = [p if p.element else dataclasses.replace(p, element=key, line=line(process))
                   for p in validate(definition) if not self.hidden(p, reader)]
        problems = sorted(reader.problems + checked, key=lambda p: p.line or 0)
        if self.draft:  # what is broken fails; what only stops execution is a finding
            broken = [p for p in problems if any(m in p.message for m in _BROKEN)]
            if broken:
                raise ModelError(broken, source=self.source)
            if problems:
                extensions["bpmn_import"]["findings"] = [self.finding(p) for p in problems]
            return definition
        if not self.draft and lc_attr(process, "draft") == "true":
            problems.insert(0, Problem(
                f"process '{key}' is a draft imported from a drawing: it cannot be deployed "
                "or started", element=key, line=line(process), source=self.source,
                hint="add what its findings ask for (liucheng validate --draft lists them) "
                     "and export it again"))
        if problems:
            raise ModelError(problems, source=self.source)
        return definition

    def finding(self, problem: Problem) -> dict[str, Any]:
        el = self.root.xpath("//*[@id=$id]", id=problem.element) if problem.element else []
        return {**problem.to_dict(), "tag": local(el[0]) if len(el) else None}

    @staticmethod
    def hidden(problem: Problem, reader: NodeReader) -> bool:
        """A connectivity problem caused by an unsupported element already reported, or a
        draft gap's missing handler (its own finding says why)."""
        if problem.element in reader.gaps and "neither a handler" in problem.message:
            return True
        if not any(part in problem.message for part in _CONNECTIVITY):
            return False
        scope = reader.scope_of.get(problem.element or "", problem.element)
        return scope in reader.dirty_scopes or problem.element in reader.dirty_scopes

    def variables(self, process: Any, reader: NodeReader) -> list[Variable]:
        """lc:variable declarations, start-form fields, valued data objects, Zeebe outputs."""
        out: dict[str, Variable] = {}
        for v in extension_elements(process, LC):
            if local(v) == "variable" and v.get("id"):
                raw = v.get("default")
                out[str(v.get("id"))] = Variable(
                    str(v.get("id")), str(v.get("type") or "text"),
                    Text(str(v.get("label") or ""), str(v.get("labelEn") or "")),
                    json.loads(raw) if raw else None, line(v))
        for start in reader.start_forms:
            for f in form_fields(start, reader.report):
                out.setdefault(f.id, Variable(f.id, f.type, f.label, f.default, f.line))
            for zeebe in extension_elements(start, ZEEBE):
                for m in (m for m in zeebe if local(zeebe) == "ioMapping" and local(m) == "output"):
                    self.constant_output(m, start, reader, out)
        for obj in process.iter(f"{{{BPMN}}}dataObject"):
            parent = obj.getparent()
            if parent is not process:
                reader.unsupported(obj, "dataObject inside a sub-process: liucheng variables "
                                   "belong to the whole case, not to one scope",
                                   str(parent.get("id")), "declare it on the process")
                continue
            var = self.data_object(obj)
            if var is not None:
                out.setdefault(var.id, var)
        return list(out.values())

    @staticmethod
    def constant_output(m: Any, start: Any, reader: NodeReader, out: dict[str, Variable]) -> None:
        target = str(m.get("target") or "")
        try:
            value = compile_expression(translate_feel(str(m.get("source") or ""))).evaluate({})
        except ExpressionError as exc:
            reader.report(f"start-event output '{target}' must be a constant: {exc.message}",
                          m, None)
            return
        if target:
            out[target] = Variable(target, default=value, line=line(m))

    @staticmethod
    def data_object(obj: Any) -> Variable | None:
        name = str(obj.get("name") or obj.get("id") or "")
        if not name.isidentifier():
            name = str(obj.get("id") or "")
        if not name:
            return None
        xsd = str(obj.get("itemSubjectRef") or "").rsplit(":", 1)[-1].lower()
        kind = _XSD_TYPES.get(xsd, "text")
        values = [text_of(v) for v in extension_elements(obj, (*VENDORS, LC))
                  if local(v) == "value"]
        return Variable(name, kind, Text(str(obj.get("name") or "")),
                        _typed(values[0], kind) if values else None, line(obj))


def _typed(raw: str, kind: str) -> Any:
    try:
        if kind == "boolean":
            return raw.strip().lower() == "true"
        if kind == "integer":
            return int(raw)
        if kind == "number":
            number = float(raw)
            return int(number) if number.is_integer() else number
        if kind == "json":
            return json.loads(raw)
    except ValueError:
        return raw
    return raw


__all__ = ["DEFAULT_ROLE", "MAX_BYTES", "choose_process", "findings", "is_draft", "load_bpmn",
           "parse_document"]
