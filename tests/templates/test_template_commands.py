"""`liucheng templates`, `liucheng templates show|deploy` and `liucheng demo-data`."""

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


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> Cli:
    return Cli(capsys, monkeypatch, tmp_path)


def test_templates_lists_every_template(cli: Cli) -> None:
    out = cli("templates")
    assert "mortgage_loan" in out and "房产抵押借款" in out and "Operating room" in out
    rows = cli.json("templates")
    assert len(rows) == 10 and rows[0]["name"] == "sales_order"
    assert rows[1]["title_en"] == "Property-mortgage loan"


def test_show_prints_the_yaml(cli: Cli) -> None:
    assert cli("templates", "show", "leave_request").splitlines()[4] == "process: leave_request"


def test_deploy_one_then_all(cli: Cli) -> None:
    assert "deployed sales_order version 1" in cli("templates", "deploy", "sales_order")
    views = cli.json("templates", "deploy", "--all")
    assert [v["key"] for v in views][:2] == ["sales_order", "mortgage_loan"]
    assert [v["created"] for v in views][:2] == [False, True]
    assert len(cli.json("definitions")) == 10


def test_deploy_errors_are_one_line(cli: Cli) -> None:
    out = cli("templates", "deploy", "nope", expect=3)
    assert out.startswith("error: no template 'nope'") and "Traceback" not in out
    assert "give --all" in cli("templates", "deploy", expect=2)
    assert "give --all" in cli("templates", "deploy", "sales_order", "--all", expect=2)


def test_demo_data_creates_once_then_reports(cli: Cli) -> None:
    first = cli.json("demo-data", "--cases", "20", "--months", "1")
    assert first["created"] is True and first["total"] >= 15 and first["problems"] == []
    again = cli("demo-data")
    assert "already has demo data" in again and "nothing was added" in again
    assert cli.json("demo-data")["cases"] == first["cases"]
