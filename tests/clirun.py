"""The `liucheng` command run in-process, as the `cli` fixture (tests/conftest.py) gives it:
`cli("tasks", "--user", "li")` returns what it printed and checks the exit code
(`expect=`), `cli.json(...)` adds `--json` and parses the answer. The database is a fresh
SQLite file in the test's tmp dir (LIUCHENG_DATABASE_URL)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from liucheng.cli.main import main


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        monkeypatch.setenv("LIUCHENG_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
        monkeypatch.setenv("COLUMNS", "200")
        monkeypatch.setenv("LIUCHENG_LANG", "en")  # the messages tests read, whatever the locale

    def __call__(self, *args: str, expect: int = 0) -> str:
        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "argv", ["liucheng", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = self.capsys.readouterr()
        assert code == expect, captured.out + captured.err
        return captured.out + captured.err

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json"))

    def only_task(self, user: str) -> dict[str, Any]:
        """The one task in `user`'s inbox."""
        (task,) = self.json("tasks", "--user", user)
        return task  # type: ignore[no-any-return]
