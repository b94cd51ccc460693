"""Where the CPU of one persisted completion goes, phase by phase (issue 15).

Each phase is a function of the completion path, timed with `time.process_time_ns` around every call
(a wrapper put on the function for the measurement and taken off after it: ~1 µs per call, not the
several-fold inflation of cProfile). Phases nest — a flush runs inside the engine run or the commit —
so the shares of nested rows are parts of their parent's. Used by benchmarks/completion.py."""
from __future__ import annotations

import gc
import importlib
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

# (label, "module:attribute" or "module:Class.method" — where the callers look it up)
PHASES = [
    ("whole completion (complete_task + commit)", None),
    ("find the task with its case and instance (one statement, instance locked)", "services.tasks:_task_for_completion"),
    ("the user and their teams (one statement)", "store.directory:DbDirectory.person"),
    ("workflow from memory or restored", "services.runtime:Runtime.load_workflow"),
    ("form validation", "services.tasks:validate_submission"),
    ("complete the task in the engine", "engine.adapter:Engine.complete_human_task"),
    ("the task row completed (one UPDATE)", "services.tasks:complete_task_row"),
    ("run the engine (service tasks incl.)", "engine.adapter:Engine.run"),
    ("  service tasks (Sagsflow's operations)", "services.runtime:run_operation"),
    ("projections (Runtime._project)", "services.runtime:Runtime._project"),
    ("  dump (serialize the state)", "engine.adapter:Engine.dump"),
    ("  the instance row saved (one UPDATE, version-guarded)", "services.runtime:save_instance"),
    ("  SLA deadlines (when their inputs changed)", "services.runtime:refresh_deadlines"),
    ("  notifications of new tasks", "services.runtime:notify_new_task"),
    ("  the case's changed columns (one UPDATE)", "services.runtime:write_changes"),
    ("Work Info and new task rows inserted (one INSERT per table)", "store.core_writes:write_rows"),
    ("ORM flushes (all)", "sqlalchemy.orm:Session.flush"),
    ("commit", "sqlalchemy.orm:Session.commit"),
]


def _resolve(path: str):
    module_name, attribute = path.split(":")
    owner = importlib.import_module(module_name)
    *outer, name = attribute.split(".")
    for part in outer:
        owner = getattr(owner, part)
    return owner, name


@contextmanager
def _timed(spent: Counter, calls: Counter, active: list[bool]):
    """Wrap every phase's function; calls count while active[0] (the completion, not the set-up)."""
    originals = []
    for label, path in PHASES:
        if path is None:
            continue
        owner, name = _resolve(path)
        function = owner.__dict__[name]

        def timed(*args, _function=function, _label=label, **kwargs):
            if not active[0]:
                return _function(*args, **kwargs)
            started = time.process_time_ns()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_label] += time.process_time_ns() - started
                calls[_label] += 1

        originals.append((owner, name, function))
        setattr(owner, name, timed)
    try:
        yield
    finally:
        for owner, name, function in reversed(originals):
            setattr(owner, name, function)


def profile(sagsflow, steps, complete, list_tasks, cases: int = 10) -> dict:
    """Per phase: CPU ms per completion and calls per completion, over `cases` cases of `steps`."""
    spent, calls = Counter(), Counter()
    completions = 0
    sagsflow.case("service", [], [], [])   # warm caches
    # the objects of the benchmarks before this one are frozen out of the collector's passes, as a served
    # app freezes its start-up objects (web/app.py): else a full collection lands on some phase's clock
    gc.collect()
    gc.freeze()
    active = [False]
    try:
        with _timed(spent, calls, active):
            for _ in range(cases):
                completions += _one_case(sagsflow, steps, complete, list_tasks, spent, calls, active)
    finally:
        gc.unfreeze()
    rows = [(label, spent[label] / completions / 1e6, calls[label] / completions) for label, _ in PHASES]
    return {"rows": rows, "completions": completions}


def _one_case(sagsflow, steps, complete, list_tasks, spent: Counter, calls: Counter, active: list[bool]) -> int:
    number = sagsflow.open()
    base = sagsflow.now
    whole = PHASES[0][0]
    for step, (bpmn_id, actor, data) in enumerate(steps, start=1):
        with sagsflow.factory() as session:
            task_id = next(x for x in list_tasks(session, case_number=number) if x["bpmn_id"] == bpmn_id)["id"]
        sagsflow.now = base + timedelta(minutes=step)
        active[0] = True
        started = time.process_time_ns()
        complete(sagsflow, task_id, actor, data)
        spent[whole] += time.process_time_ns() - started
        active[0] = False
        calls[whole] += 1
    return len(steps)
