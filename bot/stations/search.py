"""Post stations: nearest lookup through an index, text search, reports, flags, statistics.

Typed service functions, no Telegram. Reads that must be fast (the nearest query) are plain
synchronous SQLAlchemy Core run through ``Database.transact``; the rest use the update's session.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, String, Table, bindparam, case, column, func, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.util import await_
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import utcnow
from bot.core.text import TextError, checked_text
from bot.core.users import audit
from bot.db import standalone_read
from bot.stations.geo import (
    CELL_DEGREES,
    CELLS_PER_ROW,
    EARTH_RADIUS_M,
    bounding_box,
    cell_of,
    cell_ranges,
    haversine_m,
)
from bot.stations.hours import OpeningHours, status_at
from bot.stations.models import (
    KNN_AMENITIES,
    ReportKind,
    Station,
    StationReport,
    StationStatus,
)
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
        """Build from a row of ``_COLUMNS`` (or a Station; ``hours`` may be JSON text)."""
        kept = row.hours
        hours = OpeningHours.from_json((json.loads(kept) if isinstance(kept, str) else kept) or {})
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


@standalone_read
def nearest(conn: Connection, *, query: NearestQuery) -> list[Hit]:
    """The nearest stations matching ``query``, closest first (ties by id).

    The database proposes candidates closest first in a plane of degrees, and each is
    measured on the ground (:func:`haversine_m`) until no station left unread can be closer
    than the ones kept (:func:`plane_reach`), so the answer equals a scan of the whole table.
    On PostgreSQL a GiST index of points returns them in that order, with their full rows, in
    one statement (:func:`_knn_candidates`). On SQLite the grid cells round the point are read
    from the covering index and ordered there, out to a circle sized by the number of stations
    per grid cell (:func:`_first_radius`) so that one read is nearly always enough, in a city
    as between cities, and widened if not (:func:`_grid_nearest`); full rows are then read for
    the few stations returned. A rare amenity is read from an index of its own stations.
    """
    wanted = query.offset + query.limit
    ceiling = query.radius_m if query.radius_m is not None else MAX_SEARCH_M
    if conn.dialect.name == "postgresql":
        nearby = _knn_candidates(conn, query, wanted, ceiling)
        if nearby is not None:
            chosen = nearby[query.offset : wanted]
            return [Hit(StationView.from_row(row), distance) for distance, _id, row in chosen]
        found = _candidates(conn, query, ceiling)
        found.sort()
        return _hits(conn, found[query.offset : wanted])
    # A rare amenity's stations are counted apart: the circle is sized by where they are.
    bit = _rarest_bit(conn, query.amenities)
    share = _mask_share(conn, query.amenities) if query.amenities else 1.0
    if bit:
        share = share / max(_mask_share(conn, bit), 1e-9)
    radius = min(ceiling, _first_radius(conn, query, share, wanted, bit))
    gridded = _grid_nearest(conn, query, wanted, ceiling, radius)
    if gridded is not None:
        return _hits(conn, gridded[query.offset : wanted])
    while True:  # near a pole or the antimeridian: boxes of the (lat, lon) index
        found = _candidates(conn, query, radius)
        if len(found) >= wanted or radius >= ceiling:
            break
        radius = min(ceiling, radius * 2.0)
    found.sort()
    return _hits(conn, found[query.offset : wanted])


def _grid_nearest(
    conn: Connection, query: NearestQuery, wanted: int, ceiling: float, radius: float
) -> list[tuple[float, int]] | None:
    """(distance, id) of matching stations within ``ceiling``, closest first, among which are
    the ``wanted`` nearest, read from the grid (SQLite); None where the grid does not serve.

    Each statement reads the grid cells round the point out to ``radius`` and returns the
    closest of them in the plane of degrees, at most ``many``, as PostgreSQL's GiST index does
    (see :func:`plane_reach`): SQLite orders the cells' stations itself, so a circle larger
    than needed costs little. The circle widens until it holds the ``wanted`` nearest.
    """
    many = GRID_FIRST * wanted + KNN_EXTRA
    while True:
        rows = _grid_rows(
            conn, query, radius, many, plane_reach(query.lat, radius, _grid_scale(query))
        )
        if rows is None:
            return None
        found = _measured(rows, query, min(radius, ceiling))
        complete = len(rows) < many
        if len(found) >= wanted:
            if complete:
                return [(distance, station_id) for distance, station_id, _row in found]
            last, scale = rows[-1], _grid_scale(query)
            read = math.hypot((last.lon - query.lon) * scale, last.lat - query.lat)
            reach = plane_reach(query.lat, found[wanted - 1][0], scale)
            if reach is not None and reach < read:
                return [(distance, station_id) for distance, station_id, _row in found]
            # every station within the k-th distance, in one more statement
            rows = _grid_rows(conn, query, found[wanted - 1][0], -1, reach)
            if rows is None:
                return None
            found = _measured(rows, query, min(radius, ceiling))
            return [(distance, station_id) for distance, station_id, _row in found]
        if not complete:
            many *= 4
        elif radius >= ceiling:
            return [(distance, station_id) for distance, station_id, _row in found]
        else:
            # Grow the circle by the area that should hold the rest, judging by what it held.
            growth = (
                2.0 if not found else min(2.0, max(1.2, 1.15 * math.sqrt(wanted / len(found))))
            )
            radius = min(ceiling, radius * growth)


def _hits(conn: Connection, chosen: list[tuple[float, int]]) -> list[Hit]:
    """The hits of (distance, id) pairs, in their order, with the stations' full rows."""
    views = _views(conn, [station_id for _distance, station_id in chosen])
    return [Hit(views[station_id], distance) for distance, station_id in chosen]


#: The first circle the nearest query reads, without filters.
FIRST_RADIUS_M = 1500.0
#: Per database and amenity mask: the share of stations that have them (read once per process;
#: it only sizes the first circle, so a stale figure costs time, never a wrong answer).
_MASK_SHARES: dict[tuple[str, int], float] = {}


def _engine_key(conn: Connection) -> str:
    return f"{conn.engine.url!r}"


