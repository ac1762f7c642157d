"""jobs: an index that fits the broadcast sender's claim (due rows of a broadcast by worker)

The ledger's (broadcast_id, status) index becomes (broadcast_id, status, user_id): the claim
reads a broadcast's pending rows in user order and stops after one batch, the status view
counts rows by status, and both are answered from the index alone, also before a freshly
written 100,000-row ledger has statistics.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_broadcast_recipients_due",
        "broadcast_recipients",
        ["broadcast_id", "status", "user_id"],
    )
    op.drop_index("ix_broadcast_recipients_state", table_name="broadcast_recipients")


def downgrade() -> None:
    op.create_index(
        "ix_broadcast_recipients_state", "broadcast_recipients", ["broadcast_id", "status"]
    )
    op.drop_index("ix_broadcast_recipients_due", table_name="broadcast_recipients")
