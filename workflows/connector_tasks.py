"""Shared plumbing of the connector flows (H-R1.1, H-R1.3): a database session factory and runtime
from settings, and a Prefect retry condition that retries transient connector faults only."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from config.settings import get_settings
from connectors.mail import MailTransientError
from connectors.remedy import RemedyTransientError
from services.runtime import Runtime
from store.db import make_engine, session_factory

TRANSIENT = (MailTransientError, RemedyTransientError, OperationalError, ConnectionError, TimeoutError)


def retry_transient(task, task_run, state) -> bool:   # noqa: ARG001 - Prefect's signature
    """Prefect `retry_condition_fn`: retry when the task failed with a transient fault."""
    try:
        state.result()
    except TRANSIENT:
        return True
    except BaseException:   # noqa: BLE001 - anything else is permanent: no retry
        return False
    return False


@contextmanager
def database() -> Iterator[tuple]:
    """(settings, session factory, runtime) for one flow run; the engine is disposed afterwards."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        yield settings, session_factory(engine), Runtime(settings)
    finally:
        engine.dispose()
