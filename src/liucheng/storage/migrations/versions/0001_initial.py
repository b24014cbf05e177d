"""The first schema: definitions, instances, tasks, candidates, events, incidents, jobs, org.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "definitions",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("deployed_at", Time, nullable=False),
        sa.Column("deployed_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("key", "version", name="uq_definitions_key_version"),
    )
    op.create_table(
        "instances",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("definition_id", sa.String(80), sa.ForeignKey("definitions.id"),
                  nullable=False),
        sa.Column("definition_key", sa.String(64), nullable=False),
        sa.Column("business_key", sa.String(120), nullable=True),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("started_at", Time, nullable=False),
        sa.Column("started_by", sa.String(64), nullable=True),
        sa.Column("ended_at", Time, nullable=True),
    )
    op.create_index("ix_instances_key_status", "instances", ["definition_key", "status"])
    op.create_index("ix_instances_business_key", "instances", ["business_key"])
    op.create_index("ix_instances_started_by", "instances", ["started_by", "started_at"])
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=False),
        sa.Column("definition_key", sa.String(64), nullable=False),
        sa.Column("element", sa.String(120), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("role", sa.String(64), nullable=True),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("priority", sa.Integer, nullable=False, server_default="50"),
        sa.Column("due_at", Time, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("claimed_at", Time, nullable=True),
        sa.Column("completed_at", Time, nullable=True),
        sa.Column("completed_by", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("data", JSON, nullable=True),
    )
    op.create_index("ix_tasks_assignee_open", "tasks", ["assignee", "status", "created_at"])
    op.create_index("ix_tasks_instance", "tasks", ["instance_id", "status"])
    op.create_index("ix_tasks_completed_by", "tasks", ["completed_by", "completed_at"])
    op.create_table(
        "task_candidates",
        sa.Column("task_id", sa.String(32), sa.ForeignKey("tasks.id"), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("value", sa.String(64), primary_key=True),
    )
    op.create_index("ix_task_candidates_lookup", "task_candidates", ["kind", "value", "task_id"])
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("instance_id", sa.String(32), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("element", sa.String(120), nullable=True),
        sa.Column("task_id", sa.String(32), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("data", JSON, nullable=False),
    )
    op.create_index("ix_events_instance", "events", ["instance_id", "seq"])
    op.create_index("ix_events_type_at", "events", ["type", "at"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=False),
        sa.Column("element", sa.String(120), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("resolved_at", Time, nullable=True),
    )
    op.create_index("ix_incidents_open", "incidents", ["resolved_at"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("locked_by", sa.String(64), nullable=True),
        sa.Column("locked_until", Time, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_index("ix_jobs_due", "jobs", ["due_at"])
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_en", sa.String(120), nullable=False, server_default=""),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role_id", sa.String(64), sa.ForeignKey("roles.id"), primary_key=True),
    )
    op.create_index("ix_user_roles_role", "user_roles", ["role_id"])


def downgrade() -> None:
    for table in ("user_roles", "roles", "users", "jobs", "incidents", "events",
                  "task_candidates", "tasks", "instances", "definitions"):
        op.drop_table(table)
