"""Human-task tables: out-of-office delegations, carbon copies, the outbox, notifications.

Also department leaders (for "the starter's department leader" assignments) and the task
columns for the kind of task (main, added signer, countersign vote) and "on behalf of".

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("leader_id", sa.String(64), nullable=True))
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="main"))
        batch.add_column(sa.Column("on_behalf_of", sa.String(64), nullable=True))
    op.create_index("ix_tasks_status_due", "tasks", ["status", "due_at"])
    op.create_table(
        "delegations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("delegate_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("starts_at", Time, nullable=False),
        sa.Column("ends_at", Time, nullable=False),
        sa.Column("process_key", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_index("ix_delegations_user", "delegations", ["user_id", "starts_at"])
    op.create_index("ix_delegations_delegate", "delegations", ["delegate_id", "starts_at"])
    op.create_table(
        "carbon_copies",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=False),
        sa.Column("task_id", sa.String(32), nullable=True),
        sa.Column("element", sa.String(120), nullable=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("sent_by", sa.String(64), nullable=False),
        sa.Column("sent_at", Time, nullable=False),
        sa.Column("read_at", Time, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
    )
    op.create_index("ix_carbon_copies_user", "carbon_copies", ["user_id", "sent_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance_id", sa.String(32), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("next_attempt_at", Time, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sent_at", Time, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_pending", "outbox", ["sent_at", "next_attempt_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("instance_id", sa.String(32), nullable=True),
        sa.Column("task_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("read_at", Time, nullable=True),
    )
    op.create_index("ix_notifications_user", "notifications", ["user_id", "read_at", "created_at"])


def downgrade() -> None:
    for table in ("notifications", "outbox", "carbon_copies", "delegations"):
        op.drop_table(table)
    op.drop_index("ix_tasks_status_due", "tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("on_behalf_of")
        batch.drop_column("kind")
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("leader_id")