#: How long the stations per grid cell are trusted before they are read again (seconds).
DENSITY_TTL_S = 600.0
#: The first circle should hold this many times the matches wanted, going by those counts.
DENSITY_MARGIN = 1.5
#: How many rings of grid cells round the point's cell are counted (about 35 km) before
#: blocks of COARSE_CELLS x COARSE_CELLS cells are counted instead (up to as many rings).
DENSITY_RINGS = 16
COARSE_CELLS = 16
#: Per database and amenity bit (0: every station): when the counts were read, and the
#: listed stations (with that amenity) of every grid cell that has some and of every coarse
#: block. They only size the first circle, so stale counts cost time, never a wrong answer.
_DENSITY: dict[tuple[str, int], tuple[float, dict[int, int], dict[int, int]]] = {}


def _cell_counts(conn: Connection, bit: int = 0) -> tuple[dict[int, int], dict[int, int]]:
    key = (_engine_key(conn), bit)
    known = _DENSITY.get(key)
    now = time.monotonic()
    if known is None or now - known[0] > DENSITY_TTL_S:
        listed = [STATIONS.c.status != StationStatus.closed.value]
        if bit:
            listed.append(STATIONS.c.amenities.op("&")(bit) != 0)
        rows = conn.execute(
            select(STATIONS.c.cell, func.count()).where(*listed).group_by(STATIONS.c.cell)
        ).all()
        fine = {int(cell): int(count) for cell, count in rows}
        coarse: Counter[int] = Counter()
        for cell, count in fine.items():
            coarse[_coarse(cell)] += count
        known = _DENSITY[key] = (now, fine, dict(coarse))
    return known[1], known[2]


