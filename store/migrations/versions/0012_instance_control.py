"""issue 11 (running cases under control; H-R1.1 Work Info for every change): a failure recorded on
the process instance (element, message, time, who, and the step to run again), and an audit of every
control action on an instance (failure, retry, migration from/to version, cancellation with reason).
Hand-written, batch mode so SQLite can alter the table.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failed_element", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("failed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("failed_step", sa.JSON(), nullable=True))
        batch.create_index("ix_process_instance_failed_at", ["failed_at"])
    op.create_table(
        "instance_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_definition_id", sa.Integer(), nullable=True),
        sa.Column("to_definition_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_instance_change_instance", "instance_change", ["instance_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_instance_change_instance", table_name="instance_change")
    op.drop_table("instance_change")
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_index("ix_process_instance_failed_at")
        batch.drop_column("failed_step")
        batch.drop_column("failed_by")
        batch.drop_column("failed_element")
        batch.drop_column("failed_at")
