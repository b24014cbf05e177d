"""The signed-in person's own lists: copies sent to them (抄送我的) with read receipts, in-app
notifications, and out of office (who stands in for them, whom they stand in for).

Copies and notifications are listed only for cases the person's organisation may see (a
copy sent across organisations by an administrator stays out of sight, like the case).
The query functions are shared with the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from liucheng.api import action_schemas as s
from liucheng.api.colleagues import problem, require_colleagues
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import NotFoundError, ValidationError
from liucheng.org import access
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db, built
from liucheng.org.visibility import bound, visibility, visible_bound, visible_cases
from liucheng.rules.validators import RuleProblem
from liucheng.storage.repository import Repository
from liucheng.storage.tables import carbon_copies, notifications

router = APIRouter(prefix="/api/v1/me", tags=["me"])
Row = dict[str, Any]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _count(db: Db, stmt: sa.Select[Any]) -> int:
    return int(db.conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery()))
               .scalar_one())


def copies(db: Db, who: Principal, *, q: str | None = None, unread_only: bool = False,
           limit: int = 20, offset: int = 0, cc_id: str | None = None
           ) -> tuple[list[Row], int, int]:
    """(copies newest first, how many match, how many are unread) on visible cases."""
    cc, case = carbon_copies, db.t.instances
    stmt = (sa.select(cc, case.c.title.label("case_title"),
                      case.c.definition_key.label("process"), case.c.definition_id,
                      case.c.business_key)
            .join(case, case.c.id == cc.c.instance_id)
            .where(cc.c.user_id == who.user, visible_cases(db.t, who)))
    unread = unread_copies(db, who)
    if unread_only:
        stmt = stmt.where(cc.c.read_at.is_(None))
    if cc_id:
        stmt = stmt.where(cc.c.id == cc_id)
    if q and q.strip():
        stmt = stmt.where(sa.or_(case.c.title.ilike(_like(q.strip()), escape="\\"),
                                 case.c.business_key.ilike(_like(q.strip()), escape="\\")))
    total = _count(db, stmt)
    rows = db.all(stmt.order_by(cc.c.sent_at.desc(), cc.c.id).limit(limit).offset(offset))
    return rows, total, unread


def unread_copies(db: Db, who: Principal) -> int:
    """How many copies on visible cases this person has not read (in a statement built
    once per `visibility`)."""
    cc, case, shape = carbon_copies, db.t.instances, visibility(who)
    stmt = built(db.t, "unread_copies", shape, lambda: (
        sa.select(sa.func.count()).select_from(cc).join(case, case.c.id == cc.c.instance_id)
        .where(cc.c.user_id == sa.bindparam("user"), cc.c.read_at.is_(None),
               visible_bound(db.t, shape))))
    return int(db.conn.execute(stmt, bound(who)).scalar_one())


def copy_public(row: Row) -> Row:
    return {"id": row["id"], "case": row["instance_id"], "case_title": row["case_title"],
            "process": row["process"], "task": row["task_id"], "element": row["element"],
            "sent_by": row["sent_by"], "sent_at": row["sent_at"], "read_at": row["read_at"],
            "comment": row["comment"]}


def mark_copy_read(svc: Services, who: Principal, cc_id: str) -> str:
    """Mark a copy sent to this person read (a `cc_read` receipt); returns the case id."""
    with svc.db() as db:
        row = db.one(sa.select(carbon_copies).where(carbon_copies.c.id == cc_id))
        if row is None:
            raise NotFoundError(f"no copy '{cc_id}'", hint="open it from 抄送我的 (CC to me)")
        access.visible_case(db, who, row["instance_id"])
    svc.engine.mark_copy_read(cc_id, user=who.user)
    return str(row["instance_id"])


def notes(db: Db, who: Principal, *, limit: int = 50) -> tuple[list[Row], int]:
    """(notifications newest first, how many are unread), on visible cases only."""
    n, case = notifications, db.t.instances
    seen = sa.or_(n.c.instance_id.is_(None), n.c.instance_id.in_(
        sa.select(case.c.id).where(visible_cases(db.t, who))))
    stmt = sa.select(n).where(n.c.user_id == who.user, seen)
    unread = _count(db, stmt.where(n.c.read_at.is_(None)))
    rows = db.all(stmt.order_by(n.c.created_at.desc(), n.c.id).limit(limit))
    return rows, unread


def note_public(row: Row) -> Row:
    return {"id": row["id"], "kind": row["kind"], "text": row["text"],
            "case": row["instance_id"], "task": row["task_id"],
            "created_at": row["created_at"], "read_at": row["read_at"]}


def away(svc: Services, who: Principal) -> Row:
    """Absences not yet over: this person's, and those of the people they stand in for."""
    now = svc.now()
    rows = [r for r in svc.engine.delegations(who.user) if r["ends_at"] > now]
    return {"away": [s.delegation_public(r) for r in rows if r["user_id"] == who.user],
            "covering": [s.delegation_public(r) for r in rows if r["delegate_id"] == who.user]}


