"""The handbook's four preconditions for good case handling, measured per case (issue 16): ownership
and responsibility placed and visible (H-R1.5, H-R2), clean handovers (H-R4, H-D4), continuous
communication with the customer (H-R1.3, H-R1.4), documentation in the ticket system (H-R1.1, H-R1.2,
H-C, H-C2) — plus the bad case flows as patterns. Pure functions over a case's history (Work Info,
human tasks, contact attempts, outbox, SLA events) as Sagsflow records it; definitions in
docs/insight.md. Plain Python rather than a process-mining library: the patterns are a few rules over
short per-case sequences, and pm4py would bring pandas/numpy/scipy for no extra insight."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from domain.calendar import BusinessCalendar, to_local

SERVICE_DESK = "service_desk"
UNOWNED_LIMIT_H = 8.0          # a team stint longer than this without a named owner fails "ownership"
OWNER_CHANGES_LIMIT = 2
SILENT_WORKING_DAYS = 3.0      # an open case without customer contact for longer is "silent"
MANY_TEAM_CHANGES = 3
CLOSED = ("closed", "rejected", "routed")
PRECONDITIONS = ("ownership", "handover", "communication", "documentation")
# The handbook's named steps the measures look for (their Work Info events are "task.<id>").
HANDOVER_CONFIRMATION, CLOSURE_CHECKLIST = "confirm_personal_handover", "closure_checklist"
PATTERNS = ("reopened", "many_team_changes", "silent", "rejected_reregistered", "breached_waiting_coordinator")


@dataclass
class CaseHistory:
    case: object                       # CaseRow
    work_info: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    outbox: list = field(default_factory=list)
    sla_events: list = field(default_factory=list)


@dataclass
class CaseInsight:
    number: str
    team: str
    priority: str | None
    status: str
    week: str
    unowned_hours: float = 0.0
    owner_changes: int = 0
    coordinator_tasks_open: int = 0
    coordinator_wait_hours: float = 0.0
    teams: list[str] = field(default_factory=list)
    team_changes: int = 0
    named_handovers: int = 0
    ping_pong: bool = False
    unconfirmed_critical: int = 0
    days_since_contact: float | None = None
    silent_working_days: float | None = None
    information_requests: int = 0
    information_answered: int = 0
    customer_told: dict[str, bool] = field(default_factory=dict)
    steps: int = 0
    steps_documented: int = 0
    solution_before_resolution: bool | None = None
    checklist_complete: bool | None = None
    cmdb_mail_sent: bool | None = None
    patterns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> dict[str, bool]:
        return {
            "ownership": self.unowned_hours <= UNOWNED_LIMIT_H and self.owner_changes <= OWNER_CHANGES_LIMIT,
            "handover": self.named_handovers >= self.team_changes and not self.ping_pong
                        and self.unconfirmed_critical == 0,
            "communication": all(self.customer_told.values()) and self.information_answered >= self.information_requests
                             and not (self.silent_working_days or 0) > SILENT_WORKING_DAYS,
            "documentation": self.steps_documented >= self.steps
                             and False not in (self.solution_before_resolution, self.checklist_complete,
                                               self.cmdb_mail_sent)}

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def iso_week(moment: datetime) -> str:
    year, week, _ = to_local(moment).isocalendar()
    return f"{year}-W{week:02d}"


def _hours(delta: timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0) / 3600.0, 2)


def stints(tasks: list) -> list[tuple[str, list]]:
    """Consecutive runs of the case's human tasks in one resolver team (the service desk left out)."""
    runs: list[tuple[str, list]] = []
    for task in tasks:
        if not task.team or task.team == SERVICE_DESK:
            continue
        if runs and runs[-1][0] == task.team:
            runs[-1][1].append(task)
        else:
            runs.append((task.team, [task]))
    return runs


def measure(history: CaseHistory, *, now: datetime, calendar: BusinessCalendar) -> CaseInsight:
    case = history.case
    insight = CaseInsight(number=case.number or "", team=case.team or SERVICE_DESK, priority=case.priority,
                          status=case.status, week=iso_week(case.received_at))
    events = Counter(w.event for w in history.work_info)
    handovers = [w.created_at for w in history.work_info if w.event == "handover"]
    _ownership(insight, history, handovers=handovers, events=events, now=now)
    _handover(insight, history, handovers=handovers)
    _communication(insight, history, now=now, calendar=calendar)
    _documentation(insight, history, events=events)
    insight.patterns = case_patterns(insight, history, events=events)
    return insight


def _ownership(insight: CaseInsight, history: CaseHistory, *, handovers, events: Counter, now: datetime) -> None:
    case, runs = history.case, stints(history.tasks)
    end_of_case = case.closed_at if case.status in CLOSED and case.closed_at else now
    distributions = 0
    for index, (_team, tasks) in enumerate(runs):
        start = tasks[0].created_at
        end = runs[index + 1][1][0].created_at if index + 1 < len(runs) else end_of_case
        previous = runs[index - 1][1][0].created_at if index else case.received_at
        if any(previous <= at <= start for at in handovers):   # handed over to a named receiver: owned at once
            continue
        done = [t.completed_at for t in tasks if t.role == "coordinator" and t.completed_at]
        distributions += len(done[:1])
        insight.unowned_hours += _hours((min(done) if done else end) - start)
    insight.unowned_hours = round(insight.unowned_hours, 2)
    insight.owner_changes = max(0, distributions + len(handovers) - 1) + events["reassigned"]
    coordinator = [t for t in history.tasks if t.role == "coordinator"]
    insight.coordinator_tasks_open = sum(1 for t in coordinator if t.status == "open")
    insight.coordinator_wait_hours = round(sum(_hours((t.completed_at or now) - t.created_at) for t in coordinator
                                               if t.status != "cancelled"), 2)


