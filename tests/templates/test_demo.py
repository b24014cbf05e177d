"""Demo data (liucheng.demo): an organisation for every role, cases of every process
worked through the Engine with no refused step, a slow step per process, open, returned
and rejected cases, the same data for the same seed, and a second run that adds nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from liucheng.demo import MARKER, PLANS, DemoSummary, case_counts, generate
from liucheng.model import UserTask
from liucheng.runtime import Engine
from liucheng.storage.tables import tasks
from liucheng.templates import list_templates
from templates.scenario import SHANGHAI

END = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, DemoSummary]]:
    engine = Engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    seen: list[tuple[int, int]] = []
    summary = generate(engine, months=3, cases=70, seed=7, end=END,
                       progress=lambda done, total, what: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1]  # progress reaches the end
    yield engine, summary
    engine.close()


def test_every_process_has_cases_and_nothing_was_refused(
        demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    assert summary.created and summary.problems == []
    assert set(summary.cases) == {t.key for t in list_templates()}
    assert summary.cases["pension_payment"] == 3  # one a month
    assert 60 <= summary.total <= 80
    assert summary.tasks_done > 400
    assert summary.start is not None and summary.start.date().isoformat() == "2026-08-27"


def test_every_role_of_every_template_has_people(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    users = engine.users()
    held = {role for u in users for role in u["roles"]}
    for info in list_templates():
        for role in engine.process(info.key).roles:
            assert role.id in held, (info.key, role.id)
    assert all("." in u["id"] and u["id"].isascii() for u in users)
    assert all(not u["name"].isascii() for u in users)


def test_history_spans_the_months_in_working_hours(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    with engine.db.connect() as conn:
        done = conn.execute(sa.select(tasks.c.completed_at).where(
            tasks.c.completed_at.is_not(None))).scalars().all()
    local = [_aware(d).astimezone(SHANGHAI) for d in done]
    assert min(local) >= datetime(2026, 8, 27, tzinfo=SHANGHAI) and max(local) <= END
    assert all(engine.calendar.is_working_time(t) for t in local)
    assert {t.month for t in local} >= {9, 10, 11}


def test_each_process_has_a_visible_bottleneck(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    waits: dict[tuple[str, str], list[float]] = defaultdict(list)
    with engine.db.connect() as conn:
        rows = conn.execute(sa.select(tasks.c.definition_key, tasks.c.element,
                                      tasks.c.created_at, tasks.c.claimed_at)
                            .where(tasks.c.claimed_at.is_not(None))).all()
    for key, element, created, claimed in rows:
        waits[(key, element)].append(engine.calendar.working_time_between(
            _aware(created), _aware(claimed)).total_seconds())
    for plan in PLANS:
        if plan.key in ("pension_payment", "survivor_entitlement"):
            continue  # too few cases in this small run to rank steps
        definition = engine.process(plan.key)
        timed = {e.id for e, _ in definition.walk()  # these wait for a date, not in a queue
                 if isinstance(e, UserTask) and "window" in e.extensions}
        steps = {e: sum(w) / len(w) for (k, e), w in waits.items()
                 if k == plan.key and e not in timed}
        assert plan.bottleneck in steps, (plan.key, steps)
        assert max(steps, key=lambda e: steps[e]) == plan.bottleneck, (plan.key, steps)


def test_some_cases_are_open_some_returned_some_rejected(
        demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    assert sum(summary.open_cases.values()) >= 5
    outcomes = defaultdict(int)
    with engine.db.connect() as conn:
        for outcome in conn.execute(sa.select(tasks.c.outcome)).scalars():
            outcomes[outcome] += 1
    refused = ("reject", "lost", "declined", "withdrawn", "abandoned", "disagree")
    sent_back = ("return", "supplement", "mismatch", "revise", "wrong", "conditional")
    assert sum(outcomes[o] for o in refused) > 0, outcomes
    assert sum(outcomes[o] for o in sent_back) > 0, outcomes
    assert all(str(c["business_key"]).startswith(MARKER) for c in engine.cases(limit=1000))


def test_running_again_changes_nothing(demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    before = len(engine.cases(limit=1000))
    again = generate(engine, seed=1)
    assert again.created is False
    assert again.cases == summary.cases and again.open_cases == summary.open_cases
    assert len(engine.cases(limit=1000)) == before


def test_same_seed_same_cases(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        engine = Engine(f"sqlite:///{tmp_path / name}.db")
        generate(engine, months=1, cases=12, seed=3, end=END)
        with engine.db.connect() as conn:
            runs.append(sorted((tuple(r) for r in conn.execute(sa.select(
                tasks.c.definition_key, tasks.c.element, tasks.c.completed_by,
                tasks.c.outcome, tasks.c.completed_at)).all()), key=repr))
        engine.close()
    assert runs[0] == runs[1] and len(runs[0]) > 40


def test_case_counts_follow_the_requested_total() -> None:
    assert sum(case_counts(3, None).values()) == 2463
    counts = case_counts(2, 60)
    assert counts["pension_payment"] == 2 and 55 <= sum(counts.values()) <= 65


def test_the_parties_of_the_catalogue_are_organisations_of_their_own(
        demo: tuple[Engine, DemoSummary]) -> None:
    from liucheng.org import accounts as acc
    from liucheng.org.schema import Db, Tables
    from liucheng.org.visibility import case_is_visible
    from liucheng.runtime.directory import StoredDirectory
    from liucheng.storage.tables import metadata

    engine, _ = demo
    (loan,) = [c["id"] for c in engine.cases("vehicle_loan", limit=1)]
    loan_starter = engine.case(loan).variables["starter"]
    by_role = {r: [p["id"] for p in engine.users() if r in p["roles"]]
               for r in ("dealer_rep", "field_officer", "surgeon", "circulating_nurse",
                         "head_nurse", "bank_icbc", "agency_clerk", "employee")}
    with engine.transaction() as repo:
        db = Db(repo.conn, Tables.of(metadata))
        org = {u: (acc.account(db, u) or {}).get("organisation_id", "default")
               for users in by_role.values() for u in users}
        assert {org[u] for u in by_role["dealer_rep"]} == {"dealer"}
        assert {org[u] for u in by_role["field_officer"]} == {"finance_co"}
        assert {org[u] for u in by_role["surgeon"] + by_role["circulating_nurse"]} == {
            "hospital"}
        assert {org[u] for u in by_role["bank_icbc"]} == {"bank_icbc"}
        assert {org[u] for u in by_role["agency_clerk"]} == {"si_agency"}
        assert {org[u] for u in by_role["employee"]} == {"default"}
        # the head nurse leads the operating department
        nurse = by_role["circulating_nurse"][0]
        assert StoredDirectory(repo).leader(nurse, 1) == by_role["head_nurse"][0]
        # a vehicle loan is seen by the dealer and the finance company, not by the hospital
        starter = acc.principal(db, loan_starter)
        field = acc.principal(db, by_role["field_officer"][0])
        surgeon = acc.principal(db, by_role["surgeon"][0])
        assert starter is not None and field is not None and surgeon is not None
        assert starter.organisation == "dealer"
        assert case_is_visible(db, starter, loan) and case_is_visible(db, field, loan)
        assert not case_is_visible(db, surgeon, loan)
