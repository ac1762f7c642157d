"""panel: broadcast previews waiting for "send", kept in the database for every replica

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panel_drafts",
        sa.Column("token", sa.String(length=64), primary_key=True),
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=4096), nullable=False),
        sa.Column("postings", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_panel_drafts_user_id", "panel_drafts", ["user_id"])
    op.create_index("ix_panel_drafts_expires_at", "panel_drafts", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_panel_drafts_expires_at", table_name="panel_drafts")
    op.drop_index("ix_panel_drafts_user_id", table_name="panel_drafts")
    op.drop_table("panel_drafts")