def _handover(insight: CaseInsight, history: CaseHistory, *, handovers) -> None:
    runs = stints(history.tasks)
    insight.teams = [team for team, _ in runs]
    insight.team_changes = max(0, len(runs) - 1)
    insight.named_handovers = min(len(handovers), insight.team_changes)
    insight.ping_pong = len(set(insight.teams)) < len(insight.teams)
    if history.case.priority in ("critical", "high"):
        for index, (_team, tasks) in enumerate(runs):
            previous = runs[index - 1][1][0].created_at if index else history.case.received_at
            confirmed = any(t.bpmn_id == HANDOVER_CONFIRMATION and t.status == "completed" for t in tasks) \
                or any(previous <= at <= tasks[0].created_at for at in handovers)
            waiting = all(t.status == "open" for t in tasks) and len(tasks) == 1
            insight.unconfirmed_critical += not confirmed and not waiting


def customer_mails(history: CaseHistory) -> list:
    email = (history.case.customer_email or "").lower()
    return [o for o in history.outbox if o.kind == "mail" and email
            and str((o.payload or {}).get("to", "")).lower() == email]


def _communication(insight: CaseInsight, history: CaseHistory, *, now: datetime, calendar: BusinessCalendar) -> None:
    case, info = history.case, history.work_info
    sent = [o.sent_at for o in customer_mails(history) if o.status == "sent" and o.sent_at]
    contacts = [c.at for c in history.contacts if c.outcome not in ("auto_reply", "bounce")]
    replies = [w.created_at for w in info if w.event == "customer_reply"]
    last = max([case.received_at, *sent, *contacts, *replies])
    if case.status not in CLOSED:
        insight.days_since_contact = round((now - last).total_seconds() / 86400.0, 1)
        insight.silent_working_days = round(calendar.elapsed(last, now) / calendar.working_day, 1)
    requests = [w.created_at for w in info if w.event == "information_request"]
    insight.information_requests = len(requests)
    insight.information_answered = sum(1 for i, at in enumerate(requests)
                                       if any(at <= r and (i + 1 == len(requests) or r <= requests[i + 1])
                                              for r in replies))
    told: dict[str, bool] = {}
    first = {e: min((w.created_at for w in info if w.event == e), default=None)
             for e in ("routed", "solution", "rejection")}
    reached = [c.at for c in history.contacts if c.outcome in ("reached", "reply")]
    for milestone, at in (("routing", first["routed"]), ("resolution", first["solution"]),
                          ("rejection", first["rejection"])):
        if at is not None:
            told[milestone] = any(s >= at for s in sent) or any(r >= at for r in reached)
    if case.status == "closed":
        told["closure"] = any(w.event == f"task.{CLOSURE_CHECKLIST}" for w in info) or bool(reached)
    insight.customer_told = told


def _documentation(insight: CaseInsight, history: CaseHistory, *, events: Counter) -> None:
    case = history.case
    done = Counter(t.bpmn_id for t in history.tasks if t.status == "completed")
    insight.steps = sum(done.values())
    insight.steps_documented = sum(min(n, events[f"task.{bpmn_id}"]) for bpmn_id, n in done.items())
    solutions = [w for w in history.work_info if w.event == "solution"]
    if case.resolved_at is not None or solutions:
        limit = (case.resolved_at or case.closed_at or solutions[-1].created_at) + timedelta(seconds=1)
        insight.solution_before_resolution = any(w.notes.strip() and w.created_at <= limit for w in solutions)
    if case.status == "closed":
        insight.checklist_complete = events[f"task.{CLOSURE_CHECKLIST}"] > 0
    if events["cmdb_update"]:
        insight.cmdb_mail_sent = any((o.payload or {}).get("purpose") == "cmdb_update" and o.status == "sent"
                                     for o in history.outbox)


def case_patterns(insight: CaseInsight, history: CaseHistory, *, events: Counter) -> list[str]:
    """The bad flows visible in one case (re-registration after a rejection needs other cases: report)."""
    found = []
    case = history.case
    if events["solution"] >= 2 or (events["solution"] and case.resolved_at is None and case.status not in CLOSED):
        found.append("reopened")
    if insight.team_changes >= MANY_TEAM_CHANGES:
        found.append("many_team_changes")
    if (insight.silent_working_days or 0) > SILENT_WORKING_DAYS:
        found.append("silent")
    waits = [(t.created_at, t.completed_at) for t in history.tasks if t.role == "coordinator" and t.status != "cancelled"]
    if any(e.kind == "breach" and any(start <= e.due_at and (end is None or e.due_at <= end) for start, end in waits)
           for e in history.sla_events):
        found.append("breached_waiting_coordinator")
    return found
