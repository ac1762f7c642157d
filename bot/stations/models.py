"""Post stations and the reports workers send about them.

Every change here needs an Alembic revision in bot/migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from bot.core.models import UTCDateTime, timestamp


class StationStatus(StrEnum):
    """Whether a post station is receiving workers."""

    open = "open"
    temporarily_closed = "temporarily_closed"
    closed = "closed"


class StationBase(SQLModel):
    # What an import file or staff can say about a union post station.
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=200, index=True)
    address: str = Field(default="", max_length=300)
    city: str = Field(default="", max_length=64)
    district: str = Field(default="", max_length=64, index=True)
    lat: float = Field(index=True)
    lon: float
    source_crs: str = Field(default="wgs84", max_length=8)
    amenities: int = Field(default=0)
    hours: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    hours_text: str = Field(default="", max_length=200)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    phone: str | None = Field(default=None, max_length=64)
    managing_union: str | None = Field(default=None, max_length=200)
    status: StationStatus = Field(
        default=StationStatus.open, sa_column=Column(String(24), nullable=False)
    )
    verified_on: date | None = None
    demo: bool = False


class Station(StationBase, table=True):
    # A union post station (工会驿站); coordinates are WGS-84, `cell` is the grid-cell index key.
    __tablename__ = "stations"
    # The nearest query reads candidates from this index alone (no table rows).
    __table_args__ = (
        Index("ix_stations_cell_cover", "cell", "amenities", "status", "lat", "lon", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cell: int = Field(sa_column=Column(BigInteger, nullable=False))
    flagged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ReportKind(StrEnum):
    """What a worker can report about a station."""

    closed = "closed"
    no_water = "no_water"
    charging_broken = "charging_broken"
    other = "other"


class StationReport(SQLModel, table=True):
    # A worker's report that a station is not as listed; one per worker, station and day.
    __tablename__ = "station_reports"
    __table_args__ = (UniqueConstraint("station_id", "reporter_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(
        sa_column=Column(ForeignKey("stations.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    reporter_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    kind: ReportKind = Field(sa_column=Column(String(24), nullable=False))
    text: str = Field(default="", max_length=300)
    day: date
    created_at: datetime = timestamp(index=True)
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_by: int | None = Field(default=None, sa_column=Column(BigInteger))
