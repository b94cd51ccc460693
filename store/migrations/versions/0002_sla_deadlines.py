"""SLA deadlines on cases, pauses and SLA events (H-S, H-S1, H-R1.4).

Hand-written; batch operations so that SQLite (render_as_batch) and PostgreSQL both work.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_DEADLINES = ("reaction_due", "reaction_warn_at", "resolution_due", "resolution_warn_at")
_INDEXED = ("reaction_due", "resolution_due", "next_sla_check_at")


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        for name in _DEADLINES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_paused", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("next_sla_check_at", sa.DateTime(timezone=True), nullable=True))
        for name in _INDEXED:
            batch_op.create_index(f"ix_case_record_{name}", [name], unique=False)

    op.create_table(
        "case_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_pause", schema=None) as batch_op:
        batch_op.create_index("ix_case_pause_case_id", ["case_id"], unique=False)

    op.create_table(
        "sla_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "target", "kind", name="uq_sla_event_once"),
    )
    with op.batch_alter_table("sla_event", schema=None) as batch_op:
        batch_op.create_index("ix_sla_event_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sla_event", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_event_case_id")
    op.drop_table("sla_event")
    with op.batch_alter_table("case_pause", schema=None) as batch_op:
        batch_op.drop_index("ix_case_pause_case_id")
    op.drop_table("case_pause")
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        for name in _INDEXED:
            batch_op.drop_index(f"ix_case_record_{name}")
        for name in (*_DEADLINES, "sla_paused", "next_sla_check_at"):
            batch_op.drop_column(name)
