"""REST routes for the actions on a whole case: withdraw (撤回), carbon copy (抄送), comments,
supplement requests (补件) and their arrival, and reading the supplement and copy lists.

The case must be visible to the person's organisation (else 404); a `task` named with an
action must be one of the case's tasks; people copied must be active colleagues. The
engine checks that the person is on the case (starter, did or may do a step, was copied,
administrator) and, for withdrawing, that nobody has acted since.
The functions below are shared with the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends

from liucheng.api import action_schemas as s
from liucheng.api import schemas
from liucheng.api.checklist import file_problems
from liucheng.api.colleagues import require_colleagues
from liucheng.api.exact import ExactRoute
from liucheng.api.possible import case_options, options_public
from liucheng.api.routes.actions import text_or_none
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.api.views import case_public, compiled, texts
from liucheng.errors import ValidationError
from liucheng.org import access
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db
from liucheng.rules.validators import RuleProblem
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/api/v1/cases", tags=["case actions"], route_class=ExactRoute)
Row = dict[str, Any]


def visible_case(svc: Services, who: Principal, case_id: str) -> Row:
    with svc.db() as db:
        return access.visible_case(db, who, case_id)


def required_text(value: str | None, field: str, zh: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError([RuleProblem(message=en, field=field, code="required",
                                           message_zh=zh)])
    return text


def task_of_case(db: Db, who: Principal, case_id: str, task_id: str | None) -> str | None:
    """The full id of a task of this case, or None when none is named."""
    if not (task_id or "").strip():
        return None
    row = access.visible_task(db, who, str(task_id).strip())
    if row["instance_id"] != case_id:
        raise ValidationError([RuleProblem(
            message=f"task '{task_id}' is not a task of this case", field="task",
            code="task.case", message_zh=f"任务“{task_id}”不属于本业务")])
    return str(row["id"])


def withdraw(svc: Services, who: Principal, case_id: str, step: str | None,
             comment: str | None) -> str:
    """撤回 a step one did, or (as starter, without `step`) the whole case."""
    case = visible_case(svc, who, case_id)
    svc.engine.withdraw(case["id"], user=who.user, step=text_or_none(step),
                        comment=text_or_none(comment))
    return str(case["id"])


def carbon_copy(svc: Services, who: Principal, case_id: str, users: Sequence[str],
                task: str | None, comment: str | None) -> str:
    with svc.db() as db:
        case = access.visible_case(db, who, case_id)
        people = require_colleagues(db, who, users, "users")
        task_id = task_of_case(db, who, case["id"], task)
    svc.engine.carbon_copy(case["id"], people, user=who.user, task=task_id,
                           comment=text_or_none(comment))
    return str(case["id"])


def add_comment(svc: Services, who: Principal, case_id: str, text: str | None,
                task: str | None) -> str:
    body = required_text(text, "text", "请写下意见", "write a comment")
    with svc.db() as db:
        case = access.visible_case(db, who, case_id)
        task_id = task_of_case(db, who, case["id"], task)
    svc.engine.comment(case["id"], body, user=who.user, task=task_id)
    return str(case["id"])


def request_supplement(svc: Services, who: Principal, case_id: str, item: str | None,
                       note: str | None, task: str | None) -> str:
    what = required_text(item, "item", "请写明缺少的材料", "say which item is missing")
    with svc.db() as db:
        case = access.visible_case(db, who, case_id)
        task_id = task_of_case(db, who, case["id"], task)
    svc.engine.request_supplement(case["id"], what, user=who.user, note=text_or_none(note),
                                  task=task_id)
    return str(case["id"])


def receive_supplement(svc: Services, who: Principal, case_id: str, supplement: str,
                       files: Sequence[str], note: str | None) -> str:
    """Record that a requested item arrived (with the files scanned from it)."""
    with svc.db() as db:
        case = access.visible_case(db, who, case_id)
        problems = file_problems(db, case["id"], files, "files")
    if problems:
        raise ValidationError(problems, case=case["id"])
    svc.engine.receive_supplement(case["id"], supplement, user=who.user, files=list(files),
                                  note=text_or_none(note))
    return str(case["id"])


def supplements_of(case: Row) -> list[Row]:
    found = list((case["state"].get("supplements") or {}).values())
    return sorted(found, key=lambda e: (e["at"], e["id"]))


def copies_of(case: Row) -> list[Row]:
    found = list((case["state"].get("cc") or {}).values())
    return sorted(found, key=lambda e: (e["at"], e["id"]))


def _case(svc: Services, who: Principal, case_id: str) -> Row:
    with svc.db() as db:
        return case_public(svc, db, who, Repository(db.conn).instance(case_id))


@router.get("/{case_id}/actions", response_model=s.CaseOptionsPublic)
def options(case_id: str, who: Principal = Depends(Need(P.CASES_READ)),
            svc: Services = Depends(services)) -> Row:
    """What you may do on the case now: cc, comment, supplement, withdraw (and which steps)."""
    with svc.db() as db:
        case = access.visible_case(db, who, case_id)
        definition = compiled(svc, db, case["definition_id"])
        names = {e.id: texts(e.name) for e, _ in definition.walk()}
        return options_public(None, case_options(svc, db, who, case), names)


@router.post("/{case_id}/withdraw", response_model=schemas.CasePublic)
def withdraw_(case_id: str, body: s.WithdrawIn, who: Principal = Depends(Need(P.TASKS_ACT)),
              svc: Services = Depends(services)) -> Row:
    """撤回: take back a step you did while nobody acted on what followed, or (as the
    starter, without `step`) the whole case before anyone else acted."""
    return _case(svc, who, withdraw(svc, who, case_id, body.step, body.comment))


@router.post("/{case_id}/cc", response_model=schemas.CasePublic)
def cc(case_id: str, body: s.CarbonCopyIn, who: Principal = Depends(Need(P.TASKS_ACT)),
       svc: Services = Depends(services)) -> Row:
    """抄送: colleagues get a copy in their inbox (抄送我的) with a read receipt."""
    return _case(svc, who, carbon_copy(svc, who, case_id, body.users, body.task, body.comment))


@router.get("/{case_id}/cc", response_model=list[s.CopyOnCase])
def copies(case_id: str, who: Principal = Depends(Need(P.CASES_READ)),
           svc: Services = Depends(services)) -> list[Row]:
    """Who the case was copied to, by whom, and when each read it."""
    return copies_of(visible_case(svc, who, case_id))


@router.post("/{case_id}/comments", response_model=schemas.CasePublic)
def comment(case_id: str, body: s.CommentIn, who: Principal = Depends(Need(P.TASKS_ACT)),
            svc: Services = Depends(services)) -> Row:
    """A comment in the case's history (`comment_added`)."""
    return _case(svc, who, add_comment(svc, who, case_id, body.text, body.task))


