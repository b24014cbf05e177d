"""CLI commands of this group; `register(app)` adds them to the `liucheng` command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this group's commands to `app`."""
