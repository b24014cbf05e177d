"""Alembic migrations of the liucheng schema."""
