"""core: the outbox for messages that must reach someone; broadcast rows resent once

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=128), nullable=False, unique=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_markup", sa.JSON(), nullable=True),
        sa.Column("parse_mode", sa.String(length=16), nullable=True),
        sa.Column("preview", sa.Boolean(), nullable=False),
        sa.Column("bulk", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("doubtful", sa.Boolean(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"])
    op.create_index("ix_outbox_due", "outbox", ["state", "not_before"])
    with op.batch_alter_table("broadcast_recipients") as batch:
        batch.add_column(
            sa.Column("doubtful", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Notices held for quiet hours move from the broadcast ledger to the outbox: those not sent
    # yet are queued there under their old id, and their one-recipient broadcasts are closed.
    notices = (
        "SELECT id FROM broadcasts WHERE status = 'running' "
        'AND CAST(audience AS TEXT) LIKE \'%"kind": "notice"%\''
    )
    op.execute(
        "INSERT INTO outbox (key, chat_id, kind, text, preview, bulk, state, attempts, doubtful,"
        " not_before, created_at) "
        "SELECT 'held-notice:' || CAST(b.id AS VARCHAR(20)), r.user_id, 'notice', b.text,"
        " false, false, 'pending', 0, false, COALESCE(b.starts_at, b.created_at), b.created_at "
        "FROM broadcasts b JOIN broadcast_recipients r ON r.broadcast_id = b.id "
        f"WHERE r.status = 'pending' AND b.id IN ({notices})"
    )
    op.execute(
        "DELETE FROM broadcast_recipients "
        f"WHERE status = 'pending' AND broadcast_id IN ({notices})"
    )
    op.execute(f"UPDATE broadcasts SET status = 'done' WHERE id IN ({notices})")


def downgrade() -> None:
    with op.batch_alter_table("broadcast_recipients") as batch:
        batch.drop_column("doubtful")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("ix_outbox_chat_id", table_name="outbox")
    op.drop_table("outbox")
