"""issue 15 (≤ 8 SQL statements per completion): ``work_info.insert_order``, SQLAlchemy's insert sentinel.
SQLAlchemy sends several new rows of one table in one ``INSERT … VALUES (…), (…) RETURNING id`` only when it
can match the returned ids to the rows; PostgreSQL's identity column lets it, SQLite's rowid does not, so on
SQLite every Work Info row of a step (a task's own entry plus those its service tasks write) was an INSERT
of its own. The sentinel is the row's position within its statement (0, 1, 2 …; NULL for older rows): on
SQLite a small integer of 0 or 1 takes no bytes beyond its type code. Nothing reads it.

Revision ID: 0017
Revises: 0016 (0016_compact_storage)
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("work_info", sa.Column("insert_order", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE work_info DROP COLUMN insert_order")   # in place: no rebuild (its triggers stay)
