"""Read-only views the Engine returns: definitions, cases, tasks, history entries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class View:
    def to_dict(self) -> dict[str, Any]:
        return {k: _iso(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class DefinitionView(View):
    id: str
    key: str
    version: int
    name: str
    name_en: str
    format: str
    checksum: str
    deployed_at: datetime
    deployed_by: str | None
    created: bool = True  # False when the same source was already deployed

    @classmethod
    def of(cls, row: dict[str, Any], created: bool = True) -> DefinitionView:
        return cls(**{k: row[k] for k in ("id", "key", "version", "name", "name_en", "format",
                                          "checksum", "deployed_at", "deployed_by")},
                   created=created)


@dataclass(frozen=True)
class TaskView(View):
    id: str
    case: str
    process: str
    element: str
    name: str
    status: str
    role: str | None
    assignee: str | None
    priority: int
    created_at: datetime
    claimed_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    outcome: str | None
    due_at: datetime | None = None
    owner: str | None = None
    kind: str = "main"
    on_behalf_of: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> TaskView:
        # Made a hundred at a time (a page of tasks): filled the way a copy is, without the
        # frozen __init__'s object.__setattr__ per field, which costs as much again.
        view = object.__new__(cls)
        view.__dict__.update(
            id=row["id"], case=row["instance_id"], process=row["definition_key"],
            element=row["element"], name=row["name"], status=row["status"], role=row["role"],
            assignee=row["assignee"], priority=row["priority"], created_at=row["created_at"],
            claimed_at=row["claimed_at"], completed_at=row["completed_at"],
            completed_by=row["completed_by"], outcome=row["outcome"], due_at=row.get("due_at"),
            owner=row.get("owner"), kind=row.get("kind") or "main",
            on_behalf_of=row.get("on_behalf_of"))
        return view


@dataclass(frozen=True)
class CaseView(View):
    id: str
    process: str
    definition: str
    business_key: str | None
    title: str | None
    status: str
    started_at: datetime
    started_by: str | None
    ended_at: datetime | None
    variables: dict[str, Any]
    incidents: list[dict[str, Any]]
    active: list[str]

    @classmethod
    def of(cls, row: dict[str, Any]) -> CaseView:
        state = row["state"]
        return cls(id=row["id"], process=row["definition_key"], definition=row["definition_id"],
                   business_key=row["business_key"], title=row["title"], status=row["status"],
                   started_at=row["started_at"], started_by=row["started_by"],
                   ended_at=row["ended_at"], variables=dict(state.get("variables", {})),
                   incidents=list(state.get("incidents", {}).values()),
                   active=sorted({t["element"] for t in state.get("tokens", {}).values()}))


@dataclass(frozen=True)
class HistoryEntry(View):
    seq: int
    at: datetime
    type: str
    element: str | None
    task: str | None
    actor: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, row: dict[str, Any]) -> HistoryEntry:
        return cls(seq=row["seq"], at=row["at"], type=row["type"], element=row["element"],
                   task=row["task_id"], actor=row["actor"], data=row["data"])
