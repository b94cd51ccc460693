"""issue 16 (flow visibility, insight; H-R1.1): `flow_run_link` — which Prefect flow run and task run
did timed work on a case (a delivery, a fired timer, an SLA warning or breach), with the outcome, so
the case page and the admin outbox link into the Prefect UI without asking Prefect.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_run_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("flow_name", sa.String(length=80), nullable=False),
        sa.Column("flow_run_id", sa.String(length=36), nullable=False),
        sa.Column("task_run_id", sa.String(length=36), nullable=True),
        sa.Column("task_name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flow_run_link_case_id", "flow_run_link", ["case_id"])
    op.create_index("ix_flow_run_link_outbox_id", "flow_run_link", ["outbox_id"])


def downgrade() -> None:
    op.drop_index("ix_flow_run_link_outbox_id", table_name="flow_run_link")
    op.drop_index("ix_flow_run_link_case_id", table_name="flow_run_link")
    op.drop_table("flow_run_link")
