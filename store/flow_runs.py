"""Links from cases and outbox items to the Prefect runs that did their timed work (issue 16; H-R1.1):
one row per task run (a delivery, a fired timer, an SLA warning or breach) with its outcome state.
Prefect keeps the runs; this table lets the case page and the admin outbox link to them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.models import Base, CaseRow, OutboxRow, ProcessDefinitionRow, ProcessInstanceRow, WaitingTimerRow


class FlowRunLinkRow(Base):
    __tablename__ = "flow_run_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)
    flow_name: Mapped[str] = mapped_column(String(80))
    flow_run_id: Mapped[str] = mapped_column(String(36))
    task_run_id: Mapped[str | None] = mapped_column(String(36))
    task_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(40))           # Prefect state name, e.g. Sendt, Forsøges igen
    recorded_at: Mapped[datetime]


def add_links(session: Session, links: list[dict], *, now: datetime) -> None:
    """Record task runs: dicts with case_id, outbox_id, flow_name, flow_run_id, task_run_id, task_name, state."""
    for link in links:
        session.add(FlowRunLinkRow(**{k: link.get(k) for k in ("case_id", "outbox_id", "flow_name", "flow_run_id",
                                                              "task_run_id", "task_name", "state")},
                                   recorded_at=now))


def links_of_case(session: Session, case_id: int, limit: int = 200) -> list[FlowRunLinkRow]:
    return list(session.scalars(select(FlowRunLinkRow).where(FlowRunLinkRow.case_id == case_id)
                                .order_by(FlowRunLinkRow.recorded_at.desc(), FlowRunLinkRow.id.desc()).limit(limit)))


def latest_links_of_outbox(session: Session, outbox_ids: list[int]) -> dict[int, FlowRunLinkRow]:
    """The newest task run of each outbox item (its last delivery attempt)."""
    if not outbox_ids:
        return {}
    newest = (select(func.max(FlowRunLinkRow.id)).where(FlowRunLinkRow.outbox_id.in_(outbox_ids))
              .group_by(FlowRunLinkRow.outbox_id))
    rows = session.scalars(select(FlowRunLinkRow).where(FlowRunLinkRow.id.in_(newest)))
    return {row.outbox_id: row for row in rows}


def due_timer_cases(session: Session, *, now: datetime, limit: int = 1000) -> list[tuple[int, int, str | None, list[str]]]:
    """(instance id, case id, case number, names of the due timers) of instances with a BPMN timer due
    at `now`; the name is the timer's name on the diagram (its id when it has none)."""
    rows = session.execute(select(WaitingTimerRow.instance_id, ProcessInstanceRow.case_id, CaseRow.number,
                                  WaitingTimerRow.bpmn_id, ProcessInstanceRow.definition_id)
                           .join(ProcessInstanceRow, ProcessInstanceRow.id == WaitingTimerRow.instance_id)
                           .join(CaseRow, CaseRow.id == ProcessInstanceRow.case_id)
                           .where(WaitingTimerRow.due_at <= now, ProcessInstanceRow.failed_at.is_(None))
                           .order_by(WaitingTimerRow.instance_id).limit(limit)).all()   # failed: see issue 11
    meta = {d.id: d.task_meta or {} for d in session.scalars(
        select(ProcessDefinitionRow).where(ProcessDefinitionRow.id.in_({r.definition_id for r in rows})))} if rows else {}
    found: dict[int, tuple[int, int, str | None, list[str]]] = {}
    for instance_id, case_id, number, bpmn_id, definition_id in rows:
        name = (meta.get(definition_id, {}).get(bpmn_id) or {}).get("name") or bpmn_id
        found.setdefault(instance_id, (instance_id, case_id, number, []))[3].append(name)
    return list(found.values())


def cases_by_number(session: Session, numbers: list[str]) -> dict[str, CaseRow]:
    if not numbers:
        return {}
    return {c.number: c for c in session.scalars(select(CaseRow).where(CaseRow.number.in_(numbers)))}


def outbox_items(session: Session, ids: list[int]) -> list[OutboxRow]:
    if not ids:
        return []
    return list(session.scalars(select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.id)))
