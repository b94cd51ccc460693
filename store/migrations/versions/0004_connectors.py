"""connectors wired in (issue 4; H-R1.1, H-R1.3, H-R1.4): outbox Message-IDs, inbound mail,
Remedy sync columns. Hand-written, batch mode so SQLite can alter the tables.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch.create_index("ix_outbox_message_id", ["message_id"])
    with op.batch_alter_table("work_info") as batch:
        batch.add_column(sa.Column("remedy_queued_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("case_record") as batch:
        batch.add_column(sa.Column("remedy_entry_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("remedy_last_modified", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("remedy_pushed_status", sa.String(length=30), nullable=True))
        batch.create_index("ix_case_record_remedy_last_modified", ["remedy_last_modified"])
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("disposition", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_key"),
    )
    op.create_index("ix_inbound_mail_case_id", "inbound_mail", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_inbound_mail_case_id", table_name="inbound_mail")
    op.drop_table("inbound_mail")
    with op.batch_alter_table("case_record") as batch:
        batch.drop_index("ix_case_record_remedy_last_modified")
        batch.drop_column("remedy_pushed_status")
        batch.drop_column("remedy_last_modified")
        batch.drop_column("remedy_entry_id")
    with op.batch_alter_table("work_info") as batch:
        batch.drop_column("remedy_queued_at")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_message_id")
        batch.drop_column("message_id")
