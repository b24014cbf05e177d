"""No index on events by type and time: every command paid for it (a completion's six events
landed on six places of that index, a quarter of the pages a completion writes), and the one
query that used it, the step visits of analytics, reads a task's events by
`ix_events_task` instead.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_type_at", "events")


def downgrade() -> None:
    op.create_index("ix_events_type_at", "events", ["type", "at"])
