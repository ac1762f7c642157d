"""The nearest query sized by the stations per grid cell: the same answers as a full scan in a
city, between cities, far from any station and with a rare amenity, also when the counts it
sizes its first circle by are stale."""

from __future__ import annotations

import random

import pytest

from bot.db import Database
from bot.stations import search as station_search
from bot.stations.geo import haversine_m
from bot.stations.search import NearestQuery, amenity_mask, nearest, nearest_by_scan
from tests.test_stations import HERE, _insert, _station

KM = 1000.0


def _cities(rng: random.Random, first: int) -> list[dict[str, object]]:
    """Two dense towns 60 km apart, a few stations on the road between them and one far off;
    one station in twenty has the rare amenity."""
    rows = []
    for number in range(first, first + 240):
        north, east = (0.0, 0.0) if number % 2 else (0.0, 60 * KM)
        rare = ("water", "reading") if number % 20 == 0 else ("water",)
        rows.append(
            _station(
                f"站{number}",
                north + rng.gauss(0, 2 * KM),
                east + rng.gauss(0, 2 * KM),
                amenities=rare,
            )
        )
    rows += [
        _station(f"路{first + i}", rng.uniform(-5, 5) * KM, (20 + 5 * i) * KM) for i in range(4)
    ]
    rows.append(_station(f"远{first}", 400 * KM, -300 * KM))
    return rows


async def _assert_like_the_scan(db: Database, rng: random.Random) -> None:
    points = [(0.0, 0.0), (0.0, 30 * KM), (3 * KM, 45 * KM), (380 * KM, -280 * KM)]
    points += [(rng.uniform(-20, 20) * KM, rng.uniform(-10, 70) * KM) for _ in range(6)]
    for north, east in points:
        lat = HERE[0] + north / 111_195.0
        lon = HERE[1] + east / (111_195.0 * 0.8221)
        for mask, radius in ((0, None), (amenity_mask(["reading"]), None), (0, 4000.0)):
            query = NearestQuery(lat=lat, lon=lon, limit=5, amenities=mask, radius_m=radius)
            fast = await db.transact(nearest, query=query)
            slow = await db.transact(nearest_by_scan, query=query)
            assert [h.station.id for h in fast] == [h.station.id for h in slow]
            for hit in fast:
                assert hit.distance_m == pytest.approx(
                    haversine_m(lat, lon, hit.station.lat, hit.station.lon)
                )


async def test_nearest_equals_a_full_scan_in_towns_between_them_and_far_off(db: Database) -> None:
    rng = random.Random(3)
    await _insert(db, _cities(rng, 0))
    await _assert_like_the_scan(db, rng)


async def test_stale_counts_per_cell_cost_time_never_a_wrong_answer(db: Database) -> None:
    rng = random.Random(5)
    await _insert(db, _cities(rng, 0))
    await _assert_like_the_scan(db, rng)  # the counts are read now ...
    await _insert(db, _cities(rng, 1000))  # ... and are stale after this
    assert station_search._DENSITY, "the counts per cell are kept"
    await _assert_like_the_scan(db, rng)
