"""panel: rows a running check or import has read from the file, before it counts rows done

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("panel_uploads", sa.Column("rows_read", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("panel_uploads") as batch:
        batch.drop_column("rows_read")
