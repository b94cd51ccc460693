"""A worker for the crash test: completes the next step of every open case (the demo path) and
delivers the outbox to a file-based receiver, committing after each step. It is SIGKILLed at
random moments by tests/robustness/test_crash_consistency.py and restarted until all is done."""
from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cli.demo import STEPS  # noqa: E402
from config.settings import Settings  # noqa: E402
from services.dispatcher import LEASE, dispatch_due  # noqa: E402
from services.runtime import Runtime  # noqa: E402
from services.tasks import complete_task, list_tasks  # noqa: E402
from store.db import make_engine, session_factory  # noqa: E402

ACTORS = {bpmn_id: actor for bpmn_id, actor, _ in STEPS}
DATA = {bpmn_id: data for bpmn_id, _, data in STEPS}
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def receiver(path: Path):
    """The outside system: appends every delivery (with its idempotency key) durably."""
    def deliver(item) -> dict:
        with path.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"key": item.idempotency_key, "pid": os.getpid()}) + "\n")
            log.flush()
            os.fsync(log.fileno())
        return {"delivered_by": os.getpid()}
    return deliver


def main(url: str, sent_log: str, run: int = 0) -> int:
    """`run`: how many workers ran before this one. Each later run delivers the rest at a later time, past the
    lease of an item a killed run had just claimed (as the clock does in production: the lease brings it back)."""
    factory = session_factory(make_engine(url))
    runtime = Runtime(Settings(database_url=url))
    transports = {kind: receiver(Path(sent_log)) for kind in ("mail", "notification")}
    print("ready", flush=True)   # imports done: the test's kill clock starts now
    while True:
        with factory() as session:
            tasks = [t for t in list_tasks(session) if t["bpmn_id"] in ACTORS]
        if not tasks:
            break
        for task in tasks:
            with factory() as session:
                complete_task(session, runtime, task_id=task["id"], username=ACTORS[task["bpmn_id"]],
                              data=DATA[task["bpmn_id"]], now=T0 + timedelta(hours=1))
                session.commit()
            dispatch_due(factory, transports, now=T0 + timedelta(hours=1), batch=5)
    finish = T0 + timedelta(hours=2) + run * (LEASE + timedelta(minutes=1))
    while dispatch_due(factory, transports, now=finish, batch=100).sent:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0))
