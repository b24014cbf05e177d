"""Money keeps every digit: 12345678901234567.89 (19 significant digits, past what a float
holds) typed into a step's form on the web page, or sent as a JSON number to the API, is
the amount the engine computes with, the database stores (SQLite's JSON text,
PostgreSQL's JSONB numeric), the API answers ("12345678901234567.89") and the case page
shows — and the state equals the replay of the history. On SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from race_kit import case_problems

API_TESTS = Path(__file__).resolve().parents[1] / "api"
if str(API_TESTS) not in sys.path:
    sys.path.insert(0, str(API_TESTS))

from webworld import build_world  # noqa: E402

AMOUNT = "12345678901234567.89"
PAYMENT = """
process: payment
name: {zh: 付款申请, en: Payment}
roles: {staff: 员工, manager: 经理}
steps:
  - id: request
    assignee: starter
    form:
      - {id: amount, type: money, required: true, label: {zh: 金额, en: Amount}}
      - {id: rate, type: decimal, label: {zh: 费率, en: Rate}}
  - {id: fee, set: {total: amount + 0.01, charge: amount * rate}}
  - {id: review, role: manager, outcomes: [approve, reject]}
"""


def test_amounts_keep_every_digit_from_form_to_page(database_url: str, tmp_path: Path) -> None:
    world = build_world(database_url, tmp_path)
    try:
        svc = world.svc
        assert world.client("admin").post("/api/v1/definitions",
                                          json={"source": PAYMENT}).status_code == 201
        alice = world.client("alice")
        by_page = alice.post("/api/v1/cases", json={"process": "payment"}).json()
        page = world.session("alice")
        sent = page.post(f"/tasks/{by_page['open_tasks'][0]['id']}/complete", data={
            "csrf_token": page.csrf, "amount": "12,345,678,901,234,567.89",  # type: ignore[attr-defined]
            "rate": "0.000000000000000001"})
        assert sent.status_code == 303, sent.text[:500]
        by_api = alice.post("/api/v1/cases", json={"process": "payment"}).json()
        done = alice.post(f"/api/v1/tasks/{by_api['open_tasks'][0]['id']}/complete",
                          content=f'{{"variables": {{"amount": {AMOUNT}, '
                                  f'"rate": 0.000000000000000001}}}}',
                          headers={"Content-Type": "application/json"})
        assert done.status_code == 200, done.text[:500]

        for case in (by_page["id"], by_api["id"]):
            variables = svc.engine.state(case)["variables"]
            assert variables["amount"] == Decimal(AMOUNT)
            assert variables["total"] == Decimal("12345678901234567.90")
            assert variables["charge"] == Decimal("0.01234567890123456789")
            assert case_problems(svc.engine, case) == []
            with svc.engine.db.connect() as conn:
                if conn.dialect.name == "postgresql":
                    stored = conn.execute(sa.text(
                        "SELECT state #>> '{variables,amount}' FROM instances WHERE id = :c"),
                        {"c": case}).scalar_one()
                    logged = conn.execute(sa.text(
                        "SELECT data #>> '{variables,amount}' FROM events WHERE instance_id = :c"
                        " AND data #>> '{variables,amount}' IS NOT NULL"), {"c": case}).scalars()
                    assert stored == AMOUNT and list(logged) == [AMOUNT]
                else:
                    text = conn.execute(sa.text("SELECT state FROM instances WHERE id = :c"),
                                        {"c": case}).scalar_one()
                    assert f'"amount":{AMOUNT}' in text
            answer = world.client("admin").get(f"/api/v1/cases/{case}").json()
            assert answer["variables"]["amount"] == AMOUNT  # exact digits, as a string
            assert answer["variables"]["total"] == "12345678901234567.90"
            history = world.client("admin").get(f"/api/v1/cases/{case}/history").text
            assert AMOUNT in history
            shown = world.session("bob").get(f"/cases/{case}").text
            # the page writes money with thousands separators, every digit kept
            assert "12,345,678,901,234,567.89" in shown and "1.2345678901234568e" not in shown
    finally:
        world.svc.engine.close()
