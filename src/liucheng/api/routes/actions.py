"""REST routes for the actions on one task: return (退回), transfer (转办), delegate (委派),
add and remove signers (加签 / 减签), urge (催办), and what may be done with it now.

Before the engine is asked, the task must be visible to the person's organisation (else
404, as for the other task routes) and — for the holder's actions — held the way claiming
and completing require (assignee, their pool locally first, or administrator). People
named as the new holder, delegate or signer must be active colleagues
(`api.colleagues`). The engine checks the rest (four-eyes, return targets, suspended
tasks, the urge interval); errors become problem+json in `api.problems` as everywhere.
The functions below are shared with the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends

from liucheng.api import action_schemas as s
from liucheng.api import schemas
from liucheng.api.colleagues import require_colleagues
from liucheng.api.exact import ExactRoute
from liucheng.api.possible import case_options, holds, options_public, task_options
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.api.views import case_public, compiled, texts
from liucheng.errors import ForbiddenError
from liucheng.org import access
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/api/v1/tasks", tags=["task actions"], route_class=ExactRoute)
Row = dict[str, Any]


def text_or_none(value: str | None) -> str | None:
    return (value or "").strip() or None


def visible_task(svc: Services, who: Principal, task_id: str) -> Row:
    with svc.db() as db:
        return access.visible_task(db, who, task_id)


def held_task(svc: Services, who: Principal, task_id: str, action: str) -> Row:
    """The task, visible and held by this person; else 404 / 409 / 403 saying why."""
    with svc.db() as db:
        row = access.visible_task(db, who, task_id)
        if not holds(db, who, row):
            access.require_action(db, who, row, action)  # raises, naming the reason
            raise ForbiddenError(f"{who.user} may not {action} task '{row['id']}'",
                                 task=row["id"])
    return row


def one_colleague(svc: Services, who: Principal, user: str, field: str) -> str:
    with svc.db() as db:
        return require_colleagues(db, who, [user], field)[0]


def return_task(svc: Services, who: Principal, task_id: str, to: str,
                comment: str | None) -> str:
    row = held_task(svc, who, task_id, "return")
    svc.engine.return_task(row["id"], user=who.user, to=to.strip() or "previous",
                           comment=text_or_none(comment))
    return str(row["instance_id"])


def transfer_task(svc: Services, who: Principal, task_id: str, to: str,
                  comment: str | None) -> str:
    row = held_task(svc, who, task_id, "transfer")
    target = one_colleague(svc, who, to, "to")
    svc.engine.transfer(row["id"], user=who.user, to=target, comment=text_or_none(comment))
    return str(row["instance_id"])


def delegate_task(svc: Services, who: Principal, task_id: str, to: str,
                  comment: str | None) -> str:
    row = held_task(svc, who, task_id, "delegate")
    target = one_colleague(svc, who, to, "to")
    svc.engine.delegate(row["id"], user=who.user, to=target, comment=text_or_none(comment))
    return str(row["instance_id"])


def add_signers(svc: Services, who: Principal, task_id: str, users: Sequence[str],
                position: str, comment: str | None) -> str:
    row = held_task(svc, who, task_id, "add signers to")
    with svc.db() as db:
        signers = require_colleagues(db, who, users, "users")
    svc.engine.add_signers(row["id"], signers, user=who.user, position=position,
                           comment=text_or_none(comment))
    return str(row["instance_id"])


def remove_signer(svc: Services, who: Principal, task_id: str, signer: str,
                  comment: str | None = None) -> str:
    """Only whoever added the signer (or an administrator): the engine checks it."""
    row = visible_task(svc, who, task_id)
    svc.engine.remove_signer(row["id"], signer, user=who.user, comment=text_or_none(comment))
    return str(row["instance_id"])


def urge_task(svc: Services, who: Principal, task_id: str, comment: str | None) -> str:
    row = visible_task(svc, who, task_id)
    svc.engine.urge(row["id"], user=who.user, comment=text_or_none(comment))
    return str(row["instance_id"])


def _case(svc: Services, who: Principal, case_id: str) -> Row:
    with svc.db() as db:
        return case_public(svc, db, who, Repository(db.conn).instance(case_id))


@router.get("/{task_id}/actions", response_model=s.TaskOptionsPublic)
def options(task_id: str, who: Principal = Depends(Need(P.TASKS_READ)),
            svc: Services = Depends(services)) -> Row:
    """What you may do with the task now, with the earlier steps a return may go to."""
    with svc.db() as db:
        row = access.visible_task(db, who, task_id)
        case = access.visible_case(db, who, row["instance_id"])
        definition = compiled(svc, db, case["definition_id"])
        names = {e.id: texts(e.name) for e, _ in definition.walk()}
        return options_public(task_options(svc, db, who, row, case),
                              case_options(svc, db, who, case), names)


@router.post("/{task_id}/return", response_model=schemas.CasePublic)
def return_(task_id: str, body: s.ReturnIn, who: Principal = Depends(Need(P.TASKS_ACT)),
            svc: Services = Depends(services)) -> Row:
    """退回: send the case back to an earlier step (`to`: its id, `previous` or `starter`)."""
    return _case(svc, who, return_task(svc, who, task_id, body.to, body.comment))


@router.post("/{task_id}/transfer", response_model=schemas.CasePublic)
def transfer(task_id: str, body: s.HandOverIn, who: Principal = Depends(Need(P.TASKS_ACT)),
             svc: Services = Depends(services)) -> Row:
    """转办: the task becomes the colleague's; you can no longer complete it."""
    return _case(svc, who, transfer_task(svc, who, task_id, body.to, body.comment))


@router.post("/{task_id}/delegate", response_model=schemas.CasePublic)
def delegate(task_id: str, body: s.HandOverIn, who: Principal = Depends(Need(P.TASKS_ACT)),
             svc: Services = Depends(services)) -> Row:
    """委派: the colleague does the work, then the task comes back to you to finish."""
    return _case(svc, who, delegate_task(svc, who, task_id, body.to, body.comment))


@router.post("/{task_id}/signers", response_model=schemas.CasePublic)
def signers(task_id: str, body: s.SignersIn, who: Principal = Depends(Need(P.TASKS_ACT)),
            svc: Services = Depends(services)) -> Row:
    """加签: colleagues sign `before` you, `after` you, or `alongside` you."""
    return _case(svc, who, add_signers(svc, who, task_id, body.users, body.position,
                                       body.comment))


@router.delete("/{task_id}/signers/{user_id}", response_model=schemas.CasePublic)
def unsign(task_id: str, user_id: str, who: Principal = Depends(Need(P.TASKS_ACT)),
           svc: Services = Depends(services)) -> Row:
    """减签: remove a signer you added who has not signed yet."""
    return _case(svc, who, remove_signer(svc, who, task_id, user_id))


@router.post("/{task_id}/urge", response_model=schemas.CasePublic)
def urge(task_id: str, body: s.UrgeIn | None = None,
         who: Principal = Depends(Need(P.TASKS_ACT)),
         svc: Services = Depends(services)) -> Row:
    """催办: remind whoever holds the task (once per interval, default an hour)."""
    return _case(svc, who, urge_task(svc, who, task_id, body.comment if body else None))
