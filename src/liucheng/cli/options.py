"""The options many commands share, defined once."""

from __future__ import annotations

from typing import Annotated

import typer

DbOpt = Annotated[str | None, typer.Option("--db", envvar="LIUCHENG_DATABASE_URL",
                                           help="Database URL (default sqlite:///liucheng.db).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
UserOpt = Annotated[str, typer.Option("--user", "-u", envvar="LIUCHENG_USER",
                                      help="Who acts (a user id).")]
VarOpt = Annotated[list[str] | None, typer.Option("--var", "-v", help="Variable as key=value "
                                                  "(value read as JSON when it parses).")]
UnmaskedOpt = Annotated[bool, typer.Option(
    "--unmasked", help="Write ID and mobile numbers in full (only for people entitled to "
    "see them; masked by default).")]
