"""The events table (the audit trail) is append-only in the database itself: a trigger
refuses every UPDATE and DELETE of a row, whoever sends it.

SQLite: two triggers that `RAISE(ABORT, …)`. PostgreSQL: one trigger function raising
`insufficient_privilege` (42501). TRUNCATE is not a row change and is left to the table's
owner (an emptied test or benchmark database); a running installation never truncates.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MESSAGE = "events are append-only: the audit trail cannot be changed or deleted"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION liucheng_events_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END $$""")
        op.execute("""
            CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
            FOR EACH ROW EXECUTE FUNCTION liucheng_events_append_only()""")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_append_only ON events")
        op.execute("DROP FUNCTION liucheng_events_append_only()")
        return
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER events_no_{action}")
