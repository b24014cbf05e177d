"""`liucheng` commands. Each prints a readable table, or JSON with `--json`.

Exit codes: 0 done, 1 error, 2 invalid input (model, form data), 3 not found,
4 conflict (someone acted first), 5 forbidden, 6 not possible in the case's state.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import exc as sa_exc

from liucheng.cli.options import DbOpt, JsonOpt, UnmaskedOpt, UserOpt, VarOpt
from liucheng.cli.output import console, exit_code, print_error, print_json, table, when
from liucheng.errors import LiuchengError, Problem, ValidationError
from liucheng.model.names import strict, unknown_names
from liucheng.org.masking import hider, masked_here
from liucheng.rules import jsontext
from liucheng.runtime import Engine

app = typer.Typer(help="liucheng (流程): business processes for offices.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
app.add_typer(user_app, name="user")



def _engine(db: str | None) -> Engine:
    return Engine(db)


def parse_vars(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ValidationError([Problem(f"'{item}' is not key=value", field=item,
                                           hint="write e.g. --var amount=120000")])
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = jsontext.loads(raw)  # 12345678901234567.89 keeps its digits
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


@app.command()
def init(db: DbOpt = None, admin: Annotated[str, typer.Option(help="Administrator user id.")]
         = "admin", as_json: JsonOpt = False) -> None:
    """Create or upgrade the database and an administrator."""
    engine = _engine(db)
    engine.add_user(admin, "Administrator", admin=True)
    if as_json:
        print_json({"database": str(engine.db.url), "admin": admin})
    else:
        console.print(f"database ready at {engine.db.url}; administrator '{admin}'")


@app.command()
def validate(file: Path, as_json: JsonOpt = False, draft: Annotated[bool, typer.Option(
        help="Read a BPMN drawing as a draft: list what it lacks to run instead of failing.")]
        = False, export: Annotated[Path | None, typer.Option(
        help="With --draft: write the draft as BPMN to this file (deploy refuses it).")]
        = None) -> None:
    """Check a process file (YAML or BPMN) and list every problem with its line."""
    text = _read(file)
    if draft:
        _draft(file, text, export, as_json)
        return
    definition = Engine.validate(text, source_name=str(file))
    count = sum(1 for _ in definition.walk())
    warnings = [] if strict(definition) else unknown_names(definition)  # strict: errors
    if as_json:
        print_json({"valid": True, "process": definition.key, "elements": count,
                    "warnings": [str(w) for w in warnings]})
    else:
        console.print(f"{file}: valid — process '{definition.key}' "
                      f"({definition.name.get()}), {count} elements")
        for warning in warnings:
            console.print(f"warning: {warning}", style="yellow", markup=False, highlight=False)


def _draft(file: Path, text: str, export: Path | None, as_json: bool) -> None:
    from liucheng.loaders.bpmn_export import export_bpmn

    definition = Engine.draft(text, source_name=str(file))
    found = list(definition.extensions["bpmn_import"].get("findings", []))
    if export is not None:
        export.write_text(export_bpmn(definition), encoding="utf-8")
    if as_json:
        print_json({"process": definition.key, "draft": bool(found), "findings": found})
        return
    console.print(f"{file}: process '{definition.key}' imported as a draft, "
                  f"{len(found)} findings")
    for f in found:
        console.print(f"  line {f.get('line')}, {f.get('tag')} '{f.get('element')}': "
                      f"{f['message']}" + (f" — {f['hint']}" if f.get("hint") else ""),
                      markup=False)


@app.command()
def deploy(file: Path, db: DbOpt = None, user: Annotated[str | None, typer.Option(
        "--user", "-u", envvar="LIUCHENG_USER")] = None, as_json: JsonOpt = False) -> None:
    """Deploy a process file; a changed file becomes a new version."""
    view = _engine(db).deploy(_read(file), source_name=str(file), by=user)
    if as_json:
        print_json(view.to_dict())
    elif view.created:
        console.print(f"deployed {view.key} version {view.version} ({view.name})")
    else:
        console.print(f"{view.key} version {view.version} is already deployed with this content")


@app.command()
def definitions(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List deployed processes and their versions."""
    views = _engine(db).definitions()
    if as_json:
        print_json([v.to_dict() for v in views])
        return
    table("processes", ["key", "version", "name", "format", "deployed"],
          [(v.key, v.version, v.name, v.format, v.deployed_at) for v in views])


