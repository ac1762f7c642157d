"""stations: covering index for the nearest query

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_stations_cell_cover",
        "stations",
        ["cell", "amenities", "status", "lat", "lon", "id"],
    )
    op.drop_index("ix_stations_cell", table_name="stations")


def downgrade() -> None:
    op.create_index("ix_stations_cell", "stations", ["cell"])
    op.drop_index("ix_stations_cell_cover", table_name="stations")
