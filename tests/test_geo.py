"""Coordinates: WGS-84 / GCJ-02 / BD-09 conversion, distances and the grid-cell index."""

from __future__ import annotations

import math
import random

import pytest

from bot.stations.geo import (
    CELL_DEGREES,
    EARTH_RADIUS_M,
    Crs,
    bd09_to_gcj02,
    bounding_box,
    cell_of,
    cell_ranges,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    outside_china,
    to_wgs84,
    wgs84_to_gcj02,
)
from bot.stations.search import plane_reach

# Published WGS-84 / GCJ-02 pairs: (wgs lat, wgs lon, gcj lat, gcj lon).
REFERENCE = {
    "shanghai": (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    "shenzhen": (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    "beijing": (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
}
POINTS = list(REFERENCE.values())
IDS = list(REFERENCE)

OUTSIDE_CHINA = [
    (51.5007, -0.1246),  # London
    (40.6892, -74.0445),  # New York
    (-33.8568, 151.2153),  # Sydney
    (-6.1754, 106.8272),  # Jakarta, south of the box
    (35.6586, 139.7454),  # Tokyo, east of the box
]


# GCJ-02


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), POINTS, ids=IDS)
def test_wgs84_converts_to_the_published_gcj02_point(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    lat, lon = wgs84_to_gcj02(wlat, wlon)

    assert lat == pytest.approx(glat, abs=1e-9)
    assert lon == pytest.approx(glon, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), POINTS, ids=IDS)
def test_gcj02_converts_back_to_the_published_wgs84_point(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    lat, lon = gcj02_to_wgs84(glat, glon)

    assert lat == pytest.approx(wlat, abs=1e-7)
    assert lon == pytest.approx(wlon, abs=1e-7)


def test_the_gcj02_offset_is_a_few_hundred_metres_inside_china() -> None:
    for wlat, wlon, _, _ in POINTS:
        assert 100 < haversine_m(wlat, wlon, *wgs84_to_gcj02(wlat, wlon)) < 1000


def test_gcj02_round_trips_across_mainland_china() -> None:
    rng = random.Random(31)
    for _ in range(500):
        lat, lon = rng.uniform(18.0, 53.0), rng.uniform(74.0, 134.0)

        back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))

        assert back == pytest.approx((lat, lon), abs=1e-8)


@pytest.mark.parametrize(("lat", "lon"), OUTSIDE_CHINA)
def test_points_outside_china_are_not_shifted(lat: float, lon: float) -> None:
    assert outside_china(lat, lon)
    assert wgs84_to_gcj02(lat, lon) == (lat, lon)
    assert gcj02_to_wgs84(lat, lon) == (lat, lon)
    assert to_wgs84(lat, lon, Crs.gcj02) == (lat, lon)


# BD-09


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), POINTS, ids=IDS)
def test_bd09_round_trips_to_gcj02_within_a_metre(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    back = bd09_to_gcj02(*gcj02_to_bd09(glat, glon))

    assert back[0] == pytest.approx(glat, abs=1e-5)
    assert back[1] == pytest.approx(glon, abs=1e-5)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), POINTS, ids=IDS)
def test_bd09_shifts_gcj02_by_about_six_thousandths_of_a_degree(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    blat, blon = gcj02_to_bd09(glat, glon)

    assert 0.005 < blat - glat < 0.007
    assert 0.0055 < blon - glon < 0.0075


# to_wgs84


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), POINTS, ids=IDS)
def test_to_wgs84_undoes_each_coordinate_system(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    blat, blon = gcj02_to_bd09(glat, glon)

    assert to_wgs84(wlat, wlon, Crs.wgs84) == (wlat, wlon)
    assert to_wgs84(glat, glon, Crs.gcj02) == pytest.approx((wlat, wlon), abs=1e-7)
    # BD-09's own inverse is approximate (about 1e-6 degrees), so allow a metre or so.
    assert to_wgs84(blat, blon, Crs.bd09) == pytest.approx((wlat, wlon), abs=1e-5)


def test_every_coordinate_system_is_handled_by_to_wgs84() -> None:
    lat, lon = REFERENCE["beijing"][2:]
    results = {crs: to_wgs84(lat, lon, crs) for crs in Crs}

    assert set(results) == {Crs.wgs84, Crs.gcj02, Crs.bd09}
    assert len(set(results.values())) == 3


# Distances


def test_one_degree_of_latitude_is_about_111_2_km() -> None:
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195, abs=1)
    assert haversine_m(45.0, 113.0, 46.0, 113.0) == pytest.approx(111_195, abs=1)


def test_one_degree_of_longitude_shrinks_with_the_cosine_of_latitude() -> None:
    assert haversine_m(60.0, 10.0, 60.0, 11.0) == pytest.approx(111_195 / 2, rel=1e-3)


def test_beijing_to_shanghai_is_about_1067_km() -> None:
    distance = haversine_m(39.9042, 116.4074, 31.2304, 121.4737)

    assert distance == pytest.approx(1_067_000, rel=0.005)


