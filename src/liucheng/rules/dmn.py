"""Import DMN decision tables (DMN 1.1 to 1.5 XML) into `liucheng.rules.decision` tables.

Read: each `decision` holding a `decisionTable` — its id and name, hitPolicy and
aggregation, every `input` (label, `inputExpression/text`, typeRef, `inputValues`), every
`output` (name, typeRef, `outputValues`, `defaultOutputEntry`) and every `rule`
(`inputEntry`/`outputEntry` text, `annotationEntry` or `description`). Input entries are
FEEL unary tests; output entries that are FEEL literals become values, anything else is
compiled by the expression evaluator. Not supported, and reported with the element id and
source line: decisions whose logic is a literal expression, context, invocation, relation,
list or function; business knowledge models; decision services; and decisions that
require other decisions (a requirement graph beyond single tables). Input data
declarations, item definitions and diagram (DMNDI) elements are ignored.

The XML parser resolves no entities, loads no DTD, never touches the network and refuses
documents with a DOCTYPE or over MAX_BYTES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from liucheng.errors import ExpressionError, ModelError, Problem
from liucheng.rules.decision import DecisionTable, load_table
from liucheng.rules.feel import parse_unary_tests

NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
MAX_BYTES = 5_000_000
UNSUPPORTED_LOGIC = ("literalExpression", "context", "invocation", "relation", "list",
                     "functionDefinition", "conditional", "filter", "iterator", "every", "some",
                     "for")
UNSUPPORTED_ELEMENTS = {"businessKnowledgeModel": "business knowledge models",
                        "decisionService": "decision services"}


@dataclass(frozen=True)
class DmnDocument:
    """The decision tables of one DMN file and what could not be imported."""

    tables: tuple[DecisionTable, ...]
    unsupported: tuple[Problem, ...]
    version: str
    source_name: str | None = None

    def table(self, decision_id: str) -> DecisionTable:
        for table in self.tables:
            if table.id == decision_id:
                return table
        known = ", ".join(t.id for t in self.tables) or "none"
        raise ModelError([Problem(f"no decision table '{decision_id}' (tables: {known})",
                                  source=self.source_name)])


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, remove_pis=True)


def _parse(data: bytes, source_name: str | None) -> Any:
    if len(data) > MAX_BYTES:
        raise ModelError([Problem(f"the DMN file is larger than {MAX_BYTES} bytes",
                                  source=source_name)])
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise ModelError([Problem(f"not well-formed XML: {exc.msg}", line=line,
                                  source=source_name, hint="fix the XML and import again")]
                         ) from None
    if root.getroottree().docinfo.doctype:
        raise ModelError([Problem("DMN files with a DOCTYPE are refused", line=1,
                                  source=source_name, hint="remove the <!DOCTYPE ...> line")])
    return root


def read_dmn(data: bytes | str, source_name: str | None = None, *,
             strict: bool = True) -> DmnDocument:
    """Read a DMN file's decision tables; ModelError naming element and line if invalid.

    With `strict` (the default) unsupported elements are an error too; otherwise the
    supported tables are returned and the rest listed in `unsupported`.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    root = _parse(raw, source_name)
    qname = etree.QName(root)
    version = NAMESPACES.get(qname.namespace or "")
    if version is None or qname.localname != "definitions":
        raise ModelError([Problem(
            f"the root element is <{qname.localname}> in namespace '{qname.namespace}', not "
            "DMN <definitions>", line=root.sourceline, source=source_name,
            hint="import a DMN 1.1–1.5 file (BPMN files are imported as processes)")])
    ns = qname.namespace
    unsupported: list[Problem] = []
    tables: list[DecisionTable] = []
    errors: list[Problem] = []

    def skip(element: Any, what: str, line: int | None = None) -> None:
        unsupported.append(Problem(
            f"{what} are not supported", element=element.get("id"), source=source_name,
            line=line or element.sourceline, hint="model this decision as a decision table"))

    for element in root:
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in UNSUPPORTED_ELEMENTS:
            skip(element, UNSUPPORTED_ELEMENTS[local])
        elif local == "decision":
            required = element.findall(f"{{{ns}}}informationRequirement/{{{ns}}}requiredDecision")
            required += element.findall(f"{{{ns}}}knowledgeRequirement")
            if required:
                skip(element, "decisions that depend on other decisions or on knowledge "
                     "models", required[0].sourceline)
                continue
            table = element.find(f"{{{ns}}}decisionTable")
            if table is None:
                logic = next((c for c in element if isinstance(c.tag, str) and
                              etree.QName(c).localname in UNSUPPORTED_LOGIC), None)
                if logic is None:
                    skip(element, "decisions without a decision table")
                else:
                    name = etree.QName(logic).localname
                    skip(element, f"decisions written as a {name}", logic.sourceline)
                continue
            try:
                tables.append(load_table(_mapping(element, table, ns), source_name))
            except ModelError as exc:
                errors.extend(exc.problems)
    if errors:
        raise ModelError(errors, source=source_name)
    if strict and unsupported:
        raise ModelError(unsupported, source=source_name)
    return DmnDocument(tuple(tables), tuple(unsupported), version, source_name)


