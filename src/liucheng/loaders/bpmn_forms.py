"""Form fields of BPMN tasks: Camunda `formData`, Activiti/Flowable `formProperty`, `lc:form`.

Vendor field types map to liucheng's (`string`→`text`, `long`→`integer`, `double`→`decimal`,
`boolean`→`yesno`, `enum`→`select`; others become `text`), and only the settings liucheng
forms know are kept: `choices`, `min`, `max`, `min_length`, `max_length`, `mode`.
liucheng's own `<lc:form>` (written by the exporter) replaces the vendor forms when present.
"""

from __future__ import annotations

import json
from typing import Any

from liucheng.loaders.bpmn_ns import LC, VENDORS, extension_elements, local
from liucheng.loaders.bpmn_vendor import Report
from liucheng.model import FormField, Text

FIELD_TYPES = {"string": "text", "long": "integer", "integer": "integer", "int": "integer",
               "short": "integer", "double": "decimal", "float": "decimal", "boolean": "yesno",
               "date": "date", "enum": "select"}
"""Camunda/Activiti form field types → liucheng field types (others become text)."""


def form_fields(el: Any, report: Report) -> tuple[FormField, ...]:
    """camunda:formData, activiti/flowable:formProperty, or lc:form fields."""
    fields: list[FormField] = []
    for ext in extension_elements(el, VENDORS):
        if local(ext) == "formData":
            fields += [_camunda_field(f) for f in ext if local(f) == "formField" and f.get("id")]
        elif local(ext) == "formProperty" and ext.get("id"):
            fields.append(_property_field(ext))
    for ext in extension_elements(el, LC):
        if local(ext) == "form":
            fields = [_lc_field(f, report) for f in ext if local(f) == "field" and f.get("id")]
    return tuple(fields)


def _choices(field: Any) -> dict[str, Any]:
    values = [v for v in field if local(v) == "value" and v.get("id") is not None]
    if not values:
        return {}
    return {"choices": [{"value": str(v.get("id")), "label": str(v.get("name") or v.get("id"))}
                        for v in values]}


CONSTRAINTS = {"minlength": "min_length", "maxlength": "max_length", "min": "min", "max": "max"}


def _camunda_field(f: Any) -> FormField:
    options: dict[str, Any] = _choices(f)
    required = False
    for part in f:
        if local(part) != "validation":
            continue
        for c in part:
            name, config = c.get("name"), c.get("config")
            if name == "required":
                required = True
            elif name == "readonly":
                options["mode"] = "readonly"
            elif name in CONSTRAINTS and config is not None:
                options[CONSTRAINTS[name]] = _number_or_text(config)
    ftype = FIELD_TYPES.get(str(f.get("type") or "string"), "text")
    return FormField(id=str(f.get("id")), type=ftype, label=Text(str(f.get("label") or "")),
                     required=required, default=_default(f.get("defaultValue"), ftype),
                     options=options, line=f.sourceline)


def _property_field(f: Any) -> FormField:
    options: dict[str, Any] = _choices(f)
    if f.get("readable") == "false":
        options["mode"] = "hidden"
    elif f.get("writable") == "false":
        options["mode"] = "readonly"
    ftype = FIELD_TYPES.get(str(f.get("type") or "string"), "text")
    return FormField(id=str(f.get("id")), type=ftype, label=Text(str(f.get("name") or "")),
                     required=f.get("required") == "true",
                     default=_default(f.get("default") or f.get("value"), ftype),
                     options=options, line=f.sourceline)


def _lc_field(f: Any, report: Report) -> FormField:
    def load(attr: str, fallback: Any) -> Any:
        raw = f.get(attr)
        if raw is None:
            return fallback
        try:
            return json.loads(raw)
        except ValueError:
            report(f"lc:field '{f.get('id')}': {attr} is not valid JSON", f, None)
            return fallback

    options = load("options", {})
    return FormField(id=str(f.get("id")), type=str(f.get("type") or "text"),
                     label=Text(str(f.get("label") or ""), str(f.get("labelEn") or "")),
                     required=f.get("required") == "true", default=load("default", None),
                     options=options if isinstance(options, dict) else {}, line=f.sourceline)


def _default(raw: str | None, ftype: str) -> Any:
    """A literal default in the field's type; `${…}` defaults (pre-fill from a variable)
    are left out: liucheng forms show the case's current values anyway."""
    if raw is None or raw == "" or "${" in raw or "#{" in raw:
        return None
    if ftype == "integer" and raw.strip().lstrip("-").isdigit():
        return int(raw)
    if ftype == "yesno":
        return raw.strip().lower() == "true"
    return raw


def _number_or_text(raw: str) -> Any:
    return int(raw) if raw.lstrip("-").isdigit() else raw
