"""Who a `user` form field may name, for its picker: the active colleagues the reader may
hand work to (`api.colleagues`), and of them only the holders of the field's `role`.

The engine checks the chosen person against the directory when the step is submitted;
the picker only spares the person from typing ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from liucheng.api.colleagues import colleagues
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db, built
from liucheng.rules.forms import group_fields

Row = dict[str, Any]


def _user_fields(fields: Iterable[Any]) -> list[Any]:
    out = []
    for f in fields:
        if f.type == "user":
            out.append(f)
        elif f.type == "group":
            out.extend(s for s in group_fields(f) if s.type == "user")
    return out


def pickable(db: Db, who: Principal, fields: Iterable[Any]) -> dict[str, list[Row]]:
    """Field id → [{id, name}] of the people its picker lists."""
    wanted = _user_fields(fields)
    if not wanted:
        return {}
    everyone = colleagues(db, who, include_self=True)
    table = db.t.user_roles
    stmt = built(db.t, "role_holders", None, lambda: sa.select(table.c.user_id).where(
        table.c.role_id == sa.bindparam("role")))
    holders = {role: set(db.conn.execute(stmt, {"role": role}).scalars())
               for role in {str(f.options["role"]) for f in wanted if f.options.get("role")}}
    return {f.id: [p for p in everyone if not f.options.get("role")
                   or p["id"] in holders[str(f.options["role"])]] for f in wanted}
