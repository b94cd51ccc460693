"""The watchdog sweep (H-S, H-E1, H-E2): fires due BPMN timers and records SLA warnings and breaches.

One sweep = ``sweep(session_factory, runtime, *, now)``; ``sagsflow tick`` and the Prefect flow
``sla_watchdog`` both call it. Every unit of work is its own short transaction:
- a due timer: lock the instance, make the due timers fire, run engine steps, persist;
- a due case: lock the case, record each due warning/breach in ``sla_event`` (insert-or-skip on
  UNIQUE (case_id, target, kind)), write Work Info, queue a notification addressed per H-E
  (``domain.escalation.escalation_contacts`` at ``now``), recompute the next check time.
A case or instance another sweep holds is skipped; a lost insert race writes nothing. The
on-call procedure for critical/high cases (H-V1.2) is started by the diagram, not here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from config.handbook import handbook
from domain.calendar import require_aware, to_local
from domain.escalation import escalation_contacts
from services.failures import REFUSALS, ProcessFailed, process_failure, record_failure
from services.runtime import Runtime
from services.sla import (DueEvent, due_events, recorded_events, recorded_events_by_case, sla_config,
                          update_next_check)
from store.cases import add_work_info
from store.models import CaseRow, MembershipRow, UserRow
from services.absence import refresh_absence
from store.notifications import coordinators, notify
from store.outbox import enqueue
from store.sla import (claim_due_cases, claim_instance, due_case_ids, due_timer_instance_ids, due_timers_of,
                       record_events_once)

CASES_PER_TRANSACTION = 50   # one commit per batch of due cases, each case claimed with a row lock
ACTOR = "watchdog"
TARGET_LABELS = {"reaction": "Reaktionstiden", "resolution": "Løsningstiden"}


@dataclass
class SweepReport:
    """What one sweep did; ``skipped`` counts cases/instances another sweep held or had handled."""

    now: datetime
    timers_fired: int = 0
    cases_due: int = 0
    warnings: int = 0
    breaches: int = 0
    skipped: int = 0
    failed: int = 0        # timer steps that failed (recorded on the instance, issue 11)
    events: list[dict] = field(default_factory=list)   # {case, target, kind}

    def as_dict(self) -> dict:
        return {**asdict(self), "now": self.now.isoformat()}


def sweep(session_factory: sessionmaker[Session], runtime: Runtime, *, now: datetime,
          batch_size: int = 1000) -> SweepReport:
    """One watchdog sweep at `now` (aware). Commits per timer instance and per case."""
    now = require_aware(now, name="now")
    report = SweepReport(now=now)
    _sweep_timers(session_factory, runtime, now=now, report=report, batch_size=batch_size)
    _sweep_cases(session_factory, runtime, now=now, report=report, batch_size=batch_size)
    with session_factory() as session, session.begin():   # absence periods that began or ended (issue 13)
        refresh_absence(session, now=now)
    return report


# ---------------------------------------------------------------- BPMN timers
def _sweep_timers(factory, runtime: Runtime, *, now: datetime, report: SweepReport, batch_size: int) -> None:
    with factory() as session:
        instance_ids = due_timer_instance_ids(session, now=now, limit=batch_size)
    for instance_id in instance_ids:
        with factory() as session:
            try:
                with session.begin():
                    fired = fire_due_timers(session, runtime, instance_id=instance_id, now=now)
            except StaleDataError:   # a person advanced the same instance meanwhile; next sweep retries
                fired = None
            except ProcessFailed as failure:   # recorded; not tried again until `case retry` (issue 11)
                record_failure(factory, failure)
                report.failed += 1
                continue
        if fired is None:
            report.skipped += 1
        else:
            report.timers_fired += fired


def fire_due_timers(session: Session, runtime: Runtime, *, instance_id: int, now: datetime) -> int | None:
    """Fire the instance's timers that are due at `now`; None if another sweep holds the instance."""
    instance = claim_instance(session, instance_id=instance_id)
    if instance is None:
        return None
    due = due_timers_of(session, instance_id=instance_id, now=now)
    if not due:
        return 0
    bundle = runtime.bundle(session, instance.definition_id)
    workflow = runtime.engine.load(bundle, instance.state)
    runtime.engine.fire_timers(workflow, now=now)
    case = session.get(CaseRow, instance.case_id)
    try:
        runtime.advance(session, instance=instance, case=case, workflow=workflow, actor=ACTOR, now=now)
    except ProcessFailed as failure:
        failure.step = {"kind": "timer"}
        raise
    except REFUSALS as exc:   # nobody to tell: a refused timer step is a failure of the process (issue 11)
        raise process_failure(exc, instance=instance, task_meta=bundle.task_meta, actor=ACTOR, now=now,
                              element=getattr(exc, "sagsflow_element", None), step={"kind": "timer"}) from exc
    return len(due)


