"""Database connection settings (issue 9), environment prefix SAGSFLOW_DB_: pool sized to the web
threadpool, and timeouts so a dead or silent database gives a fast, clear error instead of a frozen
process. At most `pool_size + max_overflow` requests — and no more than `busy_slots()` — hold a database
session at once (`web_threads()`);
the others wait for a slot on the event loop (back-pressure, 503 after `queue_timeout_s`), so no
request thread ever waits for a connection that another request holds."""
from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.environment import DATABASE_PREFIX, DEFAULT_TUNING as D, ENV_FILE   # defaults: also brief commands


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=DATABASE_PREFIX, env_file=ENV_FILE, extra="ignore")

    pool_size: int = Field(default=D.pool_size, ge=1, le=200)
    max_overflow: int = Field(default=D.max_overflow, ge=0, le=200)
    pool_timeout_s: float = Field(default=D.pool_timeout_s, gt=0, le=120)    # a thread waiting for a pooled connection
    queue_timeout_s: float = Field(default=D.queue_timeout_s, gt=0, le=300)  # a web request waiting for a database slot
    connect_timeout_s: int = Field(default=D.connect_timeout_s, ge=1, le=60)                # PostgreSQL connect_timeout
    # PostgreSQL statement_timeout and lock_timeout
    statement_timeout_ms: int = Field(default=D.statement_timeout_ms, ge=100, le=3_600_000)
    lock_timeout_ms: int = Field(default=D.lock_timeout_ms, ge=100, le=3_600_000)
    tcp_user_timeout_ms: int = Field(default=D.tcp_user_timeout_ms, ge=0, le=600_000)       # a silent network peer
    # SQLite: waiting for the writer lock
    sqlite_busy_timeout_ms: int = Field(default=D.sqlite_busy_timeout_ms, ge=100, le=600_000)
    readiness_timeout_s: float = Field(default=D.readiness_timeout_s, gt=0, le=30)    # /readyz gives up after this
    # SQLite has one writer at a time; more concurrent sessions only spin in its busy handler
    sqlite_slots: int = Field(default=D.sqlite_slots, ge=1, le=200)
    # SQLite: requests that change data (POST, PUT, PATCH, DELETE) hold one of these while they hold
    # a slot, so in-process writers queue fairly on the event loop instead of sleeping in SQLite's
    # busy handler (1, 2, 5 … 100 ms back-off) while another writer holds the lock; reads go on beside
    sqlite_writers: int = Field(default=D.sqlite_writers, ge=1, le=200)
    # requests that work at once, whatever the pool allows (0: two per CPU core). More only take turns
    # for Python's one interpreter lock and the cores: on 2 cores and PostgreSQL, 64 clients were served
    # 115 requests/s with 4 at work, 107 with 8 and 102 with 20 (7.9 / 8.5 / 8.9 ms CPU per request)
    web_slots: int = Field(default=D.web_slots, ge=0, le=200)
    # PostgreSQL: a pooled connection that has been idle this long is pinged before it is handed out (a dead
    # one is replaced unseen); one used moments ago is not — the ping is a round trip of its own, about 60 µs
    # of CPU on every request (HikariCP's aliveBypassWindowMs, 500 ms, is the same rule). 0: always ping.
    ping_after_idle_ms: int = Field(default=D.ping_after_idle_ms, ge=0, le=3_600_000)

    def busy_slots(self) -> int:
        """`web_slots`, or two per CPU core this process may run on."""
        if self.web_slots:
            return self.web_slots
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(2, 2 * cores)

    def web_writers(self, url: str = "") -> int | None:
        """Requests that may change data at once (None: no limit beyond the slots)."""
        return self.sqlite_writers if url.startswith("sqlite") else None

    def web_threads(self, url: str = "") -> int:
        """Requests that may hold a database session at once: no more than the pool's connections, nor
        `busy_slots()`; on SQLite nor `sqlite_slots`."""
        slots = min(self.pool_size + self.max_overflow, self.busy_slots())
        return min(slots, self.sqlite_slots) if url.startswith("sqlite") else slots

    def threadpool_size(self) -> int:
        """Worker threads: every slot holder can have a thread, plus some for database-free work."""
        return self.web_threads() + 8
