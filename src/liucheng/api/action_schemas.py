"""Request and response shapes of the human-task action routes (pydantic): return, transfer,
delegate, signers, urge, withdraw, carbon copies, comments, supplements, files, the
person's copies and notifications, and out of office."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from liucheng.api.schemas import Texts


def _comment() -> Any:
    return Field(None, max_length=2000, description="shown in the case's history")


def _user_id() -> Any:
    return Field(min_length=1, max_length=64, description="a user id of your organisation")


# -- task actions ------------------------------------------------------------------------
class ReturnIn(BaseModel):
    to: str = Field("previous", max_length=120,
                    description="an earlier step's id, 'previous' or 'starter'")
    comment: str | None = _comment()


class HandOverIn(BaseModel):
    to: str = _user_id()
    comment: str | None = _comment()


class SignersIn(BaseModel):
    users: list[str] = Field(min_length=1, max_length=20)
    position: Literal["before", "after", "alongside"] = "alongside"
    comment: str | None = _comment()


class UrgeIn(BaseModel):
    comment: str | None = _comment()


class ReturnTarget(BaseModel):
    step: str
    to: str
    name: Texts | None = None


class StepRef(BaseModel):
    step: str
    name: Texts | None = None


class TaskOptionsPublic(BaseModel):
    actions: list[str] = Field(description="claim, unclaim, complete, return, transfer, "
                               "delegate, add_signers, urge — what you may do now")
    return_to: list[ReturnTarget]
    removable_signers: list[str]
    case_actions: list[str]
    withdraw_case: bool
    withdraw_steps: list[StepRef]


class CaseOptionsPublic(BaseModel):
    case_actions: list[str] = Field(description="cc, comment, supplement, withdraw")
    withdraw_case: bool
    withdraw_steps: list[StepRef]


# -- case actions ------------------------------------------------------------------------
class WithdrawIn(BaseModel):
    step: str | None = Field(None, max_length=120,
                             description="a step you did; leave out to withdraw the case "
                             "(its starter only)")
    comment: str | None = _comment()


class CarbonCopyIn(BaseModel):
    users: list[str] = Field(min_length=1, max_length=50)
    task: str | None = Field(None, max_length=64)
    comment: str | None = _comment()


class CommentIn(BaseModel):
    text: str = Field(max_length=4000)
    task: str | None = Field(None, max_length=64)


class SupplementIn(BaseModel):
    item: str = Field(max_length=200, description="what is missing, e.g. 户口本首页复印件")
    note: str | None = Field(None, max_length=500)
    task: str | None = Field(None, max_length=64)


class SupplementReceivedIn(BaseModel):
    files: list[str] = Field([], max_length=20, description="ids (SHA-256) of uploaded files")
    note: str | None = Field(None, max_length=500)


class SupplementPublic(BaseModel):
    id: str
    item: str
    note: str | None
    by: str
    at: datetime
    task: str | None
    received_at: datetime | None
    received_by: str | None
    files: list[str]


class CopyOnCase(BaseModel):
    id: str
    user: str
    by: str
    task: str | None
    at: datetime
    read_at: datetime | None


class FilePublic(BaseModel):
    id: str
    sha256: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


# -- the person's own ----------------------------------------------------------------------
class CopyPublic(BaseModel):
    id: str
    case: str
    case_title: str | None
    process: str
    task: str | None
    element: str | None
    sent_by: str
    sent_at: datetime
    read_at: datetime | None
    comment: str | None


class CopyPage(BaseModel):
    items: list[CopyPublic]
    total: int
    unread: int
    limit: int
    offset: int


class NotificationPublic(BaseModel):
    id: str
    kind: str
    text: str
    case: str | None
    task: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    unread: int


class Marked(BaseModel):
    marked: int


class OutOfOfficeIn(BaseModel):
    delegate: str = _user_id()
    starts: datetime
    ends: datetime
    process: str | None = Field(None, max_length=64, description="only this process's tasks")
    reason: str | None = Field(None, max_length=200)
    hand_over: bool = Field(False, description="also transfer your open tasks to the delegate")


class DelegationPublic(BaseModel):
    id: str
    user: str
    delegate: str
    starts: datetime
    ends: datetime
    process: str | None
    reason: str | None


class OutOfOffice(BaseModel):
    away: list[DelegationPublic] = Field(description="your absences with their stand-ins")
    covering: list[DelegationPublic] = Field(description="people you stand in for")


class OutOfOfficeSet(BaseModel):
    delegation: DelegationPublic
    handed_over: list[str]


def delegation_public(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "user": row["user_id"], "delegate": row["delegate_id"],
            "starts": row["starts_at"], "ends": row["ends_at"], "process": row["process_key"],
            "reason": row["reason"]}
