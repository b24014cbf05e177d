"""The database schema (SQLAlchemy Core). Alembic migrations under `migrations/` create it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Times are stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


metadata = sa.MetaData()
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
Time = UTCDateTime()

definitions = sa.Table(
    "definitions", metadata,
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

instances = sa.Table(
    "instances", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("definition_id", sa.String(80), sa.ForeignKey("definitions.id"), nullable=False),
    sa.Column("definition_key", sa.String(64), nullable=False),
    sa.Column("business_key", sa.String(120), nullable=True),
    sa.Column("title", sa.String(200), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("state", JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("started_at", Time, nullable=False),
    sa.Column("started_by", sa.String(64), nullable=True),
    sa.Column("ended_at", Time, nullable=True),
    sa.Index("ix_instances_key_status", "definition_key", "status"),
    sa.Index("ix_instances_business_key", "business_key"),
    sa.Index("ix_instances_started_by", "started_by", "started_at"),
)

tasks = sa.Table(
    "tasks", metadata,
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
    sa.Column("kind", sa.String(16), nullable=False, server_default="main"),
    sa.Column("on_behalf_of", sa.String(64), nullable=True),
    sa.Index("ix_tasks_status_due", "status", "due_at"),
    sa.Index("ix_tasks_instance", "instance_id", "status"),
    sa.Index("ix_tasks_completed_by", "completed_by", "completed_at"),
)

task_candidates = sa.Table(
    "task_candidates", metadata,
    sa.Column("task_id", sa.String(32), sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("kind", sa.String(8), primary_key=True),  # 'role' or 'user'
    sa.Column("value", sa.String(64), primary_key=True),
    # migration 0008: the task's sort keys, and whether it is open and unassigned (pooled)
    sa.Column("priority", sa.Integer, nullable=False, server_default="50"),
    sa.Column("created_at", Time, nullable=True),
    sa.Column("pooled", sa.Boolean, nullable=False, server_default=sa.false()),
)
# migration 0008: inbox pages in their order (priority first, highest first), as index ranges:
# a person's own tasks, and a role's or a person's pool
sa.Index("ix_tasks_assignee_page", tasks.c.assignee, tasks.c.status, tasks.c.priority.desc(),
         tasks.c.created_at, tasks.c.id)
sa.Index("ix_task_candidates_pool", task_candidates.c.kind, task_candidates.c.value,
         task_candidates.c.pooled, task_candidates.c.priority.desc(),
         task_candidates.c.created_at, task_candidates.c.task_id)

events = sa.Table(
    "events", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("instance_id", sa.String(32), nullable=False),
    sa.Column("at", Time, nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("element", sa.String(120), nullable=True),
    sa.Column("task_id", sa.String(32), nullable=True),
    sa.Column("actor", sa.String(64), nullable=True),
    sa.Column("data", JSON, nullable=False),
    sa.Index("ix_events_instance", "instance_id", "seq"),
    sa.Index("ix_events_task", "task_id", "seq"),  # migration 0006; 0009 dropped (type, at)
)

incidents = sa.Table(
    "incidents", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=False),
    sa.Column("element", sa.String(120), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("resolved_at", Time, nullable=True),
    sa.Index("ix_incidents_open", "resolved_at"),
)

jobs = sa.Table(
    "jobs", metadata,
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
    sa.Index("ix_jobs_due", "due_at"),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", Time, nullable=False),
)

roles = sa.Table(
    "roles", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("name_en", sa.String(120), nullable=False, server_default=""),
)

user_roles = sa.Table(
    "user_roles", metadata,
    sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("role_id", sa.String(64), sa.ForeignKey("roles.id"), primary_key=True),
    sa.Index("ix_user_roles_role", "role_id"),
)

# -- human-task tables (migration 0003) --

delegations = sa.Table(
    "delegations", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("delegate_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("starts_at", Time, nullable=False),
    sa.Column("ends_at", Time, nullable=False),
    sa.Column("process_key", sa.String(64), nullable=True),
    sa.Column("reason", sa.String(200), nullable=True),
    sa.Column("created_at", Time, nullable=False),
    sa.Index("ix_delegations_user", "user_id", "starts_at"),
    sa.Index("ix_delegations_delegate", "delegate_id", "starts_at"),
)

carbon_copies = sa.Table(
    "carbon_copies", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=False),
    sa.Column("task_id", sa.String(32), nullable=True),
    sa.Column("element", sa.String(120), nullable=True),
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("sent_by", sa.String(64), nullable=False),
    sa.Column("sent_at", Time, nullable=False),
    sa.Column("read_at", Time, nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Index("ix_carbon_copies_user", "user_id", "sent_at"),
)

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("instance_id", sa.String(32), nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),  # inapp, email, webhook
    sa.Column("recipient", sa.String(200), nullable=False),
    sa.Column("payload", JSON, nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("next_attempt_at", Time, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sent_at", Time, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_outbox_pending", "sent_at", "next_attempt_at"),
)

notifications = sa.Table(
    "notifications", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("instance_id", sa.String(32), nullable=True),
    sa.Column("task_id", sa.String(32), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("read_at", Time, nullable=True),
    sa.Index("ix_notifications_user", "user_id", "read_at", "created_at"),
)

attachments = sa.Table(
    "attachments", metadata,  # migration 0004
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("uploaded_by", sa.String(64), nullable=False),
    sa.Column("uploaded_at", Time, nullable=False),
    sa.Index("ix_attachments_sha", "sha256"),
    sa.Index("ix_attachments_instance", "instance_id"),
)

# -- web and organisation tables --
# Organisations and departments, sign-in (accounts, sessions, API tokens, throttling) and
# the permissions granted to roles. Migration 0002_web creates them; keep both in step.

organisations = sa.Table(
    "organisations", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_at", Time, nullable=False),
)

departments = sa.Table(
    "departments", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("organisation_id", sa.String(64), sa.ForeignKey("organisations.id"),
              nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column("parent_id", sa.String(64), sa.ForeignKey("departments.id"), nullable=True),
    sa.Column("leader_id", sa.String(64), nullable=True),  # added by migration 0003
    sa.Index("ix_departments_organisation", "organisation_id"),
)

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("organisation_id", sa.String(64), sa.ForeignKey("organisations.id"),
              nullable=False),
    sa.Column("department_id", sa.String(64), sa.ForeignKey("departments.id"), nullable=True),
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("password_changed_at", Time, nullable=True),
    sa.Column("locale", sa.String(8), nullable=True),
    sa.Index("ix_accounts_organisation", "organisation_id"),
)

role_permissions = sa.Table(
    "role_permissions", metadata,
    sa.Column("role_id", sa.String(64), sa.ForeignKey("roles.id"), primary_key=True),
    sa.Column("permission", sa.String(64), primary_key=True),
)

web_sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of the cookie value
    sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("last_seen_at", Time, nullable=False),
    sa.Column("expires_at", Time, nullable=False),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("user_agent", sa.String(200), nullable=True),
    sa.Index("ix_web_sessions_user", "user_id"),
)

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", JSON, nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("last_used_at", Time, nullable=True),
    sa.Column("expires_at", Time, nullable=True),
    sa.Column("revoked_at", Time, nullable=True),
    sa.Index("ix_api_tokens_user", "user_id"),
)

login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(64), nullable=False),  # as typed: unknown ids count too
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", Time, nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_lookup", "user_id", "ip", "at"),
)

# -- events and jobs --
# Open message and signal subscriptions of cases (materialised from the core's
# subscription events, so that a message can find its case), and an index to drop a
# case's jobs when it ends. Migration 0005_events creates both; keep them in step.

message_subscriptions = sa.Table(
    "message_subscriptions", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # 'message' or 'signal'
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("correlation_key", sa.String(200), nullable=True),
    sa.Column("element", sa.String(120), nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Index("ix_message_subscriptions_lookup", "kind", "name", "correlation_key"),
    sa.Index("ix_message_subscriptions_instance", "instance_id"),
)

sa.Index("ix_jobs_instance", jobs.c.instance_id)
