"""Post stations: nearest lookup over the grid index, text search, reports, flags, statistics.

Typed service functions, no Telegram. Reads that must be fast (the nearest query) are plain
synchronous SQLAlchemy Core run through ``Database.transact``; the rest use the update's session.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, Table, bindparam, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import utcnow
from bot.core.text import TextError, checked_text
from bot.core.users import audit
from bot.stations.geo import bounding_box, cell_ranges, haversine_m
from bot.stations.hours import OpeningHours, status_at
from bot.stations.models import ReportKind, Station, StationReport, StationStatus
from knowledge.router import normalize

STATIONS: Table = Station.__table__  # type: ignore[attr-defined]
REPORTS: Table = StationReport.__table__  # type: ignore[attr-defined]

#: Amenities in bit order: bit ``1 << i`` of ``Station.amenities`` is ``AMENITIES[i]``.
AMENITIES = (
    "water",
    "microwave",
    "charging",
    "toilet",
    "rest",
    "ac",
    "wifi",
    "first_aid",
    "umbrella",
    "reading",
)
ICONS = {
    "water": "💧",
    "microwave": "🍱",
    "charging": "🔌",
    "toilet": "🚻",
    "rest": "🪑",
    "ac": "❄️",
    "wifi": "📶",
    "first_aid": "⛑️",
    "umbrella": "☂️",
    "reading": "📚",
}
#: The amenities a worker can filter by from the result message.
FILTERS = ("water", "charging", "microwave", "toilet")
#: Walking speed used for "minutes on foot" (4.8 km/h).
WALK_M_PER_MIN = 80.0
#: How far the nearest search may reach when no radius is given (all of China fits).
MAX_SEARCH_M = 5_000_000.0
#: Reports within this window that flag a station for staff.
FLAG_THRESHOLD = 3
FLAG_WINDOW = timedelta(hours=24)
REPORT_TEXT_MAX = 200

_COLUMNS = (
    STATIONS.c.id,
    STATIONS.c.name,
    STATIONS.c.address,
    STATIONS.c.district,
    STATIONS.c.city,
    STATIONS.c.lat,
    STATIONS.c.lon,
    STATIONS.c.amenities,
    STATIONS.c.hours,
    STATIONS.c.hours_text,
    STATIONS.c.timezone,
    STATIONS.c.phone,
    STATIONS.c.managing_union,
    STATIONS.c.status,
    STATIONS.c.verified_on,
    STATIONS.c.demo,
    STATIONS.c.flagged_at,
    STATIONS.c.updated_at,
)


def amenity_mask(names: Iterable[str]) -> int:
    """The bit mask of amenity names (unknown names are ignored)."""
    mask = 0
    for name in names:
        if name in AMENITIES:
            mask |= 1 << AMENITIES.index(name)
    return mask


def amenity_names(mask: int) -> list[str]:
    """The amenity names set in ``mask``, in the canonical order."""
    return [name for i, name in enumerate(AMENITIES) if mask & (1 << i)]


@dataclass(frozen=True)
class StationView:
    """What the bot shows of a station."""

    id: int
    name: str
    address: str
    district: str
    city: str
    lat: float
    lon: float
    amenities: int
    hours: OpeningHours
    timezone: str
    phone: str | None
    managing_union: str | None
    status: StationStatus
    verified_on: date | None
    demo: bool
    flagged: bool
    #: When the bot's record of the station last changed (an import or a staff edit).
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> StationView:
        """Build from a row of ``_COLUMNS`` (or a Station)."""
        hours = OpeningHours.from_json(row.hours or {})
        if not hours.text and row.hours_text:
            hours = OpeningHours.unknown(row.hours_text) if not hours.known else hours
        return cls(
            id=row.id,
            name=row.name,
            address=row.address,
            district=row.district,
            city=row.city,
            lat=row.lat,
            lon=row.lon,
            amenities=row.amenities,
            hours=hours,
            timezone=row.timezone,
            phone=row.phone,
            managing_union=row.managing_union,
            status=StationStatus(row.status),
            verified_on=row.verified_on,
            demo=row.demo,
            flagged=row.flagged_at is not None,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class Hit:
    """A station and its distance from the worker."""

    station: StationView
    distance_m: float

    @property
    def walk_minutes(self) -> int:
        """Minutes on foot, at least 1."""
        return max(1, math.ceil(self.distance_m / WALK_M_PER_MIN))


@dataclass(frozen=True)
class NearestQuery:
    """A nearest-stations question: where, how many, how far, with what."""

    lat: float
    lon: float
    limit: int = 5
    offset: int = 0
    radius_m: float | None = None
    amenities: int = 0
    open_at: datetime | None = None


def _filters(mask: int) -> list[Any]:
    conditions: list[Any] = [STATIONS.c.status != StationStatus.closed.value]
    if mask:
        conditions.append(STATIONS.c.amenities.op("&")(mask) == mask)
    return conditions


def _accept(view: StationView, query: NearestQuery) -> bool:
    if query.open_at is None:
        return True
    if view.status is not StationStatus.open:
        return False
    return status_at(view.hours, query.open_at, view.timezone).open_now


def nearest(conn: Connection, *, query: NearestQuery) -> list[Hit]:
    """The nearest stations matching ``query``, closest first (ties by id).

    Reads the grid cells around the point from the covering index (id and position only),
    widening the circle until enough matches lie inside it (or the query's radius is reached):
    every station closer than the searched radius was a candidate, so the answer equals a scan
    of the whole table. Full rows are then read for the few stations returned.
    """
    wanted = query.offset + query.limit
    ceiling = query.radius_m if query.radius_m is not None else MAX_SEARCH_M
    radius = min(ceiling, 1500.0)
    while True:
        found = _candidates(conn, query, radius)
        if len(found) >= wanted or radius >= ceiling:
            break
        # Grow the circle by the area that should hold the rest, judging by what it held.
        growth = 2.0 if not found else max(1.3, 1.15 * math.sqrt(wanted / len(found)))
        radius = min(ceiling, radius * growth)
    found.sort()
    chosen = found[query.offset : wanted]
    views = _views(conn, [station_id for _distance, station_id in chosen])
    return [Hit(views[station_id], distance) for distance, station_id in chosen]


@dataclass(frozen=True)
class NearestPage:
    """One page of the stations within a radius, and how many there are in all."""

    hits: list[Hit]
    total: int


def nearest_page(conn: Connection, *, query: NearestQuery) -> NearestPage:
    """The page of ``query`` among every matching station within its radius, closest first,
    with their number (the radius must be given: the whole circle is read once)."""
    if query.radius_m is None:
        raise ValueError("nearest_page needs a radius")
    found = _candidates(conn, query, query.radius_m)
    found.sort()
    chosen = found[query.offset : query.offset + query.limit]
    views = _views(conn, [station_id for _distance, station_id in chosen])
    return NearestPage(
        [Hit(views[station_id], distance) for distance, station_id in chosen], len(found)
    )


@cache
def _range_statement(size: int, with_hours: bool) -> Any:
    """SELECT over ``size`` cell-key ranges, built once per size (ranges are padded)."""
    columns = [STATIONS.c.id, STATIONS.c.lat, STATIONS.c.lon]
    if with_hours:
        columns += [STATIONS.c.status, STATIONS.c.hours, STATIONS.c.timezone]
    ranges = [
        STATIONS.c.cell.between(bindparam(f"lo{i}"), bindparam(f"hi{i}")) for i in range(size)
    ]
    return select(*columns).where(
        or_(*ranges),
        STATIONS.c.status != bindparam("closed"),
        STATIONS.c.amenities.op("&")(bindparam("mask")) == bindparam("mask"),
    )


def _candidates(conn: Connection, query: NearestQuery, radius: float) -> list[tuple[float, int]]:
    """(distance, id) of every matching station within ``radius`` of the query point."""
    with_hours = query.open_at is not None
    ranges = cell_ranges(query.lat, query.lon, radius)
    if ranges is not None:
        size = 1 << max(0, len(ranges) - 1).bit_length()
        padded = ranges + [ranges[-1]] * (size - len(ranges))
        params: dict[str, Any] = {"closed": StationStatus.closed.value, "mask": query.amenities}
        for i, (low, high) in enumerate(padded):
            params[f"lo{i}"], params[f"hi{i}"] = low, high
        rows = conn.execute(_range_statement(size, with_hours), params).all()
    else:
        south, north, west, east = bounding_box(query.lat, query.lon, radius)
        conditions = [*_filters(query.amenities), STATIONS.c.lat.between(south, north)]
        if west >= -180.0 and east <= 180.0:  # otherwise the box wraps: every longitude
            conditions.append(STATIONS.c.lon.between(west, east))
        columns = [STATIONS.c.id, STATIONS.c.lat, STATIONS.c.lon]
        if with_hours:
            columns += [STATIONS.c.status, STATIONS.c.hours, STATIONS.c.timezone]
        rows = conn.execute(select(*columns).where(*conditions)).all()
    found = []
    for row in rows:
        distance = haversine_m(query.lat, query.lon, row.lat, row.lon)
        if distance <= radius and (not with_hours or _open(row, query)):
            found.append((distance, row.id))
    return found


def _open(row: Any, query: NearestQuery) -> bool:
    if query.open_at is None:
        return True
    if row.status != StationStatus.open.value:
        return False
    return status_at(OpeningHours.from_json(row.hours or {}), query.open_at, row.timezone).open_now


def _views(conn: Connection, ids: list[int]) -> dict[int, StationView]:
    if not ids:
        return {}
    rows = conn.execute(select(*_COLUMNS).where(STATIONS.c.id.in_(ids))).all()
    return {row.id: StationView.from_row(row) for row in rows}


def nearest_by_scan(conn: Connection, *, query: NearestQuery) -> list[Hit]:
    """The same answer as :func:`nearest`, by measuring every station (the benchmark baseline)."""
    hits = []
    ceiling = query.radius_m if query.radius_m is not None else MAX_SEARCH_M
    for row in conn.execute(select(*_COLUMNS).where(*_filters(query.amenities))):
        distance = haversine_m(query.lat, query.lon, row.lat, row.lon)
        if distance <= ceiling:
            view = StationView.from_row(row)
            if _accept(view, query):
                hits.append(Hit(view, distance))
    hits.sort(key=lambda h: (h.distance_m, h.station.id))
    return hits[query.offset : query.offset + query.limit]


def get_station(conn: Connection, *, station_id: int) -> StationView | None:
    """One station by id (closed ones too), or None."""
    row = conn.execute(select(*_COLUMNS).where(STATIONS.c.id == station_id)).first()
    return StationView.from_row(row) if row is not None else None


@dataclass(frozen=True)
class SearchResult:
    """One page of stations found by text, how many were found in all, and whether the match
    is good enough to list straight away."""

    hits: tuple[StationView, ...]
    confident: bool
    total: int = 0


#: Text search keeps at most this many matches (ten pages of five).
SEARCH_MAX = 50


def search(conn: Connection, *, text: str, limit: int = 5, offset: int = 0) -> SearchResult:
    """Find stations by name, district or street (fuzzy, for workers without GPS): the page
    from ``offset``, best match first, and the number of matches."""
    needle = normalize(text)
    if not needle:
        return SearchResult((), False)
    rows = conn.execute(
        select(STATIONS.c.id, STATIONS.c.name, STATIONS.c.district, STATIONS.c.address).where(
            STATIONS.c.status != StationStatus.closed.value
        )
    ).all()
    choices = {row.id: normalize(f"{row.name} {row.district} {row.address}") for row in rows}
    found = process.extract(
        needle,
        choices,
        scorer=fuzz.partial_ratio,
        processor=None,
        limit=SEARCH_MAX * 2,
        score_cutoff=60,
    )
    if not found:
        return SearchResult((), False)
    best = found[0][1]
    # equal scores keep the order of the table (by id), so pages never shuffle
    kept = sorted(
        ((score, key) for _choice, score, key in found if score >= min(best, 90) - 5),
        key=lambda item: (-item[0], item[1]),
    )[:SEARCH_MAX]
    ids = [key for _score, key in kept][offset : offset + limit]
    by_id = _views(conn, ids)
    return SearchResult(tuple(by_id[i] for i in ids if i in by_id), best >= 90, len(kept))


@dataclass(frozen=True)
class District:
    """A district that has stations: its name, how many, and one station in it (whose id
    stands for the district in a button)."""

    name: str
    count: int
    station_id: int


def districts(conn: Connection, *, limit: int = 8) -> list[District]:
    """The districts with the most listed stations (closed-for-good ones do not count)."""
    rows = conn.execute(
        select(STATIONS.c.district, func.count(), func.min(STATIONS.c.id))
        .where(STATIONS.c.status != StationStatus.closed.value, STATIONS.c.district != "")
        .group_by(STATIONS.c.district)
        .order_by(func.count().desc(), STATIONS.c.district)
        .limit(limit)
    ).all()
    return [District(row[0], int(row[1]), int(row[2])) for row in rows]


@dataclass(frozen=True)
class DistrictPage:
    """One page of the stations of a district (by name) and how many it has."""

    district: str
    hits: tuple[StationView, ...]
    total: int


def district_page(
    conn: Connection, *, station_id: int, limit: int = 5, offset: int = 0
) -> DistrictPage | None:
    """The listed stations of the district ``station_id`` lies in, by name; None if there is
    no such station or it has no district."""
    district = conn.execute(
        select(STATIONS.c.district).where(STATIONS.c.id == station_id)
    ).scalar_one_or_none()
    if not district:
        return None
    listed = (STATIONS.c.district == district, STATIONS.c.status != StationStatus.closed.value)
    total = conn.execute(select(func.count()).where(*listed)).scalar_one()
    rows = conn.execute(
        select(*_COLUMNS)
        .where(*listed)
        .order_by(STATIONS.c.name, STATIONS.c.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return DistrictPage(district, tuple(StationView.from_row(row) for row in rows), int(total))


class ReportError(Exception):
    """A report that cannot be stored: ``reason`` is too_long, no_station or duplicate."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def add_report(
    session: AsyncSession,
    *,
    station_id: int,
    reporter_id: int,
    kind: ReportKind,
    text: str = "",
    now: datetime | None = None,
) -> bool:
    """Store a worker's report; return True if the station is now flagged for staff.

    One report per worker, station and day (China time); raises ReportError otherwise.
    """
    now = now or utcnow()
    try:
        text = checked_text(text, limit=REPORT_TEXT_MAX, layout="ends", form=None, required=False)
    except TextError as error:
        raise ReportError(error.reason) from error
    station = await session.get(Station, station_id)
    if station is None:
        raise ReportError("no_station")
    day = (now + timedelta(hours=8)).date()
    exists = await session.exec(
        select(REPORTS.c.id).where(  # type: ignore[call-overload]
            REPORTS.c.station_id == station_id,
            REPORTS.c.reporter_id == reporter_id,
            REPORTS.c.day == day,
        )
    )
    if exists.first() is not None:
        raise ReportError("duplicate")
    session.add(
        StationReport(
            station_id=station_id,
            reporter_id=reporter_id,
            kind=kind,
            text=text,
            day=day,
            created_at=now,
        )
    )
    await session.flush()
    recent = await session.exec(
        select(func.count()).where(  # type: ignore[call-overload]
            REPORTS.c.station_id == station_id,
            REPORTS.c.created_at >= now - FLAG_WINDOW,
            REPORTS.c.resolved_at.is_(None),
        )
    )
    flagged = False
    if station.flagged_at is None and int(recent.one()[0]) >= FLAG_THRESHOLD:
        station.flagged_at = now
        session.add(station)
        flagged = True
    await session.commit()
    return flagged


