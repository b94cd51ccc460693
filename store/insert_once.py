"""INSERT … ON CONFLICT (…) DO NOTHING RETURNING …, the one-statement insert-or-skip the outbox and the SLA
events use (SQLite and PostgreSQL): a row that is already there inserts nothing and leaves the caller's
transaction usable, without a query first or a savepoint. Each statement is built once per dialect and
shape; through `Connection.execute` with a list of parameter sets it goes as one multi-row INSERT
(SQLAlchemy's insertmanyvalues)."""
from __future__ import annotations

from sqlalchemy import Table, bindparam

SUPPORTED = ("sqlite", "postgresql")
_BUILT: dict[tuple, object] = {}


def insert_or_skip(dialect: str, table: Table, *, binds: dict[str, str], unique: tuple[str, ...],
                   returning: tuple[str, ...], constants: dict | None = None):
    """The statement for `table`: column -> bind name in `binds` (several columns may share one name),
    fixed values in `constants`, skipped when `unique` is taken, giving back the `returning` columns."""
    key = (dialect, table.name, tuple(binds.items()), tuple((constants or {}).items()), unique, returning)
    statement = _BUILT.get(key)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise ValueError(f"no insert-or-skip for {dialect}")
        values = {column: bindparam(name, type_=table.c[column].type) for column, name in binds.items()}
        statement = _BUILT[key] = (insert(table).values(**values, **(constants or {}))
                                   .on_conflict_do_nothing(index_elements=list(unique))
                                   .returning(*(table.c[name] for name in returning)))
    return statement
