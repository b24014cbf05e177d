"""Statements of the command path run straight on the driver's cursor.

SQLAlchemy's execution of a statement costs more than SQLite takes to run it: per call it
looks the compiled form up, builds parameters and a result. `write` (INSERT, UPDATE,
DELETE) and `read` (SELECT) compile a statement once per dialect and parameter keys, and
then only convert the parameters (with the types' own bind processors: times to UTC, JSON
encoded, booleans) and hand them to the cursor of the connection, inside the caller's
transaction; `read` converts the values it fetches with the columns' result processors
(JSON decoded, times made timezone-aware), as SQLAlchemy would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

Row = dict[str, Any]
_MISSING = object()
_Convert = Callable[[Any], Any] | None
# a parameter: its name in the SQL, the key it is given by, its value otherwise, its converter
_Param = tuple[str, str, Any, _Convert]
# SQL, positional?, parameters, result columns (key, converter)
_Compiled = tuple[str, bool, list[_Param], list[tuple[str, _Convert]]]
_CACHE: dict[tuple[sa.ClauseElement, str, tuple[str, ...], bool], _Compiled] = {}


def _compiled(conn: sa.Connection, stmt: sa.ClauseElement, keys: tuple[str, ...],
              many: bool) -> _Compiled:
    key = (stmt, conn.dialect.name, keys, many)
    found = _CACHE.get(key)
    if found is None:
        compiled: Any = stmt.compile(dialect=conn.dialect, column_keys=list(keys),
                                     for_executemany=many)
        processors = compiled._bind_processors
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        names = compiled.positiontup if compiled.positional else list(by_name)
        params = []
        for name in names:
            bind = by_name[name]
            if bind.callable is not None or bind.expanding:
                raise ValueError(f"'{name}': a direct statement takes plain parameters only")
            params.append((compiled.escaped_bind_names.get(name, name), bind.key,
                           bind.value if bind.key not in keys else _MISSING,
                           processors.get(name)))
        columns = [(c.keyname, c.type._cached_result_processor(conn.dialect, None))
                   for c in compiled._result_columns]
        found = _CACHE[key] = (compiled.string, bool(compiled.positional), params, columns)
    return found


def _convert(positional: bool, spec: list[_Param], row: Row) -> Any:
    values = [(name, row[key] if default is _MISSING else default, process)
              for name, key, default, process in spec]
    if positional:
        return [v if p is None else p(v) for _, v, p in values]
    return {n: v if p is None else p(v) for n, v, p in values}


def write(conn: sa.Connection, stmt: sa.ClauseElement, params: Row | list[Row]) -> int:
    """Run an INSERT, UPDATE or DELETE built once (module level); returns the row count.

    `params` is one row of values, or several (all with the same keys) for executemany."""
    many = isinstance(params, list)
    rows = params if isinstance(params, list) else [params]
    sql, positional, spec, _ = _compiled(conn, stmt, tuple(rows[0]), many)
    cursor = conn.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, [_convert(positional, spec, r) for r in rows])
        else:
            cursor.execute(sql, _convert(positional, spec, rows[0]))
        return int(cursor.rowcount)
    finally:
        cursor.close()


def read(conn: sa.Connection, stmt: sa.Select[Any], params: Row) -> list[Row]:
    """Run a SELECT built once (module level); its rows as dicts keyed as SQLAlchemy's.

    Its IN lists must be of literals (`in_([sa.literal(v), ...])`), not expanding ones."""
    sql, positional, spec, columns = _compiled(conn, stmt, tuple(params), False)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, _convert(positional, spec, params))
        fetched = cursor.fetchall()
    finally:
        cursor.close()
    return [{key: value if process is None else process(value)
             for (key, process), value in zip(columns, row, strict=True)} for row in fetched]
