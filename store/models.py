"""SQLAlchemy tables: the only schema. Cases and Work Info (H-R1.1), process definitions stored once
per content hash, instances (state without the definition), the human-task projection for the
worklist, waiting timers, and the outbox for side effects written in the same transaction."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary,
                        String, Text, TypeDecorator, UniqueConstraint, false, literal_column, true)
from sqlalchemy.types import UserDefinedType
from sqlalchemy import insert_sentinel
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


class _SqliteMicroseconds(UserDefinedType):
    """A DATETIME column of SQLite holding microseconds since 1970-01-01 UTC as an integer (migration 0019):
    at most 8 bytes where SQLAlchemy's text takes 26; the driver passes the integer through as it is."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "DATETIME"


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend: PostgreSQL timestamptz; SQLite an integer of microseconds since
    1970-01-01 UTC (text written before migration 0019 is still read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return _SqliteMicroseconds()
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass aware UTC datetimes")
        if dialect.name == "sqlite":
            return (value - EPOCH) // MICROSECOND
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        return as_utc(value)


def as_utc(value) -> datetime | None:
    """An aware UTC datetime from what a driver delivers for a UtcDateTime column: SQLite's integer (or text
    from before migration 0019, '2026-11-23 09:00:00.000000', UTC), PostgreSQL's aware datetime."""
    if value is None:
        return None
    if isinstance(value, int):
        return EPOCH + timedelta(microseconds=value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is timezone.utc:
        return value
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime()}


class UserRow(Base):
    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    absent: Mapped[bool] = mapped_column(Boolean, default=False)


class TeamRow(Base):
    __tablename__ = "team"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class MembershipRow(Base):
    __tablename__ = "team_membership"
    username: Mapped[str] = mapped_column(ForeignKey("app_user.username"), primary_key=True)
    team: Mapped[str] = mapped_column(ForeignKey("team.code"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))  # technician | coordinator


class ProcessDefinitionRow(Base):
    __tablename__ = "process_definition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    process_id: Mapped[str] = mapped_column(String(200))
    spec: Mapped[dict] = mapped_column(JSON)          # serialized spec + subprocess specs, once
    task_meta: Mapped[dict] = mapped_column(JSON)     # bpmn id -> lane id, topic, inputs, name
    sources: Mapped[dict] = mapped_column(JSON)       # file name -> diagram text, for viewing
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(64))


class DeploymentRow(Base):
    """Issue 10: the newest deployment of a process names the definition version new cases start on
    (on every host); rolling back is deploying an earlier version again."""

    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200))
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime]
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    __table_args__ = (Index("ix_deployment_process", "process_id", "id"),)


