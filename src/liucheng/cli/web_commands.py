"""`liucheng serve` (the web application and REST API under uvicorn) and `liucheng createuser`
(a person who can sign in: password, roles, organisation, administrator).

`serve` hands uvicorn the app factory by name (`liucheng.api.app:create_app_from_env`) with
the settings in the environment, so `--workers` runs several processes, each with its app.
"""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from liucheng.cli.options import DbOpt
from liucheng.cli.output import console, print_json
from liucheng.errors import Problem, ValidationError
from liucheng.org import accounts
from liucheng.org.schema import Db, Tables
from liucheng.runtime import Engine
from liucheng.storage.database import database_url
from liucheng.storage.tables import metadata

APP_FACTORY = "liucheng.api.app:create_app_from_env"


def serve(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          db: DbOpt = None,
          workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
          data_dir: Annotated[str | None, typer.Option(
              "--data-dir", envvar="LIUCHENG_DATA_DIR",
              help="Where the secret key and files are kept.")] = None) -> None:
    """Serve the web pages and the REST API (OpenAPI at /docs)."""
    import uvicorn

    url = database_url(db)
    os.environ["LIUCHENG_DATABASE_URL"] = url
    if data_dir:
        os.environ["LIUCHENG_DATA_DIR"] = data_dir
    Engine(url).close()  # create or upgrade the schema once, before the workers start
    console.print(f"liucheng on http://{host}:{port}  (database {url}; API docs at /docs)")
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers,
                proxy_headers=False, log_level="info")


def createuser(user_id: Annotated[str, typer.Argument(help="The user id to sign in with.")],
               password: Annotated[str | None, typer.Option(
                   help="Password (asked for when left out).")] = None,
               name: Annotated[str | None, typer.Option(help="Display name.")] = None,
               role: Annotated[list[str] | None, typer.Option("--role", "-r",
                                                              help="A role (repeatable).")] = None,
               admin: Annotated[bool, typer.Option("--admin", help="Make an administrator.")]
               = False,
               org: Annotated[str | None, typer.Option(
                   "--org", help="Organisation id (made when missing; default 'default').")]
               = None,
               department: Annotated[str | None, typer.Option(help="Department id.")] = None,
               db: DbOpt = None,
               as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Create or update a person who can sign in to the web pages and get API tokens."""
    if password is None:
        password = getpass.getpass(f"password for {user_id}: ")
        if password != getpass.getpass("again: "):
            raise ValidationError([Problem("the two passwords differ", field="password")])
    engine = Engine(db)
    try:
        with engine.transaction() as repo:
            store = Db(repo.conn, Tables.of(metadata))
            if org and not any(o["id"] == org for o in accounts.organisations_list(store)):
                accounts.add_organisation(store, org, org, now=engine.clock())
            accounts.save_user(store, user_id, now=engine.clock(), name=name,
                               roles=role or None, admin=admin if admin else None,
                               organisation=org, department=department, password=password)
            person = next(p for p in accounts.people(store) if p["id"] == user_id)
    finally:
        engine.close()
    if as_json:
        print_json(person)
    else:
        console.print(f"user {user_id} ({person['name']}) in {person['organisation']}, roles "
                      f"{', '.join(person['roles']) or '—'}"
                      + (", administrator" if person["is_admin"] else ""))


def register(app: typer.Typer) -> None:
    """Add this group's commands to `app`."""
    app.command()(serve)
    app.command()(createuser)