def _invalid(field: str, en: str, zh: str) -> ValidationError:
    return ValidationError([RuleProblem(message=en, field=field, code=f"away.{field}",
                                        message_zh=zh)])


def _aware(value: datetime, zone: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def set_away(svc: Services, who: Principal, body: s.OutOfOfficeIn) -> Row:
    """Record an absence (new tasks go to the delegate); optionally hand over open tasks."""
    starts = _aware(body.starts, svc.settings.timezone)
    ends = _aware(body.ends, svc.settings.timezone)
    with svc.db() as db:
        delegate = require_colleagues(db, who, [body.delegate], "delegate")[0]
        process = (body.process or "").strip() or None
        if process and Repository(db.conn).latest_definition(process) is None:
            raise _invalid("process", f"no process '{process}'", f"没有流程“{process}”")
    if delegate == who.user:
        raise ValidationError([problem("delegate", delegate)])
    if ends <= starts:
        raise _invalid("ends", "the end must be after the start", "结束时间须晚于开始时间")
    if ends <= svc.now():
        raise _invalid("ends", "this absence is already over", "该时段已经结束")
    delegation = svc.engine.set_out_of_office(who.user, delegate, starts, ends,
                                              process=process,
                                              reason=(body.reason or "").strip() or None)
    handed = (svc.engine.hand_over(who.user, delegate, by=who.user,
                                   comment=f"out of office: {who.user} → {delegate}")
              if body.hand_over else [])
    row = next(r for r in svc.engine.delegations(who.user) if r["id"] == delegation)
    return {"delegation": s.delegation_public(row), "handed_over": handed}


@router.get("/copies", response_model=s.CopyPage)
def my_copies(unread: bool = False, q: str | None = Query(None, max_length=100),
              limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0),
              who: Principal = Depends(Need(P.TASKS_READ)),
              svc: Services = Depends(services)) -> Row:
    """抄送我的: cases copied to you, newest first, with the unread count."""
    with svc.db() as db:
        rows, total, unread_count = copies(db, who, q=q, unread_only=unread, limit=limit,
                                           offset=offset)
    return {"items": [copy_public(r) for r in rows], "total": total, "unread": unread_count,
            "limit": limit, "offset": offset}


@router.post("/copies/{cc_id}/read", response_model=s.CopyPublic)
def read_copy(cc_id: str, who: Principal = Depends(Need(P.TASKS_READ)),
              svc: Services = Depends(services)) -> Row:
    """Mark a copy read: its sender sees the read receipt."""
    mark_copy_read(svc, who, cc_id)
    with svc.db() as db:
        rows, _, _ = copies(db, who, cc_id=cc_id, limit=1)
    return copy_public(rows[0])


@router.get("/notifications", response_model=s.NotificationPage)
def my_notifications(who: Principal = Depends(Need(P.SIGNED_IN)),
                     svc: Services = Depends(services)) -> Row:
    """In-app notifications (new tasks, urges, copies, delegations, supplements)."""
    with svc.db() as db:
        rows, unread = notes(db, who)
    return {"items": [note_public(r) for r in rows], "unread": unread}


@router.post("/notifications/read", response_model=s.Marked)
def read_notifications(who: Principal = Depends(Need(P.SIGNED_IN)),
                       svc: Services = Depends(services)) -> dict[str, int]:
    """Mark all your notifications read."""
    return {"marked": svc.engine.mark_notifications_read(who.user)}


@router.get("/out-of-office", response_model=s.OutOfOffice)
def out_of_office(who: Principal = Depends(Need(P.TASKS_READ)),
                  svc: Services = Depends(services)) -> Row:
    """Your absences not yet over, and the people you stand in for."""
    return away(svc, who)


@router.post("/out-of-office", response_model=s.OutOfOfficeSet, status_code=201)
def set_out_of_office(body: s.OutOfOfficeIn, who: Principal = Depends(Need(P.TASKS_ACT)),
                      svc: Services = Depends(services)) -> Row:
    """While you are away, new tasks for you go to `delegate` (shown "on behalf of" you);
    `hand_over` also transfers your open tasks now."""
    return set_away(svc, who, body)
