"""Coordinates: WGS-84, GCJ-02 and BD-09 conversion, distances, and the grid-cell index key.

Phones report WGS-84. Chinese map services publish GCJ-02 (a deliberate, non-linear offset of a
few hundred metres inside mainland China) and Baidu's BD-09 (GCJ-02 shifted once more). Stations
are stored in WGS-84; imports say which system their file uses and are converted here. The
GCJ-02 offset is the published Krasovsky-ellipsoid formula; its inverse has no closed form and is
found by fixed-point iteration to well under a centimetre.

A point that is not on the globe (NaN, an infinity, a latitude beyond ±90 or a longitude beyond
±180) raises :class:`InvalidPoint` here, never a bare error from ``math`` and never a wrong
answer: callers check what people send with :func:`valid_point` first.
"""

from __future__ import annotations

import math
from enum import StrEnum

EARTH_RADIUS_M = 6_371_008.8
_KRASOVSKY_A = 6_378_245.0
_KRASOVSKY_EE = 0.006_693_421_622_965_943
_BD_X_PI = math.pi * 3000.0 / 180.0

#: Grid cell size in degrees (about 2.2 km north-south); the `cell` column keys this grid.
CELL_DEGREES = 0.02
#: Keys of the cells of one grid row are consecutive; the next row's start this much higher.
CELLS_PER_ROW = 100_000
#: The most grid rows a query lists as key ranges (about 9,000 km north to south).
MAX_CELL_ROWS = 4096


class InvalidPoint(ValueError):
    """A latitude/longitude pair that is not a point on the globe."""

    def __init__(self, lat: float, lon: float) -> None:
        super().__init__(f"not a point on the globe: lat {lat!r}, lon {lon!r}")
        self.lat = lat
        self.lon = lon


def valid_point(lat: float, lon: float) -> bool:
    """True for a finite latitude/longitude pair on the globe."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def check_point(lat: float, lon: float) -> None:
    """Raise :class:`InvalidPoint` unless (lat, lon) is a point on the globe."""
    if not valid_point(lat, lon):
        raise InvalidPoint(lat, lon)


def _check_radius(radius_m: float) -> None:
    if not (math.isfinite(radius_m) and radius_m >= 0):
        raise ValueError(f"a radius must be a finite number of metres, not {radius_m!r}")


class Crs(StrEnum):
    """Coordinate reference systems an import file may use."""

    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


def outside_china(lat: float, lon: float) -> bool:
    """True where GCJ-02 applies no offset (a coarse box around mainland China)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (lat, lon)."""
    x, y = lon - 105.0, lat - 35.0
    base = 20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += base * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += base * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _KRASOVSKY_EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Convert a WGS-84 point to GCJ-02."""
    check_point(lat, lon)
    return _wgs84_to_gcj02(lat, lon)


def _wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if outside_china(lat, lon):
        return lat, lon
    dlat, dlon = _offset(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Convert a GCJ-02 point to WGS-84 (iterated until it moves less than 1e-9 degrees)."""
    check_point(lat, lon)
    if outside_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(30):
        glat, glon = _wgs84_to_gcj02(wlat, wlon)
        step_lat, step_lon = lat - glat, lon - glon
        wlat, wlon = wlat + step_lat, wlon + step_lon
        if abs(step_lat) < 1e-9 and abs(step_lon) < 1e-9:
            break
    return wlat, wlon


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Convert a Baidu BD-09 point to GCJ-02."""
    check_point(lat, lon)
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """Convert a GCJ-02 point to Baidu BD-09."""
    check_point(lat, lon)
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _BD_X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def to_wgs84(lat: float, lon: float, crs: Crs) -> tuple[float, float]:
    """Convert a point in ``crs`` to WGS-84."""
    check_point(lat, lon)
    if crs == Crs.gcj02:
        return gcj02_to_wgs84(lat, lon)
    if crs == Crs.bd09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))
    return lat, lon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (InvalidPoint if a coordinate is not finite)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    try:
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    except ValueError:  # sin/cos of an infinity
        a = math.nan
    if a != a:  # NaN: min() below would quietly turn it into half the globe
        bad = (lat2, lon2) if valid_point(lat1, lon1) else (lat1, lon1)
        raise InvalidPoint(*bad)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def cell_of(lat: float, lon: float) -> int:
    """The grid-cell key of a point (row-major over CELL_DEGREES squares)."""
    check_point(lat, lon)
    row = int(math.floor((lat + 90.0) / CELL_DEGREES))
    col = int(math.floor((lon + 180.0) / CELL_DEGREES))
    return row * CELLS_PER_ROW + col


def cell_ranges(lat: float, lon: float, radius_m: float) -> list[tuple[int, int]] | None:
    """Key ranges (one per grid row) covering every cell that may hold a point within reach.

    Within a row the keys of neighbouring cells are consecutive, so a circle needs one range per
    row it touches: a handful nearby, a few hundred for a circle hundreds of km wide. None when
    the box wraps round the antimeridian or a pole, or needs more than MAX_CELL_ROWS rows.
    """
    check_point(lat, lon)
    _check_radius(radius_m)
    south, north, west, east = bounding_box(lat, lon, radius_m)
    if west < -180.0 or east > 180.0:
        return None
    first_row = int(math.floor((south + 90.0) / CELL_DEGREES))
    last_row = int(math.floor((north + 90.0) / CELL_DEGREES))
    if last_row - first_row + 1 > MAX_CELL_ROWS:
        return None
    first_col = int(math.floor((west + 180.0) / CELL_DEGREES))
    last_col = int(math.floor((east + 180.0) / CELL_DEGREES))
    return [
        (row * CELLS_PER_ROW + first_col, row * CELLS_PER_ROW + last_col)
        for row in range(first_row, last_row + 1)
    ]


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a box holding the circle (conservative).

    Where the circle reaches a pole, every longitude is inside: the longitude range is then
    wider than the globe (west < -180 or east > 180), as it is when the circle crosses the
    antimeridian; callers drop the longitude condition in both cases.
    """
    check_point(lat, lon)
    _check_radius(radius_m)
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    far_lat = abs(lat) + dlat
    if far_lat >= 90.0:
        return lat - dlat, lat + dlat, -360.0, 360.0
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(far_lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
