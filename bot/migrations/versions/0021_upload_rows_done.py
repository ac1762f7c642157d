"""panel: rows a running check or import of an upload has done, as the import counts them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("panel_uploads", sa.Column("rows_done", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("panel_uploads") as batch:
        batch.drop_column("rows_done")