@router.post("/{case_id}/supplements", response_model=schemas.CasePublic)
def supplement(case_id: str, body: s.SupplementIn, who: Principal = Depends(Need(P.TASKS_ACT)),
               svc: Services = Depends(services)) -> Row:
    """补件: put a missing item on the case's list."""
    return _case(svc, who, request_supplement(svc, who, case_id, body.item, body.note,
                                              body.task))


@router.get("/{case_id}/supplements", response_model=list[s.SupplementPublic])
def supplements(case_id: str, who: Principal = Depends(Need(P.CASES_READ)),
                svc: Services = Depends(services)) -> list[Row]:
    """The supplement list: who asked for what and when, and when it was received."""
    return supplements_of(visible_case(svc, who, case_id))


@router.post("/{case_id}/supplements/{supplement_id}/received",
             response_model=schemas.CasePublic)
def received(case_id: str, supplement_id: str, body: s.SupplementReceivedIn | None = None,
             who: Principal = Depends(Need(P.TASKS_ACT)),
             svc: Services = Depends(services)) -> Row:
    """The item arrived; whoever asked for it is notified."""
    body = body or s.SupplementReceivedIn(files=[], note=None)
    return _case(svc, who, receive_supplement(svc, who, case_id, supplement_id, body.files,
                                              body.note))
