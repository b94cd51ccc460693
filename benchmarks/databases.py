"""A freshly created PostgreSQL database for a benchmark (PostgreSQL is optional: None without it)."""
from __future__ import annotations


def fresh_postgres(url: str, name: str) -> str | None:
    """Drop and create database `name` on the server of `url`; its URL, or None (and why) when the
    server cannot be reached."""
    from sqlalchemy import make_url, text

    from store.db import make_engine

    try:
        admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 — PostgreSQL is optional for the benchmarks; say why it was skipped
        print(f"PostgreSQL skipped: {type(exc).__name__}: {exc}".splitlines()[0])
        return None
    return make_url(url).set(database=name).render_as_string(hide_password=False)
