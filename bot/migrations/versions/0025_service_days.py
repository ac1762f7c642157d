"""usage: updates each service handled per day, for the dashboard's messages by service

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=48), nullable=False),
        sa.Column("updates", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "service"),
    )


def downgrade() -> None:
    op.drop_table("service_days")