def _coarse(cell: int) -> int:
    row, col = divmod(cell, CELLS_PER_ROW)
    return (row // COARSE_CELLS) * CELLS_PER_ROW + col // COARSE_CELLS


def _rings(counts: dict[int, int], centre: int, need: float) -> tuple[int, int] | None:
    """How many rings of cells round ``centre`` hold ``need`` stations, and how many they
    hold (None: more than DENSITY_RINGS)."""
    held = counts.get(centre, 0)
    ring = 0
    while held < need:
        ring += 1
        if ring > DENSITY_RINGS:
            return None
        top, bottom = centre - ring * CELLS_PER_ROW, centre + ring * CELLS_PER_ROW
        held += sum(counts.get(top + step, 0) for step in range(-ring, ring + 1))
        held += sum(counts.get(bottom + step, 0) for step in range(-ring, ring + 1))
        for row in range(1 - ring, ring):
            middle = centre + row * CELLS_PER_ROW
            held += counts.get(middle - ring, 0) + counts.get(middle + ring, 0)
    return ring, held


def _first_radius(
    conn: Connection, query: NearestQuery, share: float, wanted: int, bit: int = 0
) -> float:
    """The radius of the first circle: within it lie, judging by the stations per grid cell
    (those with the amenity ``bit``, if given) and the share of them having the amenities
    asked for, ``DENSITY_MARGIN`` times the wanted matches.

    The square of cells round the point (ring by ring) that holds them is found first; its
    cells are then taken by the distance of their far corner from the point until they hold
    the matches, so that a town in one corner of the square counts for what it holds.
    """
    fine, coarse = _cell_counts(conn, bit)
    if not fine:
        return FIRST_RADIUS_M
    # With a filter the matches in a circle vary by chance (a few of every hundred stations
    # for a rare amenity): about two standard deviations more are asked for.
    need = (wanted * DENSITY_MARGIN + 2.0 * math.sqrt(wanted)) / max(share, 1e-6)
    counts, cells, key = fine, 1, cell_of(query.lat, query.lon)
    found = _rings(fine, key, need)
    if found is None:
        counts, cells, key = coarse, COARSE_CELLS, _coarse(key)
        found = _rings(coarse, key, need)
        if found is None:
            return FIRST_RADIUS_M
    ring = found[0]
    size = CELL_DEGREES * cells
    lat_m = math.radians(1.0) * EARTH_RADIUS_M
    lon_m = lat_m * max(0.01, math.cos(math.radians(query.lat)))
    first_row, first_col = divmod(key, CELLS_PER_ROW)
    corners = []
    for row in range(first_row - ring, first_row + ring + 1):
        south = row * size - 90.0
        north_m = max(abs(query.lat - south), abs(south + size - query.lat)) * lat_m
        for col in range(first_col - ring, first_col + ring + 1):
            held = counts.get(row * CELLS_PER_ROW + col)
            if held:
                west = col * size - 180.0
                east_m = max(abs(query.lon - west), abs(west + size - query.lon)) * lon_m
                corners.append((math.hypot(north_m, east_m), held))
    corners.sort()
    total = 0
    for distance, held in corners:
        total += held
        if total >= need:
            return max(100.0, distance)
    return max(100.0, corners[-1][0]) if corners else FIRST_RADIUS_M


def _mask_share(conn: Connection, mask: int) -> float:
    key = (_engine_key(conn), mask)
    share = _MASK_SHARES.get(key)
    if share is None:
        total, matching = conn.execute(
            select(
                func.count(),
                func.coalesce(
                    func.sum(case((STATIONS.c.amenities.op("&")(mask) == mask, 1), else_=0)), 0
                ),
            ).select_from(STATIONS)
        ).one()
        share = _MASK_SHARES[key] = (matching / total) if total else 1.0
    return share


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
    reach = plane_reach(query.lat, query.radius_m)
    if conn.dialect.name == "postgresql" and _plane_fits(query, reach):
        assert reach is not None
        rows = _circle_candidates(conn, query, reach, query.radius_m)
        return NearestPage(
            [
                Hit(StationView.from_row(row), distance)
                for distance, _id, row in rows[query.offset : query.offset + query.limit]
            ],
            len(rows),
        )
    found = _candidates(conn, query, query.radius_m)
    found.sort()
    chosen = found[query.offset : query.offset + query.limit]
    views = _views(conn, [station_id for _distance, station_id in chosen])
    return NearestPage(
        [Hit(views[station_id], distance) for distance, station_id in chosen], len(found)
    )


_NEAR_COLUMNS = "s.id, s.lat, s.lon"
_NEAR_HOURS = ", s.status, s.hours, s.timezone"
_NEAR_WHERE = (
    " AND s.status != :closed AND (s.amenities & :mask) = :mask"
    " AND s.lat BETWEEN :south AND :north AND s.lon BETWEEN :west AND :east"
)
#: One statement for any number of cell-key ranges, passed as one parameter (a JSON list):
#: each range is one seek in the covering index (SQLite).
_SQLITE_RANGES = (
    "SELECT {columns} FROM json_each(:ranges) AS r CROSS JOIN stations AS s"
    " WHERE s.cell BETWEEN json_extract(r.value, '$[0]') AND json_extract(r.value, '$[1]')"
    + _NEAR_WHERE
)


@cache
def _range_statement(with_hours: bool) -> Any:
    columns = _NEAR_COLUMNS + (_NEAR_HOURS if with_hours else "")
    return sql_text(_SQLITE_RANGES.format(columns=columns))


#: The square of the distance in the plane of degrees, longitudes shortened to the ground's
#: length at the point's latitude (``:scale``), where a circle on the ground is nearly round.
_GRID_PLANE = "(s.lon - :lon) * (s.lon - :lon) * :scale2 + (s.lat - :lat) * (s.lat - :lat)"
_GRID_SQL = (
    "SELECT s.id, s.lat, s.lon{hours} FROM json_each(:ranges) AS r"
    " CROSS JOIN stations AS s{indexed}"
    " WHERE s.cell BETWEEN json_extract(r.value, '$[0]') AND json_extract(r.value, '$[1]')"
    + _NEAR_WHERE
    + "{only}{within} ORDER BY "
    + _GRID_PLANE
    + " LIMIT :many"
)


@cache
def _grid_statement(bit: int, within: bool, with_hours: bool) -> Any:
    indexed = only = ""
    if bit:
        indexed = f" INDEXED BY ix_stations_near_{_KNN_BITS[bit]}"
        only = f" AND (s.amenities & {bit}) <> 0"
    return sql_text(
        _GRID_SQL.format(
            hours=_NEAR_HOURS if with_hours else "",
            indexed=indexed,
            only=only,
            within=f" AND {_GRID_PLANE} <= :reach2" if within else "",
        )
    )


def _grid_scale(query: NearestQuery) -> float:
    """How much shorter a degree of longitude is than one of latitude at the point."""
    return math.cos(math.radians(query.lat))


def _grid_rows(
    conn: Connection,
    query: NearestQuery,
    radius: float,
    many: int,
    reach: float | None = None,
) -> list[Any] | None:
    """The ``many`` (-1: all) matching stations of the grid cells round the point out to
    ``radius``, closest first in the plane of degrees, and within ``reach`` of it there if
    given; None where the cells cannot be listed (near a pole or the antimeridian)."""
    ranges = cell_ranges(query.lat, query.lon, radius)
    if ranges is None:
        return None
    south, north, west, east = bounding_box(query.lat, query.lon, radius)
    params = {
        "ranges": json.dumps(ranges),
        "closed": StationStatus.closed.value,
        "mask": query.amenities,
        "south": south,
        "north": north,
        "west": west,
        "east": east,
        "lat": query.lat,
        "lon": query.lon,
        "many": many,
        "scale2": _grid_scale(query) ** 2,
        "reach2": None if reach is None else reach * reach,
    }
    statement = _grid_statement(
        _rarest_bit(conn, query.amenities), reach is not None, query.open_at is not None
    )
    return list(conn.execute(statement, params).all())


def _candidates(conn: Connection, query: NearestQuery, radius: float) -> list[tuple[float, int]]:
    """(distance, id) of every matching station within ``radius`` of the query point."""
    with_hours = query.open_at is not None
    # PostgreSQL reads a box of the (lat, lon) index here: the grid's index is SQLite's.
    ranges = cell_ranges(query.lat, query.lon, radius) if conn.dialect.name == "sqlite" else None
    south, north, west, east = bounding_box(query.lat, query.lon, radius)
    if ranges is not None:
        params: dict[str, Any] = {
            "closed": StationStatus.closed.value,
            "mask": query.amenities,
            "south": south,
            "north": north,
            "west": west,
            "east": east,
            "ranges": json.dumps(ranges),
        }
        rows = conn.execute(_range_statement(with_hours), params).all()
    else:
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
    kept = row.hours
    hours = OpeningHours.from_json((json.loads(kept) if isinstance(kept, str) else kept) or {})
    return status_at(hours, query.open_at, row.timezone).open_now


# PostgreSQL: the nearest stations straight from a GiST index (migration 0019).
#
# ``point(lon, lat) <-> point(x, y)`` orders rows by their distance in the plane of degrees,
# which is not the distance on the ground (a degree of longitude is shorter than one of
# latitude away from the equator). The index only proposes candidates, closest in that plane
# first: each is measured by :func:`haversine_m`, and the search stops once no station it has
# not read can be closer than the ones it keeps. That bound is :func:`plane_reach`: every
# point within ``d`` metres on the ground lies within ``plane_reach(lat, d)`` in the plane.

#: How many candidates the first read takes: the stations wanted times this, and a few more.
#: In PostgreSQL's plane a degree of longitude counts as much as one of latitude, so more of
#: its closest are farther on the ground than in SQLite's, where longitudes are shortened.
KNN_FIRST = 2
GRID_FIRST = 1
KNN_EXTRA = 4
#: The bits of the amenities few stations offer (``KNN_AMENITIES``): each has an index of its
#: own stations (migration 0019; GiST on PostgreSQL, the grid's on SQLite), read instead of
#: the general one when a query asks for it.
_KNN_BITS = {1 << AMENITIES.index(name): name for name in KNN_AMENITIES}
#: The opening hours as text (the driver would parse every row's): only the few stations
#: returned are parsed.
_KNN_COLUMNS = ", ".join(
    "CAST(s.hours AS text) AS hours" if kept is STATIONS.c.hours else f"s.{kept.name}"
    for kept in _COLUMNS
)
_HOURS_TEXT = column("hours", String)
_KNN_SQL = (
    "SELECT {columns} FROM stations AS s WHERE s.status <> 'closed'{only}"
    " AND (s.amenities & :mask) = :mask"
    " ORDER BY point(s.lon, s.lat) <-> point(:lon, :lat) LIMIT :many"
)
_CIRCLE_SQL = (
    "SELECT {columns} FROM stations AS s WHERE s.status <> 'closed'{only}"
    " AND (s.amenities & :mask) = :mask"
    " AND point(s.lon, s.lat) <@ circle(point(:lon, :lat), :reach)"
)
#: A candidate measured: its distance, id and row (of ``_COLUMNS``).
Measured = tuple[float, int, Any]


def plane_reach(lat: float, radius_m: float, scale: float = 1.0) -> float | None:
    """The distance in the plane of degrees (longitudes times ``scale``) within which every
    point closer than ``radius_m`` on the ground to a point at latitude ``lat`` lies (a
    little more, for rounding); None when the circle reaches a pole or nearly.

    With ``h = hav(d)`` (the angle ``d`` on the ground), the haversine formula gives
    ``hav(dlat) + k * hav(dlon) <= h``, where ``k = cos(lat) * cos(far)`` and ``far`` is the
    circle's latitude farthest from the equator. As ``asin(sqrt(s))**2 / s`` (``g``) grows
    with ``s``, ``dlat**2 <= 4 * g(h) * hav(dlat)`` and ``dlon**2 <= 4 * g(h / k) * hav(dlon)``,
    so that ``dlat**2 + (scale * dlon)**2 <= 4 * h * max(g(h), scale**2 * g(h / k) / k)``:
    within a few parts in a thousand of the radius itself for a city's distances.
    """
    theta = radius_m / EARTH_RADIUS_M
    here = math.radians(lat)
    far = abs(here) + theta
    if far >= math.pi / 2:
        return None
    k = math.cos(here) * math.cos(far)
    h = math.sin(theta / 2) ** 2
    if h >= k:
        return None
    bound = 4 * h * max(_asin_ratio(h), scale * scale * _asin_ratio(h / k) / k)
    return math.degrees(math.sqrt(bound)) * (1 + 1e-9) + 1e-12


def _asin_ratio(s: float) -> float:
    """``asin(sqrt(s))**2 / s``, which grows from 1 (at 0) with ``s``."""
    return math.asin(math.sqrt(s)) ** 2 / s if s > 0 else 1.0


def _plane_fits(query: NearestQuery, reach: float | None) -> bool:
    """Whether the plane's circle of ``reach`` round the point stays within the globe's
    longitudes (across the antimeridian the plane's distance is not the ground's)."""
    return reach is not None and query.lon - reach >= -180.0 and query.lon + reach <= 180.0


def _rarest_bit(conn: Connection, mask: int) -> int:
    """The bit of the rarest amenity of ``mask`` that has an index of its own (0: none)."""
    bits = [bit for bit in _KNN_BITS if mask & bit]
    if not bits:
        return 0
    return min(bits, key=lambda bit: (_mask_share(conn, bit), bit))


def _knn_only(conn: Connection, mask: int) -> str:
    """The condition naming the index of the rarest amenity of ``mask`` that has one."""
    bit = _rarest_bit(conn, mask)
    return f" AND (s.amenities & {bit}) <> 0" if bit else ""


@cache
def _knn_statement(template: str, only: str) -> Any:
    sql = template.format(columns=_KNN_COLUMNS, only=only)
    return sql_text(sql).columns(*(_HOURS_TEXT if c is STATIONS.c.hours else c for c in _COLUMNS))


def _knn_candidates(
    conn: Connection, query: NearestQuery, wanted: int, ceiling: float
) -> list[Measured] | None:
    """The matching stations within ``ceiling``, closest first (ties by id), among which are
    the ``wanted`` nearest, with their rows; None where the plane does not serve (near a pole
    or the antimeridian): the caller then reads a box."""
    only = _knn_only(conn, query.amenities)
    params: dict[str, Any] = {"mask": query.amenities, "lon": query.lon, "lat": query.lat}
    # A radius is applied here, not in the statement: with a circle in its WHERE clause the
    # planner reads every station in the circle and sorts them (3 ms in a city centre)
    # instead of walking the index outwards and stopping after a few.
    ceiling_reach = plane_reach(query.lat, ceiling) if query.radius_m is not None else None
    if query.radius_m is not None and not _plane_fits(query, ceiling_reach):
        return None
    many = KNN_FIRST * wanted + KNN_EXTRA
    while True:
        params["many"] = many
        rows = conn.execute(_knn_statement(_KNN_SQL, only), params).all()
        found = _measured(rows, query, ceiling)
        if len(rows) < many:
            return found  # every candidate was read
        last = rows[-1]
        read = math.hypot(last.lon - query.lon, last.lat - query.lat)
        if ceiling_reach is not None and read > ceiling_reach:
            return found  # every station not read is beyond the radius
        if len(found) < wanted:
            many *= 4
            continue
        reach = plane_reach(query.lat, found[wanted - 1][0])
        if not _plane_fits(query, reach):
            return None
        assert reach is not None
        if reach < read:
            return found  # every station not read is farther than the ones kept
        # Every station within the reach, in one more statement.
        return _circle_candidates(conn, query, reach, ceiling)


def _circle_candidates(
    conn: Connection, query: NearestQuery, reach: float, ceiling: float
) -> list[Measured]:
    """Every matching station within ``ceiling`` on the ground, read as those within
    ``reach`` in the plane (see :func:`plane_reach`), closest first (ties by id)."""
    params = {"mask": query.amenities, "lon": query.lon, "lat": query.lat, "reach": reach}
    statement = _knn_statement(_CIRCLE_SQL, _knn_only(conn, query.amenities))
    return _measured(conn.execute(statement, params), query, ceiling)


def _measured(rows: Iterable[Any], query: NearestQuery, ceiling: float) -> list[Measured]:
    """The rows within ``ceiling`` that the query accepts, measured, closest first."""
    found = []
    with_hours = query.open_at is not None
    for row in rows:
        distance = haversine_m(query.lat, query.lon, row.lat, row.lon)
        if distance <= ceiling and (not with_hours or _open(row, query)):
            found.append((distance, row.id, row))
    found.sort(key=_by_distance)
    return found


def _by_distance(item: Measured) -> tuple[float, int]:
    return item[0], item[1]


#: Built once: building a statement costs more than running it for a few ids.
_VIEWS = select(*_COLUMNS).where(STATIONS.c.id.in_(bindparam("ids", expanding=True)))


def _views(conn: Connection, ids: list[int]) -> dict[int, StationView]:
    if not ids:
        return {}
    rows = conn.execute(_VIEWS, {"ids": ids}).all()
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
#: How many stations the fuzzy step reads from the trigram index to score with rapidfuzz.
FUZZY_CANDIDATES = 200
#: Scoring more stations than this (a scan) on the async engine is done off the event loop.
OFF_LOOP_CHOICES = 2000
#: The lowest rapidfuzz score a match needs.
SEARCH_CUTOFF = 60

log = logging.getLogger(__name__)


def search(conn: Connection, *, text: str, limit: int = 5, offset: int = 0) -> SearchResult:
    """Find stations by name, district or street (fuzzy, for workers without GPS): the page
    from ``offset``, best match first, and the number of matches.

    The words are compared with each station's ``search_text`` (name, district and address,
    folded alike) by rapidfuzz's ``partial_ratio``. Only a few hundred stations are scored:
    those that hold the words as they are (the first by id, as the full scan ranks equal
    scores; two-letter words through the FTS5 vocabulary on SQLite and the bigram index on
    PostgreSQL), the near misses (:func:`near_misses`: one letter left out, or for short words
    one put in, as a city written before a street is) and the closest few hundred by trigrams,
    all read through the indexes (FTS5 on SQLite, pg_trgm on PostgreSQL). Candidates are
    scored in id order, so equal scores rank as in the full scan. Without an index every
    station is scored, as :func:`search_by_scan` does (off the event loop on the async
    engine).
    """
    needle = normalize(text)
    if not needle:
        return SearchResult((), False)
    choices = _indexed_choices(conn, needle)
    # by id, as the scan reads them: rapidfuzz keeps the first of equal scores
    choices = _all_choices(conn) if choices is None else dict(sorted(choices.items()))
    return _ranked(conn, needle, choices, limit=limit, offset=offset)


def search_by_scan(
    conn: Connection, *, text: str, limit: int = 5, offset: int = 0
) -> SearchResult:
    """The answer of :func:`search` found by scoring every station (the reference)."""
    needle = normalize(text)
    if not needle:
        return SearchResult((), False)
    return _ranked(conn, needle, _all_choices(conn), limit=limit, offset=offset)


def _all_choices(conn: Connection) -> dict[int, str]:
    rows = conn.execute(
        select(STATIONS.c.id, STATIONS.c.search_text)
        .where(STATIONS.c.status != StationStatus.closed.value)
        .order_by(STATIONS.c.id)
    ).all()
    return {row.id: row.search_text for row in rows}


def _ranked(
    conn: Connection, needle: str, choices: dict[int, str], *, limit: int, offset: int
) -> SearchResult:
    score = partial(
        process.extract,
        needle,
        choices,
        scorer=fuzz.partial_ratio,
        processor=None,
        limit=SEARCH_MAX * 2,
        score_cutoff=SEARCH_CUTOFF,
    )
    if len(choices) > OFF_LOOP_CHOICES and conn.dialect.is_async:
        # Scoring every station (no index): on the async engine this code runs on the event
        # loop, so the scoring goes to a worker thread while other updates are served.
        found = await_(asyncio.to_thread(score))
    else:
        found = score()
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


#: Per database URL: whether the trigram index exists (looked up once per process).
_INDEXED: dict[str, bool] = {}


def _has_index(conn: Connection) -> bool:
    key = _engine_key(conn)
    known = _INDEXED.get(key)
    if known is None:
        if conn.dialect.name == "sqlite":
            query = "SELECT 1 FROM sqlite_master WHERE name = 'stations_fts'"
        else:
            query = (
                "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_stations_search_trgm' "
                "AND indexdef LIKE '%gin_trgm_ops%'"
            )
        known = conn.execute(sql_text(query)).first() is not None
        if not known:
            log.warning("station text search has no trigram index: every search scans the table")
        _INDEXED[key] = known
    return known


def _trigrams(needle: str) -> list[str]:
    grams = dict.fromkeys(needle[i : i + 3] for i in range(len(needle) - 2))
    return [gram for gram in grams if gram.strip()]


def _indexed_choices(conn: Connection, needle: str) -> dict[int, str] | None:
    """The stations worth scoring for ``needle``, read through the index (None: no index)."""
    if not _has_index(conn):
        return None
    if conn.dialect.name == "sqlite":
        return _sqlite_choices(conn, needle)
    return _postgresql_choices(conn, needle)


#: The fuzzy step asks the FTS5 table for stations holding this many of the query's rarest
#: trigrams (common ones, held by thousands, would make it read long lists and rank little).
RARE_TRIGRAMS = 8
#: ... leaving out those more stations than this hold (unless no other is held).
COMMON_TRIGRAM = 3000
#: A two-letter piece of the words stands for at most this many trigrams beginning with it.
MAX_PREFIX_TERMS = 64


_FTS_FIRST = (
    "SELECT s.id, s.search_text FROM stations AS s JOIN ("
    " SELECT rowid AS id FROM stations_fts WHERE stations_fts MATCH :match"
    " ORDER BY {order} LIMIT :many) AS f ON f.id = s.id WHERE s.status != :closed"
)
#: The stations the FTS5 table ranks first (bm25) for a query, at most ``many``...
_FTS_BY_RANK = sql_text(_FTS_FIRST.format(order="rank"))
#: ... and the first ``many`` by id it finds (nothing is ranked).
_FTS_BY_ID = sql_text(_FTS_FIRST.format(order="rowid"))


def _sqlite_choices(conn: Connection, needle: str) -> dict[int, str]:
    closed = StationStatus.closed.value
    # Stations holding the words as they are score 100: the first of them by id, as the full
    # scan ranks equal scores. The FTS5 table narrows them down by the rarest trigrams of the
    # words (or, for two letters, the trigrams that begin with them: the words then need a
    # letter after them), and instr() keeps those that hold the words.
    if len(needle) < 3:
        grams = list(
            conn.execute(
                sql_text(
                    "SELECT term FROM stations_fts_terms WHERE term >= :low AND term < :high"
                ),
                {"low": needle, "high": needle + "\U0010ffff"},
            ).scalars()
        )
        exact_match = " OR ".join(_phrase(gram) for gram in grams if gram.startswith(needle))
        counts: dict[str, int] = {}
    else:
        grams = _trigrams(needle)
        counts = dict(
            conn.execute(
                sql_text(
                    "SELECT term, doc FROM stations_fts_terms WHERE term IN :grams"
                ).bindparams(bindparam("grams", expanding=True)),
                {"grams": grams},
            ).all()
        )
        if any(gram not in counts for gram in grams):
            exact_match = ""  # a trigram no station holds: nothing holds the words
        else:
            rarest = sorted(grams, key=lambda gram: counts[gram])[:2]
            exact_match = " AND ".join(_phrase(gram) for gram in rarest)
    choices: dict[int, str] = {}
    if exact_match:
        rows = conn.execute(
            sql_text(
                "SELECT s.id, s.search_text FROM stations_fts AS f JOIN stations AS s"
                " ON s.id = f.rowid WHERE stations_fts MATCH :match AND s.status != :closed"
                " AND instr(s.search_text, :needle) > 0 ORDER BY f.rowid LIMIT :many"
            ),
            {"match": exact_match, "closed": closed, "needle": needle, "many": SEARCH_MAX * 2},
        )
        choices = {row.id: row.search_text for row in rows}
    if len(choices) >= SEARCH_MAX * 2 or len(needle) < 3:
        return choices
    exact_found = bool(choices)
    held = sorted((gram for gram in grams if counts.get(gram)), key=lambda gram: counts[gram])
    rare = [gram for gram in held[:RARE_TRIGRAMS] if counts[gram] <= COMMON_TRIGRAM] or held[:1]
    if not rare:
        return choices
    # One trigram alone ranks nothing: every station holding it shares that one piece of the
    # words, and bm25 would only prefer short texts, which partial_ratio does not. Those
    # stations are taken by id, as the scan breaks equal scores, without ranking the thousands
    # that may hold a common one (a street name such as 解放路).
    queries = [(" OR ".join(_phrase(gram) for gram in rare), len(rare) > 1)]
    # The stations holding every piece of the words that some station holds (e.g. a city and
    # a street written together, or the parts on both sides of a typing mistake).
    pieces = [_phrase(piece) for piece in _pieces(needle, counts)]
    pieces += [_begins(conn, short) for short in _uncovered(needle, counts)]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) > 1:
        queries.append((" AND ".join(pieces), True))
    for match, by_rank in queries:
        params = {"match": match, "many": FUZZY_CANDIDATES, "closed": closed}
        for row in conn.execute(_FTS_BY_RANK if by_rank else _FTS_BY_ID, params):
            choices.setdefault(row.id, row.search_text)
    # A letter put in is looked for only when nothing holds short words as they are: then the
    # best answers are near misses their few trigrams cannot rank (longer words have enough
    # rare trigrams for the step above, and trying every letter put in would cost more).
    insertions = not exact_found and len(needle) <= INSERTION_MAX_LETTERS
    near = _sqlite_near_misses(conn, needle, insertions=insertions)
    for station_id, text in near.items():
        choices.setdefault(station_id, text)
    return choices


