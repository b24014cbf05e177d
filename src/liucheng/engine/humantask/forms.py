"""What a completion must satisfy: the outcome, the form, cross-field checks, the checklist.

All problems are collected and raised together, naming each field or document, so the
person sees everything to fix at once; nothing changes until they are all fixed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from liucheng.errors import ExpressionError, Problem, ValidationError
from liucheng.model import UserTask
from liucheng.rules.expressions import compile_expression
from liucheng.rules.forms import validate_form
from liucheng.rules.validators import RuleProblem, run_checks

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

RESERVED = {"starter", "documents", "supplements"}


def checked_data(run: Run, task: dict[str, Any], element: UserTask, outcome: str | None,
                 submitted: dict[str, Any]) -> dict[str, Any]:
    """The clean values to store, or ValidationError listing every problem."""
    docs_in = submitted.pop("documents", None)
    problems: list[Problem] = []
    if element.outcomes and outcome not in element.outcomes:
        problems.append(RuleProblem(message=f"choose an outcome: {', '.join(element.outcomes)}",
                                    element=element.id, field="outcome", code="form.outcome",
                                    message_zh=f"请选择结果：{'、'.join(element.outcomes)}"))
    has_step = run.definition.has_element
    reserved = [key for key in submitted if key in RESERVED or has_step(key)]
    for key in reserved:
        problems.append(RuleProblem(message=f"'{key}' is a reserved name", field=key,
                                    code="form.reserved", message_zh=f"“{key}”是保留名称"))
    # A step without form, checks or checklist (the common case) needs neither the case's
    # variables nor today's date: its data is what was submitted, less the reserved names.
    if not (element.form or element.checks or element.documents or docs_in is not None):
        clean = {k: v for k, v in submitted.items() if k not in reserved}
        documents = None
    else:
        known = run.variables(run.state["tokens"][task["token"]]["scope"])
        today = run.ctx.now.astimezone(run.ctx.calendar.zone).date()
        directory = run.ctx.directory
        clean, found = validate_form(element.form, submitted, known, today=today,
                                     functions=run.functions, strict=bool(element.form),
                                     people=lambda user, role: directory.has_user(user) and (
                                         role is None or user in directory.members(role)))
        problems += found
        if not element.form:
            clean = {k: v for k, v in submitted.items() if k not in reserved}
        merged = {**known, **clean}
        if element.checks and not found:
            problems += run_checks(element.checks, merged, today=today)
        documents, doc_problems = _documents(run, element, docs_in, merged)
        problems += doc_problems
    if problems:
        raise ValidationError([replace(p, element=p.element or element.id) for p in problems],
                              task=task["id"])
    if documents is not None:
        clean["documents"] = documents
    return clean


def _documents(run: Run, element: UserTask, submitted: Any, scope: dict[str, Any]
               ) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Merge the checklist ticks; every required item must be checked (and scanned)."""
    if not element.documents and submitted is None:
        return None, []
    current = dict(run.state["variables"].get("documents") or {})
    problems: list[Problem] = []
    if submitted is not None and not isinstance(submitted, dict):
        return None, [Problem("documents must map item ids to {checked, files}",
                              field="documents")]
    ids = {d.id for d in element.documents}
    for doc_id, value in (submitted or {}).items():
        if doc_id not in ids:
            problems.append(Problem(f"'{doc_id}' is not a checklist item of this step",
                                    field=f"documents.{doc_id}"))
            continue
        entry = value if isinstance(value, dict) else {"checked": bool(value)}
        files = entry.get("files") or []
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            problems.append(Problem("files must be a list of uploaded file ids",
                                    field=f"documents.{doc_id}"))
            continue
        current[doc_id] = {"checked": bool(entry.get("checked", bool(files))), "files": files,
                           "note": entry.get("note"), "by": None}
    missing = []
    for item in element.documents:
        required = item.required
        if isinstance(required, str):
            try:
                required = bool(compile_expression(required).evaluate(scope, run.functions))
            except ExpressionError:
                required = True  # unknown yet → ask for it rather than skip it
        if not required:
            continue
        entry = current.get(item.id) or {}
        if not entry.get("checked"):
            missing.append((item, "未核对", "is not checked"))
        elif item.scan and not entry.get("files"):
            missing.append((item, "缺扫描件", "needs a scan attached"))
    for item, zh, en in missing:
        problems.append(RuleProblem(
            message=f"checklist item '{item.label.get('en')}' {en}", field=f"documents.{item.id}",
            code="documents.missing", message_zh=f"清单项“{item.label.get()}”{zh}",
            hint=item.check.get("en") or None, hint_zh=item.check.get() or None))
    return current, problems
