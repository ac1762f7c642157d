"""jobs: broadcasts wait for the end of quiet hours (a start time, and staff's override)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("starts_at", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("ignore_quiet", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("ignore_quiet")
        batch.drop_column("starts_at")
