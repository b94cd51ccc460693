"""issue 10: deployments in the database (which definition version is current for new cases, who
deployed it, when, why) and the answers submitted with every human task (for replay before deploy)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("definition_id", sa.Integer(), sa.ForeignKey("process_definition.id"), nullable=False),
        sa.Column("deployed_by", sa.String(length=64), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deployment_process", "deployment", ["process_id", "id"])
    op.create_table(
        "recorded_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_record.id"), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("bpmn_id", sa.String(length=200), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recorded_answer_case", "recorded_answer", ["case_id", "id"])
    # an existing installation: every stored version was current in turn; the newest stays current
    op.execute(sa.text("INSERT INTO deployment (process_id, definition_id, deployed_by, deployed_at, comment) "
                       "SELECT process_id, id, deployed_by, deployed_at, '' FROM process_definition ORDER BY id"))


def downgrade() -> None:
    op.drop_index("ix_recorded_answer_case", table_name="recorded_answer")
    op.drop_table("recorded_answer")
    op.drop_index("ix_deployment_process", table_name="deployment")
    op.drop_table("deployment")
