"""Inbox pages read from index ranges are the pages of the general inbox query.

Cases of two organisations, with steps of different priorities offered to roles both
have, to a role only one has, and to people by name; tasks claimed, unclaimed, returned to
the pool by escalation, and completed along the way. After each change every person's
mine, pool and all pages (several page sizes and offsets) from `task_page` must equal the
general query's (`_general_page`, which applies org/visibility.py's rules directly), also
without the case's columns, and so must the size of the pool and the Engine's
`tasks(user=…)` (which finds the person and their roles' organisations by user id).
"""

from __future__ import annotations

from datetime import UTC, datetime

from liucheng.org import accounts, inbox
from liucheng.org.schema import Db
from liucheng.runtime import Engine
from liucheng.runtime.human_tasks import TABLES
from liucheng.storage import direct

MODEL = """
process: pages
roles: {clerk: 文员, boss: 主管, auditor: 审计}
steps:
  - {id: apply, role: clerk, priority: 30}
  - {id: check, roles: [boss, auditor], priority: 80}
  - {id: sign, candidate_users: [lin, zhou], priority: 50}
  - {id: file, role: clerk, priority: 80}
"""
CASE_COLUMNS = ("case_title", "business_key", "case_started_by", "definition_id")
PEOPLE = {"wang": ("north", ["clerk"]), "zhao": ("north", ["boss"]),
          "lin": ("north", ["clerk", "auditor"]), "qian": ("south", ["clerk", "boss"]),
          "zhou": ("south", ["auditor"])}


def _pages(engine: Engine) -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    engine_pages = {user: [t.id for t in engine.tasks(user=user)] for user in PEOPLE}
    with engine.reading() as repo:
        db = Db(repo.conn, TABLES, read=direct.read)  # as the runtime and the web read pages
        for user in PEOPLE:
            who = accounts.principal(db, user)
            assert who is not None
            every = inbox._general_page(
                db, who, "all", now=now, q=None, process=None, case=None, role=None,
                created_from=None, created_to=None, sort="priority", waiting=True,
                limit=100, offset=0)
            assert engine_pages[user] == [r["id"] for r in every], user
            for tab in ("mine", "pool", "all"):
                for limit, offset in ((100, 0), (3, 0), (3, 2), (2, 5)):
                    fast = inbox.task_page(db, who, tab, now=now, limit=limit, offset=offset)
                    general = inbox._general_page(
                        db, who, tab, now=now, q=None, process=None, case=None, role=None,
                        created_from=None, created_to=None, sort="priority", waiting=False,
                        limit=limit, offset=offset)
                    assert [r["id"] for r in fast] == [r["id"] for r in general], (
                        user, tab, limit, offset)
                    assert fast == general
                    bare = inbox.task_page(db, who, tab, now=now, limit=limit, offset=offset,
                                           with_case=False)
                    assert bare == [{k: v for k, v in r.items() if k not in CASE_COLUMNS}
                                    for r in general]
            general_count = inbox._count(db, inbox._task_select(db.t, who, "pool", None, now))
            assert inbox.pool_count(db, who) == general_count, user


def test_range_pages_equal_the_general_query(database_url: str) -> None:
    engine = Engine(database_url)
    with engine.transaction() as repo:
        db = Db(repo.conn, TABLES)
        for org in ("north", "south"):
            accounts.add_organisation(db, org, org, now=datetime(2026, 3, 1, tzinfo=UTC))
        for user, (org, roles) in PEOPLE.items():
            accounts.save_user(db, user, now=datetime(2026, 3, 1, tzinfo=UTC),
                               organisation=org, roles=roles)
    engine.deploy(MODEL)
    cases = [engine.start("pages", {}, user=user).id
             for user in ("wang", "qian", "wang", "zhou", "lin", "qian")]
    _pages(engine)
    for case in cases[:4]:  # to "check" (boss, auditor)
        (task,) = engine.tasks(case=case)
        engine.complete(task.id, user="wang" if case != cases[1] else "qian")
    _pages(engine)
    first = engine.tasks(case=cases[0])[0]
    engine.claim(first.id, user="zhao")
    engine.claim(engine.tasks(case=cases[1])[0].id, user="qian")
    _pages(engine)
    engine.unclaim(first.id, user="zhao")
    engine.complete(engine.tasks(case=cases[2])[0].id, user="lin")  # to "sign": by name
    _pages(engine)
    # zhou (south, auditor): north's "check" stays with lin (north has an auditor), qian
    # holds south's other one; "sign" is offered to zhou by name
    assert [(t.element, t.case) for t in engine.inbox("zhou", "pool")] == [
        ("check", cases[3]), ("sign", cases[2])]
