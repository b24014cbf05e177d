"""The person's own pages: the inbox tab 抄送我的 (CC to me) with its unread count, the
notifications (a bell in the top bar with the unread count, and a list), and out of
office under the account page (外出代理: who stands in for me, from when to when).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api import action_schemas as s
from liucheng.api.colleagues import colleagues
from liucheng.api.pages.acting import problem_texts, with_notice
from liucheng.api.pages.common import form_data, render, see_other, text_lang
from liucheng.api.pages.labels import Labels
from liucheng.api.routes.personal import away, copies, mark_copy_read, notes, set_away
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import ValidationError
from liucheng.org import inbox
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.rules.validators import RuleProblem
from liucheng.storage.repository import Repository

router = APIRouter(include_in_schema=False)
PER_PAGE = 20


def _copies(svc: Services, who: Principal, q: str | None, page: int) -> dict[str, Any]:
    with svc.db() as db:
        labels = Labels(svc, db)
        rows, total, unread = copies(db, who, q=q, limit=PER_PAGE,
                                     offset=(page - 1) * PER_PAGE)
        items = [{**r, "title": labels.case_title(r),
                  "step": labels.step(r["definition_id"], r["element"]),
                  "by_name": labels.person(r["sent_by"])} for r in rows]
        counts = inbox.counts(db, who, now=svc.now())
    return {"rows": items, "total": total, "cc_unread": unread, "counts": counts,
            "page": page, "pages": max(1, (total + PER_PAGE - 1) // PER_PAGE),
            "has_next": page * PER_PAGE < total}


async def copies_tab(request: Request, who: Principal, svc: Services, q: str | None,
                     page: int, notice: str | None) -> Response:
    """/inbox?tab=cc — the copies sent to this person, newest first, unread ones marked."""
    data = await run_in_threadpool(_copies, svc, who, q, page)
    partial = request.headers.get("hx-target") == "inbox-list"
    return render(request, who, "_copies_list.html" if partial else "inbox.html",
                  section="inbox", title="nav.inbox", tab="cc", tabs=inbox.TABS, q=q or "",
                  notice=notice, list_template="_copies_list.html", **data)


@router.post("/copies/{cc_id}/read")
async def copy_read(cc_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_READ)),
                    svc: Services = Depends(services)) -> Response:
    data = await form_data(request)
    await run_in_threadpool(mark_copy_read, svc, who, cc_id)
    return see_other(with_notice(str(data.get("next") or ""), "copy_read", "/inbox?tab=cc"))


def split_text(text: str, lang: str) -> str:
    """A notification's text in one language: they are stored as '中文 / English — note'."""
    head, dash, note = text.partition(" — ")
    zh, slash, en = head.partition(" / ")
    if not slash:
        return text
    part = (en if lang == "en" else zh).rstrip().rstrip("：:")  # a case copied names no step
    return part + (dash + note if dash else "")


def _notes(svc: Services, who: Principal, lang: str) -> dict[str, Any]:
    with svc.db() as db:
        rows, unread = notes(db, who)
        labels, case = Labels(svc, db), db.t.instances
        ids = sorted({r["instance_id"] for r in rows if r["instance_id"]})
        titles = {c["id"]: labels.case_title(c) for c in db.all(
            sa.select(case.c.id, case.c.definition_id, case.c.business_key)
            .where(case.c.id.in_(ids)))} if ids else {}
    items = [{**r, "shown": split_text(r["text"], lang), "case": titles.get(r["instance_id"]),
              "href": f"/tasks/{r['task_id']}" if r["task_id"] and r["kind"] != "cc"
              else f"/cases/{r['instance_id']}" if r["instance_id"] else None}
             for r in rows]
    return {"items": items, "unread": unread}


