"""The inbox pool in page order: candidate rows carry their task's priority, creation time and
whether it is in the pool (open, nobody holds it), indexed in the inbox's order; a person's
own tasks get an index in the same order.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from liucheng.storage.tables import Time

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_candidates") as batch:
        batch.add_column(sa.Column("priority", sa.Integer, nullable=False, server_default="50"))
        batch.add_column(sa.Column("created_at", Time, nullable=True))
        batch.add_column(sa.Column("pooled", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    tasks = sa.table("tasks", sa.column("id"), sa.column("priority"), sa.column("created_at"),
                     sa.column("assignee"), sa.column("status"))
    candidates = sa.table("task_candidates", sa.column("task_id"), sa.column("priority"),
                          sa.column("created_at"), sa.column("pooled"))

    def of_task(value: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
        return sa.select(value).where(tasks.c.id == candidates.c.task_id).scalar_subquery()

    op.execute(candidates.update().values(
        priority=of_task(tasks.c.priority), created_at=of_task(tasks.c.created_at),
        pooled=of_task(sa.and_(tasks.c.assignee.is_(None), tasks.c.status == "open"))))
    op.drop_index("ix_task_candidates_lookup", "task_candidates")
    op.create_index("ix_task_candidates_pool", "task_candidates",
                    ["kind", "value", "pooled", sa.text("priority DESC"), "created_at",
                     "task_id"])
    op.drop_index("ix_tasks_assignee_open", "tasks")
    op.create_index("ix_tasks_assignee_page", "tasks",
                    ["assignee", "status", sa.text("priority DESC"), "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_assignee_page", "tasks")
    op.create_index("ix_tasks_assignee_open", "tasks", ["assignee", "status", "created_at"])
    op.drop_index("ix_task_candidates_pool", "task_candidates")
    op.create_index("ix_task_candidates_lookup", "task_candidates", ["kind", "value", "task_id"])
    with op.batch_alter_table("task_candidates") as batch:
        batch.drop_column("pooled")
        batch.drop_column("created_at")
        batch.drop_column("priority")