#: Words of up to this many letters are also tried with a letter put in (near misses).
INSERTION_MAX_LETTERS = 6
#: The near-miss step reads at most this many stations (the first by id, as the scan ranks
#: equal scores).
NEAR_MISS_MAX = 1000


def near_misses(needle: str, middles: dict[tuple[str, str], set[str]]) -> set[str]:
    """What a station may hold that is one slip away from ``needle``: a letter left out, a
    letter put in (one of ``middles``, the letters stations hold between those two), or both
    (a letter typed wrong), three letters or more.

    A station holding one of them scores at least ``(m - 1) / m`` (``m`` letters typed): these
    are the close matches that share too few of the words' trigrams to be ranked high by them
    (a city written before a street, a station number with one digit wrong).
    """
    found: set[str] = set()
    shorter = {needle[:i] + needle[i + 1 :] for i in range(len(needle))}
    for variant in (needle, *sorted(shorter)):
        if variant != needle:
            found.add(variant)
        for j in range(1, len(variant)):
            for middle in middles.get((variant[j - 1], variant[j]), ()):
                found.add(variant[:j] + middle + variant[j:])
    found.discard(needle)
    return {pattern for pattern in found if len(pattern) >= 3}


def _pairs(needle: str) -> set[tuple[str, str]]:
    """The letter pairs a letter may be put in between: neighbours, and letters one apart."""
    pairs = {(needle[i], needle[i + 1]) for i in range(len(needle) - 1)}
    pairs |= {(needle[i], needle[i + 2]) for i in range(len(needle) - 2)}
    return pairs


