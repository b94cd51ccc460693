"""the worklist's sort key on human_task (the case's current SLA deadline)

Revision ID: 0005
Revises: 0004
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=timezone.utc)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_human_task_worklist", "human_task", ["status", "team", "role", "sla_due_at"])
    # open tasks get their case's current deadline at the next step; until then they sort last
    op.execute(sa.text("UPDATE human_task SET sla_due_at = :never WHERE status = 'open'")
               .bindparams(sa.bindparam("never", NO_DEADLINE, type_=sa.DateTime(timezone=True))))


def downgrade() -> None:
    op.drop_index("ix_human_task_worklist", table_name="human_task")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("sla_due_at")
