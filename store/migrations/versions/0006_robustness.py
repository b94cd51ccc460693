"""server-side web sessions and the sign-in audit log (issue 9)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("app_user.username"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_web_session_username", "web_session", ["username", "revoked_at"])
    op.create_table(
        "auth_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_auth_event_username", "auth_event", ["username", "at"])
    op.create_index("ix_auth_event_client", "auth_event", ["client", "at"])


def downgrade() -> None:
    op.drop_index("ix_auth_event_client", table_name="auth_event")
    op.drop_index("ix_auth_event_username", table_name="auth_event")
    op.drop_table("auth_event")
    op.drop_index("ix_web_session_username", table_name="web_session")
    op.drop_table("web_session")