def test_distance_is_zero_to_itself_and_the_same_both_ways() -> None:
    assert haversine_m(34.7466, 113.6254, 34.7466, 113.6254) == 0.0
    assert haversine_m(34.7, 113.6, 22.5, 114.0) == pytest.approx(
        haversine_m(22.5, 114.0, 34.7, 113.6)
    )


def test_antipodes_are_half_the_earth_apart() -> None:
    assert haversine_m(10.0, 20.0, -10.0, -160.0) == pytest.approx(math.pi * EARTH_RADIUS_M)


# Grid cells


def destination(lat: float, lon: float, bearing: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lon) along ``bearing`` (radians) on the sphere."""
    phi, lam, delta = math.radians(lat), math.radians(lon), distance_m / EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(bearing)
    )
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540.0) % 360.0 - 180.0


def _cells(lat: float, lon: float, radius: float) -> list[int] | None:
    ranges = cell_ranges(lat, lon, radius)
    return None if ranges is None else [c for low, high in ranges for c in range(low, high + 1)]


def test_a_point_is_in_its_own_cell_and_neighbouring_cells_differ() -> None:
    cell = cell_of(34.7466, 113.6254)

    assert cell in (_cells(34.7466, 113.6254, 10.0) or [])
    assert cell_of(34.7466 + CELL_DEGREES, 113.6254) != cell
    assert cell_of(34.7466, 113.6254 + CELL_DEGREES) != cell


def test_a_town_sized_area_takes_one_key_range_per_grid_row() -> None:
    ranges = cell_ranges(34.7466, 113.6254, 5_000.0)

    assert ranges is not None
    assert 0 < len(ranges) <= 6
    assert all(low <= high for low, high in ranges)


def test_an_area_across_the_antimeridian_has_no_cell_list_and_a_box_of_every_longitude() -> None:
    assert _cells(10.0, 179.999, 1_000.0) is None
    _south, _north, west, east = bounding_box(10.0, 179.999, 1_000.0)
    assert east > 180.0 or west < -180.0


def test_an_area_reaching_a_pole_takes_every_longitude() -> None:
    lat, lon, radius = 89.995, 0.0, 3_000.0
    assert _cells(lat, lon, radius) is None
    _south, north, west, east = bounding_box(lat, lon, radius)
    assert north >= 90.0
    assert (west, east) == (-360.0, 360.0)


def test_every_point_within_the_radius_falls_in_one_of_the_cell_ranges() -> None:
    rng = random.Random(11)
    checked = 0
    for _ in range(300):
        lat, lon = rng.uniform(18.0, 53.0), rng.uniform(74.0, 134.0)
        radius = rng.choice([rng.uniform(10.0, 2_000.0), rng.uniform(2_000.0, 400_000.0)])
        ranges = cell_ranges(lat, lon, radius)
        assert ranges is not None
        for _ in range(10):
            point = destination(lat, lon, rng.uniform(0.0, 2 * math.pi), radius * rng.random())
            cell = cell_of(*point)
            assert any(low <= cell <= high for low, high in ranges), (lat, lon, radius, point)
            checked += 1
    assert checked == 3000


def test_cell_ranges_give_up_when_the_area_is_too_tall_or_wraps() -> None:
    assert cell_ranges(34.7, 113.6, 2_000_000.0) is not None  # 3,600 km tall: still listed
    assert cell_ranges(34.7, 113.6, 5_000_000.0) is None
    assert cell_ranges(10.0, 179.999, 1_000.0) is None
    assert len(cell_ranges(34.7466, 113.6254, 1_500.0) or []) <= 3


def test_every_point_within_a_radius_lies_within_its_reach_in_the_plane_of_degrees() -> None:
    # the bound the nearest query stops by (PostgreSQL's GiST plane, SQLite's shortened one)
    rng = random.Random(17)
    closest = 0.0
    for _ in range(2000):
        lat, lon = rng.uniform(-75.0, 75.0), rng.uniform(-170.0, 170.0)
        radius = 10 ** rng.uniform(1.0, 6.5)
        for scale in (1.0, math.cos(math.radians(lat))):
            reach = plane_reach(lat, radius, scale)
            if reach is None or abs(lon) + reach / scale > 180.0:
                continue  # the plane does not serve there (the query reads a box instead)
            for _ in range(5):
                # mostly on the rim, where the bound is tight
                far = radius * (1.0 - 1e-9) * rng.random() ** 0.02
                point = destination(lat, lon, rng.uniform(0.0, 2 * math.pi), far)
                if haversine_m(lat, lon, *point) > radius:
                    continue
                plane = math.hypot((point[1] - lon) * scale, point[0] - lat)
                assert plane <= reach, (lat, lon, radius, scale, point)
                closest = max(closest, plane / reach)
    assert closest > 0.999  # and it is tight


def test_a_circle_reaching_a_pole_has_no_reach_in_the_plane() -> None:
    assert plane_reach(89.0, 200_000.0) is None
    assert plane_reach(34.7, 1_000.0) == pytest.approx(
        math.degrees(1_000.0 / EARTH_RADIUS_M) / math.cos(math.radians(34.7)), rel=1e-3
    )
