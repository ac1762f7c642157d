"""The nearest query (the grid on SQLite, the GiST index on PostgreSQL): the same answers as a
full scan in a city, between cities, far from any station, with a rare amenity, also when the
counts it sizes its first circle by are stale; ties at one spot, the antimeridian and a pole,
open-now filters, pages and counts within a radius."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.db import Database
from bot.stations import search as station_search
from bot.stations.geo import cell_of, haversine_m
from bot.stations.models import StationStatus
from bot.stations.search import (
    NearestQuery,
    amenity_mask,
    nearest,
    nearest_by_scan,
    nearest_page,
)
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
    if db.is_sqlite:  # PostgreSQL reads the nearest through its own index, without counts
        assert station_search._DENSITY, "the counts per cell are kept"
    await _assert_like_the_scan(db, rng)


def _at(name: str, lat: float, lon: float, **kwargs: Any) -> dict[str, Any]:
    """A station at (lat, lon) rather than at an offset from the town centre."""
    return {
        **_station(name, 0.0, 0.0, **kwargs),
        "lat": lat,
        "lon": lon,
        "cell": cell_of(lat, lon),
    }


async def _same_as_the_scan(db: Database, query: NearestQuery) -> list[int]:
    fast = await db.transact(nearest, query=query)
    slow = await db.transact(nearest_by_scan, query=query)
    assert [h.station.id for h in fast] == [h.station.id for h in slow]
    assert [h.distance_m for h in fast] == [h.distance_m for h in slow]
    return [h.station.id for h in fast]


async def test_stations_at_one_spot_rank_by_id_as_a_full_scan_ranks_them(db: Database) -> None:
    # more stations at one spot than the index proposes at first: the tie is cut by id
    spot = [_station(f"同{i}", 500.0, 500.0) for i in range(60)]
    ids = await _insert(db, [*spot, _station("近", 0.0, 10.0), _station("远", 5 * KM, 0.0)])
    for offset in (0, 5, 35, 55):
        query = NearestQuery(lat=HERE[0], lon=HERE[1], limit=5, offset=offset)
        found = await _same_as_the_scan(db, query)
        assert found[0] == (ids["近"] if offset == 0 else found[0])
    first = await _same_as_the_scan(db, NearestQuery(lat=HERE[0], lon=HERE[1], limit=3))
    assert first == [ids["近"], ids["同0"], ids["同1"]]


async def test_nearest_across_the_antimeridian_and_near_a_pole_equals_a_full_scan(
    db: Database,
) -> None:
    rng = random.Random(9)
    rows = [_at(f"东{i}", rng.uniform(-1, 1), rng.uniform(179.0, 180.0)) for i in range(30)]
    rows += [_at(f"西{i}", rng.uniform(-1, 1), rng.uniform(-180.0, -179.0)) for i in range(30)]
    rows += [_at(f"极{i}", rng.uniform(89.0, 90.0), rng.uniform(-180, 180)) for i in range(30)]
    await _insert(db, rows)
    for lat, lon in ((0.0, 179.99), (0.3, -179.95), (89.9, 10.0), (89.5, -120.0)):
        for radius in (None, 50 * KM):
            found = await _same_as_the_scan(
                db, NearestQuery(lat=lat, lon=lon, limit=5, radius_m=radius)
            )
            assert len(found) == 5
    # the nearest to a point just east of the antimeridian include stations just west of it
    names = {
        hit.station.name
        for hit in await db.transact(nearest, query=NearestQuery(lat=0.0, lon=-179.999, limit=20))
    }
    assert any(name.startswith("东") for name in names)


async def test_open_now_amenity_pairs_and_pages_equal_a_full_scan(db: Database) -> None:
    rng = random.Random(13)
    kinds = [("water",), ("water", "reading"), ("charging", "first_aid"), ("reading",)]
    rows = [
        _station(
            f"站{i}",
            rng.gauss(0, 3 * KM),
            rng.gauss(0, 3 * KM),
            amenities=rng.choice(kinds),
            hours=rng.choice(["08:00-20:00", "24小时"]),
            status=rng.choice([StationStatus.open] * 5 + [StationStatus.temporarily_closed]),
        )
        for i in range(300)
    ]
    await _insert(db, rows)
    night = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # 23:00 in China: the 24-hour ones only
    masks = [0, amenity_mask(["water", "reading"]), amenity_mask(["first_aid", "charging"])]
    for _ in range(6):
        lat = HERE[0] + rng.uniform(-0.05, 0.05)
        lon = HERE[1] + rng.uniform(-0.05, 0.05)
        for mask in masks:
            for open_at in (None, night):
                query = NearestQuery(
                    lat=lat, lon=lon, limit=5, offset=5, amenities=mask, open_at=open_at
                )
                await _same_as_the_scan(db, query)
            # a page of every station within a radius, and how many there are
            query = NearestQuery(lat=lat, lon=lon, limit=5, offset=5, radius_m=2 * KM)
            page = await db.transact(nearest_page, query=query)
            every = await db.transact(
                nearest_by_scan, query=replace(query, limit=10_000, offset=0)
            )
            assert page.total == len(every)
            assert [h.station.id for h in page.hits] == [h.station.id for h in every[5:10]]
