"""issue 15 (worklist ≤ 10 ms at 100,000 open tasks): an index that finds a person's claimed open tasks in
deadline order ("Mine", and the absent colleagues' view), which until now read every open task. Partial
(claimed tasks only): small, and never chosen for `claimed_by IS NULL`, which the team index serves better.
A plain CREATE INDEX (no batch rebuild of human_task).

Revision ID: 0015
Revises: 0014 (0014_remedy_work_log)
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_human_task_claimed", "human_task", ["claimed_by", "status", "sla_due_at"],
                    sqlite_where=sa.text("claimed_by IS NOT NULL"), postgresql_where=sa.text("claimed_by IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_human_task_claimed", table_name="human_task")
