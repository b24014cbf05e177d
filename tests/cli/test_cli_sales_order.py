"""The sales order of PROCESSES.md §1, end to end from the command line, down every branch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import Cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sales_order.yaml"


@pytest.fixture
def cli(cli: Cli) -> Cli:
    """The command with li, zhao and sun and the example sales order deployed."""
    cli("init")
    cli("user", "add", "li", "--name", "李娜", "--role", "sales_rep")
    cli("user", "add", "zhao", "--name", "赵敏", "--role", "finance")
    cli("user", "add", "sun", "--name", "孙强", "--role", "sales_manager")
    assert "deployed sales_order version 1" in cli("deploy", str(EXAMPLE))
    return cli


def _begin(cli: Cli, amount: int, payment: str) -> str:
    case = cli.json("start", "sales_order", "--user", "li", "--var", "customer=华东机械",
                    "--var", "product=起重机", "--var", f"amount={amount}",
                    "--var", f"payment={payment}")
    cli("complete", cli.only_task("li")["id"], "--user", "li")
    cli("complete", cli.only_task("li")["id"], "--user", "li", "--outcome", "buy")
    return str(case["id"])


def _finish(cli: Cli, case: str) -> None:
    cli("complete", cli.only_task("li")["id"], "--user", "li", "--var", "price=480000",
        "--var", "payment_terms=30天")
    cli("complete", cli.only_task("sun")["id"], "--user", "sun")
    steps = {t["element"]: t["id"] for t in cli.json("tasks", "--case", case)}
    assert set(steps) == {"deliver", "invoice"}
    cli("complete", steps["deliver"], "--user", "li")
    cli("complete", steps["invoice"], "--user", "zhao")
    cli("complete", cli.only_task("zhao")["id"], "--user", "zhao")
    assert cli.json("case", case)["case"]["status"] == "completed"


def test_cash_sale_skips_the_credit_check(cli: Cli) -> None:
    case = _begin(cli, 120000, "cash")
    assert cli.only_task("li")["element"] == "negotiate"
    assert cli.json("tasks", "--user", "zhao") == []
    _finish(cli, case)
    history = cli.json("case", case)["history"]
    visited = {h["element"] for h in history if h["type"] == "element_entered"}
    assert "credit_check" not in visited and "done" in visited
    assert "客户信用评估" not in cli("case", case)


@pytest.mark.parametrize(("amount", "payment"), [(120000, "instalments"), (800000, "cash")])
def test_instalments_or_large_amount_go_through_the_credit_check(cli: Cli, amount: int,
                                                                 payment: str) -> None:
    case = _begin(cli, amount, payment)
    check = cli.only_task("zhao")
    assert check["element"] == "credit_check"
    cli("complete", check["id"], "--user", "zhao", "--outcome", "approve")
    _finish(cli, case)
    assert "客户信用评估" in cli("case", case)


def test_rejected_credit_check_ends_the_case(cli: Cli) -> None:
    case = _begin(cli, 120000, "instalments")
    cli("complete", cli.only_task("zhao")["id"], "--user", "zhao", "--outcome", "reject",
        "--comment", "征信逾期")
    shown = cli.json("case", case)
    assert shown["case"]["status"] == "completed" and shown["tasks"] == []
    ended = [h["element"] for h in shown["history"] if h["type"] == "element_entered"]
    assert ended[-1] == "rejected"
    assert "征信逾期" in cli("case", case)


def test_lost_customer_ends_the_case(cli: Cli) -> None:
    case = cli.json("start", "sales_order", "--user", "li", "--var", "customer=X",
                    "--var", "product=Y", "--var", "amount=1", "--var", "payment=cash")
    cli("complete", cli.only_task("li")["id"], "--user", "li")
    cli("complete", cli.only_task("li")["id"], "--user", "li", "--outcome", "lost")
    assert cli.json("case", case["id"])["case"]["status"] == "completed"


def test_errors_are_one_line_with_exit_codes(cli: Cli) -> None:
    case = _begin(cli, 1, "instalments")
    task = cli.only_task("zhao")["id"]
    out = cli("complete", task, "--user", "li", expect=5)
    assert "li may not complete task" in out and "Traceback" not in out
    out = cli("complete", task, "--user", "zhao", expect=2)
    assert "choose an outcome: approve, reject" in out
    cli("complete", task, "--user", "zhao", "--outcome", "approve")
    out = cli("complete", task, "--user", "zhao", "--outcome", "approve", expect=4)
    assert "was already completed by zhao" in out
    assert "no task" in cli("claim", "ffffffff", "--user", "li", expect=3)
    assert "no process 'nope'" in cli("start", "nope", "--user", "li", expect=3)
    assert case


def test_errors_follow_the_readers_language(cli: Cli,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _begin(cli, 1, "instalments")
    task = cli.only_task("zhao")["id"]
    for lang in ("zh_CN.UTF-8", "zh"):
        monkeypatch.setenv("LIUCHENG_LANG", lang)
        out = cli("complete", task, "--user", "li", expect=5)
        assert "你不能办理任务" in out and "may not" not in out
        assert "没有任务“ffffffff”" in cli("claim", "ffffffff", "--user", "li", expect=3)
    monkeypatch.delenv("LIUCHENG_LANG")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the locale's, when liucheng's is not set
    assert "没有任务" in cli("claim", "ffffffff", "--user", "li", expect=3)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "no task 'ffffffff'" in cli("claim", "ffffffff", "--user", "li", expect=3)
    assert '"message": "no task' in cli("claim", "ffffffff", "--user", "li", "--json",
                                        expect=3)


def test_invalid_file_is_refused_with_its_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("role: finance", "role: financ"),
                   encoding="utf-8")
    out = cli("deploy", str(bad), expect=2)
    assert "bad.yaml:" in out and "unknown role 'financ'" in out and "did you mean 'finance'" in out
    assert len(cli.json("definitions")) == 1


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "liucheng"
    env = {"LIUCHENG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([str(exe), "validate", str(EXAMPLE), "--json"], capture_output=True,
                          text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["process"] == "sales_order"
    done = subprocess.run([str(exe), "case", "nope"], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 3 and "no case 'nope'" in done.stderr
