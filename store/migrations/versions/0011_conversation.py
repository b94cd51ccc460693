"""issue 13 + issue 9 items 4/5 (H-D3, H-R1.3, H-R1.4, H-R2.2): the customer conversation, verified
senders and quarantine of inbound mail, case contacts, attachments, notifications and absence.
Hand-written, batch mode so SQLite can alter the tables.

Revision ID: 0011
Revises: 0010
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def upgrade() -> None:
    with op.batch_alter_table("case_record") as batch:
        batch.add_column(sa.Column("reply_token", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("end_user_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("end_user_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("end_user_phone", sa.String(length=40), nullable=True))
    connection = op.get_bind()
    cases = sa.table("case_record", sa.column("id", sa.Integer), sa.column("reply_token", sa.String))
    for (case_id,) in connection.execute(sa.select(cases.c.id)).all():   # every case gets its token
        token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(8))
        connection.execute(cases.update().where(cases.c.id == case_id).values(reply_token=token))
    with op.batch_alter_table("inbound_mail") as batch:
        batch.add_column(sa.Column("from_address", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch.add_column(sa.Column("raw", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("error", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_inbound_mail_disposition", ["disposition"])
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("inbound_mail_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"]),
        sa.ForeignKeyConstraint(["inbound_mail_id"], ["inbound_mail.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attachment_case_id", "attachment", ["case_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"]),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key", name="uq_notification_source_key"),
    )
    op.create_index("ix_notification_unread", "notification", ["username", "read_at"])
    op.create_table(
        "notification_setting",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"]),
        sa.PrimaryKeyConstraint("username", "kind"),
    )
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_absence_username", "absence", ["username", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_absence_username", table_name="absence")
    op.drop_table("absence")
    op.drop_table("notification_setting")
    op.drop_index("ix_notification_unread", table_name="notification")
    op.drop_table("notification")
    op.drop_index("ix_attachment_case_id", table_name="attachment")
    op.drop_table("attachment")
    with op.batch_alter_table("inbound_mail") as batch:
        batch.drop_index("ix_inbound_mail_disposition")
        for name in ("decided_at", "decided_by", "error", "raw", "body", "subject", "from_address"):
            batch.drop_column(name)
    with op.batch_alter_table("case_record") as batch:
        for name in ("end_user_phone", "end_user_email", "end_user_name", "reply_token"):
            batch.drop_column(name)
