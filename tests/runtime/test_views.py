"""`TaskView.of`, which fills a view without its `__init__`, gives the view `__init__` gives."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from liucheng.runtime.views import TaskView

ROW = {"id": "k1", "instance_id": "c1", "definition_key": "leave", "element": "approve",
       "name": "Approve", "status": "open", "role": "boss", "assignee": None, "priority": 70,
       "created_at": datetime(2026, 3, 2, tzinfo=UTC), "claimed_at": None,
       "completed_at": None, "completed_by": None, "outcome": None, "data": {"x": 1},
       "case_title": "a case"}


def test_task_view_of_a_row_equals_the_constructed_view() -> None:
    view = TaskView.of(ROW)
    assert set(vars(view)) == {f.name for f in fields(TaskView)}
    assert view == TaskView(id="k1", case="c1", process="leave", element="approve",
                            name="Approve", status="open", role="boss", assignee=None,
                            priority=70, created_at=datetime(2026, 3, 2, tzinfo=UTC),
                            claimed_at=None, completed_at=None, completed_by=None,
                            outcome=None)
    assert hash(view) == hash(TaskView.of(dict(ROW)))
    full = TaskView.of({**ROW, "due_at": ROW["created_at"], "owner": "wang", "kind": "added",
                        "on_behalf_of": "li"})
    assert (full.due_at, full.owner, full.kind, full.on_behalf_of) == (
        ROW["created_at"], "wang", "added", "li")
