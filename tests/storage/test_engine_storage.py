"""The Engine over real databases: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from liucheng.errors import (
    ConflictError,
    ForbiddenError,
    ModelError,
    NotFoundError,
    ValidationError,
)
from liucheng.runtime import BpmnError, Engine, ServiceCall
from liucheng.storage.database import schema_is_current
from liucheng.storage.tables import metadata, users
from testclock import Clock

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "sales_order.yaml").read_text(
    encoding="utf-8")
SIMPLE = """
process: simple
roles: {clerk: 文员}
steps:
  - {id: a, role: clerk, name: {zh: 受理, en: Accept}}
  - {id: score, handler: score}
  - {id: b, role: clerk}
"""


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = Engine(database_url, clock=Clock(tick=timedelta(seconds=1)))
    for user, roles in {"li": ["sales_rep", "sales_manager"], "zhao": ["finance"],
                        "wang": ["clerk"], "chen": ["clerk"]}.items():
        engine.add_user(user, roles=roles)
    yield engine
    engine.close()


def test_schema_from_migrations_matches_the_tables(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert schema_is_current(engine.db)
    with engine.db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_deploy_versions_and_unchanged_redeploy(engine: Engine) -> None:
    first = engine.deploy(EXAMPLE, source_name="sales_order.yaml")
    again = engine.deploy(EXAMPLE, source_name="sales_order.yaml")
    changed = engine.deploy(EXAMPLE.replace("default: 500000", "default: 300000"),
                            source_name="sales_order.yaml")
    assert (first.version, again.version, again.created, changed.version) == (1, 1, False, 2)
    assert [d.version for d in engine.definitions()] == [1, 2]


def test_invalid_model_deploys_nothing(engine: Engine) -> None:
    with pytest.raises(ModelError):
        engine.deploy(EXAMPLE.replace("role: finance", "role: finanse"))
    assert engine.definitions() == []


def test_running_cases_stay_on_their_version(engine: Engine) -> None:
    engine.deploy(EXAMPLE)
    case = engine.start("sales_order", {"customer": "A", "product": "P", "amount": 600000,
                                        "payment": "cash"}, user="li")
    engine.deploy(EXAMPLE.replace("default: 500000", "default: 900000"))
    for step in ("contact", "customer_decision"):
        (task,) = engine.tasks(case=case.id)
        assert task.element == step
        engine.complete(task.id, user="li", outcome="buy" if step != "contact" else None)
    # version 1's threshold (500,000) applies: the credit check is needed
    (task,) = engine.tasks(case=case.id)
    assert task.element == "credit_check"
    assert engine.case(case.id).definition == "sales_order:1"


def test_inbox_pool_claim_and_history(engine: Engine) -> None:
    engine.deploy(SIMPLE)
    engine.service("score")(lambda call: {"score": 700})
    case = engine.start("simple", {}, user="wang")
    (pooled,) = engine.tasks(user="chen")
    assert pooled.assignee is None and pooled.name == "受理"
    engine.claim(pooled.id[:8], user="wang")  # a unique prefix is enough
    assert engine.tasks(user="chen") == []
    assert [t.assignee for t in engine.tasks(user="wang")] == ["wang"]
    with pytest.raises(ForbiddenError, match="assigned to wang"):
        engine.complete(pooled.id, user="chen")
    engine.complete(pooled.id, {"note": "收到"}, user="wang", comment="ok")
    (next_task,) = engine.tasks(case=case.id)
    assert next_task.element == "b"
    assert engine.case(case.id).variables["score"] == 700
    assert engine.tasks(user="wang", status="completed")[0].completed_by == "wang"
    types = [h.type for h in engine.history(case.id)]
    assert types.count("task_completed") == 1 and "service_completed" in types
    completion = next(h for h in engine.history(case.id) if h.type == "task_completed")
    assert completion.actor == "wang" and completion.data["comment"] == "ok"
    assert completion.data["data"] == {"note": "收到"}


def test_state_equals_replay_of_stored_history(engine: Engine) -> None:
    from liucheng.engine import replay

    engine.deploy(EXAMPLE)
    case = engine.start("sales_order", {"customer": "A", "product": "P", "amount": 1,
                                        "payment": "instalments"}, user="li")
    engine.complete(engine.tasks(case=case.id)[0].id, user="li")
    engine.complete(engine.tasks(case=case.id)[0].id, user="li", outcome="buy")
    assert replay(h.data for h in engine.history(case.id)) == engine.state(case.id)


def test_handler_failure_is_an_incident_and_retry_runs_it_again(engine: Engine) -> None:
    engine.deploy(SIMPLE)
    calls: list[ServiceCall] = []

    def flaky(call: ServiceCall) -> dict[str, int]:
        calls.append(call)
        if len(calls) == 1:
            raise RuntimeError("credit bureau unreachable")
        return {"score": 650}

    engine.service("score")(flaky)
    case = engine.start("simple", {}, user="wang")
    engine.complete(engine.tasks(case=case.id)[0].id, user="wang")
    (incident,) = engine.incidents()
    assert incident["element"] == "score" and "unreachable" in incident["reason"]
    assert engine.tasks(case=case.id) == []
    engine.retry(incident["id"], user="wang")
    assert engine.incidents() == []
    assert [t.element for t in engine.tasks(case=case.id)] == ["b"]
    assert calls[1].variables["a"]["by"] == "wang"


CREDIT = """
process: credit
roles: {clerk: 文员}
steps:
  - id: score
    handler: score
    errors:
      - {id: refused, error: credit_refused, next: tell_customer}
  - {id: sign, role: clerk}
  - {id: done, type: end}
  - {id: tell_customer, role: clerk}