def _sqlite_near_misses(conn: Connection, needle: str, *, insertions: bool) -> dict[int, str]:
    """The stations holding something one slip away from ``needle`` (see :func:`near_misses`;
    with a letter left out only, unless ``insertions``), read through the FTS5 table."""
    pairs = _pairs(needle) if insertions else set()
    middles: dict[tuple[str, str], set[str]] = {}
    for first in sorted({a for a, _b in pairs}):
        terms = conn.execute(
            sql_text("SELECT term FROM stations_fts_terms WHERE term >= :low AND term < :high"),
            {"low": first, "high": first + "\U0010ffff"},
        ).scalars()
        for term in terms:
            if len(term) == 3 and (first, term[2]) in pairs and term[0] == first:
                middles.setdefault((first, term[2]), set()).add(term[1])
    patterns = near_misses(needle, middles)
    grams = sorted({gram for pattern in patterns for gram in _trigrams(pattern)})
    if not grams:
        return {}
    known: set[str] = set(
        conn.execute(
            sql_text("SELECT term FROM stations_fts_terms WHERE term IN :grams").bindparams(
                bindparam("grams", expanding=True)
            ),
            {"grams": grams},
        ).scalars()
    )
    held = sorted(p for p in patterns if all(gram in known for gram in _trigrams(p)))
    if not held:
        return {}
    rows = conn.execute(
        sql_text(
            "SELECT s.id, s.search_text FROM stations_fts AS f JOIN stations AS s"
            " ON s.id = f.rowid WHERE stations_fts MATCH :match AND s.status != :closed"
            " ORDER BY f.rowid LIMIT :many"
        ),
        {
            "match": " OR ".join(_phrase(pattern) for pattern in held),
            "closed": StationStatus.closed.value,
            "many": NEAR_MISS_MAX,
        },
    )
    return {row.id: row.search_text for row in rows}


