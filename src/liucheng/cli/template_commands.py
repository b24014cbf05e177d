"""`liucheng templates` (list, show, deploy) and `liucheng demo-data`.

    liucheng templates                      # the shipped processes, as a table
    liucheng templates show mortgage_loan   # a template's YAML
    liucheng templates deploy mortgage_loan # or --all
    liucheng demo-data --months 3           # a demo organisation with months of history
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from liucheng.cli.options import DbOpt, JsonOpt
from liucheng.cli.output import console, print_json, table
from liucheng.errors import Problem, ValidationError
from liucheng.runtime import Engine
from liucheng.templates import list_templates, template_source

templates_app = typer.Typer(help="The shipped process templates: list, show, deploy.",
                            invoke_without_command=True)



@templates_app.callback()
def templates(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the shipped process templates."""
    if ctx.invoked_subcommand is not None:
        return
    infos = list_templates()
    if as_json:
        print_json([i.to_dict() for i in infos])
        return
    table("templates", ["name", "名称", "title", "category"],
          [(i.name, i.title_zh, i.title_en, i.category) for i in infos])


@templates_app.command("show")
def show(name: str) -> None:
    """Print a template's YAML, e.g. to copy and adapt it."""
    print(template_source(name), end="")


@templates_app.command("deploy")
def deploy(name: Annotated[str | None, typer.Argument(help="Template name.")] = None,
           all_: Annotated[bool, typer.Option("--all", help="Deploy every template.")] = False,
           db: DbOpt = None, user: Annotated[str | None, typer.Option(
               "--user", "-u", envvar="LIUCHENG_USER", help="Who deploys.")] = None,
           as_json: JsonOpt = False) -> None:
    """Deploy a template (or --all); a template changed since its last deploy is a new version."""
    if all_ == (name is not None):
        raise ValidationError([Problem("name one template or give --all", field="name",
                                       hint="see 'liucheng templates' for the names")])
    names = [i.name for i in list_templates()] if all_ else [str(name)]
    sources = {n: template_source(n) for n in names}  # unknown names fail before any deploy
    engine = Engine(db)
    views = [engine.deploy(text, source_name=f"{n}.yaml", by=user) for n, text in sources.items()]
    if as_json:
        print_json([v.to_dict() for v in views])
        return
    for view in views:
        state = "deployed" if view.created else "already deployed, unchanged:"
        console.print(f"{state} {view.key} version {view.version} ({view.name})")


def demo_data(db: DbOpt = None,
              months: Annotated[int, typer.Option(min=1, max=24, help="Months of history.")] = 3,
              cases: Annotated[int | None, typer.Option(
                  min=11, help="About how many cases in all (default about 250 for 3 months).")]
              = None,
              seed: Annotated[int, typer.Option(help="Same seed, same cases.")] = 0,
              as_json: JsonOpt = False) -> None:
    """Create a demo organisation and months of cases for every template."""
    from liucheng.demo import generate

    engine = Engine(db)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=as_json) as bar:
        job = bar.add_task("demo cases", total=None)

        def report(done: int, total: int, what: str) -> None:
            bar.update(job, completed=done, total=total, description=f"demo cases · {what}")

        summary = generate(engine, months=months, cases=cases, seed=seed, progress=report)
    if as_json:
        print_json(summary.to_dict())
        return
    if not summary.created:
        console.print(f"the database already has demo data: {summary.total} cases "
                      f"started {_day(summary.start)} – {_day(summary.end)}; nothing was added")
    else:
        console.print(f"demo data created in {summary.seconds:.0f} s: {summary.total} cases, "
                      f"{summary.tasks_done} tasks done, {summary.users} users, "
                      f"{_day(summary.start)} – {_day(summary.end)}")
    table("cases", ["process", "cases", "open"],
          [(k, n, summary.open_cases.get(k, 0)) for k, n in sorted(summary.cases.items())])
    for problem in summary.problems:
        console.print(f"[yellow]skipped:[/yellow] {problem}")


def _day(value: object) -> str:
    return str(value)[:10] if value else "—"


def register(app: typer.Typer) -> None:
    """Add `templates` and `demo-data` to the `liucheng` command."""
    app.add_typer(templates_app, name="templates")
    app.command("demo-data")(demo_data)
