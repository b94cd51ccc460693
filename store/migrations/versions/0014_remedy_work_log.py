"""issue 14 (Remedy two-way sync; H-R1.1): Work Info written in Remedy (HPD:WorkLog) is imported to
the linked case once — the Remedy Work Log ID it came from, unique. A plain ADD COLUMN and a separate
unique index (no batch rebuild of work_info, which would drop migration 0010's search trigger on SQLite).

Revision ID: 0014
Revises: 0013 (0013_forms_from_definition)
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("work_info", sa.Column("remedy_work_log_id", sa.String(length=40), nullable=True))
    op.create_index("uq_work_info_remedy_work_log", "work_info", ["remedy_work_log_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_work_info_remedy_work_log", table_name="work_info")
    # SQLite (3.35+) drops a column in place; a batch rebuild would lose the search trigger
    op.execute("ALTER TABLE work_info DROP COLUMN remedy_work_log_id")
