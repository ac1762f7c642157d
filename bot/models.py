"""SQLModel tables. Every change here needs an Alembic revision in bot/migrations/versions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Return the current time in UTC (all stored times are UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(*, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, index=index),
    )


class Role(StrEnum):
    """Privileged roles; a worker has none."""

    admin = "admin"
    staff = "staff"
    volunteer_legal = "volunteer_legal"
    volunteer_match = "volunteer_match"


class UserBase(SQLModel):
    # What a person chose or agreed to: language, roles, consents.
    language: str = Field(default="zh", max_length=8)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consents: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class User(UserBase, table=True):
    # A Telegram user who has talked to the bot (or was given a role before doing so).
    __tablename__ = "users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_seen: datetime = _ts()
    last_seen: datetime = _ts()

    def has_role(self, *roles: Role) -> bool:
        """Return True if the user holds any of ``roles`` (admins hold every role)."""
        held = set(self.roles)
        return Role.admin in held or any(r in held for r in roles)


class FlowState(SQLModel, table=True):
    # Where a user is in a multi-step flow; one row per user, deleted when the flow ends.
    __tablename__ = "flow_state"

    user_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _ts()


class ProcessedUpdate(SQLModel, table=True):
    # Telegram update ids already handled, so a redelivered update is ignored.
    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime = _ts(index=True)


class AuditLog(SQLModel, table=True):
    # Who did what to whom: role changes and every staff/volunteer view of personal data.
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    action: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    subject: str = Field(default="", max_length=128)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


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
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


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
    created_at: datetime = _ts(index=True)
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_by: int | None = Field(default=None, sa_column=Column(BigInteger))
