"""core: an index of each sender's updates not yet taken, to handle them in order on replicas

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'new'")


def upgrade() -> None:
    op.create_index(
        "ix_inbox_sender_open",
        "inbox",
        ["user_key", "update_id"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_sender_open", table_name="inbox")