# ---------------------------------------------------------------- SLA warnings and breaches
def _sweep_cases(factory, runtime: Runtime, *, now: datetime, report: SweepReport, batch_size: int) -> None:
    config = sla_config(runtime.settings.config_dir)
    escalation = None
    seen: set[int] = set()
    while True:
        with factory() as session:
            case_ids = [i for i in due_case_ids(session, now=now, limit=batch_size) if i not in seen]
        if not case_ids:
            return
        escalation = escalation or _Escalation.at(config, now)   # the same for every event of the sweep
        seen.update(case_ids)
        report.cases_due += len(case_ids)
        for offset in range(0, len(case_ids), CASES_PER_TRANSACTION):
            chunk = case_ids[offset:offset + CASES_PER_TRANSACTION]
            with factory() as session, session.begin():
                claimed = claim_due_cases(session, case_ids=chunk, now=now)
                report.skipped += len(chunk) - len(claimed)
                recorded = recorded_events_by_case(session, claimed)   # one query for the batch (issue 15)
                with session.no_autoflush:   # the batch's writes go in one flush at commit, not one per case
                    _sweep_batch(session, cases=claimed, recorded=recorded, escalation=escalation, now=now,
                                 report=report)
        if len(case_ids) < batch_size:
            return


def _sweep_batch(session: Session, *, cases: list[CaseRow], recorded: dict[int, set[tuple[str, str]]],
                 escalation: _Escalation, now: datetime, report: SweepReport) -> None:
    """The claimed cases of one transaction. `recorded`: each case's events already recorded, read after
    the claim (one query). The due events of all the cases are inserted-or-skipped in one statement, in case
    order; then per case, for each event it inserted: Work Info, notifications, outbox; then its next check."""
    due = [(case, due_events(session, case=case, now=now, recorded=recorded[case.id])) for case in cases]
    inserted = record_events_once(session, [(case.id, event.target, event.kind, event.due_at)
                                            for case, events in due for event in events], now=now)
    for case, events in due:
        done = set(recorded[case.id])
        for event in events:
            if (case.id, event.target, event.kind) not in inserted:
                report.skipped += 1
                done = recorded_events(session, case)   # another sweep got there first
                continue
            done.add((event.target, event.kind))
            _announce(session, case=case, event=event, escalation=escalation, now=now)
            report.warnings += event.kind == "warning"
            report.breaches += event.kind == "breach"
            report.events.append({"case": case.number, "target": event.target, "kind": event.kind})
        update_next_check(session, case=case, recorded=done)


def case_people(session: Session, case: CaseRow) -> list[dict]:
    """The coordinator(s) of the case's team and its assignee, as notification contacts."""
    people = []
    if case.team:
        names = session.execute(select(MembershipRow.username).where(
            MembershipRow.team == case.team, MembershipRow.role == "coordinator")).scalars().all()
        people += [("coordinator", "Teamkoordinator", name) for name in names]
    if case.assignee:
        people.append(("assignee", "Sagens tekniker", case.assignee))
    found = []
    for role, label, username in people:
        user = session.get(UserRow, username)
        if user is not None and user.active and user.email and all(c.get("email") != user.email for c in found):
            found.append({"role": role, "label": f"{label} {user.display_name}", "email": user.email})
    return found


@dataclass(frozen=True)
class _Escalation:
    """Who is told of an event at `now` by the SLA configuration (H-E1/H-E2), and whether `now` is within
    contact hours: a function of `now` alone, so worked out once per sweep."""

    in_hours: bool
    contacts: tuple[dict, ...]

    @classmethod
    def at(cls, config, now: datetime) -> _Escalation:
        roles = escalation_contacts(at=now, policy=config.escalation_policy)
        return cls(in_hours=config.escalation_policy.contact_hours.is_open(now),
                   contacts=tuple({"role": role, **config.contacts[role].model_dump(exclude_none=True)}
                                  for role in roles))


def _announce(session: Session, *, case: CaseRow, event: DueEvent, escalation: _Escalation, now: datetime) -> None:
    """Work Info (H-R1.1) and an outbox notification to the escalation contacts (H-E1/H-E2)."""
    book = handbook()
    in_hours = escalation.in_hours
    contacts = [dict(contact) for contact in escalation.contacts]
    contacts += case_people(session, case)   # the case's coordinator and assignee are told too (issue 12)
    priority = book.labels.get("priority", {}).get(case.priority, case.priority)
    deadline = (case.reaction_due if event.target == "reaction" else case.resolution_due) or event.due_at
    when = to_local(deadline).strftime("%d-%m-%Y kl. %H:%M")   # a warning states the deadline, not itself
    label = TARGET_LABELS[event.target]
    summary = (f"SLA-advarsel: {label.lower()} ({priority}) udløber {when}" if event.kind == "warning"
               else f"SLA overskredet: {label.lower()} ({priority}) udløb {when}")
    hours = "normal arbejdstid" if in_hours else "uden for normal arbejdstid"
    notes = f"Eskaleres til ({hours}): " + ", ".join(c["label"] for c in contacts)
    name = f"sla_{event.kind}"
    add_work_info(session, case_id=case.id, event=name, work_log_type=book.work_log_type(name), summary=summary,
                  notes=notes, author=ACTOR, view_access="internal", now=now)
    notify(session, usernames=[*coordinators(session, case.team), case.assignee], kind="sla", case=case, now=now,
           key=f"{case.number}:{name}:{event.target}", summary=summary)   # issue 13: the team is told too
    enqueue(session, key=f"{case.number}:{name}:{event.target}", kind="notification", case_id=case.id, now=now,
            payload={"purpose": name, "case_number": case.number, "target": event.target, "kind": event.kind,
                     "priority": case.priority, "due_at": event.due_at.isoformat(), "summary": summary,
                     "in_contact_hours": in_hours, "contacts": contacts})
