"""issue 14 (Remedy as the system of record; H-R1.1): the import watermark, Remedy's own view of a
linked case (its status and assignment as last seen or accepted), and the customer's site.

* ``remedy_sync_state``: one row per sync stream (``incidents``) — the Last Modified Date and Entry
  ID of the last incident handled, so the import always moves forward (ties broken by Entry ID).
* ``case_record.remedy_status``: the incident's status in Remedy (our vocabulary) as last read or
  last accepted from a push; pushes never move it backwards.
* ``case_record.remedy_view``: Assigned Group / Support Company / Organisation / Assignee
  Login ID as last read or accepted (sent again with every status push, as ITSM needs them).
* ``case_record.customer_site``: the customer's Site from the incident.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remedy_sync_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_entry_id", sa.String(length=60), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("case_record") as batch:
        batch.add_column(sa.Column("remedy_status", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("remedy_view", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("customer_site", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_record") as batch:
        batch.drop_column("customer_site")
        batch.drop_column("remedy_view")
        batch.drop_column("remedy_status")
    op.drop_table("remedy_sync_state")