class CompactJSON(TypeDecorator):
    """JSON as compact text (no spaces, UTF-8 instead of \\u escapes): for data only read back whole."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


class RecordedAnswerRow(Base):
    """Data delivered into a process outside a human task — a customer's mail reply (bpmn_id
    ``message:<name>``) — replayed on a candidate version (issue 10). A human task's answers are on its
    own row (HumanTaskRow.answers, migration 0016); `seq` orders both within a case."""

    __tablename__ = "recorded_answer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    answers: Mapped[dict] = mapped_column(JSON)
    answered_by: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime]
    seq: Mapped[int | None]    # the instance's version when it was delivered (migration 0016)
    __table_args__ = (Index("ix_recorded_answer_case", "case_id", "id"),)


class CaseRow(Base):
    __tablename__ = "case_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    case_type: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), index=True)
    impact: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[int] = mapped_column(Integer)
    priority: Mapped[str | None] = mapped_column(String(10))
    sla_level: Mapped[str] = mapped_column(String(10))
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str | None] = mapped_column(String(320))
    customer_phone: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(index=True)   # the case list's default sort (issue 12)
    started_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    remedy_incident_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # SLA deadlines (H-S, H-S1), recomputed by services.sla after every change; next_sla_check_at is the
    # earliest pending warning/breach time, so the watchdog selects due cases with one indexed query.
    reaction_due: Mapped[datetime | None] = mapped_column(index=True)
    reaction_warn_at: Mapped[datetime | None]
    resolution_due: Mapped[datetime | None] = mapped_column(index=True)
    resolution_warn_at: Mapped[datetime | None]
    sla_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    next_sla_check_at: Mapped[datetime | None] = mapped_column(index=True)
    # Remedy sync (H-R1.1): the HPD:Help Desk entry, its last change seen, the status last pushed back.
    remedy_entry_id: Mapped[str | None] = mapped_column(String(40))
    remedy_last_modified: Mapped[datetime | None] = mapped_column(index=True)
    remedy_pushed_status: Mapped[str | None] = mapped_column(String(30))
    remedy_status: Mapped[str | None] = mapped_column(String(30))        # Remedy's status, last read or accepted
    remedy_view: Mapped[dict | None] = mapped_column(JSON)          # Remedy-side facts last seen (assignment, notes)
    customer_site: Mapped[str | None] = mapped_column(String(200))        # the incident's Site (issue 14)
    coverage: Mapped[str | None] = mapped_column(String(20))   # a coverage calendar agreed for this case (H-S2)
    # The conversation (issue 13, H-D3): a per-case token in the subject tag / Reply-To that proves a reply
    # belongs to this case's thread (issue 9 verified senders), and the end user from first triage.
    reply_token: Mapped[str | None] = mapped_column(String(16))
    end_user_name: Mapped[str | None] = mapped_column(String(200))
    end_user_email: Mapped[str | None] = mapped_column(String(320))
    end_user_phone: Mapped[str | None] = mapped_column(String(40))


class CasePauseRow(Base):
    """The case waited for the customer from started_at until ended_at (None: still waiting; H-R1.4)."""

    __tablename__ = "case_pause"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(20), default="customer", server_default="customer")  # | resolved


class SlaEventRow(Base):
    """An SLA warning or breach, recorded exactly once per case, target and kind (H-S)."""

    __tablename__ = "sla_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    target: Mapped[str] = mapped_column(String(20))      # reaction | resolution
    kind: Mapped[str] = mapped_column(String(20))        # warning | breach
    due_at: Mapped[datetime]                             # the warning time or deadline that passed
    recorded_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("case_id", "target", "kind", name="uq_sla_event_once"),)


class WorkInfoRow(Base):
    __tablename__ = "work_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    event: Mapped[str] = mapped_column(String(80))
    work_log_type: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(64))
    view_access: Mapped[str] = mapped_column(String(10), default="internal")  # internal | public
    created_at: Mapped[datetime]
    remedy_queued_at: Mapped[datetime | None]   # queued for HPD:WorkLog (only cases linked to Remedy)
    # the HPD:WorkLog entry this Work Info was imported from (written in Remedy; issue 14), once each
    remedy_work_log_id: Mapped[str | None] = mapped_column(String(40))
    # SQLAlchemy's insert sentinel (migration 0017): a step's Work Info rows go in one INSERT … RETURNING on
    # SQLite too, whose row order SQLAlchemy does not otherwise trust (0, 1, 2 … within one statement)
    insert_order: Mapped[int | None] = insert_sentinel("insert_order")
    __table_args__ = (Index("uq_work_info_remedy_work_log", "remedy_work_log_id", unique=True),)
    # full text of summary + notes: SQLite FTS5 table work_info_search (rowid = id), PostgreSQL a GIN
    # index on work_info_search(summary, notes) — both made by migration 0016, one entry per row


class ProcessInstanceRow(Base):
    __tablename__ = "process_instance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), unique=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    state: Mapped[bytes] = mapped_column(LargeBinary)   # zstd (older rows: zlib) of the workflow's JSON without its spec (engine/state_codec.py)
    status: Mapped[str] = mapped_column(String(20), index=True)  # running | completed | error
    error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]
    # issue 11: the failure of the last attempt to advance (set in its own transaction; cleared on success)
    failed_at: Mapped[datetime | None] = mapped_column(index=True)
    failed_element: Mapped[str | None] = mapped_column(String(200))   # bpmn id of the failing element
    failed_by: Mapped[str | None] = mapped_column(String(64))
    failed_step: Mapped[dict | None] = mapped_column(JSON)             # what `case retry` runs again
    __mapper_args__ = {"version_id_col": version}


class InstanceChangeRow(Base):
    """Issue 11: audit of control actions on an instance — failure, retry, migration (from/to version),
    cancellation (with its reason in details)."""

    __tablename__ = "instance_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    kind: Mapped[str] = mapped_column(String(20))        # failure | retry | migrate | cancel
    from_definition_id: Mapped[int | None]
    to_definition_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    details: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (Index("ix_instance_change_instance", "instance_id", "id"),)


class HumanTaskRow(Base):
    __tablename__ = "human_task"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task uuid
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))        # member | coordinator
    status: Mapped[str] = mapped_column(String(20))      # open | completed | cancelled
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))
    sla_due_at: Mapped[datetime | None]   # the case's current SLA deadline, copied for the worklist's sort
    # the answers submitted with the task, as data (replayed on a candidate version, issue 10), and the
    # instance's version when they were given: the replay order of a case's answers (migration 0016)
    answers: Mapped[dict | None] = mapped_column(CompactJSON, deferred=True)
    answer_seq: Mapped[int | None]
    __table_args__ = (Index("ix_human_task_worklist", "status", "team", "role", "sla_due_at"),   # partial: OPEN_TASK
                      # partial, WHERE claimed_by IS NOT NULL, on both databases (migration 0015); not written here:
                      # naming postgresql_where makes SQLAlchemy load its PostgreSQL dialect in every process, also
                      # on SQLite (≈ 0.02 s of `sagsflow case show`, issue 15), and Alembic's comparison ignores it
                      Index("ix_human_task_claimed", "claimed_by", "status", "sla_due_at"))


# ix_human_task_worklist holds open tasks only (migration 0018): a statement that should use it names the
# state as this literal — a PostgreSQL generic plan (a prepared statement after its first executions) does
# not use a partial index through a bound parameter (tests/store/test_open_task_index.py)
OPEN_TASK = HumanTaskRow.status == literal_column("'open'")


class WaitingTimerRow(Base):
    __tablename__ = "waiting_timer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(index=True)


class OutboxRow(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))        # mail | call | remedy | notification
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))      # pending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)   # mail: stored before sending
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
                      Index("ix_outbox_due", "status", "next_attempt_at"))


class ContactAttemptRow(Base):
    """One attempt to reach the customer before closure (H-R1.3), by mail or phone."""

    __tablename__ = "contact_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))        # mail | phone
    direction: Mapped[str] = mapped_column(String(10))      # outbound | inbound
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(30))        # sent, reached, no_answer, …, reply, auto_reply, bounce
    counts: Mapped[bool] = mapped_column(Boolean)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))
    source_key: Mapped[str] = mapped_column(String(200), unique=True)   # idempotency (task id / message id)


class InboundMailRow(Base):
    """One inbound mail handled by the mail reader (H-R1.3, H-R1.4): makes a repeated poll a no-op."""

    __tablename__ = "inbound_mail"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_key: Mapped[str] = mapped_column(String(255), unique=True)   # Message-ID, or a hash of the raw mail
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    # delivered | recorded | auto_reply | bounce | unverified | accepted | rejected | quarantined
    disposition: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime]
    from_address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)              # the cleaned text (conversation, unverified)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)      # only a quarantined mail keeps its raw bytes
    error: Mapped[str | None] = mapped_column(String(300))      # why it was quarantined (no customer text)
    decided_by: Mapped[str | None] = mapped_column(String(64))  # who accepted or rejected an unverified mail
    decided_at: Mapped[datetime | None]


class AttachmentRow(Base):
    """A file on a case (issue 13): content-addressed on disk by sha256, metadata here."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    inbound_mail_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_mail.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))     # sniffed from the content, not the name
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    visible: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())   # False: unverified mail
    created_at: Mapped[datetime]


