"""core: the update inbox (stored before acknowledged) replaces processed update ids

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, primary_key=True),
        sa.Column("user_key", sa.BigInteger(), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"])
    op.create_index("ix_inbox_due", "inbox", ["state", "next_attempt_at"])
    # The ids already handled move over, so a redelivery after the upgrade is still ignored.
    op.execute(
        "INSERT INTO inbox (update_id, received_at, state, attempts, next_attempt_at) "
        "SELECT update_id, received_at, 'done', 1, received_at FROM processed_updates"
    )
    op.drop_table("processed_updates")


def downgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, primary_key=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_processed_updates_received_at", "processed_updates", ["received_at"])
    op.execute(
        "INSERT INTO processed_updates (update_id, received_at) "
        "SELECT update_id, received_at FROM inbox WHERE state IN ('done', 'parked')"
    )
    op.drop_table("inbox")