"""


def test_a_handler_raising_a_bpmn_error_takes_the_error_boundary(engine: Engine) -> None:
    engine.deploy(CREDIT)

    def score(call: ServiceCall) -> dict[str, int]:
        if call.variables["applicant"] == "钱七":
            raise BpmnError("credit_refused", "score below 600")
        return {"score": 700}

    engine.service("score")(score)
    refused = engine.start("credit", {"applicant": "钱七"}, user="wang")
    assert [t.element for t in engine.tasks(case=refused.id)] == ["tell_customer"]
    thrown = [h for h in engine.history(refused.id) if h.type == "error_thrown"]
    assert thrown[0].data["error"] == "credit_refused"
    assert thrown[0].data["detail"] == "score below 600"
    granted = engine.start("credit", {"applicant": "孙八"}, user="wang")
    assert [t.element for t in engine.tasks(case=granted.id)] == ["sign"]
    assert engine.incidents() == []


def test_an_uncaught_bpmn_error_is_an_incident_naming_its_code(engine: Engine) -> None:
    engine.deploy(CREDIT.replace("error: credit_refused", "error: other_code"))

    def score(call: ServiceCall) -> None:
        raise BpmnError("credit_refused", "score below 600")

    engine.service("score")(score)
    case = engine.start("credit", {}, user="wang")
    (incident,) = engine.incidents()
    assert incident["instance_id"] == case.id and "credit_refused" in incident["reason"]


def test_unknown_things_are_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="no process 'nope'"):
        engine.start("nope", {}, user="wang")
    with pytest.raises(NotFoundError):
        engine.complete("0" * 32, user="wang")
    with pytest.raises(ForbiddenError, match="unknown or inactive user"):
        engine.deploy(SIMPLE)
        engine.start("simple", {}, user="ghost")


def test_commands_read_the_acting_person_with_the_case(engine: Engine) -> None:
    """A command reads who acts in the statement that locks the case: an unknown or
    deactivated person is refused and nothing changes; roles given since count."""
    engine.deploy(SIMPLE)
    case = engine.start("simple", {}, user="wang")
    (task,) = engine.tasks(case=case.id)
    engine.add_user("qian")  # no roles yet
    with engine.transaction() as repo:
        repo.conn.execute(users.update().where(users.c.id == "chen").values(active=False))
    for who in ("ghost", "chen"):
        with pytest.raises(ForbiddenError, match=f"unknown or inactive user '{who}'"):
            engine.claim(task.id, user=who)
        with pytest.raises(ForbiddenError, match=f"unknown or inactive user '{who}'"):
            engine.cancel(case.id, user=who, reason="-")
    with pytest.raises(ForbiddenError):
        engine.claim(task.id, user="qian")
    assert engine.task(task.id).assignee is None and engine.case(case.id).status == "active"
    engine.add_user("qian", roles=["clerk"])
    assert engine.claim(task.id, user="qian").status == "active"
    assert engine.task(task.id).assignee == "qian"


def test_a_user_id_sign_in_could_not_take_is_refused(engine: Engine) -> None:
    """The Engine takes the ids the accounts take (the pages' probe user relies on it)."""
    before = engine.users()
    for bad in ("~ probe ~", "system", "", "li si", "-dash"):
        with pytest.raises(ValidationError, match="cannot be used as an id"):
            engine.add_user(bad, roles=["clerk"])
    assert engine.users() == before


def test_cancel_closes_tasks(engine: Engine) -> None:
    engine.deploy(SIMPLE)
    case = engine.start("simple", {}, user="wang")
    engine.cancel(case.id, user="wang", reason="客户撤回")
    assert engine.case(case.id).status == "cancelled"
    assert engine.tasks(case=case.id) == []
    assert engine.tasks(case=case.id, status="cancelled")[0].element == "a"
    with pytest.raises(ConflictError, match="cancelled"):
        engine.cancel(case.id, user="wang")


def test_eight_concurrent_clients_complete_the_same_task_once(database_url: str) -> None:
    engines = [Engine(database_url, migrate_schema=i == 0) for i in range(8)]
    engines[0].add_user("wang", roles=["clerk"])
    engines[0].deploy(SIMPLE.replace("  - {id: score, handler: score}\n", ""))
    case = engines[0].start("simple", {}, user="wang")
    (task,) = engines[0].tasks(case=case.id)
    barrier = threading.Barrier(8)
    results: list[str] = []
    errors: list[Exception] = []

    def client(engine: Engine) -> None:
        barrier.wait()
        try:
            engine.complete(task.id, {"by_thread": threading.get_ident()}, user="wang")
            results.append("ok")
        except ConflictError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"]
    assert len(errors) == 7
    assert all(task.id in str(e) or e.context.get("task") == task.id for e in errors)
    history = engines[0].history(case.id)
    assert sum(1 for h in history if h.type == "task_completed") == 1
    with engines[0].db.connect() as conn:
        count = conn.execute(sa.text("select count(*) from tasks where instance_id = :c"),
                             {"c": case.id}).scalar()
    assert count == 2  # a (completed once) and b (open)
    for e in engines:
        e.close()