def _pieces(needle: str, counts: dict[str, int]) -> list[str]:
    """The longest stretches of ``needle`` whose every trigram some station holds."""
    held = [needle[i : i + 3] in counts for i in range(len(needle) - 2)]
    pieces = []
    i = 0
    while i < len(held):
        if held[i]:
            j = i
            while j + 1 < len(held) and held[j + 1]:
                j += 1
            pieces.append(needle[i : j + 3])
            i = j + 1
        else:
            i += 1
    return pieces


def _uncovered(needle: str, counts: dict[str, int]) -> list[str]:
    """Two-letter stretches of ``needle`` that no held trigram covers (e.g. a city's name
    written before a street: no station holds "泉州文", yet many hold "泉州")."""
    covered = [False] * len(needle)
    for i in range(len(needle) - 2):
        if needle[i : i + 3] in counts:
            covered[i : i + 3] = [True, True, True]
    runs = [
        run
        for run in "".join(" " if c else ch for c, ch in zip(covered, needle, strict=True)).split()
        if len(run) == 2
    ]
    return runs


def _begins(conn: Connection, short: str) -> str:
    """An FTS5 query for the stations holding ``short`` followed by a letter ("" if none)."""
    terms = conn.execute(
        sql_text("SELECT term FROM stations_fts_terms WHERE term >= :low AND term < :high"),
        {"low": short, "high": short + "\U0010ffff"},
    ).scalars()
    grams = [term for term in terms if term.startswith(short)][:MAX_PREFIX_TERMS]
    if not grams:
        return ""
    return "(" + " OR ".join(_phrase(gram) for gram in grams) + ")"


