"""issue 15: on SQLite a point in time is stored as an integer — microseconds since 1970-01-01 UTC — instead
of SQLAlchemy's 26 characters of text ('2026-11-23 09:00:00.000000'): SQLite writes such an integer in at most
8 bytes, so a closed case, with about 80 of them in its rows and indexes, takes 1.5 KB less. The columns stay
declared DATETIME; store.models.UtcDateTime reads and writes the integers (and still reads text). PostgreSQL
keeps timestamptz: nothing to do there.

Every DATETIME column of every table is converted in place (UPDATE; no table rebuild). A later migration that
writes a time on SQLite in SQL writes this integer.

Revision ID: 0019
Revises: 0018 (0018_open_task_index)
"""
from datetime import datetime, timedelta, timezone

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# what SQLAlchemy wrote: '2026-11-23 09:00:00.123456' (converted in SQL); any other text (written by hand, with
# a 'T' or an offset) is parsed in Python, exactly
DIGITS = "[0-9]"
WRITTEN = f"{DIGITS * 4}-{DIGITS * 2}-{DIGITS * 2} {DIGITS * 2}:{DIGITS * 2}:{DIGITS * 2}.{DIGITS * 6}"
TO_MICROSECONDS = "CAST(strftime('%s', {c}) AS INTEGER) * 1000000 + CAST(substr({c}, 21, 6) AS INTEGER)"
TO_TEXT = ("strftime('%Y-%m-%d %H:%M:%S', {c} / 1000000, 'unixepoch') || '.'"
           " || substr('000000' || ({c} % 1000000), -6, 6)")


def _datetime_columns(connection) -> list[tuple[str, str]]:
    tables = [name for (name,) in connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
    found = []
    for table in tables:
        for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")'):
            if str(row[2]).upper() in ("DATETIME", "TIMESTAMP"):
                found.append((table, row[1]))
    return found


def _microseconds(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None   # not a time: left as it is (reading it fails, as it did before)
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return (moment - EPOCH) // timedelta(microseconds=1)


def _sqlite_columns():
    """(connection, table, quoted column) of every DATETIME column; nothing on PostgreSQL."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return []
    return [(connection, table, f'"{column}"') for table, column in _datetime_columns(connection)]


def upgrade() -> None:
    for connection, table, c in _sqlite_columns():
        connection.exec_driver_sql(f'UPDATE "{table}" SET {c} = {TO_MICROSECONDS.format(c=c)} '
                                   f"WHERE typeof({c}) = 'text' AND {c} GLOB '{WRITTEN}'")
        rest = connection.exec_driver_sql(f'SELECT rowid, {c} FROM "{table}" WHERE typeof({c}) = \'text\'').all()
        changed = [(value, rowid) for rowid, text in rest for value in [_microseconds(text)] if value is not None]
        if changed:
            connection.exec_driver_sql(f'UPDATE "{table}" SET {c} = ? WHERE rowid = ?', changed)


def downgrade() -> None:
    for connection, table, c in _sqlite_columns():
        connection.exec_driver_sql(f'UPDATE "{table}" SET {c} = {TO_TEXT.format(c=c)} WHERE typeof({c}) = \'integer\'')
