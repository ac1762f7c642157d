"""panel: one-time sign-in links and sessions of the staff web panel

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _user() -> sa.Column:
    return sa.Column(
        "user_id",
        sa.BigInteger(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "panel_links",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        _user(),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_panel_links_user_id", "panel_links", ["user_id"])
    op.create_table(
        "panel_sessions",
        sa.Column("id_hash", sa.String(length=64), primary_key=True),
        _user(),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_panel_sessions_user_id", "panel_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_panel_sessions_user_id", table_name="panel_sessions")
    op.drop_table("panel_sessions")
    op.drop_index("ix_panel_links_user_id", table_name="panel_links")
    op.drop_table("panel_links")
