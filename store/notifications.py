"""Notifications to people (issue 13; H-R1.5 coordinators, H-R2.1 escalation, H-R4 handover, H-R5 rejection,
H-R3.2 waiver, H-S warnings): an unread entry for the worklist's badge and an internal mail through the
outbox, both in the caller's transaction. Each person can turn a kind off. Nothing is logged.

Kinds: `assigned` (a task is yours: distribution, reassignment), `coordinator_task` (a task in the
coordinator's lane: distribution, escalation, rejection proposal, waiver request, incoming handover),
`handover` (you are a handover's named receiver), `sla` (warning or breach on your case or team),
`customer_reply` (the customer wrote on your case while nothing waited for it)."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from domain.errors import FormInvalid
from store.models import CaseRow, MembershipRow, NotificationRow, NotificationSettingRow, UserRow
from store.insert_once import SUPPORTED, insert_or_skip
from store.outbox import enqueue

KINDS = {"assigned": "Opgaver tildelt mig", "coordinator_task": "Opgaver til mig som koordinator",
         "handover": "Sager overdraget til mig", "sla": "SLA-advarsler og -brud", "customer_reply": "Svar fra kunden"}


def enabled(session: Session, *, username: str, kind: str) -> bool:
    row = session.get(NotificationSettingRow, (username, kind))
    return row is None or row.enabled


def notify(session: Session, *, usernames, kind: str, case: CaseRow | None, summary: str, key: str,
           now: datetime) -> list[str]:
    """Tell each active person (once per `key`) unless they turned `kind` off; returns who was told.
    One query for the recipients, then per recipient one insert-or-skip (a retried step tells nobody twice)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    wanted = list(dict.fromkeys(u for u in usernames if u))
    if not wanted:
        return []
    with session.no_autoflush:
        found = {row.username: row for row in session.execute(_recipients(), {"usernames": wanted, "kind": kind})}
    told = []
    for username in wanted:
        person = found.get(username)
        if person is None or person.enabled is False:
            continue
        source = f"notify:{kind}:{username}:{key}"[:200]
        if not _add_once(session, source=source, username=username, kind=kind, case=case, summary=summary, now=now):
            continue   # told already (a retried step)
        if person.email:   # the internal mail; without an address the badge alone
            enqueue(session, key=source, kind="notification", case_id=case.id if case else None, now=now,
                    payload={"purpose": f"notify_{kind}", "case_number": case.number if case else None,
                             "summary": summary, "to": person.email})
        told.append(username)
    return told


@functools.cache
def _recipients():
    """Active people among :usernames with their address and their choice for :kind (NULL: on)."""
    setting, user = NotificationSettingRow.__table__, UserRow.__table__
    return (select(user.c.username, user.c.email, setting.c.enabled)
            .outerjoin(setting, (setting.c.username == user.c.username) & (setting.c.kind == bindparam("kind")))
            .where(user.c.username.in_(bindparam("usernames", expanding=True)), user.c.active.is_(True)))


def _add_once(session: Session, *, source: str, username: str, kind: str, case: CaseRow | None, summary: str,
              now: datetime) -> bool:
    """The notification row unless one with this source key is there (True when added)."""
    values = {"username": username, "kind": kind, "case_id": case.id if case else None, "summary": summary[:300],
              "created_at": now, "source_key": source}
    dialect = session.get_bind().dialect.name
    if dialect in SUPPORTED:
        statement = insert_or_skip(dialect, NotificationRow.__table__, binds={c: c for c in values},
                                   unique=("source_key",), returning=("id",))
        return session.connection().execute(statement, values).first() is not None
    with session.no_autoflush:
        if session.execute(select(NotificationRow.id).where(NotificationRow.source_key == source)).first():
            return False
    session.add(NotificationRow(**values))
    return True


def coordinators(session: Session, team: str | None) -> list[str]:
    if not team:
        return []
    return list(session.execute(_coordinators_query(), {"team": team}).scalars())


@functools.cache
def _coordinators_query():   # built once (issue 15)
    return select(MembershipRow.username).where(MembershipRow.team == bindparam("team"),
                                                MembershipRow.role == "coordinator")


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
