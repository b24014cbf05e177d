"""`liucheng templates`, `liucheng templates show|deploy` and `liucheng demo-data`."""

from __future__ import annotations

from clirun import Cli


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
