"""Notifications to people (issue 13; H-R1.5 coordinators, H-R2.1 escalation, H-R4 handover, H-R5 rejection,
H-R3.2 waiver, H-S warnings): an unread entry for the worklist's badge and an internal mail through the
outbox, both in the caller's transaction. Each person can turn a kind off. Nothing is logged.

Kinds: `assigned` (a task is yours: distribution, reassignment), `coordinator_task` (a task in the
coordinator's lane: distribution, escalation, rejection proposal, waiver request, incoming handover),
`handover` (you are a handover's named receiver), `sla` (warning or breach on your case or team),
`customer_reply` (the customer wrote on your case while nothing waited for it)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.errors import FormInvalid
from store.models import CaseRow, MembershipRow, NotificationRow, NotificationSettingRow, UserRow
from store.outbox import enqueue

KINDS = {"assigned": "Opgaver tildelt mig", "coordinator_task": "Opgaver til mig som koordinator",
         "handover": "Sager overdraget til mig", "sla": "SLA-advarsler og -brud", "customer_reply": "Svar fra kunden"}


def enabled(session: Session, *, username: str, kind: str) -> bool:
    row = session.get(NotificationSettingRow, (username, kind))
    return row is None or row.enabled


def notify(session: Session, *, usernames, kind: str, case: CaseRow | None, summary: str, key: str,
           now: datetime) -> list[str]:
    """Tell each active person (once per `key`) unless they turned `kind` off; returns who was told."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    told = []
    for username in dict.fromkeys(u for u in usernames if u):
        user = session.get(UserRow, username)
        if user is None or not user.active or not enabled(session, username=username, kind=kind):
            continue
        source = f"notify:{kind}:{username}:{key}"[:200]
        if _already(session, source):
            continue   # told already (a retried step)
        session.add(NotificationRow(username=username, kind=kind, case_id=case.id if case else None,
                                    summary=summary[:300], created_at=now, source_key=source))
        if user.email:   # the internal mail; without an address the badge alone
            enqueue(session, key=source, kind="notification", case_id=case.id if case else None, now=now,
                    payload={"purpose": f"notify_{kind}", "case_number": case.number if case else None,
                             "summary": summary, "to": user.email})
        told.append(username)
    return told


def _already(session: Session, source: str) -> bool:
    if any(isinstance(o, NotificationRow) and o.source_key == source for o in session.new):
        return True
    with session.no_autoflush:
        found = session.execute(select(NotificationRow.id).where(NotificationRow.source_key == source)).first()
    return found is not None


def coordinators(session: Session, team: str | None) -> list[str]:
    if not team:
        return []
    query = select(MembershipRow.username).where(MembershipRow.team == team, MembershipRow.role == "coordinator")
    return list(session.execute(query).scalars())


def notify_new_task(session: Session, *, case: CaseRow, task_name: str, task_id: str, team: str | None, role: str,
                    assignee: str | None, actor: str = "", now: datetime) -> None:
    """A new human task: the coordinator(s) of a coordinator-lane task, else the assigned technician —
    not the person whose own step just made it."""
    if role == "coordinator":
        notify(session, usernames=[u for u in coordinators(session, team) if u != actor], kind="coordinator_task",
               case=case, now=now, key=task_id, summary=f"Ny opgave til koordinator: {task_name} ({case.number})")
    elif assignee and assignee != actor:
        notify(session, usernames=[assignee], kind="assigned", case=case, now=now, key=task_id,
               summary=f"Ny opgave til dig: {task_name} ({case.number})")


def unread_count(session: Session, *, username: str) -> int:
    query = select(func.count(NotificationRow.id)).where(NotificationRow.username == username,
                                                         NotificationRow.read_at.is_(None))
    return session.execute(query).scalar_one()


def notifications_of(session: Session, *, username: str, limit: int = 100) -> list[NotificationRow]:
    query = (select(NotificationRow).where(NotificationRow.username == username)
             .order_by(NotificationRow.id.desc()).limit(limit))
    return list(session.execute(query).scalars())


def mark_read(session: Session, *, username: str, now: datetime) -> int:
    result = session.execute(update(NotificationRow).where(NotificationRow.username == username,
                                                           NotificationRow.read_at.is_(None)).values(read_at=now))
    return result.rowcount


def settings_of(session: Session, *, username: str) -> dict[str, bool]:
    return {kind: enabled(session, username=username, kind=kind) for kind in KINDS}


def change_settings(session: Session, *, username: str, choices: dict[str, bool]) -> dict[str, bool]:
    unknown = sorted(set(choices) - set(KINDS))
    if unknown:
        raise FormInvalid({kind: "Ukendt slags besked." for kind in unknown})
    for kind, on in choices.items():
        row = session.get(NotificationSettingRow, (username, kind))
        if row is None:
            session.add(NotificationSettingRow(username=username, kind=kind, enabled=bool(on)))
        else:
            row.enabled = bool(on)
    session.flush()
    return settings_of(session, username=username)
