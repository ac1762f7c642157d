"""legal: how precisely each date of a case is known, and whether its deadline is approximate

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PRECISIONS = ("work_start_precision", "work_end_precision", "incident_precision")


def upgrade() -> None:
    with op.batch_alter_table("legal_cases") as batch:
        for column in PRECISIONS:
            batch.add_column(
                sa.Column(column, sa.String(length=8), nullable=False, server_default="day")
            )
        batch.add_column(
            sa.Column(
                "deadline_approximate", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("legal_cases") as batch:
        batch.drop_column("deadline_approximate")
        for column in reversed(PRECISIONS):
            batch.drop_column(column)