@router.get("/notifications")
async def notifications(request: Request, notice: str | None = None,
                        who: Principal = Depends(Need(P.SIGNED_IN)),
                        svc: Services = Depends(services)) -> Response:
    data = await run_in_threadpool(_notes, svc, who, text_lang(request, who))
    return render(request, who, "notifications.html", title="notif.title",
                  notice="notice.notifications_read" if notice == "notifications_read"
                  else None, **data)


@router.get("/notifications/badge")
async def badge(request: Request, who: Principal = Depends(Need(P.SIGNED_IN)),
                svc: Services = Depends(services)) -> Response:
    """The bell's count (loaded by htmx, so pages need not count on every request)."""
    def count() -> int:
        with svc.db() as db:
            return notes(db, who, limit=1)[1]

    return render(request, who, "_bell_count.html", unread=await run_in_threadpool(count))


@router.post("/notifications/read")
async def notifications_read(who: Principal = Depends(Need(P.SIGNED_IN)),
                             svc: Services = Depends(services)) -> Response:
    await run_in_threadpool(svc.engine.mark_notifications_read, who.user)
    return see_other("/notifications?notice=notifications_read")


def _away_page(request: Request, who: Principal, svc: Services, *, status: int = 200,
               errors: dict[str, str] | None = None, posted: dict[str, Any] | None = None,
               notice: str | None = None) -> Response:
    current = away(svc, who)
    with svc.db() as db:
        labels = Labels(svc, db)
        people = colleagues(db, who)
        processes = sorted({r["key"]: r for r in Repository(db.conn).definitions()}.items())
        names = {r["id"]: labels.process(r["id"]) for _, r in processes}
        for row in current["away"] + current["covering"]:
            row["user_name"] = labels.person(row["user"])
            row["delegate_name"] = labels.person(row["delegate"])
    today = svc.now().astimezone(ZoneInfo(svc.settings.timezone)).date()
    return render(request, who, "away.html", status=status, section="account",
                  title="away.title", notice=notice, errors=errors or {}, people=people,
                  processes=[(k, names[r["id"]]) for k, r in processes],
                  posted=posted or {"starts": today.isoformat(),
                                    "ends": (today + timedelta(days=1)).isoformat()},
                  **current)


@router.get("/account/away")
async def away_page(request: Request, notice: str | None = None,
                    who: Principal = Depends(Need(P.TASKS_READ)),
                    svc: Services = Depends(services)) -> Response:
    return await run_in_threadpool(lambda: _away_page(
        request, who, svc, notice="notice.away_set" if notice == "away_set" else None))


def _problem(field: str, en: str, zh: str) -> ValidationError:
    return ValidationError([RuleProblem(message=en, field=field, code=f"away.{field}",
                                        message_zh=zh)])


def _day(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise _problem(field, "enter a date (YYYY-MM-DD)", "请填写日期（年-月-日）") from None


@router.post("/account/away")
async def away_set(request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                   svc: Services = Depends(services)) -> Response:
    """The days are whole working days in the installation's time zone, both included."""
    data = await form_data(request)

    def run() -> None:
        zone = ZoneInfo(svc.settings.timezone)
        delegate = str(data.get("delegate") or "").strip()[:64]
        if not delegate:
            raise _problem("delegate", "choose who stands in for you", "请选择代理人")
        first, last = _day(data.get("starts"), "starts"), _day(data.get("ends"), "ends")
        body = s.OutOfOfficeIn(
            delegate=delegate,
            starts=datetime.combine(first, time(), zone),
            ends=datetime.combine(last + timedelta(days=1), time(), zone),
            process=str(data.get("process") or "")[:64] or None,
            reason=str(data.get("reason") or "")[:200] or None,
            hand_over=str(data.get("hand_over") or "") in ("on", "1", "true"))
        set_away(svc, who, body)

    try:
        await run_in_threadpool(run)
    except ValidationError as exc:
        errors = problem_texts(exc, text_lang(request, who))
        return await run_in_threadpool(lambda: _away_page(
            request, who, svc, status=422, errors=errors, posted=data))
    return see_other("/account/away?notice=away_set")