def _postgresql_choices(conn: Connection, needle: str) -> dict[int, str]:
    closed = StationStatus.closed.value
    choices = _postgresql_holding(conn, needle)
    if len(choices) >= SEARCH_MAX * 2 or len(needle) < 3:
        return choices
    exact_found = bool(choices)
    # Near misses (one letter left out or put in) come first: they are the best answers when
    # nothing holds the words as they are.
    insertions = not exact_found and len(needle) <= INSERTION_MAX_LETTERS
    # the words' own trigrams are looked up with the near misses' (one statement)
    grams = _trigrams(needle)
    near, known = _postgresql_near_misses(conn, needle, insertions=insertions, also=grams)
    for station_id, text in near.items():
        choices.setdefault(station_id, text)
    held = [gram for gram in grams if gram in known]
    if len(held) <= 1:
        # One trigram of the words (or none) is held: its holders all share that one piece,
        # and the scan ranks them by id. The similarity below would rank them by their texts'
        # shortness instead, and over a street thousands hold that costs 20 ms or more.
        for station_id, text in _postgresql_sharing_a_piece(conn, held).items():
            choices.setdefault(station_id, text)
        return choices
    # Stations sharing most of the words' trigrams come cheap from the index. Without an exact
    # match or a near miss the close ones may differ in two letters (a wrong letter and a
    # missing one), which share fewer trigrams: the index is asked again for those sharing
    # fewer, which costs more (it reads longer lists), unless a close match is known by then.
    for threshold in (0.6, 0.3):
        conn.execute(
            sql_text("SELECT set_config('pg_trgm.word_similarity_threshold', :value, true)"),
            {"value": str(threshold)},
        )
        rows = conn.execute(
            sql_text(
                "SELECT id, search_text FROM stations"
                " WHERE :needle <% search_text AND status != :closed"
                " ORDER BY :needle <<-> search_text, id LIMIT :many"
            ),
            {"needle": needle, "many": FUZZY_CANDIDATES, "closed": closed},
        )
        for row in rows:
            choices.setdefault(row.id, row.search_text)
        if near:
            break
        best = process.extractOne(
            needle, choices, scorer=fuzz.partial_ratio, processor=None, score_cutoff=CLOSE_MATCH
        )
        if best is not None and exact_found:
            break
    if not choices:
        choices = _postgresql_sharing_a_piece(conn, held)
    return choices


def _postgresql_sharing_a_piece(conn: Connection, held: list[str]) -> dict[int, str]:
    """The first stations by id holding one of the trigrams ``held`` (up to
    ``FUZZY_CANDIDATES``): the answers when no station shares more of the words than a piece
    (e.g. a city no station on that street is in, before a street many hold): they all hold
    just a piece of the words, so the scan's order, by id, decides."""
    if not held:
        return {}
    return _first_by_id(
        conn,
        "search_text LIKE ANY(:patterns)",
        {"patterns": [_like(gram) for gram in held]},
        many=FUZZY_CANDIDATES,
        window=SHARING_ID_ORDER_ROWS,
    )


#: The setting that switches the per-row triggers filling ``station_trigrams`` off for a
#: transaction whose caller adds the pieces itself (migration 0017).
TERMS_BY_CALLER = "gongyou.station_terms_by_caller"


def take_over_search_terms(conn: Connection) -> None:
    """Switch the per-row upkeep of ``station_trigrams`` off for this transaction (PostgreSQL;
    nothing elsewhere): the caller then calls :func:`add_search_terms` with the texts written."""
    if conn.dialect.name == "postgresql":
        conn.execute(sql_text("SELECT set_config(:name, 'on', true)"), {"name": TERMS_BY_CALLER})


