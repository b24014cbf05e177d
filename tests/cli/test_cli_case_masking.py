"""`liucheng case` masks ID and mobile numbers, as exports do, unless --unmasked."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import Cli

MODEL = """
process: account
name: 开户
roles: {clerk: 柜员}
steps:
  - id: register
    role: clerk
    name: 登记
    form:
      - {id: holder_id, type: id_number, label: {zh: 身份证号, en: ID number}}
      - {id: phone, type: mobile, label: {zh: 手机号, en: Mobile}}
      - {id: remark, type: text, label: {zh: 备注, en: Remark}}
  - {id: check, role: clerk, name: 复核}
"""
ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"


@pytest.fixture
def case(cli: Cli, tmp_path: Path) -> str:
    cli("init")
    cli("user", "add", "wang", "--role", "clerk")
    model = tmp_path / "account.yaml"
    model.write_text(MODEL, encoding="utf-8")
    cli("deploy", str(model))
    case = cli.json("start", "account", "--user", "wang")["id"]
    cli("complete", cli.only_task("wang")["id"], "--user", "wang", "--var",
        f"holder_id={ID_NUMBER}", "--var", f"phone={MOBILE}", "--var", "remark=加急")
    return str(case)


def test_the_case_and_its_timeline_show_masked_numbers(cli: Cli, case: str) -> None:
    shown = cli("case", case)
    assert ID_NUMBER not in shown and MOBILE not in shown
    assert "1101**********002X" in shown and "138****5678" in shown and "加急" in shown


def test_json_is_masked_too(cli: Cli, case: str) -> None:
    answer = cli.json("case", case)
    assert answer["case"]["variables"]["holder_id"] == "1101**********002X"
    completed = [h for h in answer["history"] if h["type"] == "task_completed"]
    assert completed[0]["data"]["data"]["phone"] == "138****5678"
    assert ID_NUMBER not in str(answer) and MOBILE not in str(answer)
    assert answer["case"]["variables"]["remark"] == "加急"


def test_unmasked_shows_the_numbers_in_full(cli: Cli, case: str) -> None:
    shown = cli("case", case, "--unmasked")
    assert ID_NUMBER in shown and MOBILE in shown
    assert cli.json("case", case, "--unmasked")["case"]["variables"]["phone"] == MOBILE
