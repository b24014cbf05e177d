"""The people a task or a case may be handed to: active colleagues of one's organisation.

Transfer, delegate, added signers, carbon copies and out-of-office stand-ins all name
people. They are limited to active users of the acting person's organisation (anyone
active for administrators and holders of `cases.all`), so handing work over never shows a
case to another organisation; the user pickers on the pages list the same people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from liucheng.errors import Problem, ValidationError
from liucheng.org.permissions import Principal
from liucheng.org.schema import DEFAULT_ORG, Db, built
from liucheng.org.visibility import sees_all
from liucheng.rules.validators import RuleProblem

Row = dict[str, Any]


def colleagues(db: Db, who: Principal, *, include_self: bool = False) -> list[Row]:
    """[{id, name}] of the active people this person may hand work to, by name."""
    users, acc, everywhere = db.t.users, db.t.accounts, sees_all(who)

    def build() -> sa.Select[Any]:
        org = sa.func.coalesce(acc.c.organisation_id, DEFAULT_ORG)
        stmt = (sa.select(users.c.id, users.c.name)
                .select_from(users.outerjoin(acc, acc.c.user_id == users.c.id))
                .where(users.c.active.is_(True), users.c.id != "system")
                .order_by(users.c.name, users.c.id))
        return stmt if everywhere else stmt.where(org == sa.bindparam("org"))

    stmt = built(db.t, "colleagues", everywhere, build)
    # a task page lists them twice (the pickers with the reader, the hand-over without)
    everyone: list[Row] = db.remembered(("colleagues", who), lambda: db.all(
        stmt, {"org": who.organisation}))
    return [dict(r) for r in everyone if include_self or r["id"] != who.user]


def problem(field: str, user: str) -> Problem:
    return RuleProblem(
        message=f"'{user}' is not an active colleague in your organisation", field=field,
        code="people.unknown", message_zh=f"“{user}”不是本单位在职的同事",
        hint="choose someone from the list", hint_zh="请从列表中选择")


def require_colleagues(db: Db, who: Principal, users: Iterable[str], field: str) -> list[str]:
    """The user ids, each checked; ValidationError at `field` naming the ones not allowed.

    Unknown people and people of other organisations get the same answer, so the check
    does not tell who exists elsewhere.
    """
    wanted = [u.strip() for u in users if u and u.strip()]
    if not wanted:
        raise ValidationError([RuleProblem(message="choose at least one person", field=field,
                                           code="people.none", message_zh="请至少选择一人")])
    allowed = {r["id"] for r in colleagues(db, who, include_self=True)}
    wrong = [u for u in wanted if u not in allowed]
    if wrong:
        raise ValidationError([problem(field, u) for u in wrong])
    return list(dict.fromkeys(wanted))
