"""The inbox: tabs with counts (待办, 待领, 已办, 我发起的, overdue), search and paging."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.acting import ACTION_NOTICES
from liucheng.api.pages.common import render, see_other
from liucheng.api.pages.labels import Labels
from liucheng.api.pages.personal import copies_tab
from liucheng.api.routes.personal import unread_copies
from liucheng.api.schemas import LARGEST
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.org import inbox
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
NOTICES = frozenset({"started", "completed", "claimed", "unclaimed", "cancelled"}
                    ) | ACTION_NOTICES


def notice_key(value: str | None) -> str | None:
    return f"notice.{value}" if value in NOTICES else None


@router.get("/")
async def home(who: Principal = Depends(Need(P.SIGNED_IN))) -> Response:
    return see_other("/inbox")


def _load(svc: Services, who: Principal, tab: str, q: str | None, page: int) -> dict[str, Any]:
    now = svc.now()
    with svc.db() as db:
        labels = Labels(svc, db)
        counts = inbox.counts(db, who, now=now)
        cc_unread = unread_copies(db, who)  # the 抄送我的 tab (pages/personal.py)
        found = inbox.inbox(db, who, tab, now=now, q=q, limit=PER_PAGE,
                            offset=(page - 1) * PER_PAGE,
                            total=None if q and q.strip() else counts[tab])
        rows = []
        for row in found.rows:
            item = dict(row)
            if tab == "started":
                item["title"] = labels.case_title(row)
            else:
                case = {"definition_id": row["definition_id"],
                        "business_key": row["business_key"]}
                item["title"] = labels.case_title(case)
                item["step"] = labels.step(row["definition_id"], row["element"])
                item["role_name"] = labels.role(row["role"])
                item["overdue"] = bool(row["due_at"] and row["due_at"] < now)
                item["assignee_name"] = labels.person(row["assignee"])
            rows.append(item)
    return {"counts": counts, "rows": rows, "total": found.total, "page": page,
            "pages": max(1, (found.total + PER_PAGE - 1) // PER_PAGE),
            "has_next": found.has_next, "cc_unread": cc_unread}


@router.get("/inbox")
async def inbox_page(request: Request, tab: str = "mine",
                     q: str | None = Query(None, max_length=100),
                     page: int = Query(1, ge=1, le=LARGEST),
                     notice: str | None = None,
                     who: Principal = Depends(Need(P.TASKS_READ)),
                     svc: Services = Depends(services)) -> Response:
    if tab == "cc":
        return await copies_tab(request, who, svc, q, page, notice_key(notice))
    tab = tab if tab in inbox.TABS else "mine"
    data = await run_in_threadpool(_load, svc, who, tab, q, page)
    partial = request.headers.get("hx-target") == "inbox-list"
    return render(request, who, "_inbox_list.html" if partial else "inbox.html",
                  section="inbox", title="nav.inbox", tab=tab, tabs=inbox.TABS, q=q or "",
                  notice=notice_key(notice), **data)
