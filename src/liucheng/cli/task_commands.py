"""CLI commands for the human-task actions: return, withdraw, transfer, delegate, signers,
urge, carbon copy, comments, out-of-office and the inbox views."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from liucheng.cli.options import DbOpt, JsonOpt, UserOpt
from liucheng.cli.output import console, print_json, table
from liucheng.errors import Problem, ValidationError
from liucheng.runtime import Engine
from liucheng.runtime.views import CaseView

CommentOpt = Annotated[str | None, typer.Option("--comment", "-m",
                                                help="A comment for the record.")]


def _done(case: CaseView, message: str, as_json: bool) -> None:
    if as_json:
        print_json(case.to_dict())
    else:
        console.print(f"{message} — case {case.id[:8]} is {case.status}")


def register(app: typer.Typer) -> None:
    """Add the human-task commands to `app`."""
    register_supplements(app)

    @app.command("return")
    def return_(task: str, user: UserOpt, to: Annotated[str, typer.Option(
            help="previous, starter, or a step id")] = "previous", comment: CommentOpt = None,
            db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """退回: send a task back to an earlier step."""
        case = Engine(db).return_task(task, user=user, to=to, comment=comment)
        _done(case, f"returned to {to}", as_json)

    @app.command()
    def withdraw(case: str, user: UserOpt, step: Annotated[str | None, typer.Option(
            help="the step you did; without it, the starter withdraws the whole case")] = None,
            comment: CommentOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """撤回: take back a step you did (or, as starter, the case) before anyone acted."""
        view = Engine(db).withdraw(case, user=user, step=step, comment=comment)
        _done(view, "withdrawn", as_json)

    @app.command()
    def transfer(task: str, user: UserOpt, to: Annotated[str, typer.Option(help="user id")],
                 comment: CommentOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """转办: give a task and its ownership to someone else."""
        _done(Engine(db).transfer(task, user=user, to=to, comment=comment),
              f"transferred to {to}", as_json)

    @app.command()
    def delegate(task: str, user: UserOpt, to: Annotated[str, typer.Option(help="user id")],
                 comment: CommentOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """委派: someone does the work; the task comes back to you to finish."""
        _done(Engine(db).delegate(task, user=user, to=to, comment=comment),
              f"delegated to {to}", as_json)

    @app.command("add-signer")
    def add_signer(task: str, user: UserOpt, signer: Annotated[list[str], typer.Option(
            "--signer", "-s", help="user id (repeat for several)")],
            position: Annotated[str, typer.Option(help="before, after or alongside")]
            = "alongside", comment: CommentOpt = None, db: DbOpt = None,
            as_json: JsonOpt = False) -> None:
        """加签: more people sign this step, before, after or alongside you."""
        _done(Engine(db).add_signers(task, signer, user=user, position=position,
                                     comment=comment), f"added {', '.join(signer)}", as_json)

    @app.command("remove-signer")
    def remove_signer(task: str, user: UserOpt, signer: Annotated[str, typer.Option(
            "--signer", "-s")], comment: CommentOpt = None, db: DbOpt = None,
            as_json: JsonOpt = False) -> None:
        """减签: remove an added signer who has not signed yet."""
        _done(Engine(db).remove_signer(task, signer, user=user, comment=comment),
              f"removed {signer}", as_json)

    @app.command()
    def urge(task: str, user: UserOpt, comment: CommentOpt = None, db: DbOpt = None,
             as_json: JsonOpt = False) -> None:
        """催办: remind whoever holds (or may take) a task."""
        _done(Engine(db).urge(task, user=user, comment=comment), "reminder sent", as_json)

    @app.command()
    def cc(case: str, user: UserOpt, to: Annotated[list[str], typer.Option(
            "--to", help="user id (repeat for several)")], comment: CommentOpt = None,
           db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """抄送: copy a case to people, who see it under 'CC to me' with a read receipt."""
        _done(Engine(db).carbon_copy(case, to, user=user, comment=comment),
              f"copied to {', '.join(to)}", as_json)

    @app.command()
    def comment(case: str, text: str, user: UserOpt, db: DbOpt = None,
                as_json: JsonOpt = False) -> None:
        """Add a comment to a case's record."""
        _done(Engine(db).comment(case, text, user=user), "comment added", as_json)

    @app.command()
    def away(user: UserOpt, delegate: Annotated[str, typer.Option(help="who stands in")],
             start: Annotated[str, typer.Option("--from", help="YYYY-MM-DD[THH:MM]")],
             end: Annotated[str, typer.Option("--to", help="YYYY-MM-DD[THH:MM]")],
             process: Annotated[str | None, typer.Option()] = None,
             reason: Annotated[str | None, typer.Option()] = None,
             hand_over: Annotated[bool, typer.Option(help="also transfer open tasks now")]
             = False, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Out of office: new tasks go to a stand-in for a date range."""
        engine = Engine(db)
        starts, ends = _when(start, "--from"), _when(end, "--to")
        delegation = engine.set_out_of_office(user, delegate, starts, ends, process=process,
                                              reason=reason)
        moved = engine.hand_over(user, delegate) if hand_over else []
        if as_json:
            print_json({"delegation": delegation, "handed_over": moved})
        else:
            console.print(f"{delegate} stands in for {user} from {start} to {end}"
                          + (f"; {len(moved)} open tasks handed over" if moved else ""))

    @app.command()
    def inbox(user: UserOpt, view: Annotated[str, typer.Option(
            help="mine, pool, done, overdue, all, started, cc")] = "all",
            process: Annotated[str | None, typer.Option("--process", "-p")] = None,
            text: Annotated[str | None, typer.Option("--search", "-q")] = None,
            sort: Annotated[str, typer.Option(help="priority, due or created")] = "priority",
            limit: int = 50, page: int = 1, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """A person's inbox: 待办 mine, 待领 pool, 已办 done, overdue, 我发起的 started, 抄送 cc."""
        engine = Engine(db)
        offset = (max(1, page) - 1) * limit
        if view == "started":
            rows = engine.started_by(user, limit=limit, offset=offset)
            if as_json:
                print_json(rows)
                return
            table("started by me", ["case", "title", "status", "started"],
                  [(r["id"][:8], r["title"], r["status"], r["started_at"]) for r in rows])
            return
        if view == "cc":
            copies = engine.copies(user, limit=limit, offset=offset)
            if as_json:
                print_json(copies)
                return
            table("copied to me", ["case", "title", "from", "sent", "read"],
                  [(r["instance_id"][:8], r["title"], r["sent_by"], r["sent_at"],
                    r["read_at"] or "unread") for r in copies])
            return
        views = engine.inbox(user, view, process=process, text=text, sort=sort, limit=limit,
                             offset=offset)
        if as_json:
            print_json([v.to_dict() for v in views])
            return
        table(f"{view} tasks", ["task", "case", "step", "assignee", "due", "status"],
              [(v.id[:8], v.case[:8], v.name, (v.assignee or "—") + (
                  f" (for {v.on_behalf_of})" if v.on_behalf_of else ""), v.due_at or "",
                v.status) for v in views])


def _when(text: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError([Problem(f"'{text}' is not a date like 2026-10-01 or "
                                       "2026-10-01T09:00", field=field)]) from None
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return value


def register_supplements(app: typer.Typer) -> None:
    """补件 commands: request a missing item, record its arrival, list them."""
    group = typer.Typer(help="Supplement requests (补件): missing items on a case.",
                        no_args_is_help=True)
    app.add_typer(group, name="supplement")

    @group.command("request")
    def request(case: str, item: str, user: UserOpt, note: CommentOpt = None,
                db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Record that ITEM is missing on CASE."""
        _done(Engine(db).request_supplement(case, item, user=user, note=note),
              f"requested: {item}", as_json)

    @group.command("receive")
    def receive(case: str, supplement: str, user: UserOpt, note: CommentOpt = None,
                db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Record that a requested item has arrived."""
        engine = Engine(db)
        state = engine.state(case)
        match = [s for s in state.get("supplements", {}) if s.startswith(supplement)]
        full = match[0] if len(match) == 1 else supplement
        _done(engine.receive_supplement(case, full, user=user, note=note), "received", as_json)

    @group.command("list")
    def list_(case: str, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """The supplement list of CASE."""
        items = list(Engine(db).state(case).get("supplements", {}).values())
        if as_json:
            print_json(items)
            return
        table("supplements", ["id", "item", "requested by", "at", "received"],
              [(s["id"][:8], s["item"], s["by"], s["at"][:16],
                (s["received_at"] or "")[:16] or "waiting") for s in items])
