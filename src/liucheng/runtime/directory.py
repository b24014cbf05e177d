"""The organisation directory the engine core asks (members, leaders, out-of-office stand-ins).

Answered from the database inside the command's transaction, so the core sees the
organisation as it is at that moment.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from liucheng.storage.repository import Repository
from liucheng.storage.tables import metadata, user_roles, users


class StoredDirectory:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def members(self, role: str) -> list[str]:
        rows = self.repo.conn.execute(
            sa.select(user_roles.c.user_id).join(users, users.c.id == user_roles.c.user_id)
            .where(user_roles.c.role_id == role, users.c.active.is_(True))
            .order_by(user_roles.c.user_id)).scalars()
        return list(rows)

    def leader(self, user: str, levels: int) -> str | None:
        accounts = metadata.tables.get("accounts")
        departments = metadata.tables.get("departments")
        if accounts is None or departments is None:
            return None
        dept = self.repo.conn.execute(sa.select(accounts.c.department_id)
                                      .where(accounts.c.user_id == user)).scalar()
        found = 0
        while dept is not None:  # each department up with a leader other than the user
            row = self.repo.conn.execute(
                sa.select(departments.c.leader_id, departments.c.parent_id)
                .where(departments.c.id == dept)).first()
            if row is None:
                return None
            leader, dept = row
            if leader and leader != user:
                found += 1
                if found == max(1, levels):
                    return str(leader)
        return None

    def delegate(self, user: str, process: str, at: datetime) -> str | None:
        return self.repo.delegate_for(user, process, at)

    def has_user(self, user: str) -> bool:
        row = self.repo.user(user)
        return row is not None and bool(row["active"])
