"""`liucheng demo`: a demo database with months of history, the sign-in accounts, the web app.

The demo lives in its own database (`liucheng-demo.db`) and data directory, so it never
touches an office's real `liucheng.db`. Re-running it keeps what exists and serves it again.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
import typer

from liucheng.cli.output import console, table
from liucheng.cli.template_commands import demo_data
from liucheng.cli.web_commands import serve
from liucheng.org.passwords import hash_password
from liucheng.runtime import Engine
from liucheng.storage.tables import accounts, users

DEMO_DB = "sqlite:///liucheng-demo.db"
DEMO_DATA = "liucheng-demo-data"
DEMO_PASSWORD = "liucheng-demo"


def set_demo_passwords(engine: Engine, password: str) -> int:
    """Give every user without a password the shared demo password; returns how many."""
    hashed = hash_password(password)  # one hash for all: it is one public demo password
    count = 0
    with engine.transaction() as repo:
        conn = repo.conn
        have = {r.user_id: r.password_hash for r in conn.execute(
            sa.select(accounts.c.user_id, accounts.c.password_hash))}
        for (user_id,) in conn.execute(sa.select(users.c.id)):
            if have.get(user_id):
                continue
            if user_id in have:
                conn.execute(accounts.update().where(accounts.c.user_id == user_id)
                             .values(password_hash=hashed, password_changed_at=engine.clock()))
            else:
                conn.execute(accounts.insert().values(
                    user_id=user_id, organisation_id="default", password_hash=hashed,
                    password_changed_at=engine.clock()))
            count += 1
    return count


def demo_accounts(engine: Engine) -> list[dict[str, Any]]:
    """The demo's administrator and every user's shared password; returns the people."""
    engine.add_user("admin", "管理员 Administrator", admin=True)
    set_demo_passwords(engine, DEMO_PASSWORD)
    return engine.users()


def demo(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
         port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
         db: Annotated[str, typer.Option("--db", help="Demo database URL.")] = DEMO_DB,
         months: Annotated[int, typer.Option(min=1, max=24)] = 3,
         cases: Annotated[int | None, typer.Option(min=11)] = None,
         no_serve: Annotated[bool, typer.Option("--no-serve", help="Only build the data.")]
         = False) -> None:
    """Build the demo (a user for every role, every template, months of cases) and serve it."""
    demo_data(db=db, months=months, cases=cases, seed=0, as_json=False)
    engine = Engine(db)
    people = demo_accounts(engine)
    engine.close()
    first_of_role: dict[str, dict[str, object]] = {}
    for person in people:
        for role in person["roles"]:
            first_of_role.setdefault(role, person)
    console.print(f"\nsign in at http://{host}:{port} with any of these user ids; "
                  f"the password of every demo user is [bold]{DEMO_PASSWORD}[/bold]")
    table("demo accounts (one per role)", ["role", "user id", "name"],
          [(role, p["id"], p["name"]) for role, p in sorted(first_of_role.items())]
          + [("administrator", "admin", "管理员")])
    if not no_serve:
        serve(host=host, port=port, db=db, workers=1, data_dir=DEMO_DATA)


def register(app: typer.Typer) -> None:
    """Add `demo` to the `liucheng` command."""
    app.command()(demo)
