"""Engine and session factory (issue 9: pools, timeouts, no SQL parameters in logs). SQLite gets
WAL and a busy timeout; PostgreSQL a connect, statement and lock timeout and TCP keepalives, so a
dead or silent server gives an error within seconds instead of a frozen process. Errors never carry
the SQL parameters (`hide_parameters`): they are customers' text. Nothing is created at import time:
callers ask for an engine with a URL."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from config.database import DatabaseSettings


SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # reads through memory-mapped pages instead of a read() per page (the worklist: ~0.3 ms per API
        # call, ~1 ms per page, measured interleaved); address space only, not memory taken
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()
    return on_connect


def _ping_when_idle(engine: Engine, idle_ms: int, clock: Callable[[], float]) -> None:
    """Ping a pooled connection before handing it out only when it has been idle `idle_ms` or longer
    (SQLAlchemy's pool_pre_ping pings at every checkout: one more round trip per transaction). A dead
    connection found by the ping is replaced before anyone sees it (DisconnectionError makes the pool
    connect again, SQLAlchemy's pessimistic recipe); one that died within the window fails its first
    statement, which invalidates the pool's other connections from before, so the next request connects
    anew (the issue 9 refusal: 503, try again)."""
    window = idle_ms / 1000

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info["sagsflow_returned_at"] = clock()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection, record, _proxy) -> None:
        returned = record.info.pop("sagsflow_returned_at", None)
        if returned is None or (window and clock() - returned < window):
            return   # just connected, or in use moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError("the pooled connection was dead; connecting again") from error
            raise


def make_engine(url: str, *, echo: bool = False, tuning: DatabaseSettings | None = None,
                clock: Callable[[], float] = time.monotonic) -> Engine:
    if tuning is None:   # DatabaseSettings(), without importing pydantic when nothing overrides its defaults
        from config.environment import database_tuning
        tuning = database_tuning()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    pool = {"pool_size": tuning.pool_size, "max_overflow": tuning.max_overflow, "pool_timeout": tuning.pool_timeout_s}
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(url, echo=echo, hide_parameters=True,
                               connect_args={"timeout": tuning.sqlite_busy_timeout_ms / 1000},
                               **({} if in_memory else pool))
        event.listen(engine, "connect", _sqlite_pragmas(tuning.sqlite_busy_timeout_ms))
        return engine
    options = f"-c statement_timeout={tuning.statement_timeout_ms} -c lock_timeout={tuning.lock_timeout_ms}"
    connect_args = {"connect_timeout": tuning.connect_timeout_s, "options": options,
                    "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 5, "keepalives_count": 3}
    if tuning.tcp_user_timeout_ms:
        connect_args["tcp_user_timeout"] = tuning.tcp_user_timeout_ms
    engine = create_engine(url, echo=echo, hide_parameters=True, connect_args=connect_args, **pool)
    _ping_when_idle(engine, tuning.ping_after_idle_ms, clock)
    return engine


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per URL for the whole process."""
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES.setdefault(url, make_engine(url))
    return engine


def dispose_engines() -> None:
    """Close the pooled connections of every engine `engine_for` made (the CLI, before its process ends:
    PostgreSQL sees a clean goodbye). The engines stay usable; they connect again when asked."""
    for engine in list(_ENGINES.values()):
        engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