class NotificationRow(Base):
    """An internal notification for one person (issue 13): the worklist's unread badge."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("app_user.username"))
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"))
    summary: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    source_key: Mapped[str] = mapped_column(String(200))   # one notification per person and event
    __table_args__ = (Index("ix_notification_unread", "username", "read_at"),
                      UniqueConstraint("source_key", name="uq_notification_source_key"))


class NotificationSettingRow(Base):
    """A person's choice for one kind of notification (absent row: on)."""

    __tablename__ = "notification_setting"
    username: Mapped[str] = mapped_column(ForeignKey("app_user.username"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)


class AbsenceRow(Base):
    """A person is absent from starts_at until ends_at (H-R2.2), recorded by them or their coordinator."""

    __tablename__ = "absence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("app_user.username"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_absence_username", "username", "ends_at"),)


class WebSessionRow(Base):
    """A signed-in browser session (issue 9), kept on the server so that sign-out and a password
    change end it at once. The cookie carries a random token; only its SHA-256 is stored."""

    __tablename__ = "web_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("app_user.username"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_web_session_username", "username", "revoked_at"),)


class AuthEventRow(Base):
    """The sign-in audit log (issue 9): successes, failures, locks, sign-outs and revocations, read
    by administrators and used to throttle guessing per account and per client address."""

    __tablename__ = "auth_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(200), default="", server_default="")
    __table_args__ = (Index("ix_auth_event_username", "username", "at"), Index("ix_auth_event_client", "client", "at"))