@dataclass(frozen=True)
class FlaggedStation:
    """A flagged station with its unresolved reports, for staff."""

    station: StationView
    reports: tuple[tuple[str, str], ...]


async def flagged_stations(session: AsyncSession) -> list[FlaggedStation]:
    """Stations flagged by workers' reports, longest-flagged first."""
    conn = await session.connection()
    rows = (
        await conn.execute(
            select(*_COLUMNS)
            .where(STATIONS.c.flagged_at.is_not(None))
            .order_by(STATIONS.c.flagged_at, STATIONS.c.id)
        )
    ).all()
    out = []
    for row in rows:
        reports = (
            await conn.execute(
                select(REPORTS.c.kind, REPORTS.c.text)
                .where(REPORTS.c.station_id == row.id, REPORTS.c.resolved_at.is_(None))
                .order_by(REPORTS.c.created_at)
            )
        ).all()
        out.append(
            FlaggedStation(StationView.from_row(row), tuple((r.kind, r.text) for r in reports))
        )
    return out


async def resolve_flag(session: AsyncSession, *, station_id: int, staff_id: int) -> bool:
    """Clear a station's flag and close its open reports; False if it was not flagged."""
    station = await session.get(Station, station_id)
    if station is None or station.flagged_at is None:
        return False
    now = utcnow()
    station.flagged_at = None
    session.add(station)
    await session.exec(
        update(REPORTS)
        .where(REPORTS.c.station_id == station_id, REPORTS.c.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=staff_id)
    )
    await audit(
        session, actor_id=staff_id, action="stations.resolve_flag", subject=f"station:{station_id}"
    )
    await session.commit()
    return True


