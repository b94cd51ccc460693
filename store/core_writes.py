"""The hot path's writes as Core statements instead of ORM flushes (issue 15: flushing one ORM object
costs ~0.2 ms CPU, a prepared Core statement ~0.05 ms).

Updates: `update_row` runs a prepared UPDATE by primary key (optionally guarded by a second column:
the optimistic version, a status) and leaves the row object as if the ORM had flushed it;
`write_changes` does that for whatever a mapped object has changed.

Inserts of rows the hot path only adds — Work Info, new human-task rows — are queued with `add_row`
and written as one INSERT per table for all of a step's rows. The rows wait in the session (`session.info`) and are written right after the session's next flush
(after the ORM's own rows, which they may refer to), before an ORM query that would have flushed, and
at commit. So whatever reads them in the same transaction — a query, a trigger, the commit — finds them
as it found the ORM's rows; a rollback forgets them with the rest. Nothing reads them from the
identity map: they are not ORM objects until a query loads them."""
from __future__ import annotations

from sqlalchemy import Table, bindparam, event, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

_PENDING = "sagsflow_row_batch"
_UPDATES: dict[tuple, object] = {}
_INSERTS: dict[str, object] = {}


def update_row(session: Session, obj, values: dict, *, guard: tuple[str, object] | None = None) -> int:
    """UPDATE the row of mapped object `obj` SET `values` (columns named as its attributes) now, WHERE its
    primary key matches (and `guard` = (column, value) holds). Returns the row count; when 1, `obj` holds
    the values as committed ones, not as changes to flush."""
    table = obj.__table__
    key = (table.name, tuple(values), guard[0] if guard else None)
    statement = _UPDATES.get(key)
    if statement is None:   # built once per shape: building an UPDATE costs more CPU than running it
        (pk,) = table.primary_key.columns
        where = [pk == bindparam("row_key")] + ([table.c[guard[0]] == bindparam("row_guard")] if guard else [])
        statement = _UPDATES[key] = (update(table).where(*where)
                                     .values({column: bindparam(f"set_{column}") for column in values}))
    params = {f"set_{column}": value for column, value in values.items()}
    params["row_key"] = inspect(obj).identity[0]
    if guard:
        params["row_guard"] = guard[1]
    count = session.connection().execute(statement, params).rowcount
    if count == 1:
        _mark_written(session, obj, values)
    return count


def write_changes(session: Session, obj) -> None:
    """Write what the persistent object `obj` has changed (its plain columns) with one UPDATE now, instead
    of at the next flush. Not for objects with a version column (see store.process.save_instance)."""
    state = inspect(obj)
    if not state.persistent or not state.modified:
        return
    values = {key: state.dict[key] for key, old in state.committed_state.items()
              if key in state.dict and state.dict[key] != old}
    if values:
        update_row(session, obj, values)
    elif state.committed_state:
        _mark_written(session, obj, {})


def _mark_written(session: Session, obj, values: dict) -> None:
    for column, value in values.items():
        set_committed_value(obj, column, value)
    state = inspect(obj)
    if not any(state.dict.get(key, old) != old for key, old in state.committed_state.items()):
        # nothing left for the flush: off the session's dirty list, as after the ORM's own flush
        state._commit_all(state.dict, session.identity_map)


def add_row(session: Session, table: Table, values: dict) -> None:
    """Insert `values` into `table` with this transaction, at the next flush, autoflushing query or commit."""
    pending = session.info.get(_PENDING)
    if pending is None:
        session.connection()   # the transaction holds its connection: a savepoint can write before it starts
        pending = session.info[_PENDING] = {}
    pending.setdefault(table, []).append(values)


def pending_rows(session: Session, table: Table) -> list[dict]:
    """Rows of `table` queued in this transaction and not written yet."""
    return session.info.get(_PENDING, {}).get(table, [])


def write_rows(session: Session, connection=None) -> None:
    """Write the queued rows now: per table one INSERT (several rows: one executemany)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = connection if connection is not None else session.connection()
    for table, rows in pending.items():
        shapes: dict[tuple, list[dict]] = {}
        for row in rows:   # rows naming the same columns go in one statement
            shapes.setdefault(tuple(row), []).append(row)
        for group in shapes.values():
            statement = _INSERTS.get(table.name)
            if statement is None:
                statement = _INSERTS[table.name] = table.insert()
            connection.execute(statement, group)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    write_rows(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    if session.info.get(_PENDING):
        session.flush()        # the ORM's rows first (a new case before its Work Info) …
        write_rows(session)    # … and ours, also when nothing else was left to flush


@event.listens_for(Session, "do_orm_execute")
def _before_query(state) -> None:
    """A statement of an autoflushing session sees the queued rows, as it sees the ORM's pending objects:
    the ORM's autoflush (which would come right after this hook) runs now, and writes them after it."""
    session = state.session
    if session.info.get(_PENDING) and session.autoflush and not session._flushing:
        session.flush()
        write_rows(session)   # when the ORM had nothing of its own to flush


@event.listens_for(Session, "after_transaction_create")
def _before_savepoint(session, transaction) -> None:
    """A savepoint begins: the rows queued before it are written before it (the ORM flushes its own at
    this moment too), so that rolling the savepoint back keeps them."""
    if transaction.nested and session.info.get(_PENDING):
        write_rows(session, session.get_transaction().bound_connection())


def _forget(session, *_args) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_soft_rollback", _forget)


@event.listens_for(Session, "after_transaction_end")
def _forget_unwritten(session, transaction) -> None:
    if transaction.parent is None:
        _forget(session)
