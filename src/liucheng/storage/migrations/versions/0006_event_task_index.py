"""An index on events by task, so per-visit analytics read a task's events directly.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_task", "events", ["task_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_events_task", "events")
