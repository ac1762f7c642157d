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
    event,
    text,
)
from sqlmodel import Field, SQLModel

from bot.core.models import UTCDateTime, timestamp
from knowledge.router import normalize


class StationStatus(StrEnum):
    """Whether a post station is receiving workers."""

    open = "open"
    temporarily_closed = "temporarily_closed"
    closed = "closed"


def search_text_of(name: str | None, district: str | None, address: str | None) -> str:
    """What text search compares a worker's words with: name, district and address, folded
    the way the words are (width, case, traditional characters, punctuation)."""
    return normalize(f"{name or ''} {district or ''} {address or ''}")


def _default_search_text(context: Any) -> str:
    """Column default: the search text of the row being inserted (Core or ORM)."""
    values = context.get_current_parameters()
    return search_text_of(values.get("name"), values.get("district"), values.get("address"))


#: The amenities few stations offer, each with a nearest-search index of its own stations
#: (migration 0019); names as in ``bot.stations.search.AMENITIES``. The others are at most
#: stations (water, rest) or at a third of them or more: the general index rejects few.
KNN_AMENITIES = ("first_aid", "umbrella", "reading")


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
    # The nearest query reads candidates from this index alone (no table rows). Text search
    # reads ``search_text`` through a trigram index: on PostgreSQL the GIN index below (pg_trgm);
    # on SQLite the FTS5 table ``stations_fts`` that triggers keep in step (migration 0013), the
    # index below being an empty stand-in there (``WHERE 0``) so both databases list it.
    __table_args__ = (
        # SQLite's nearest query reads the grid; PostgreSQL's the GiST indexes of migration
        # 0019 (NEAR_INDEXES), this one being an empty stand-in there.
        Index(
            "ix_stations_cell_cover",
            "cell",
            "amenities",
            "status",
            "lat",
            "lon",
            "id",
            postgresql_where=text("false"),
        ),
        Index(
            "ix_stations_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=text("0"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    cell: int = Field(sa_column=Column(BigInteger, nullable=False))
    #: ``search_text_of(name, district, address)``: filled on insert by the column default;
    #: whoever changes one of the three sets it too (the station import does).
    search_text: str | None = Field(
        default=None,
        sa_column=Column(String(256), nullable=False, default=_default_search_text),
    )
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


@event.listens_for(Station, "before_update")
def _refresh_search_text(_mapper: Any, _connection: Any, target: Station) -> None:
    """Keep the search text of a station edited through the ORM in step with it."""
    target.search_text = search_text_of(target.name, target.district, target.address)


#: Tables the FTS5 extension makes on SQLite for text search (created by migration 0013,
#: not described by the models).
FTS_TABLES = frozenset(
    f"stations_fts{suffix}"
    for suffix in ("", "_data", "_idx", "_docsize", "_config", "_content", "_terms")
)


#: Text search helpers made by migration 0017 on PostgreSQL, not described by the models: the
#: table of three-letter pieces stations hold and the index of a function of the search text.
TRIGRAM_TABLES = frozenset({"station_trigrams"})
TRIGRAM_INDEXES = frozenset({"ix_stations_search_bigrams"})


#: The nearest query's indexes made by migration 0019, not described by the models: on
#: PostgreSQL GiST indexes of ``point(lon, lat)`` (all stations, and per amenity of
#: KNN_AMENITIES), on SQLite a covering index of the grid per amenity of KNN_AMENITIES.
NEAR_INDEXES = frozenset(
    {"ix_stations_near", *(f"ix_stations_near_{name}" for name in KNN_AMENITIES)}
)


def include_in_autogenerate(
    _object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    """``include_object`` for Alembic's comparison: leave out the text search helper tables."""
    if type_ == "index":
        return name not in TRIGRAM_INDEXES and name not in NEAR_INDEXES
    return not (type_ == "table" and (name in FTS_TABLES or name in TRIGRAM_TABLES))
