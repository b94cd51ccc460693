"""issue 15: the worklist's index holds open tasks only. Every closed case left its ten task entries in it
for good (0.7 KB a case on SQLite, growing with the years), though nothing reads closed tasks through it:
the statements that use it name the state as a literal (store.models.OPEN_TASK) — a PostgreSQL generic
plan does not use a partial index through a bound parameter. (The outbox's due index keeps its
delivered rows: the admin's outbox page lists and counts them by status through it.)
Plain DROP/CREATE INDEX (no batch rebuild of the table).

Revision ID: 0018
Revises: 0017 (0017_work_info_insert_order)
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OPEN_TASK = "status = 'open'"


def upgrade() -> None:
    op.drop_index("ix_human_task_worklist", table_name="human_task")
    op.create_index("ix_human_task_worklist", "human_task", ["status", "team", "role", "sla_due_at"],
                    sqlite_where=sa.text(OPEN_TASK), postgresql_where=sa.text(OPEN_TASK))


def downgrade() -> None:
    op.drop_index("ix_human_task_worklist", table_name="human_task")
    op.create_index("ix_human_task_worklist", "human_task", ["status", "team", "role", "sla_due_at"])
