"""issue 15 (a third of the bytes): a human task's form comes from its deployed definition
(process_definition, per bpmn id), not from a copy in every human_task row. The copied column
becomes nullable and is emptied; old rows keep working because every reader looks the form up in
the definition of the task's instance. Hand-written, batch mode so SQLite can alter the table
(human_task has no triggers; its indexes are recreated by the batch).

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.alter_column("form", existing_type=sa.JSON(), nullable=True)
    op.execute("UPDATE human_task SET form = NULL")


def downgrade() -> None:
    # the forms are in the definitions; an older version reads the copy, so give it an empty form
    op.execute("""UPDATE human_task SET form = '{"fields": []}' WHERE form IS NULL""")
    with op.batch_alter_table("human_task") as batch:
        batch.alter_column("form", existing_type=sa.JSON(), nullable=False)
