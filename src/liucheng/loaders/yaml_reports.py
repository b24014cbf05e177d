"""`reports:` and `notes:` at the top of a YAML process: checked here, kept in extensions.

A report is a measure (`measure: FIELD`, `group_by: VARIABLE`, optional `step: STEP` when
the field is read from that step's form), run by `liucheng report declared KEY`; or a
progress list (`group_by` with `columns` including `stage`, optional `remarks`), shown on
the process's progress page. `notes:` is free text for readers and is never executed.
See docs/yaml.md.
"""

from __future__ import annotations

from typing import Any, Protocol

from liucheng.loaders.yaml_steps import suggest

MEASURE_KEYS = {"id", "name", "description", "measure", "group_by", "step"}
PROGRESS_KEYS = {"id", "name", "description", "group_by", "columns", "remarks"}
KINDS = ("a report is a measure (measure, group_by, step) or a progress list (group_by, "
         "columns, remarks)")


class _Reporter(Protocol):
    def problem(self, message: str, node: Any = None, key: str | None = None,
                element: str | None = None, hint: str | None = None) -> None: ...


def check_reports(c: _Reporter, data: Any) -> None:
    """Report every entry of `reports:` that liucheng could not run, with its line."""
    items = data.get("reports")
    if items is None:
        return
    if not isinstance(items, list):
        c.problem("'reports' must be a list of reports", data, "reports")
        return
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            c.problem("each report needs an 'id'", item if isinstance(item, dict) else data,
                      hint="e.g. '- {id: income_per_specialty, measure: total_charge, "
                           "group_by: specialty}'")
            continue
        rid = item["id"]
        if rid in seen:
            c.problem(f"two reports are called '{rid}'", item, "id")
        seen.add(rid)
        measure = "measure" in item
        allowed = MEASURE_KEYS if measure else PROGRESS_KEYS
        for key in item:
            if key not in allowed:
                c.problem(f"unknown key '{key}' in report '{rid}'", item, key,
                          hint=suggest(key, MEASURE_KEYS | PROGRESS_KEYS) or KINDS)
        for key in ("measure", "group_by", "step", "remarks"):
            if key in item and not (isinstance(item[key], str) and item[key]):
                c.problem(f"'{key}' of report '{rid}' must name one field", item, key,
                          hint="write one report per field and grouping")
        if not measure and "stage" not in (item.get("columns") or []):
            c.problem(f"report '{rid}' is neither a measure nor a progress list", item,
                      hint="add 'measure: FIELD', or 'columns: [..., stage]' for a progress "
                           "list")


def declared_measures(extensions: Any) -> list[dict[str, Any]]:
    """The measure reports a process declares, in order."""
    return [r for r in (extensions.get("reports") or []) if isinstance(r, dict)
            and "measure" in r]
