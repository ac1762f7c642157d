"""Post stations in the bot: nearest, filters, pages, cards, search, reports, staff tools."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from rapidfuzz import fuzz
from sqlalchemy import insert, select
from sqlmodel import SQLModel

from bot.core.clock import today_in
from bot.core.models import AuditLog, Role, User, utcnow
from bot.core.users import grant_role
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from bot.stations import search as station_search
from bot.stations.geo import cell_of, haversine_m
from bot.stations.hours import parse_hours
from bot.stations.models import Station, StationReport, StationStatus, search_text_of
from bot.stations.search import (
    STATIONS,
    NearestQuery,
    amenity_mask,
    nearest,
    nearest_by_scan,
    search,
    search_by_scan,
)
from knowledge.router import normalize
from tests.conftest import Harness
from tests.factories import STAFF_ID, WORKER_ID, callback, location, message

HERE = (34.7466, 113.6254)  # central Zhengzhou, WGS-84


def _station(
    name: str,
    north_m: float,
    east_m: float,
    *,
    amenities: tuple[str, ...] = ("water",),
    hours: str = "24小时",
    status: StationStatus = StationStatus.open,
    district: str = "金水区",
    demo: bool = False,
) -> dict[str, Any]:
    lat = HERE[0] + north_m / 111_195.0
    lon = HERE[1] + east_m / (111_195.0 * 0.8221)
    return {
        "name": name,
        "address": f"郑州市{district}{name}路1号",
        "city": "郑州市",
        "district": district,
        "lat": lat,
        "lon": lon,
        "cell": cell_of(lat, lon),
        "source_crs": "wgs84",
        "amenities": amenity_mask(amenities),
        "hours": parse_hours(hours).to_json(),
        "hours_text": hours,
        "timezone": "Asia/Shanghai",
        "status": status.value,
        "demo": demo,
    }


STATIONS_NEAR = [
    _station("文化路工会驿站", 300, 0, amenities=("water", "charging")),
    _station("花园路工会驿站", 0, 700, amenities=("microwave", "toilet")),
    _station("经三路工会驿站", -1200, 0, amenities=("water", "microwave"), demo=True),
    _station("农业路工会驿站", 0, -1800, hours="工作日开放"),
    _station("暂停驿站", 100, 100, status=StationStatus.temporarily_closed),
    _station("关闭驿站", 50, 50, status=StationStatus.closed),
    _station("东风路工会驿站", 2500, 0, amenities=("charging",)),
    _station("北环工会驿站", 3000, 500, district="惠济区"),
    _station("远郊工会驿站", 30_000, 0, district="新郑市"),
]


async def _insert(db: Database, rows: list[dict[str, Any]]) -> dict[str, int]:
    async with db.engine.begin() as conn:
        now = __import__("bot.core.models", fromlist=["utcnow"]).utcnow()
        await conn.execute(
            insert(STATIONS), [{**r, "created_at": now, "updated_at": now} for r in rows]
        )
        found = (await conn.execute(select(STATIONS.c.id, STATIONS.c.name))).all()
    return {row.name: row.id for row in found}


@pytest.fixture
async def ids(harness: Harness) -> dict[str, int]:
    """The test stations, by name."""
    return await _insert(harness.db, STATIONS_NEAR)


def _message(calls: list[Call], method: str = "sendMessage") -> Call:
    found = [c for c in calls if c.method == method]
    assert found, [(c.method, c.text[:40]) for c in calls]
    return found[0]


async def test_a_location_lists_the_nearest_open_stations_closest_first(
    harness: Harness, ids: dict[str, int]
) -> None:
    calls = await harness.feed(location(*HERE))
    text = _message(calls).text
    assert text.startswith(t("zh", "st-nearby-header", radius=t("zh", "st-km", n="4")))
    order = ["暂停驿站", "文化路工会驿站", "花园路工会驿站", "经三路工会驿站", "农业路工会驿站"]
    positions = [text.index(name) for name in order]
    assert positions == sorted(positions)
    assert "关闭驿站" not in text  # closed for good is never listed
    assert t("zh", "st-temporarily-closed") in text
    assert t("zh", "st-metres", n=300) in text
    assert t("zh", "st-demo-note") in text  # 经三路 is demo data


async def test_the_nearest_station_is_also_sent_as_a_map_pin(
    harness: Harness, ids: dict[str, int]
) -> None:
    calls = await harness.feed(location(*HERE))
    venue = _message(calls, "sendVenue")
    assert venue.params["title"] == "暂停驿站"


async def test_each_listed_station_has_a_card_button_and_a_directions_link(
    harness: Harness, ids: dict[str, int]
) -> None:
    calls = await harness.feed(location(*HERE))
    rows = _message(calls).buttons
    first = rows[0]
    assert first[0]["callback_data"] == f"sc:{ids['暂停驿站']}"
    assert first[1]["url"].startswith("https://uri.amap.com/navigation?to=")


async def test_the_water_filter_edits_the_same_message_and_keeps_only_stations_with_water(
    harness: Harness, ids: dict[str, int]
) -> None:
    first = _message(await harness.feed(location(*HERE)))
    water = next(
        b["callback_data"]
        for row in first.buttons
        for b in row
        if b.get("callback_data", "").startswith("sn:") and "💧" in b["text"]
    )
    calls = await harness.feed(callback(water, message_id=first.result["message_id"]))
    edited = _message(calls, "editMessageText")
    assert edited.params["message_id"] == first.result["message_id"]
    assert "文化路工会驿站" in edited.text
    assert "经三路工会驿站" in edited.text
    assert "花园路工会驿站" not in edited.text
    assert any("✅💧" in b["text"] for row in edited.buttons for b in row)


async def test_open_now_leaves_out_temporarily_closed_and_unknown_hours(
    harness: Harness, ids: dict[str, int]
) -> None:
    data = f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:0:1:0"
    edited = _message(await harness.feed(callback(data)), "editMessageText")
    assert "暂停驿站" not in edited.text
    assert "农业路工会驿站" not in edited.text
    assert "文化路工会驿站" in edited.text


async def test_more_shows_the_next_page(harness: Harness, ids: dict[str, int]) -> None:
    first = _message(await harness.feed(location(*HERE)))
    more = [
        b["callback_data"]
        for row in first.buttons
        for b in row
        if b["text"] == t("zh", "st-btn-more")
    ]
    assert more == [f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:0:0:1"]
    edited = _message(await harness.feed(callback(more[0])), "editMessageText")
    assert edited.text.startswith(t("zh", "st-nearby-header", radius=t("zh", "st-km", n="4")))
    assert "6. 东风路工会驿站" in edited.text
    assert "7. 北环工会驿站" in edited.text
    assert "远郊工会驿站" not in edited.text  # beyond the 4 km circle


async def test_nothing_within_the_radius_says_so_and_offers_the_nearest_beyond(
    harness: Harness, ids: dict[str, int]
) -> None:
    far = (HERE[0] + 0.5, HERE[1])  # about 55 km north
    text = _message(await harness.feed(location(*far))).text
    assert text.startswith(t("zh", "st-none-within", radius=t("zh", "st-km", n="4")))
    assert "远郊工会驿站" in text


async def test_a_location_with_no_stations_at_all_says_so(harness: Harness) -> None:
    text = _message(await harness.feed(location(*HERE))).text
    assert text.startswith(t("zh", "st-none-at-all"))


@pytest.mark.parametrize(
    "data",
    [
        "sn:999.00000:113.62540:0:0:0",
        "sn:34.74660:113.62540:16:0:0",
        "sn:34.74660:113.62540:0:0:99",
        "sn:34.7:113.6:0:0",
        "sc:99999999",
        "sr:abc",
        "sk:1:z",
        "sf:",
    ],
)
async def test_forged_station_buttons_are_refused_politely(
    harness: Harness, ids: dict[str, int], data: str
) -> None:
    calls = await harness.feed(callback(data))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == t("zh", "button-stale")


async def test_the_deep_link_opens_the_station_card(harness: Harness, ids: dict[str, int]) -> None:
    station_id = ids["经三路工会驿站"]
    card = _message(await harness.feed(message(f"/start st_{station_id}")))
    assert card.text.startswith(t("zh", "st-card-title", name="经三路工会驿站"))
    assert t("zh", "st-demo-note") in card.text
    assert "饮水" in card.text
    assert "微波炉" in card.text
    assert card.buttons[1][0]["callback_data"] == f"sr:{station_id}"


async def test_the_deep_link_to_an_unknown_station_says_it_was_not_found(
    harness: Harness, ids: dict[str, int]
) -> None:
    texts = await harness.texts(message("/start st_424242"))
    assert texts == [t("zh", "st-not-found")]


async def _report(harness: Harness, station_id: int, user_id: int, code: str = "c") -> list[str]:
    return await harness.texts(callback(f"sk:{station_id}:{code}", user_id=user_id))


async def _reports(db: Database) -> list[StationReport]:
    async with db.session() as session:
        return list((await session.exec(select(StationReport))).scalars().all())


async def test_a_report_is_stored_with_its_reporter(harness: Harness, ids: dict[str, int]) -> None:
    station_id = ids["文化路工会驿站"]
    assert await _report(harness, station_id, WORKER_ID, "w") == [t("zh", "st-report-thanks")]
    (report,) = await _reports(harness.db)
    assert (report.station_id, report.reporter_id, report.kind) == (
        station_id,
        WORKER_ID,
        "no_water",
    )


async def test_one_report_per_worker_per_station_per_day(
    harness: Harness, ids: dict[str, int]
) -> None:
    station_id = ids["文化路工会驿站"]
    await _report(harness, station_id, WORKER_ID)
    assert await _report(harness, station_id, WORKER_ID, "b") == [t("zh", "st-report-duplicate")]
    assert len(await _reports(harness.db)) == 1


async def test_three_reports_in_a_day_flag_the_station_and_warn_on_its_card(
    harness: Harness, ids: dict[str, int]
) -> None:
    station_id = ids["文化路工会驿站"]
    for reporter in (1001, 1002):
        await _report(harness, station_id, reporter)
    async with harness.db.session() as session:
        assert (await session.get(Station, station_id)).flagged_at is None
    await _report(harness, station_id, 1003)
    async with harness.db.session() as session:
        assert (await session.get(Station, station_id)).flagged_at is not None
    card = _message(await harness.feed(message(f"/start st_{station_id}")))
    assert t("zh", "st-flag-warning") in card.text


async def test_other_asks_for_words_and_stores_them(harness: Harness, ids: dict[str, int]) -> None:
    station_id = ids["花园路工会驿站"]
    assert await _report(harness, station_id, WORKER_ID, "o") == [
        t("zh", "st-report-ask-text", name="花园路工会驿站")
    ]
    assert await harness.texts(message("门口在施工进不去")) == [t("zh", "st-report-thanks")]
    (report,) = await _reports(harness.db)
    assert (report.kind, report.text) == ("other", "门口在施工进不去")


async def _make_staff(db: Database) -> None:
    async with db.session() as session:
        await grant_role(session, actor_id=None, user_id=STAFF_ID, role=Role.staff)


async def test_staff_see_flagged_stations_and_resolve_them(
    harness: Harness, ids: dict[str, int]
) -> None:
    await _make_staff(harness.db)
    station_id = ids["文化路工会驿站"]
    for reporter in (1001, 1002, 1003):
        await _report(harness, station_id, reporter)
    listing = _message(await harness.feed(message("/stations flagged", user_id=STAFF_ID)))
    assert "文化路工会驿站" in listing.text
    assert listing.callback_data == [f"sf:{station_id}"]
    texts = await harness.texts(callback(f"sf:{station_id}", user_id=STAFF_ID))
    assert texts == [t("zh", "st-flag-resolved")]
    async with harness.db.session() as session:
        assert (await session.get(Station, station_id)).flagged_at is None
        actions = (await session.exec(select(AuditLog.action))).scalars().all()
    assert all(r.resolved_by == STAFF_ID for r in await _reports(harness.db))
    assert "stations.resolve_flag" in actions


async def test_a_worker_cannot_resolve_a_flag(harness: Harness, ids: dict[str, int]) -> None:
    station_id = ids["文化路工会驿站"]
    for reporter in (1001, 1002, 1003):
        await _report(harness, station_id, reporter)
    calls = await harness.feed(callback(f"sf:{station_id}"))
    assert calls[0].params == {
        "callback_query_id": calls[0].params["callback_query_id"],
        "text": t("zh", "role-refused"),
        "show_alert": True,
    }
    async with harness.db.session() as session:
        assert (await session.get(Station, station_id)).flagged_at is not None


async def test_staff_stats_count_stations_by_district_and_demo_share(
    harness: Harness, ids: dict[str, int]
) -> None:
    await _make_staff(harness.db)
    text = _message(await harness.feed(message("/stations stats", user_id=STAFF_ID))).text
    assert "驿站总数：9" in text
    assert "· 金水区: 7" in text
    assert "演示数据：1（11%）" in text


async def test_workers_cannot_see_staff_stats(harness: Harness, ids: dict[str, int]) -> None:
    assert await harness.texts(message("/stations stats")) == [t("zh", "role-refused")]


async def test_staff_can_close_a_station_temporarily(
    harness: Harness, ids: dict[str, int]
) -> None:
    await _make_staff(harness.db)
    station_id = ids["文化路工会驿站"]
    texts = await harness.texts(
        message(f"/stations status {station_id} temporarily_closed", user_id=STAFF_ID)
    )
    assert texts == [t("zh", "st-status-done", id=str(station_id), status="temporarily_closed")]
    async with harness.db.session() as session:
        assert (await session.get(Station, station_id)).status == "temporarily_closed"


async def test_asking_for_stations_in_words_asks_for_a_location_with_the_phone_button(
    harness: Harness, ids: dict[str, int]
) -> None:
    calls = await harness.feed(message("附近有驿站吗"))
    ask = _message(calls)
    assert ask.text == t("zh", "st-ask-where")
    keyboard = ask.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True


async def test_after_the_question_a_district_name_finds_its_stations(
    harness: Harness, ids: dict[str, int]
) -> None:
    await harness.feed(message("附近有驿站吗"))
    text = _message(await harness.feed(message("惠济区"))).text
    assert "北环工会驿站" in text


async def test_a_station_name_in_the_first_message_is_searched_straight_away(
    harness: Harness, ids: dict[str, int]
) -> None:
    text = _message(await harness.feed(message("花园路驿站在哪"))).text
    assert "花园路工会驿站" in text


async def test_forgetting_a_worker_detaches_their_reports(
    harness: Harness, ids: dict[str, int]
) -> None:
    await _report(harness, ids["文化路工会驿站"], WORKER_ID)
    texts = await harness.texts(callback("forget:yes"))
    assert t("zh", "forget-item-reports") in texts[-1]
    (report,) = await _reports(harness.db)
    assert report.reporter_id is None
    async with harness.db.session() as session:
        assert await session.get(User, WORKER_ID) is None


async def test_nearest_equals_a_full_scan_on_random_data(db: Database) -> None:
    rng = random.Random(7)
    rows = [
        _station(
            f"站{i}",
            rng.uniform(-40_000, 40_000),
            rng.uniform(-40_000, 40_000),
            amenities=tuple(rng.sample(("water", "charging", "microwave", "toilet"), 2)),
        )
        for i in range(600)
    ]
    await _insert(db, rows)
    for _ in range(60):
        lat = HERE[0] + rng.uniform(-0.5, 0.5)
        lon = HERE[1] + rng.uniform(-0.5, 0.5)
        mask = rng.choice([0, amenity_mask(["water"]), amenity_mask(["charging", "toilet"])])
        query = NearestQuery(lat=lat, lon=lon, limit=5, amenities=mask)
        fast = await db.transact(nearest, query=query)
        slow = await db.transact(nearest_by_scan, query=query)
        assert [h.station.id for h in fast] == [h.station.id for h in slow]
        for hit in fast:
            assert hit.distance_m == pytest.approx(
                haversine_m(lat, lon, hit.station.lat, hit.station.lon)
            )


_ = SQLModel  # the models module registers every table


CSV = (
    "名称,地址,区县,经度,纬度,开放时间,服务设施\n"
    "测试驿站甲,郑州市金水区甲路1号,金水区,113.6300,34.7500,08:00-20:00,饮水、充电\n"
    "测试驿站乙,郑州市金水区乙路2号,金水区,113.6400,34.7600,24小时,微波炉\n"
).encode()


def _document(
    data: bytes, *, name: str = "stations.csv", caption: str = "", user_id: int = STAFF_ID
) -> tuple[dict[str, Any], str]:
    file_id = f"file{len(data)}{name}"
    extra: dict[str, Any] = {
        "document": {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "file_size": len(data),
        }
    }
    if caption:
        extra["caption"] = caption
    return message(None, user_id=user_id, **extra), file_id


async def _station_count(db: Database) -> int:
    async with db.engine.connect() as conn:
        return len((await conn.execute(select(STATIONS.c.id))).all())


async def test_staff_import_a_stations_file_sent_as_a_document(harness: Harness) -> None:
    await _make_staff(harness.db)
    payload, file_id = _document(CSV, caption="gcj02")
    harness.api.files[file_id] = CSV
    texts = await harness.texts(payload)
    assert texts[-1].startswith(t("zh", "st-import-done", crs="gcj02"))
    assert await _station_count(harness.db) == 2


async def test_a_dry_run_caption_reports_without_importing(harness: Harness) -> None:
    await _make_staff(harness.db)
    payload, file_id = _document(CSV, caption="gcj02 dry-run")
    harness.api.files[file_id] = CSV
    await harness.texts(payload)
    assert await _station_count(harness.db) == 0


async def test_a_malformed_file_from_staff_is_refused_and_changes_nothing(
    harness: Harness, ids: dict[str, int]
) -> None:
    await _make_staff(harness.db)
    before = await _station_count(harness.db)
    garbage = b"\x00\x01\x02 not a csv at all \xff\xfe"
    payload, file_id = _document(garbage)
    harness.api.files[file_id] = garbage
    texts = await harness.texts(payload)
    assert len(texts) == 1
    assert texts[0].split("：")[0].split(":")[0] in t("zh", "import-file-refused", reason="")
    assert await _station_count(harness.db) == before


async def test_an_unsupported_file_type_is_explained(harness: Harness) -> None:
    await _make_staff(harness.db)
    payload, _file_id = _document(b"%PDF-1.4", name="stations.pdf")
    assert await harness.texts(payload) == [t("zh", "st-import-unsupported")]


async def test_a_worker_sending_a_document_gets_the_usual_hint(harness: Harness) -> None:
    payload, _file_id = _document(CSV, user_id=WORKER_ID)
    assert await harness.texts(payload) == [t("zh", "hint-other")]
    assert await _station_count(harness.db) == 0


async def test_an_overlong_report_is_refused_and_nothing_is_stored(
    harness: Harness, ids: dict[str, int]
) -> None:
    await _report(harness, ids["花园路工会驿站"], WORKER_ID, "o")
    assert await harness.texts(message("太" * 300)) == [t("zh", "st-report-too-long")]
    assert await _reports(harness.db) == []


# --- no dead ends: counts, pages, next steps ------------------------------------------------


def _button(call: Call, label: str) -> str:
    """The callback data of the button labelled ``label`` (exactly)."""
    found = [b["callback_data"] for row in call.buttons for b in row if b["text"] == label]
    assert found, [b["text"] for row in call.buttons for b in row]
    return found[0]


async def test_the_nearby_list_says_how_many_stations_there_are_and_which_page(
    harness: Harness, ids: dict[str, int]
) -> None:
    first = _message(await harness.feed(location(*HERE)))
    assert t("zh", "st-list-count", count=7, page=1, pages=2) in first.text
    english = _message(await harness.feed(location(*HERE, user_id=4242, lang="en")))
    assert "7 stations, page 1 of 2" in english.text


async def test_a_filter_no_station_has_offers_to_drop_the_filters(
    harness: Harness, ids: dict[str, int]
) -> None:
    # water, charging and microwave together: no station has all three
    data = f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:7:0:0"
    edited = _message(await harness.feed(callback(data)), "editMessageText")
    chosen = "、".join(["💧饮水", "🔌充电", "🍱微波炉"])
    assert edited.text.startswith(t("zh", "st-none-with-filters", filters=chosen))
    drop = _button(edited, t("zh", "st-btn-drop-filters"))
    assert drop == f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:0:0:0"

    unfiltered = _message(await harness.feed(callback(drop)), "editMessageText")

    assert unfiltered.text.startswith(t("zh", "st-nearby-header", radius=t("zh", "st-km", n="4")))
    assert "文化路工会驿站" in unfiltered.text


async def test_open_now_with_nothing_open_offers_to_drop_it_in_english(
    harness: Harness,
) -> None:
    await _insert(harness.db, [_station("只在平日开的驿站", 300, 0, hours="工作日开放")])
    data = f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:0:1:0"
    edited = _message(
        await harness.feed(callback(data, user_id=4242, lang="en")), "editMessageText"
    )
    assert edited.text.startswith(t("en", "st-none-with-filters", filters="open now"))
    assert _button(edited, t("en", "st-btn-drop-filters")).endswith(":0:0:0")


async def test_the_last_page_offers_a_wider_radius_that_reaches_further(
    harness: Harness, ids: dict[str, int]
) -> None:
    await _insert(harness.db, [_station("七公里驿站", 7000, 0)])
    last = _message(
        await harness.feed(callback(f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:0:0:1")), "editMessageText"
    )
    ten_km = t("zh", "st-km", n="10")
    widen = _button(last, t("zh", "st-btn-widen", radius=ten_km))
    assert widen == f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:0:0:0:1"

    wider = _message(await harness.feed(callback(widen)), "editMessageText")
    assert wider.text.startswith(t("zh", "st-nearby-header", radius=ten_km))
    assert t("zh", "st-list-count", count=8, page=1, pages=2) in wider.text
    more = _button(wider, t("zh", "st-btn-more"))
    assert more == f"sn:{HERE[0]:.5f}:{HERE[1]:.5f}:0:0:1:1"  # the next page keeps 10 km
    second = _message(await harness.feed(callback(more)), "editMessageText")
    assert "8. 七公里驿站" in second.text


async def test_a_text_search_says_how_many_it_found_and_pages_through_them(
    harness: Harness, ids: dict[str, int]
) -> None:
    first = _message(await harness.feed(message("金水区驿站")))
    # six listed stations in 金水区 (the closed one never is)
    assert t("zh", "st-list-count", count=6, page=1, pages=2) in first.text
    assert "5. " in first.text
    more = _button(first, t("zh", "st-btn-more"))
    assert more == "sq:1"

    second = _message(await harness.feed(callback(more, message_id=77)), "editMessageText")

    assert second.params["message_id"] == 77
    assert t("zh", "st-list-count", count=6, page=2, pages=2) in second.text
    assert "6. " in second.text
    assert "1. " not in second.text
    assert _button(second, t("zh", "st-btn-prev")) == "sq:0"


async def test_a_text_search_counts_in_english_with_the_right_plural(
    harness: Harness, ids: dict[str, int]
) -> None:
    sent = _message(await harness.feed(message("花园路驿站在哪", user_id=4242, lang="en")))
    assert "1 station, page 1 of 1" in sent.text
    assert not [b for row in sent.buttons for b in row if b["callback_data"].startswith("sq:")]


async def test_a_place_that_matches_nothing_offers_the_districts_that_have_stations(
    harness: Harness, ids: dict[str, int]
) -> None:
    await harness.feed(message("附近有驿站吗"))
    nothing = _message(await harness.feed(message("火星基地")))
    assert nothing.text == t("zh", "st-search-nothing", query="火星基地")
    labels = [b["text"] for row in nothing.buttons for b in row]
    assert labels[0] == t("zh", "st-btn-district", district="金水区", count=6)
    pick = _button(nothing, t("zh", "st-btn-district", district="惠济区", count=1))
    assert pick == f"sd:{ids['北环工会驿站']}:0"

    listing = _message(await harness.feed(callback(pick)))

    assert listing.text.startswith(t("zh", "st-district-header", district="惠济区"))
    assert t("zh", "st-list-count", count=1, page=1, pages=1) in listing.text
    assert "北环工会驿站" in listing.text
    # the worker may still type another place
    retry = _message(await harness.feed(message("文化路")))
    assert "文化路工会驿站" in retry.text


async def test_a_district_list_pages_through_its_stations(
    harness: Harness, ids: dict[str, int]
) -> None:
    station_id = ids["文化路工会驿站"]
    first = _message(await harness.feed(callback(f"sd:{station_id}:0")))
    assert _button(first, t("zh", "st-btn-more")) == f"sd:{station_id}:1"
    second = _message(await harness.feed(callback(f"sd:{station_id}:1")), "editMessageText")
    assert "6. " in second.text


@pytest.mark.parametrize(
    "data", ["sq:1", "sq:abc", "sd:99999:0", "sd:1:999", "sn:34.74660:113.62540:0:0:0:9"]
)
async def test_forged_list_buttons_are_refused_politely(
    harness: Harness, ids: dict[str, int], data: str
) -> None:
    calls = await harness.feed(callback(data))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == t("zh", "button-stale")


async def test_a_card_says_the_phone_is_not_on_record_and_when_its_details_changed(
    harness: Harness, ids: dict[str, int]
) -> None:
    card = _message(await harness.feed(message(f"/start st_{ids['文化路工会驿站']}")))
    today = today_in("Asia/Shanghai", utcnow()).isoformat()
    assert t("zh", "st-card-phone-unknown") in card.text
    assert t("zh", "st-card-updated", date=today) in card.text
    # the address already names the district: it is not repeated after it
    assert t("zh", "st-card-address-only", address="郑州市金水区文化路工会驿站路1号") in card.text
    english = _message(
        await harness.feed(message(f"/start st_{ids['文化路工会驿站']}", user_id=4242, lang="en"))
    )
    assert t("en", "st-card-updated", date=today) in english.text
    assert "Phone: not on record" in english.text


async def test_a_card_shows_a_known_phone_and_the_day_it_was_checked(harness: Harness) -> None:
    row = {
        **_station("有电话的驿站", 100, 0),
        "address": "文化路1号",
        "phone": "0371-12345678",
        "verified_on": date(2026, 3, 1),
    }
    found = await _insert(harness.db, [row])
    card = _message(await harness.feed(message(f"/start st_{found['有电话的驿站']}")))
    assert t("zh", "st-card-phone", phone="0371-12345678") in card.text
    assert t("zh", "st-card-verified", date="2026-03-01") in card.text
    assert t("zh", "st-card-address", address="文化路1号", district="金水区") in card.text
    assert t("zh", "st-card-phone-unknown") not in card.text


def _town_station(
    rng: random.Random, number: int, town: str, north_m: float, east_m: float
) -> dict[str, Any]:
    road = rng.choice(("人民路", "建设路", "文化路", "花园路", "农业路"))
    place = rng.choice(("社区", "广场", "公园", "街道"))
    row = _station(
        f"{town}{place}驿站{number}",
        north_m,
        east_m,
        amenities=tuple(rng.sample(("water", "charging", "microwave", "toilet"), 2))
        + (("reading",) if number % 97 == 0 else ()),
        district=rng.choice(("金水区", "中原区", "二七区", "惠济区")),
    )
    row["address"] = f"{road}{rng.randint(1, 99)}号"
    if number % 50 == 0:
        row["status"] = StationStatus.closed.value
    return row


@pytest.fixture
async def towns(db: Database) -> Database:
    """About 900 stations in three towns 60 km apart, a few with a rare amenity."""
    rng = random.Random(11)
    rows = []
    for town, north in (("郑州", 0.0), ("新乡", 60_000.0), ("许昌", -60_000.0)):
        for _ in range(300):
            rows.append(
                _town_station(
                    rng, len(rows) + 1, town, north + rng.gauss(0, 3000), rng.gauss(0, 3000)
                )
            )
    await _insert(db, rows)
    return db


async def _both(db: Database, words: str) -> tuple[Any, Any]:
    fast = await db.transact(search, text=words, limit=5)
    slow = await db.transact(search_by_scan, text=words, limit=5)
    return fast, slow


def _scores(words: str, views: Any) -> list[float]:
    needle = normalize(words)
    return [
        fuzz.partial_ratio(needle, search_text_of(v.name, v.district, v.address)) for v in views
    ]


@pytest.mark.parametrize(
    "words",
    [
        "新乡社区驿站301",  # a name
        "新乡社区译站301",  # with a typing mistake
        "新乡设区驿站31",  # two mistakes, a digit short
        "文化路12号",  # an address
        "惠济区",  # a district
        "郑州人民路",  # a town and a street, not written together anywhere
        "许昌",  # two letters
        "火星基地",  # nothing like it
        "驿站",  # everywhere: the first by id
    ],
)
async def test_text_search_through_the_index_gives_the_best_answers_of_a_full_scan(
    towns: Database, words: str
) -> None:
    fast, slow = await _both(towns, words)
    assert _scores(words, fast.hits)[:1] == _scores(words, slow.hits)[:1]
    if towns.is_sqlite:
        # on PostgreSQL a station one letter off may rank below its place on a full scan
        assert _scores(words, fast.hits) == _scores(words, slow.hits)
    assert fast.confident == slow.confident
    # the stations holding the words as they are: the same ones, first by id
    exact = _scores(words, slow.hits).count(100)
    assert [v.id for v in fast.hits][:exact] == [v.id for v in slow.hits][:exact]
    assert all(v.status is not StationStatus.closed for v in fast.hits)


async def test_text_search_finds_a_name_with_a_typing_mistake(towns: Database) -> None:
    async with towns.engine.connect() as conn:
        name = (await conn.execute(select(STATIONS.c.name).where(STATIONS.c.id == 333))).scalar()
    assert name is not None
    assert "驿站" in name
    typo = name.replace("驿站", "译站")
    result = await towns.transact(search, text=typo, limit=5)
    assert result.hits[0].name == name


async def test_text_search_without_the_index_scans_and_answers_the_same(
    towns: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed = await towns.transact(search, text="新乡社区译站301", limit=5)
    monkeypatch.setattr(station_search, "OFF_LOOP_CHOICES", 10)
    monkeypatch.setattr(station_search, "_has_index", lambda conn: False)
    scanned = await towns.transact(search, text="新乡社区译站301", limit=5)
    assert [v.id for v in scanned.hits] == [v.id for v in indexed.hits]


@pytest.mark.parametrize("rare", [False, True])
async def test_nearest_between_towns_and_with_a_rare_amenity_equals_a_full_scan(
    towns: Database, rare: bool
) -> None:
    mask = amenity_mask(["reading"]) if rare else amenity_mask(["water"])
    for north in (30_000.0, -30_000.0, 0.0, 90_000.0):
        lat = HERE[0] + north / 111_195.0
        query = NearestQuery(lat=lat, lon=HERE[1] + 0.2, limit=5, amenities=mask)
        fast = await towns.transact(nearest, query=query)
        slow = await towns.transact(nearest_by_scan, query=query)
        assert len(fast) == 5
        assert [h.station.id for h in fast] == [h.station.id for h in slow]
        assert [h.distance_m for h in fast] == pytest.approx([h.distance_m for h in slow])