def read_dmn_file(path: str | Path, *, strict: bool = True) -> DmnDocument:
    file = Path(path)
    if file.stat().st_size > MAX_BYTES:
        raise ModelError([Problem(f"the DMN file is larger than {MAX_BYTES} bytes",
                                  source=str(file))])
    return read_dmn(file.read_bytes(), str(file), strict=strict)


def _text(element: Any, ns: str) -> str:
    found = element.find(f"{{{ns}}}text") if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _type(ref: str | None) -> str:
    name = (ref or "").rsplit(":", 1)[-1].lower()
    return {"string": "string", "number": "number", "double": "number", "decimal": "number",
            "integer": "integer", "long": "integer", "int": "integer", "boolean": "boolean",
            "date": "date"}.get(name, "any")


def output_value(text: str) -> Any:
    """A DMN output entry in the YAML convention: a literal value, or '=' + expression."""
    if not text:
        return None
    try:
        tests = parse_unary_tests(text)
    except ExpressionError:
        tests = None
    points = tests.points() if tests is not None else None
    if points is not None and len(points) == 1 and "," not in text:
        value = points[0]
        if not text.startswith(("=", "<", ">", "!")) and not (
                isinstance(value, str) and value.startswith("=")):
            return value
    return "=" + text  # an expression (or a text that starts with '=', kept as an expression)


def _mapping(decision: Any, table: Any, ns: str) -> dict[str, Any]:
    """The decision table as the YAML mapping `load_table` reads, with source lines."""
    inputs: list[dict[str, Any]] = []
    outputs, rules = [], []
    for n, col in enumerate(table.findall(f"{{{ns}}}input"), start=1):
        expression = col.find(f"{{{ns}}}inputExpression")
        text = _text(expression, ns)
        values = _text(col.find(f"{{{ns}}}inputValues"), ns)
        # a column is named by its expression when that is a plain (dotted) variable name
        cid = text if re.fullmatch(r"[A-Za-z_]\w*(\.\w+)*", text) else None
        if cid is None or any(i["id"] == cid for i in inputs):
            cid = col.get("id") or f"input_{n}"
        inputs.append({
            "id": cid, "line": col.sourceline,
            "expression": text or col.get("label") or f"input_{n}",
            "label": col.get("label"), "values": values or None,
            "type": _type(expression.get("typeRef") if expression is not None else None),
        })
    for n, col in enumerate(table.findall(f"{{{ns}}}output"), start=1):
        entry: dict[str, Any] = {
            "id": col.get("name") or col.get("id") or f"output_{n}", "line": col.sourceline,
            "label": col.get("label"), "type": _type(col.get("typeRef")),
            "values": _text(col.find(f"{{{ns}}}outputValues"), ns) or None,
        }
        default = col.find(f"{{{ns}}}defaultOutputEntry")
        if default is not None:
            entry["default"] = output_value(_text(default, ns))
        outputs.append(entry)
    for n, rule in enumerate(table.findall(f"{{{ns}}}rule"), start=1):
        annotations = [_text(a, ns) for a in rule.findall(f"{{{ns}}}annotationEntry")]
        description = rule.find(f"{{{ns}}}description")
        if description is not None and description.text:
            annotations.append(description.text.strip())
        rules.append({
            "id": rule.get("id") or f"rule_{n}", "line": rule.sourceline,
            "when": [_text(e, ns) or "-" for e in rule.findall(f"{{{ns}}}inputEntry")],
            "then": [output_value(_text(e, ns)) for e in rule.findall(f"{{{ns}}}outputEntry")],
            "annotation": "; ".join(a for a in annotations if a) or None,
        })
    return {"decision": decision.get("id"), "name": decision.get("name"), "line": table.sourceline,
            "hit_policy": table.get("hitPolicy") or "UNIQUE",
            "aggregation": table.get("aggregation"),
            "inputs": inputs, "outputs": outputs, "rules": rules}
