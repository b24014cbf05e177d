"""Attachments: uploaded files stored by content hash, and which case they belong to.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("instance_id", sa.String(32), sa.ForeignKey("instances.id"), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", Time, nullable=False),
    )
    op.create_index("ix_attachments_sha", "attachments", ["sha256"])
    op.create_index("ix_attachments_instance", "attachments", ["instance_id"])


def downgrade() -> None:
    op.drop_table("attachments")