@app.command()
def start(key: str, user: UserOpt, var: VarOpt = None, business_key: Annotated[
        str | None, typer.Option("--business-key", "-k")] = None, db: DbOpt = None,
        as_json: JsonOpt = False) -> None:
    """Start a case of process KEY."""
    engine = _engine(db)
    case = engine.start(key, parse_vars(var), user=user, business_key=business_key)
    if as_json:
        print_json(case.to_dict())
        return
    console.print(f"started case {case.id} ({case.title}) — status {case.status}")
    _print_tasks(engine.tasks(case=case.id), "open tasks")


@app.command("tasks")
def list_tasks(user: Annotated[str | None, typer.Option("--user", "-u")] = None,
               role: Annotated[str | None, typer.Option("--role", "-r")] = None,
               case: Annotated[str | None, typer.Option("--case", "-c")] = None,
               status: Annotated[str, typer.Option(help="open, completed, cancelled or all")]
               = "open", db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List tasks: a user's inbox (assigned and pool), a role's, or a case's."""
    views = _engine(db).tasks(user=user, role=role, case=case,
                              status=None if status == "all" else status)
    if as_json:
        print_json([v.to_dict() for v in views])
    else:
        _print_tasks(views, f"{status} tasks")


def _print_tasks(views: list[Any], title: str) -> None:
    table(title, ["task", "case", "step", "role", "assignee", "status", "created"],
          [(v.id[:8], v.case[:8], v.name, v.role, v.assignee or "—", v.status, v.created_at)
           for v in views])


@app.command()
def claim(task: str, user: UserOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Take a task from the group pool."""
    engine = _engine(db)
    engine.claim(task, user=user)
    view = engine.task(task)
    if as_json:
        print_json(view.to_dict())
    else:
        console.print(f"task {view.id[:8]} ({view.name}) is now {user}'s")


@app.command()
def unclaim(task: str, user: UserOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Give a claimed task back to the group pool."""
    engine = _engine(db)
    engine.unclaim(task, user=user)
    view = engine.task(task)
    if as_json:
        print_json(view.to_dict())
    else:
        console.print(f"task {view.id[:8]} ({view.name}) is back in the pool")


@app.command()
def complete(task: str, user: UserOpt, var: VarOpt = None,
             outcome: Annotated[str | None, typer.Option("--outcome", "-o")] = None,
             comment: Annotated[str | None, typer.Option("--comment", "-m")] = None,
             check: Annotated[list[str] | None, typer.Option(
                 "--check", help="tick a checklist item by id")] = None,
             attach: Annotated[list[str] | None, typer.Option(
                 "--attach", help="ITEM=FILE: attach a scan to a checklist item")] = None,
             db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Complete a task with form data (--var), an outcome and its checklist."""
    engine = _engine(db)
    view = engine.task(task)
    data = parse_vars(var)
    documents: dict[str, Any] = {item: {"checked": True} for item in check or []}
    for spec in attach or []:
        item, _, path = spec.partition("=")
        if not path:
            raise ValidationError([Problem(f"'{spec}' is not ITEM=FILE", field="--attach")])
        stored = engine.upload(view.case, _read_bytes(Path(path)), Path(path).name, user=user)
        entry = documents.setdefault(item, {"checked": True, "files": []})
        entry.setdefault("files", []).append(stored["sha256"])
    if documents:
        data["documents"] = documents
    case = engine.complete(view.id, data, user=user, outcome=outcome, comment=comment)
    if as_json:
        print_json({"task": engine.task(view.id).to_dict(), "case": case.to_dict()})
        return
    console.print(f"completed {view.name} — case {case.id[:8]} is {case.status}")
    if case.status == "active":
        _print_tasks(engine.tasks(case=case.id), "next")


@app.command("set")
def set_variables(case: str, user: UserOpt, var: VarOpt = None,
                  comment: Annotated[str | None, typer.Option("--comment", "-m")] = None,
                  db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Correct case variables (recorded in the history), e.g. before retrying an incident."""
    view = _engine(db).set_variables(case, parse_vars(var), user=user, comment=comment)
    if as_json:
        print_json(view.to_dict())
    else:
        console.print(f"case {view.id[:8]} variables updated")


@app.command()
def cancel(case: str, user: UserOpt, reason: Annotated[str | None, typer.Option()] = None,
           db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Cancel a running case."""
    view = _engine(db).cancel(case, user=user, reason=reason)
    if as_json:
        print_json(view.to_dict())
    else:
        console.print(f"case {view.id[:8]} cancelled")


@app.command()
def cases(process: Annotated[str | None, typer.Option("--process", "-p")] = None,
          status: Annotated[str | None, typer.Option()] = None, db: DbOpt = None,
          as_json: JsonOpt = False) -> None:
    """List cases, newest first."""
    rows = _engine(db).cases(process, status)
    if as_json:
        print_json(rows)
        return
    table("cases", ["case", "process", "title", "status", "started", "by"],
          [(r["id"][:8], r["definition_key"], r["title"], r["status"], r["started_at"],
            r["started_by"]) for r in rows])


@app.command("case")
def show_case(case: str, db: DbOpt = None, as_json: JsonOpt = False,
              unmasked: UnmaskedOpt = False) -> None:
    """Show a case: status, variables, open tasks and its timeline (audit trail); ID and
    mobile numbers masked unless --unmasked."""
    engine = _engine(db)
    view = engine.case(case)
    history = engine.history(view.id)
    if not unmasked:
        view, history = _masked(engine, view, history)
    open_tasks = engine.tasks(case=view.id)
    if as_json:
        print_json({"case": view.to_dict(), "tasks": [t.to_dict() for t in open_tasks],
                    "history": [h.to_dict() for h in history]})
        return
    console.print(f"[bold]{view.title}[/bold]  case {view.id}  status {view.status}")
    console.print(f"started {when(view.started_at)} by {view.started_by}"
                  + (f", ended {when(view.ended_at)}" if view.ended_at else ""))
    for inc in view.incidents:
        console.print(f"[red]incident {inc['id'][:8]}[/red] at {inc['element']}: {inc['reason']}",
                      markup=True)
    variables = {k: v for k, v in view.variables.items() if not isinstance(v, dict)}
    if variables:
        table("variables", ["name", "value"], sorted(variables.items()))
    if open_tasks:
        _print_tasks(open_tasks, "open tasks")
    definition = engine.process(view.process, int(view.definition.rsplit(":", 1)[1]))
    table("timeline", ["time", "what", "step", "who", "details"],
          [(h.at, h.type.replace("_", " "), _step_name(definition, h.element), h.actor,
            _details(h.data)) for h in history if h.type in TIMELINE])


def _masked(engine: Engine, view: Any, history: list[Any]) -> tuple[Any, list[Any]]:
    """The case and its history with sensitive values masked, as exports mask them."""
    hide = hider(engine.sensitive(view.process, masked_here()))

    def values(data: dict[str, Any]) -> dict[str, Any]:
        return {k: hide(k, v) for k, v in data.items()}

    def entry(data: dict[str, Any]) -> dict[str, Any]:
        return {k: values(v) if k in ("variables", "data") and isinstance(v, dict) else v
                for k, v in data.items()}

    return (replace(view, variables=values(view.variables)),
            [replace(h, data=entry(h.data)) for h in history])


TIMELINE = {"instance_started", "task_created", "task_claimed", "task_unclaimed",
            "task_completed", "task_cancelled", "variables_set", "incident_raised",
            "incident_resolved", "instance_completed", "instance_terminated",
            "instance_cancelled", "service_completed"}


def _step_name(definition: Any, element: str | None) -> str:
    if element and definition.has_element(element):
        return str(definition.element(element).name.get() or element)
    return element or ""


def _details(data: dict[str, Any]) -> str:
    parts = []
    if data.get("outcome"):
        parts.append(f"outcome {data['outcome']}")
    if data.get("comment"):
        parts.append(f"“{data['comment']}”")
    if data.get("reason"):
        parts.append(str(data["reason"]))
    if data["type"] == "variables_set":
        values = {k: v for k, v in data["variables"].items() if not isinstance(v, dict)}
        if values:
            parts.append(", ".join(f"{k}={v}" for k, v in values.items()))
    return "; ".join(parts)


@app.command()
def incidents(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List open incidents (cases stuck on an error, waiting for a fix and retry)."""
    rows = _engine(db).incidents()
    if as_json:
        print_json(rows)
        return
    table("open incidents", ["incident", "case", "step", "reason", "since"],
          [(r["id"][:8], r["instance_id"][:8], r["element"], r["reason"], r["created_at"])
           for r in rows])


@app.command()
def retry(incident: str, user: UserOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Retry the step of an incident after its cause was fixed."""
    engine = _engine(db)
    match = [r["id"] for r in engine.incidents() if r["id"].startswith(incident)]
    view = engine.retry(match[0] if len(match) == 1 else incident, user=user)
    if as_json:
        print_json(view.to_dict())
        return
    console.print(f"retried — case {view.id[:8]} is {view.status}")
    for inc in view.incidents:
        console.print(f"still an incident at {inc['element']}: {inc['reason']}")


@user_app.command("add")
def user_add(user_id: str, name: Annotated[str | None, typer.Option()] = None,
             role: Annotated[list[str] | None, typer.Option("--role", "-r")] = None,
             admin: Annotated[bool, typer.Option()] = False, db: DbOpt = None,
             as_json: JsonOpt = False) -> None:
    """Add a user (or update one) with roles."""
    _engine(db).add_user(user_id, name, roles=role or [], admin=admin)
    if as_json:
        print_json({"user": user_id, "roles": role or []})
    else:
        console.print(f"user {user_id} with roles {', '.join(role or []) or '—'}")


@user_app.command("list")
def user_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List users and their roles."""
    rows = _engine(db).users()
    if as_json:
        print_json(rows)
        return
    table("users", ["user", "name", "roles", "admin"],
          [(r["id"], r["name"], ", ".join(r["roles"]), "yes" if r["is_admin"] else "")
           for r in rows])


def _register_command_groups() -> None:
    """Commands defined in their own modules: templates and demo, web server, reports."""
    from liucheng.cli import (
        admin_commands,
        demo_command,
        event_commands,
        report_commands,
        task_commands,
        template_commands,
        web_commands,
    )

    for module in (task_commands, template_commands, demo_command, web_commands,
                   event_commands, report_commands, admin_commands):
        module.register(app)


_register_command_groups()


def _read_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise LiuchengError(f"cannot read {file}: {exc.strerror}") from None


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise LiuchengError(f"cannot read {file}: {exc.strerror}") from None


def main() -> None:
    """Entry point: errors become one clear line and an exit code, never a traceback."""
    as_json = "--json" in sys.argv
    try:
        app(standalone_mode=False)
    except LiuchengError as exc:
        print_error(exc, as_json)
        sys.exit(exit_code(exc))
    except sa_exc.OperationalError as exc:
        print_error(LiuchengError(f"cannot use the database: {exc.orig}",
                                  hint="check --db / LIUCHENG_DATABASE_URL"), as_json)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print_error(LiuchengError(str(exc)), as_json)
        sys.exit(2)