async def set_status(
    session: AsyncSession, *, station_id: int, status: StationStatus, staff_id: int
) -> bool:
    """Change a station's status (e.g. temporarily closed); False if there is no such station."""
    station = await session.get(Station, station_id)
    if station is None:
        return False
    previous = station.status
    station.status = status
    station.updated_at = utcnow()
    session.add(station)
    await audit(
        session,
        actor_id=staff_id,
        action="stations.status",
        subject=f"station:{station_id}",
        detail={"from": str(previous), "to": status.value},
    )
    await session.commit()
    return True


@dataclass(frozen=True)
class StationStats:
    """Counts for staff."""

    total: int
    by_district: tuple[tuple[str, int], ...]
    by_status: dict[str, int]
    flagged: int
    demo: int


async def station_stats(session: AsyncSession) -> StationStats:
    """Stations by district and status, how many are flagged and how many are demo data."""
    conn = await session.connection()
    rows = (
        await conn.execute(
            select(STATIONS.c.district, STATIONS.c.status, STATIONS.c.demo, STATIONS.c.flagged_at)
        )
    ).all()
    districts: Counter[str] = Counter(row.district or "-" for row in rows)
    statuses: Counter[str] = Counter(str(row.status) for row in rows)
    return StationStats(
        total=len(rows),
        by_district=tuple(districts.most_common()),
        by_status=dict(statuses),
        flagged=sum(1 for row in rows if row.flagged_at is not None),
        demo=sum(1 for row in rows if row.demo),
    )


async def forget_reporter(session: AsyncSession, user_id: int) -> list[str]:
    """Detach a worker's reports from them (the reports about stations stay, unsigned)."""
    result = await session.exec(
        update(REPORTS).where(REPORTS.c.reporter_id == user_id).values(reporter_id=None)
    )
    return ["forget-item-reports"] if result.rowcount else []


def directions_url(view: StationView) -> str:
    """A walking-directions link in Amap (which takes GCJ-02), usable on phones and desktop."""
    from urllib.parse import quote

    from bot.stations.geo import wgs84_to_gcj02

    lat, lon = wgs84_to_gcj02(view.lat, view.lon)
    return (
        f"https://uri.amap.com/navigation?to={lon:.6f},{lat:.6f},{quote(view.name)}"
        "&mode=walk&callnative=1"
    )


def sort_views(views: Sequence[StationView]) -> list[StationView]:
    """Stations by district then name."""
    return sorted(views, key=lambda v: (v.district, v.name, v.id))