def add_search_terms(conn: Connection, texts: Iterable[str]) -> None:
    """Add the three-letter pieces of ``texts`` to ``station_trigrams`` in one statement and
    switch the per-row upkeep back on (PostgreSQL; nothing elsewhere)."""
    if conn.dialect.name != "postgresql":
        return
    terms = sorted({text[i : i + 3] for text in texts for i in range(len(text) - 2)})
    if terms:
        conn.execute(
            sql_text(
                "INSERT INTO station_trigrams (term) SELECT unnest(CAST(:terms AS varchar[]))"
                " ON CONFLICT DO NOTHING"
            ),
            {"terms": terms},
        )
    conn.execute(sql_text("SELECT set_config(:name, 'off', true)"), {"name": TERMS_BY_CALLER})


#: On PostgreSQL the stations holding the words are first looked for among this many, in id
#: order (common words: the first hundred holders are soon found), then through an index.
ID_ORDER_ROWS = 3000
#: ... and the stations holding a piece of them (a common street, e.g.) among this many.
SHARING_ID_ORDER_ROWS = 6000


def _like(words: str) -> str:
    """A LIKE pattern matching text that holds ``words`` (``\\`` escapes)."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _postgresql_holding(conn: Connection, needle: str) -> dict[int, str]:
    """The first stations by id holding ``needle`` (up to ``2 * SEARCH_MAX``).

    A common word is found among the first stations in id order; a rarer one through an index
    (trigrams, or for two letters the bigram index of migration 0017). Either way the answer
    is the first holders by id, as a scan of the whole table gives.
    """
    if len(needle) == 2:
        indexed = "station_bigrams(search_text) @> ARRAY[CAST(:needle AS text)]"
    else:
        indexed = "search_text LIKE :pattern"  # trigrams; for one letter no index helps
    return _first_by_id(
        conn,
        "search_text LIKE :pattern",
        {"pattern": _like(needle), "needle": needle},
        many=SEARCH_MAX * 2,
        window=ID_ORDER_ROWS,
        indexed=indexed,
    )


def _first_by_id(
    conn: Connection,
    condition: str,
    params: dict[str, Any],
    *,
    many: int,
    window: int,
    indexed: str | None = None,
) -> dict[int, str]:
    """The first ``many`` stations by id (not closed) meeting ``condition`` (SQL).

    They are looked for among the first ``window`` stations in id order (a common word is
    soon found), then, when too few are there, through the index ``indexed`` (SQL; the
    condition itself by default) and sorted by id.
    """
    values = {**params, "closed": StationStatus.closed.value, "many": many, "rows": window}
    rows = conn.execute(
        sql_text(
            "SELECT id, search_text FROM (SELECT id, search_text, status FROM stations"
            f" ORDER BY id LIMIT :rows) AS s WHERE {condition}"
            " AND status != :closed ORDER BY id LIMIT :many"
        ),
        values,
    ).all()
    if len(rows) < many:
        # OFFSET 0 keeps the planner from walking the primary key in id order instead
        rows = conn.execute(
            sql_text(
                "SELECT id, search_text FROM (SELECT id, search_text FROM stations"
                f" WHERE {indexed or condition} AND status != :closed OFFSET 0) AS s"
                f" WHERE {condition} ORDER BY id LIMIT :many"
            ),
            values,
        ).all()
    return {row.id: row.search_text for row in rows}


def _postgresql_near_misses(
    conn: Connection, needle: str, *, insertions: bool, also: Iterable[str] = ()
) -> tuple[dict[int, str], set[str]]:
    """The stations holding something one slip away from ``needle`` (see :func:`near_misses`;
    with a letter left out only, unless ``insertions``), read through the trigram index; the
    letters stations hold between two others come from ``station_trigrams``. Also returns
    which of the trigrams looked up some station holds: the near misses' and ``also``."""
    pairs = _pairs(needle) if insertions else set()
    middles: dict[tuple[str, str], set[str]] = {}
    if pairs:
        terms = conn.execute(
            sql_text("SELECT term FROM station_trigrams WHERE left(term, 1) = ANY(:firsts)"),
            {"firsts": sorted({first for first, _last in pairs})},
        ).scalars()
        for term in terms:
            if len(term) == 3 and (term[0], term[2]) in pairs:
                middles.setdefault((term[0], term[2]), set()).add(term[1])
    patterns = near_misses(needle, middles)
    grams = sorted({gram for pattern in patterns for gram in _trigrams(pattern)}.union(also))
    if not grams:
        return {}, set()
    known = set(
        conn.execute(
            sql_text("SELECT term FROM station_trigrams WHERE term = ANY(:grams)"),
            {"grams": grams},
        ).scalars()
    )
    held = sorted(p for p in patterns if all(gram in known for gram in _trigrams(p)))
    if not held:
        return {}, known
    rows = conn.execute(
        sql_text(
            "SELECT id, search_text FROM (SELECT id, search_text FROM stations"
            " WHERE search_text LIKE ANY(:patterns) AND status != :closed OFFSET 0) AS s"
            " ORDER BY id LIMIT :many"
        ),
        {
            "patterns": [_like(pattern) for pattern in held],
            "closed": StationStatus.closed.value,
            "many": NEAR_MISS_MAX,
        },
    )
    return {row.id: row.search_text for row in rows}, known


#: A score at which the search is confident (and the PostgreSQL index is not asked again).
CLOSE_MATCH = 90


def _phrase(words: str) -> str:
    """An FTS5 phrase matching ``words`` exactly (as a substring, with the trigram tokenizer)."""
    return '"' + words.replace('"', '""') + '"'


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
) -> bool | None:
    """Change a station's status (e.g. temporarily closed), audited: True if it changed, False
    if the station already had it, None if there is no such station. The change is written
    only over the status it was read with, so of two staff members (or two submits of one
    form) making the same change at once, one changes it and is audited, the other finds it
    done."""
    previous = await session.scalar(select(STATIONS.c.status).where(STATIONS.c.id == station_id))
    if previous is None:
        return None
    if previous == status.value:
        return False
    conn = await session.connection()
    result = await conn.execute(
        update(STATIONS)
        .where(STATIONS.c.id == station_id, STATIONS.c.status == previous)
        .values(status=status.value, updated_at=utcnow())
    )
    if result.rowcount != 1:
        await session.rollback()
        return False
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
