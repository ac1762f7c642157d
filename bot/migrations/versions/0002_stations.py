"""stations: union post stations and workers' reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("external_id", sa.String(length=64), nullable=True, unique=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("source_crs", sa.String(length=8), nullable=False),
        sa.Column("amenities", sa.Integer(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("hours_text", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("managing_union", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("flagged_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_stations_cell", "stations", ["cell"])
    op.create_index("ix_stations_lat", "stations", ["lat"])
    op.create_index("ix_stations_name", "stations", ["name"])
    op.create_index("ix_stations_district", "stations", ["district"])
    op.create_table(
        "station_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "station_id",
            sa.Integer(),
            sa.ForeignKey("stations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reporter_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("station_id", "reporter_id", "day"),
    )
    op.create_index("ix_station_reports_station_id", "station_reports", ["station_id"])
    op.create_index("ix_station_reports_reporter_id", "station_reports", ["reporter_id"])
    op.create_index("ix_station_reports_created_at", "station_reports", ["created_at"])


def downgrade() -> None:
    op.drop_table("station_reports")
    op.drop_table("stations")
