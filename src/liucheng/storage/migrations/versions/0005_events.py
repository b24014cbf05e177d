"""Events: open message/signal subscriptions of cases, and jobs looked up by case.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_subscriptions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("correlation_key", sa.String(200), nullable=True),
        sa.Column("element", sa.String(120), nullable=False),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_index("ix_message_subscriptions_lookup", "message_subscriptions",
                    ["kind", "name", "correlation_key"])
    op.create_index("ix_message_subscriptions_instance", "message_subscriptions",
                    ["instance_id"])
    op.create_index("ix_jobs_instance", "jobs", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_instance", "jobs")
    op.drop_table("message_subscriptions")
