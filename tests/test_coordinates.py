"""Coordinates at the edges: a shared location or an imported row that is not on the globe."""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.models import FlowState
from bot.db import Database
from bot.i18n import t
from bot.stations.geo import (
    Crs,
    InvalidPoint,
    bd09_to_gcj02,
    bounding_box,
    cell_of,
    cell_ranges,
    gcj02_to_wgs84,
    haversine_m,
    to_wgs84,
)
from bot.stations.imports import ImportFileError, import_stations
from bot.stations.models import Station
from tests.conftest import Harness
from tests.factories import WORKER_ID, location, message

STATIONS = Station.__table__  # type: ignore[attr-defined]
HERE = (34.7466, 113.6254)
NOT_ON_THE_GLOBE = [
    pytest.param(math.nan, HERE[1], id="nan-latitude"),
    pytest.param(HERE[0], math.nan, id="nan-longitude"),
    pytest.param(math.inf, HERE[1], id="infinite-latitude"),
    pytest.param(HERE[0], -math.inf, id="minus-infinite-longitude"),
    pytest.param(200.0, HERE[1], id="latitude-200"),
    pytest.param(HERE[0], 181.0, id="longitude-181"),
]


async def _station_count(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(STATIONS))).scalar_one())


async def _flow(db: Database) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, WORKER_ID)


# --- a shared location ------------------------------------------------------------------------


@pytest.mark.parametrize(("lat", "lon"), NOT_ON_THE_GLOBE)
async def test_a_location_off_the_globe_gets_a_polite_answer_and_nothing_else(
    harness: Harness, lat: float, lon: float
) -> None:
    calls = await harness.feed(location(lat, lon))

    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].text == t("zh", "st-location-invalid")


async def test_an_english_worker_is_told_in_english_that_the_location_cannot_be_read(
    harness: Harness,
) -> None:
    texts = await harness.texts(location(math.nan, math.inf, lang="en"))

    assert texts == [t("en", "st-location-invalid")]


async def test_a_bad_location_keeps_the_station_search_the_worker_was_in(
    harness: Harness,
) -> None:
    await harness.feed(message("/stations"))
    before = await _flow(harness.db)
    assert before is not None

    await harness.feed(location(math.inf, math.inf))

    after = await _flow(harness.db)
    assert after is not None
    assert (after.flow, after.step) == (before.flow, before.step)


async def test_the_bot_answers_a_real_location_after_a_bad_one(harness: Harness) -> None:
    await harness.feed(location(math.nan, math.nan))

    texts = await harness.texts(location(*HERE))

    assert texts
    assert texts[0] != t("zh", "st-location-invalid")
    assert t("zh", "error-generic") not in texts


# --- geo functions ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lat", "lon"), NOT_ON_THE_GLOBE)
def test_geo_functions_refuse_a_point_off_the_globe_with_a_clear_error(
    lat: float, lon: float
) -> None:
    calls: list[Any] = [
        lambda: cell_of(lat, lon),
        lambda: cell_ranges(lat, lon, 1000.0),
        lambda: bounding_box(lat, lon, 1000.0),
        lambda: gcj02_to_wgs84(lat, lon),
        lambda: bd09_to_gcj02(lat, lon),
        lambda: to_wgs84(lat, lon, Crs.bd09),
    ]
    for call in calls:
        with pytest.raises(InvalidPoint, match="not a point on the globe"):
            call()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_distance_to_a_non_finite_point_is_an_error_not_half_the_globe(bad: float) -> None:
    with pytest.raises(InvalidPoint):
        haversine_m(HERE[0], HERE[1], bad, HERE[1])
    with pytest.raises(InvalidPoint):
        haversine_m(bad, HERE[1], *HERE)


def test_a_search_radius_must_be_finite() -> None:
    with pytest.raises(ValueError, match="radius"):
        cell_ranges(*HERE, math.inf)


# --- station imports --------------------------------------------------------------------------


async def test_csv_rows_with_non_finite_or_out_of_range_coordinates_are_rejected_by_line(
    db: Database,
) -> None:
    data = (
        "名称,纬度,经度\n"
        "好驿站,34.7466,113.6254\n"
        "甲,nan,113.6\n"
        "乙,inf,113.6\n"
        "丙,200,113.6\n"
        "丁,34.7,-Infinity\n"
        "戊,1e400,113.6\n"
    ).encode()

    report = await import_stations(db, data, filename="stations.csv", crs=Crs.wgs84)

    assert report.added == 1
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "import-invalid-coordinates"),
        (4, "import-invalid-coordinates"),
        (5, "import-outside-globe"),
        (6, "import-invalid-coordinates"),
        (7, "import-invalid-coordinates"),
    ]
    assert await _station_count(db) == 1
    for lang in ("zh", "en"):
        reason = t(lang, "import-outside-globe", detail="200, 113.6")
        assert t(lang, "import-line", line=5, reason=reason) in report.render(lang)


async def test_json_items_with_nan_infinity_or_huge_numbers_are_rejected_by_item(
    db: Database,
) -> None:
    huge = "9" * 400
    data = (
        "["
        '{"name": "好驿站", "lat": 34.7466, "lon": 113.6254},'
        '{"name": "甲", "lat": NaN, "lon": 113.6},'
        '{"name": "乙", "lat": 34.7, "lon": Infinity},'
        f'{{"name": "丙", "lat": {huge}, "lon": 113.6}},'
        f'{{"name": "丁", "location": [{huge}, 34.7]}},'
        '{"name": "戊", "location": "NaN,-Infinity"}'
        "]"
    ).encode()

    report = await import_stations(db, data, filename="stations.json", crs=Crs.gcj02)

    assert report.added == 1
    assert [(r.line, r.reason) for r in report.rejected] == [
        (item, "import-invalid-coordinates") for item in (2, 3, 4, 5, 6)
    ]
    assert await _station_count(db) == 1


async def test_a_json_number_too_long_to_read_refuses_the_file(db: Database) -> None:
    data = ('[{"name": "甲", "lat": ' + "9" * 5000 + ', "lon": 113.6}]').encode()

    with pytest.raises(ImportFileError) as raised:
        await import_stations(db, data, filename="stations.json", crs=Crs.wgs84)

    assert raised.value.reason == "import-file-bad-json"
    assert await _station_count(db) == 0
