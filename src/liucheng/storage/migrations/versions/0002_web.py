"""Web and organisation tables: organisations, departments, accounts, sessions, API tokens.

Also role permissions and the login-attempt log used for throttling. Every user without an
account row belongs to the organisation 'default', which this migration creates.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    organisations = op.create_table(
        "organisations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("organisation_id", sa.String(64), sa.ForeignKey("organisations.id"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
        sa.Column("parent_id", sa.String(64), sa.ForeignKey("departments.id"), nullable=True),
    )
    op.create_index("ix_departments_organisation", "departments", ["organisation_id"])
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("organisation_id", sa.String(64), sa.ForeignKey("organisations.id"),
                  nullable=False),
        sa.Column("department_id", sa.String(64), sa.ForeignKey("departments.id"),
                  nullable=True),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("password_changed_at", Time, nullable=True),
        sa.Column("locale", sa.String(8), nullable=True),
    )
    op.create_index("ix_accounts_organisation", "accounts", ["organisation_id"])
    op.create_table(
        "role_permissions",
        sa.Column("role_id", sa.String(64), sa.ForeignKey("roles.id"), primary_key=True),
        sa.Column("permission", sa.String(64), primary_key=True),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("last_seen_at", Time, nullable=False),
        sa.Column("expires_at", Time, nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(200), nullable=True),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("last_used_at", Time, nullable=True),
        sa.Column("expires_at", Time, nullable=True),
        sa.Column("revoked_at", Time, nullable=True),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_lookup", "login_attempts", ["user_id", "ip", "at"])
    op.bulk_insert(organisations, [{"id": "default", "name": "本单位", "name_en": "Our office",
                                    "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    for table in ("login_attempts", "api_tokens", "web_sessions", "role_permissions",
                  "accounts", "departments", "organisations"):
        op.drop_table(table)
