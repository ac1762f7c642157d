"""Importing post stations from CSV, JSON and GeoJSON: mapping, conversion, upserts, reports."""

from __future__ import annotations

import ast
import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.cli import main
from bot.core.models import AuditLog
from bot.db import Database
from bot.i18n import message_ids, t
from bot.stations import imports as station_import
from bot.stations.geo import Crs, cell_of, gcj02_to_wgs84, haversine_m
from bot.stations.hours import parse_hours
from bot.stations.imports import (
    AMENITY_NAMES,
    FILE_ERROR_KEYS,
    MAX_FILE_BYTES,
    REJECTION_KEYS,
    WARNING_KEYS,
    ImportFileError,
    ImportReport,
    Rejection,
    amenity_mask,
    import_stations,
    load_demo_stations,
    parse_station_file,
    render_file_error,
)
from bot.stations.models import Station, StationStatus

DATA = Path(__file__).with_name("data")
STATIONS = Station.__table__  # type: ignore[attr-defined]
AUDIT = AuditLog.__table__  # type: ignore[attr-defined]
ZHENGZHOU = (34.7466, 113.6254)

CSV_HEADER = "编号,名称,地址,区县,经度,纬度,开放时间,服务设施,电话,状态\n"


def csv_bytes(*lines: str, header: str = CSV_HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode("utf-8")


def station_line(
    number: int,
    *,
    name: str | None = None,
    address: str | None = None,
    lon: str = "113.6254",
    lat: str = "34.7466",
    hours: str = "08:00-20:00",
    facilities: str = "饮水、充电",
    phone: str = "",
    status: str = "正常",
    external_id: str | None = None,
) -> str:
    ext = f"ZZ-{number:03d}" if external_id is None else external_id
    name = f"测试驿站{number}" if name is None else name
    address = f"郑州市中原区测试路{number}号" if address is None else address
    return f"{ext},{name},{address},中原区,{lon},{lat},{hours},{facilities},{phone},{status}"


async def table(db: Database) -> list[dict[str, Any]]:
    """Every station row, as plain dicts, by id."""
    async with db.engine.connect() as conn:
        result = await conn.execute(select(STATIONS).order_by(STATIONS.c.id))
        return [dict(row._mapping) for row in result]


async def audit_rows(db: Database) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        result = await conn.execute(select(AUDIT).order_by(AUDIT.c.id))
        return [dict(row._mapping) for row in result]


async def by_name(db: Database) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in await table(db)}


def json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value))


# Formats and field mapping


async def test_a_csv_with_chinese_headers_is_stored_in_wgs84_converted_from_gcj02(
    db: Database,
) -> None:
    report = await import_stations(
        db, (DATA / "stations-gcj02.csv").read_bytes(), filename="驿站.csv", crs=Crs.gcj02
    )

    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert report.rejected == []
    stations = await by_name(db)
    square = stations["二七广场工会驿站"]
    lat, lon = gcj02_to_wgs84(34.7536, 113.6688)
    assert square["lat"] == pytest.approx(lat, abs=1e-9)
    assert square["lon"] == pytest.approx(lon, abs=1e-9)
    assert haversine_m(lat, lon, 34.7536, 113.6688) > 100  # really moved, not copied
    assert square["cell"] == cell_of(square["lat"], square["lon"])
    assert square["source_crs"] == "gcj02"
    assert square["external_id"] == "ZZ-001"
    assert square["address"] == "郑州市二七区德化街12号"
    assert square["city"] == "郑州市"
    assert square["district"] == "二七区"
    assert square["phone"] == "0371-66660001"
    assert square["managing_union"] == "二七区总工会"
    assert square["status"] == "open"
    assert square["verified_on"].isoformat() == "2025-03-01"
    assert square["demo"] is False


async def test_the_csv_columns_fill_every_field_of_the_station(db: Database) -> None:
    await import_stations(
        db, (DATA / "stations-gcj02.csv").read_bytes(), filename="a.csv", crs=Crs.gcj02
    )

    stations = await by_name(db)
    park, green = stations["紫荆山公园工会驿站"], stations["绿城广场户外劳动者驿站"]
    assert park["phone"] is None
    assert park["verified_on"] is None
    assert park["amenities"] == amenity_mask(["water", "ac", "wifi"])
    assert green["status"] == "temporarily_closed"
    assert green["verified_on"].isoformat() == "2025-04-02"
    assert green["amenities"] == amenity_mask(["rest", "first_aid", "umbrella", "reading"])


@pytest.mark.parametrize(
    "header",
    [
        "external_id,name,address,district,lng,lat,open_hours,facilities,contact_phone,status",
        "id,Name,Address,District,Longitude,Latitude,Hours,Amenities,Phone,Status",
        "编号,站点名称,地址,所属区县,经度(GCJ-02),纬度（GCJ-02）,营业时间,设施,联系电话,状态",
        "编号,驿站名称,地址,区,x,y,开放时间,服务设施,电话,状态",
    ],
)
def test_common_chinese_and_english_headers_map_onto_the_same_fields(header: str) -> None:
    data = csv_bytes(station_line(1, phone="0371-1"), header=header + "\n")

    parsed = parse_station_file(data, filename="s.csv", crs=Crs.wgs84)

    assert parsed.rejected == []
    row = parsed.rows[0]
    assert (row.external_id, row.name, row.district) == ("ZZ-001", "测试驿站1", "中原区")
    assert (row.lat, row.lon) == (34.7466, 113.6254)
    assert row.hours_text == "08:00-20:00"
    assert row.amenities == amenity_mask(["water", "charging"])
    assert row.phone == "0371-1"
    assert row.status is StationStatus.open


def test_a_tab_separated_file_with_a_byte_order_mark_is_read() -> None:
    text = "\ufeff名称\t地址\t经度\t纬度\n驿站甲\t郑州市金水区某路\t113.7\t34.8\n"

    parsed = parse_station_file(text.encode("utf-8"), filename="s.csv", crs=Crs.wgs84)

    assert [(r.name, r.city, r.lat, r.lon) for r in parsed.rows] == [
        ("驿站甲", "郑州市", 34.8, 113.7)
    ]


def test_a_gb18030_file_saved_by_chinese_excel_is_read() -> None:
    data = csv_bytes(station_line(1)).decode("utf-8").encode("gb18030")

    parsed = parse_station_file(data, filename="s.csv", crs=Crs.wgs84)

    assert [row.name for row in parsed.rows] == ["测试驿站1"]


def test_a_utf16_tab_separated_file_saved_as_unicode_text_by_excel_is_read() -> None:
    text = "名称\t经纬度\n驿站甲\t113.7,34.8\n"

    parsed = parse_station_file(text.encode("utf-16"), filename="s.txt", crs=Crs.wgs84)

    assert [(r.name, r.lat, r.lon) for r in parsed.rows] == [("驿站甲", 34.8, 113.7)]


def test_a_city_column_wins_over_the_city_in_the_address() -> None:
    header = "名称,城市,地址,经度,纬度\n"
    data = csv_bytes(
        "甲,开封市,郑州市中原区某路,113.6,34.7",
        "乙,,河南省新郑市中华路,113.7,34.4",
        "丙,,中牟县城关镇农贸市场,113.9,34.7",
        header=header,
    )

    parsed = parse_station_file(data, filename="s.csv", crs=Crs.wgs84)

    assert [row.city for row in parsed.rows] == ["开封市", "新郑市", ""]


def test_a_json_list_of_objects_is_read_with_its_keys_mapped() -> None:
    items = [
        {
            "id": 17,
            "名称": "驿站甲",
            "地址": "郑州市金水区某路",
            "lng": 113.7,
            "lat": "34.8",
            "facilities": ["drink", "seat"],
            "manager": "金水区总工会",
            "verified_on": "2025-01-05",
            "capacity": 8,
        }
    ]

    parsed = parse_station_file(json.dumps(items).encode(), filename="s.json", crs=Crs.wgs84)

    assert parsed.format == "json"
    row = parsed.rows[0]
    assert (row.external_id, row.name, row.lat, row.lon) == ("17", "驿站甲", 34.8, 113.7)
    assert row.amenities == amenity_mask(["water", "rest"])
    assert row.managing_union == "金水区总工会"
    assert row.verified_on is not None
    assert row.verified_on.isoformat() == "2025-01-05"


def test_a_json_object_with_a_stations_list_is_read() -> None:
    document = {"stations": [{"name": "驿站甲", "location": "113.7,34.8"}]}

    parsed = parse_station_file(json.dumps(document).encode(), filename="s", crs=Crs.wgs84)

    assert [(r.name, r.lat, r.lon) for r in parsed.rows] == [("驿站甲", 34.8, 113.7)]


async def test_a_geojson_point_gives_longitude_first_and_properties_give_the_fields(
    db: Database,
) -> None:
    report = await import_stations(
        db, (DATA / "stations.geojson").read_bytes(), filename="s.geojson", crs=Crs.wgs84
    )

    assert (report.added, report.rejected, report.format) == (2, [], "geojson")
    stations = await by_name(db)
    east = stations["郑州站东广场驿站"]
    assert (east["lat"], east["lon"]) == ZHENGZHOU
    assert east["external_id"] == "gj-1"
    assert east["hours_text"] == "07:30-22:30"
    assert east["amenities"] == amenity_mask(["water", "rest", "charging"])
    lake = stations["郑东新区如意湖驿站"]
    assert lake["external_id"] == "gj-2"
    assert lake["amenities"] == amenity_mask(["ac", "wifi", "first_aid"])


def test_a_json_file_holding_a_feature_collection_is_read_as_geojson() -> None:
    data = (DATA / "stations.geojson").read_bytes()

    parsed = parse_station_file(data, filename="export.json", crs=Crs.wgs84)

    assert parsed.format == "geojson"
    assert len(parsed.rows) == 2


def test_a_geojson_feature_that_is_not_a_point_is_rejected() -> None:
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[113.6, 34.7], [113.7, 34.8]]},
                "properties": {"name": "线"},
            },
            {"type": "Feature", "geometry": None, "properties": {"name": "无位置"}},
        ],
    }

    parsed = parse_station_file(json.dumps(document).encode(), filename="s.geojson", crs=Crs.wgs84)

    assert parsed.rows == []
    assert parsed.rejected == [
        Rejection(1, "import-not-a-point", "LineString"),
        Rejection(2, "import-missing-coordinates"),
    ]


# Amenities, hours, status


def test_the_amenity_bits_follow_the_canonical_order() -> None:
    assert AMENITY_NAMES == (
        "water", "microwave", "charging", "toilet", "rest", "ac", "wifi", "first_aid",
        "umbrella", "reading",
    )  # fmt: skip
    assert amenity_mask(["water"]) == 1
    assert amenity_mask(["reading", "microwave"]) == (1 << 9) | (1 << 1)
    assert amenity_mask(["no-such-thing"]) == 0


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "drink,ac,seat,charging,wifi,first_aid",
            ["water", "ac", "rest", "charging", "wifi", "first_aid"],
        ),
        ("饮水、热水、饮用水、开水、喝水", ["water"]),
        ("微波炉 热饭", ["microwave"]),
        ("厕所；卫生间/如厕", ["toilet"]),
        ("休息，座椅，歇脚", ["rest"]),
        ("空调;WiFi;无线网;Wi-Fi", ["ac", "wifi"]),
        ("药箱、急救、医药箱", ["first_aid"]),
        ("雨伞、借伞、书、阅读、图书", ["umbrella", "reading"]),
        ("免费饮用水、手机充电、免费WiFi", ["water", "charging", "wifi"]),
        ("water toilet umbrella", ["water", "toilet", "umbrella"]),
    ],
)
def test_facility_words_and_codes_become_the_amenity_mask(words: str, expected: list[str]) -> None:
    line = f'甲,113.6,34.7,"{words}"'

    parsed = parse_station_file(
        csv_bytes(line, header="名称,经度,纬度,服务设施\n"), filename="s.csv", crs=Crs.wgs84
    )

    assert parsed.warnings == []
    assert parsed.rows[0].amenities == amenity_mask(expected)


def test_an_unknown_facility_is_a_warning_and_the_row_still_imports() -> None:
    data = csv_bytes(station_line(1, facilities="饮水、母婴室"))

    parsed = parse_station_file(data, filename="s.csv", crs=Crs.wgs84)

    assert len(parsed.rows) == 1
    assert parsed.rows[0].amenities == amenity_mask(["water"])
    assert parsed.warnings == [Rejection(2, "import-unknown-amenity", "母婴室")]


async def test_opening_hours_are_stored_as_parsed_json_next_to_the_text(db: Database) -> None:
    text = "周一至周五 08:30-12:00,13:00-17:30"
    data = csv_bytes(station_line(1, hours=f'"{text}"'))

    await import_stations(db, data, filename="s.csv", crs=Crs.wgs84)

    [row] = await table(db)
    assert row["hours_text"] == text
    assert row["hours"] == json_round_trip(parse_hours(text).to_json())
    assert row["hours"]


def test_opening_hours_that_cannot_be_read_are_kept_as_text_with_a_warning() -> None:
    text = "请电话预约"
    parsed = parse_station_file(
        csv_bytes(station_line(1, hours=text)), filename="s.csv", crs=Crs.wgs84
    )

    assert parsed.rows[0].hours_text == text
    assert parsed.rows[0].hours == json_round_trip(parse_hours(text).to_json())
    assert parsed.warnings == [Rejection(2, "import-hours-unparsed", text)]


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("open", StationStatus.open),
        ("正常", StationStatus.open),
        ("开放", StationStatus.open),
        ("暂停", StationStatus.temporarily_closed),
        ("暂时关闭", StationStatus.temporarily_closed),
        ("temporarily_closed", StationStatus.temporarily_closed),
        ("关闭", StationStatus.closed),
        ("停用", StationStatus.closed),
        ("closed", StationStatus.closed),
    ],
)
def test_status_words_map_onto_the_station_status(word: str, status: StationStatus) -> None:
    parsed = parse_station_file(
        csv_bytes(station_line(1, status=word)), filename="s.csv", crs=Crs.wgs84
    )

    assert parsed.rows[0].status is status


def test_an_unknown_status_is_a_warning_and_leaves_the_status_alone() -> None:
    parsed = parse_station_file(
        csv_bytes(station_line(1, status="也许")), filename="s.csv", crs=Crs.wgs84
    )

    assert parsed.rows[0].status is StationStatus.open
    assert "status" not in parsed.rows[0].given
    assert parsed.warnings == [Rejection(2, "import-unknown-status", "也许")]


# Upserts


async def test_importing_the_same_file_again_changes_nothing(db: Database) -> None:
    data = (DATA / "stations-gcj02.csv").read_bytes()
    await import_stations(db, data, filename="s.csv", crs=Crs.gcj02)
    before = await table(db)

    report = await import_stations(db, data, filename="s.csv", crs=Crs.gcj02)

    assert (report.added, report.updated, report.unchanged) == (0, 0, 3)
    assert await table(db) == before


async def test_a_changed_field_updates_the_station_with_that_external_id(db: Database) -> None:
    await import_stations(
        db, csv_bytes(station_line(1), station_line(2)), filename="s.csv", crs=Crs.wgs84
    )
    renamed = station_line(1, name="新名字驿站", phone="0371-9")

    report = await import_stations(
        db, csv_bytes(renamed, station_line(2)), filename="s.csv", crs=Crs.wgs84
    )

    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    rows = await table(db)
    assert [(r["external_id"], r["name"], r["phone"]) for r in rows] == [
        ("ZZ-001", "新名字驿站", "0371-9"),
        ("ZZ-002", "测试驿站2", None),
    ]
    assert rows[0]["updated_at"] > rows[0]["created_at"]


async def test_a_station_without_external_id_is_matched_by_name_and_address(
    db: Database,
) -> None:
    header = "名称,地址,经度,纬度,开放时间\n"
    first = csv_bytes("驿站甲,郑州市某路1号,113.6,34.7,08:00-20:00", header=header)
    await import_stations(db, first, filename="s.csv", crs=Crs.wgs84)
    moved = csv_bytes(
        "驿站甲,郑州市某路1号,113.61,34.71,24小时",
        "驿站甲,郑州市另一条路2号,113.62,34.72,24小时",
        header=header,
    )

    report = await import_stations(db, moved, filename="s.csv", crs=Crs.wgs84)

    assert (report.added, report.updated, report.unchanged) == (1, 1, 0)
    rows = await table(db)
    assert [(r["address"], r["lat"], r["hours_text"]) for r in rows] == [
        ("郑州市某路1号", 34.71, "24小时"),
        ("郑州市另一条路2号", 34.72, "24小时"),
    ]
    assert rows[0]["hours"] == json_round_trip(parse_hours("24小时").to_json())


async def test_stored_hours_written_with_another_key_order_count_as_unchanged(
    db: Database,
) -> None:
    data = csv_bytes(station_line(1))
    await import_stations(db, data, filename="s.csv", crs=Crs.wgs84)
    [row] = await table(db)
    reordered = dict(reversed(list(row["hours"].items())))
    async with db.engine.begin() as conn:
        await conn.execute(update(STATIONS).values(hours=reordered))

    report = await import_stations(db, data, filename="s.csv", crs=Crs.wgs84)

    assert (report.updated, report.unchanged) == (0, 1)


async def test_a_numbered_row_adopts_the_unnumbered_station_with_its_name_and_address(
    db: Database,
) -> None:
    header = "名称,地址,经度,纬度\n"
    await import_stations(
        db, csv_bytes("驿站甲,郑州市某路1号,113.6,34.7", header=header), filename="s.csv",
        crs=Crs.wgs84,
    )  # fmt: skip
    numbered = csv_bytes("A-1,驿站甲,郑州市某路1号,113.6,34.7", header="编号," + header)

    report = await import_stations(db, numbered, filename="s.csv", crs=Crs.wgs84)

    assert (report.added, report.updated) == (0, 1)
    assert [r["external_id"] for r in await table(db)] == ["A-1"]


async def test_columns_a_file_lacks_keep_what_the_station_had(db: Database) -> None:
    await import_stations(
        db, csv_bytes(station_line(1, phone="0371-1")), filename="s.csv", crs=Crs.wgs84
    )
    async with db.engine.begin() as conn:
        await conn.execute(update(STATIONS).values(status=StationStatus.temporarily_closed.value))
    narrow = csv_bytes("ZZ-001,测试驿站1,113.6254,34.7466", header="编号,名称,经度,纬度\n")

    report = await import_stations(db, narrow, filename="s.csv", crs=Crs.wgs84)

    assert report.unchanged == 1
    [row] = await table(db)
    assert row["status"] == "temporarily_closed"
    assert row["phone"] == "0371-1"
    assert row["address"] == "郑州市中原区测试路1号"
    assert row["amenities"] == amenity_mask(["water", "charging"])


async def test_an_import_writes_one_audit_record_with_the_counts(db: Database) -> None:
    data = csv_bytes(station_line(1), station_line(2), "ZZ-9,,无名,中原区,113.6,34.7,,,,")

    await import_stations(db, data, filename="stations.csv", crs=Crs.wgs84, actor_id=333_333)

    [record] = await audit_rows(db)
    assert record["action"] == "stations.import"
    assert record["actor_id"] == 333_333
    assert record["subject"] == "stations.csv"
    assert record["detail"]["added"] == 2
    assert record["detail"]["updated"] == 0
    assert record["detail"]["unchanged"] == 0
    assert record["detail"]["rejected"] == 1


# Rejected rows


async def test_bad_rows_are_rejected_with_their_line_and_reason_while_good_rows_import(
    db: Database,
) -> None:
    data = csv_bytes(
        station_line(1),
        station_line(2, name=""),
        station_line(3, lon="", lat=""),
        station_line(4, lon="abc", lat="34.7"),
        "",
        station_line(5, lon="-0.1276", lat="51.5072"),
        station_line(6, lon="200", lat="95"),
        station_line(7, lon="34.7466", lat="113.6254"),
        station_line(8, name="驿" * 201),
        station_line(9, external_id="ZZ-001"),
        station_line(10, lon="0", lat="0"),
        station_line(11),
    )

    report = await import_stations(db, data, filename="s.csv", crs=Crs.gcj02)

    assert report.added == 2
    assert [(r.line, r.reason_key) for r in report.rejected] == [
        (3, "import-missing-name"),
        (4, "import-missing-coordinates"),
        (5, "import-invalid-coordinates"),
        (7, "import-outside-china"),
        (8, "import-outside-globe"),
        (9, "import-swapped-coordinates"),
        (10, "import-text-too-long"),
        (11, "import-duplicate"),
        (12, "import-invalid-coordinates"),
    ]
    assert report.rejected[-2].detail == "2"
    assert sorted(r["external_id"] for r in await table(db)) == ["ZZ-001", "ZZ-011"]


def test_a_point_outside_china_is_accepted_when_the_file_is_wgs84() -> None:
    data = csv_bytes(station_line(1, lon="-0.1276", lat="51.5072"))

    parsed = parse_station_file(data, filename="s.csv", crs=Crs.wgs84)

    assert (parsed.rows[0].lat, parsed.rows[0].lon) == (51.5072, -0.1276)


def test_a_quoted_value_spanning_lines_keeps_the_line_numbers_of_later_rows() -> None:
    data = csv_bytes(station_line(1, address='"郑州市\n某路1号"'), station_line(2, name=""))

    parsed = parse_station_file(data, filename="s.csv", crs=Crs.wgs84)

    assert parsed.rows[0].address == "郑州市\n某路1号"
    assert parsed.rejected == [Rejection(4, "import-missing-name")]


def test_json_rows_are_numbered_by_item() -> None:
    items = [{"name": "甲", "lat": 34.7, "lng": 113.6}, {"name": "乙"}, {"lat": 1, "lng": 2}]

    parsed = parse_station_file(json.dumps(items).encode(), filename="s.json", crs=Crs.wgs84)

    assert parsed.rejected == [
        Rejection(2, "import-missing-coordinates"),
        Rejection(3, "import-missing-name"),
    ]


def test_a_json_value_that_is_not_text_rejects_the_row() -> None:
    items = [{"name": "甲", "address": {"street": "某路"}, "lat": 34.7, "lng": 113.6}]

    parsed = parse_station_file(json.dumps(items).encode(), filename="s.json", crs=Crs.wgs84)

    assert parsed.rejected == [Rejection(1, "import-invalid-value", "address")]


def test_unknown_columns_are_named_in_a_warning() -> None:
    data = csv_bytes("甲,113.6,34.7,8", header="名称,经度,纬度,容量\n")

    parsed = parse_station_file(data, filename="s.csv", crs=Crs.wgs84)

    assert parsed.warnings == [Rejection(1, "import-ignored-columns", "容量")]


# Malformed files


MALFORMED = [
    pytest.param(b"", "s.csv", "import-file-empty", id="empty"),
    pytest.param(b" \n\n ", "s.csv", "import-file-empty", id="blank"),
    pytest.param(CSV_HEADER.encode(), "s.csv", "import-file-empty", id="header-only"),
    pytest.param(b"[]", "s.json", "import-file-empty", id="empty-list"),
    pytest.param(b'[{"name": "x",]', "s.json", "import-file-bad-json", id="bad-json"),
    pytest.param(b'{"name": "x"}', "s.json", "import-file-not-a-list", id="not-a-list"),
    pytest.param(b'[{"name": "x"}, 3]', "s.json", "import-file-not-an-object", id="not-objects"),
    pytest.param(b'{"type": "Feature"}', "s.geojson", "import-file-not-feature-collection",
                 id="not-feature-collection"),
    pytest.param("名称,地址\n甲,某路\n".encode(), "s.csv", "import-file-no-coordinate-columns",
                 id="no-coordinates"),
    pytest.param("名称,经度\n甲,113\n".encode(), "s.csv", "import-file-no-coordinate-columns",
                 id="longitude-only"),
    pytest.param("地址,经度,纬度\n某路,113,34\n".encode(), "s.csv", "import-file-no-name-column",
                 id="no-name"),
    pytest.param(bytes(range(256)) * 4, "s.csv", "import-file-encoding", id="binary-garbage"),
    pytest.param(b"name,lat,lon\n\x00\x01\x02", "s.csv", "import-file-binary", id="nul-bytes"),
    pytest.param(b"PK\x03\x04rest-of-a-zip", "s.csv", "import-file-spreadsheet", id="xlsx"),
    pytest.param(b"anything", "stations.xlsx", "import-file-spreadsheet", id="xlsx-name"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "filename", "reason"), MALFORMED)
async def test_a_malformed_file_is_refused_and_leaves_the_table_as_it_was(
    db: Database, data: bytes, filename: str, reason: str
) -> None:
    await import_stations(
        db, csv_bytes(station_line(1), station_line(2)), filename="s.csv", crs=Crs.wgs84
    )
    before, audit_before = await table(db), await audit_rows(db)

    with pytest.raises(ImportFileError) as caught:
        await import_stations(db, data, filename=filename, crs=Crs.gcj02)

    assert caught.value.reason_key == reason
    assert await table(db) == before
    assert await audit_rows(db) == audit_before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(ImportFileError) as caught:
        parse_station_file(b" " * (MAX_FILE_BYTES + 1), filename="s.csv", crs=Crs.wgs84)

    assert caught.value.reason_key == "import-file-too-large"


@pytest.mark.parametrize("filename", ["s.csv", "s.json"])
def test_a_file_with_too_many_rows_is_refused(
    monkeypatch: pytest.MonkeyPatch, filename: str
) -> None:
    monkeypatch.setattr(station_import, "MAX_ROWS", 3)
    if filename.endswith(".csv"):
        data = csv_bytes(*(station_line(i) for i in range(1, 5)))
    else:
        data = json.dumps([{"name": str(i), "lat": 34, "lng": 113} for i in range(4)]).encode()

    with pytest.raises(ImportFileError) as caught:
        parse_station_file(data, filename=filename, crs=Crs.wgs84)

    assert caught.value.reason_key == "import-file-too-many-rows"


def test_an_import_file_error_is_a_value_error() -> None:
    assert issubclass(ImportFileError, ValueError)


# Dry run


async def test_a_dry_run_reports_the_same_counts_and_changes_nothing(db: Database) -> None:
    await import_stations(
        db, csv_bytes(station_line(1), station_line(2)), filename="s.csv", crs=Crs.wgs84
    )
    before, audit_before = await table(db), await audit_rows(db)
    second = csv_bytes(
        station_line(1), station_line(2, phone="0371-2"), station_line(3), station_line(4, name="")
    )

    dry = await import_stations(db, second, filename="s.csv", crs=Crs.wgs84, dry_run=True)

    assert await table(db) == before
    assert await audit_rows(db) == audit_before
    real = await import_stations(db, second, filename="s.csv", crs=Crs.wgs84)
    assert (dry.added, dry.updated, dry.unchanged) == (1, 1, 1)
    assert (dry.added, dry.updated, dry.unchanged) == (real.added, real.updated, real.unchanged)
    assert dry.rejected == real.rejected
    assert dry.dry_run
    assert not real.dry_run


# Demo data


async def test_the_demo_file_loads_82_zhengzhou_stations_marked_as_demo(db: Database) -> None:
    report = await load_demo_stations(db)

    assert (report.added, report.rejected) == (82, [])
    rows = await table(db)
    assert len(rows) == 82
    assert all(row["demo"] for row in rows)
    assert all(row["source_crs"] == "gcj02" for row in rows)
    # The file covers the whole municipality: the outer county-level cities (巩义, 新密,
    # 中牟) lie up to about 71 km from the centre.
    assert all(haversine_m(*ZHENGZHOU, row["lat"], row["lon"]) < 80_000 for row in rows)
    assert sum(haversine_m(*ZHENGZHOU, row["lat"], row["lon"]) < 30_000 for row in rows) >= 50
    assert all(row["hours"] for row in rows)


async def test_loading_the_demo_stations_twice_changes_nothing(db: Database) -> None:
    await load_demo_stations(db)
    before = await table(db)

    report = await load_demo_stations(db)

    assert (report.added, report.updated, report.unchanged) == (0, 0, 82)
    assert await table(db) == before


async def test_the_demo_stations_import_with_no_misplaced_coordinates_warning(
    db: Database,
) -> None:
    report = await load_demo_stations(db)

    misplaced = {"import-far-from-district", "import-outside-city"}
    assert [w for w in report.warnings if w.reason in misplaced] == []
    stations = await by_name(db)
    # the two county stations once geocoded to central Zhengzhou now lie in their county
    xinzheng = stations["新郑市困难职工帮扶中心户外劳动者爱心驿站"]
    zhongmu = stations["中牟县青年路街道绿云社区党群服务中心户外劳动者爱心驿站"]
    assert haversine_m(34.396, 113.740, xinzheng["lat"], xinzheng["lon"]) < 5_000
    assert haversine_m(34.719, 113.976, zhongmu["lat"], zhongmu["lon"]) < 5_000


# Coordinates that look misplaced


def _district_lines(*moved: tuple[int, str, str]) -> bytes:
    """Six 中原区 stations around 34.75, 113.62 (lines 2-7), some of them moved elsewhere."""
    places = {number: ("113.6254", "34.7466") for number in range(1, 7)}
    places.update({number: (lon, lat) for number, lon, lat in moved})
    return csv_bytes(
        *(
            station_line(number, lon=f"{float(lon) + number / 1000:.4f}", lat=lat)
            for number, (lon, lat) in places.items()
        )
    )


async def test_a_station_far_from_the_rest_of_its_district_is_imported_with_a_warning(
    db: Database,
) -> None:
    data = _district_lines((6, "113.7400", "34.3960"))  # row 6 (line 7) put in 新郑市

    report = await import_stations(db, data, filename="驿站.csv", crs=Crs.wgs84)

    assert report.added == 6
    assert report.rejected == []
    [warning] = report.warnings
    assert (warning.line, warning.reason) == (7, "import-far-from-district")
    district, km = warning.detail.split(", ")
    assert district == "中原区"
    assert 35 < float(km.removesuffix(" km")) < 45
    assert "第 7 行：" + t("zh", "import-far-from-district", detail=warning.detail) in (
        report.render("zh")
    )
    assert "line 7: " + t("en", "import-far-from-district", detail=warning.detail) in (
        report.render("en")
    )
    assert len(await table(db)) == 6


def test_a_district_with_hundreds_of_stations_still_reports_the_one_far_away() -> None:
    lines = [
        station_line(n, lon=f"{113.60 + (n % 20) / 500:.4f}", lat=f"{34.74 + n / 50_000:.4f}")
        for n in range(1, 301)
    ]
    lines[149] = station_line(150, lon="113.9755", lat="34.7205")  # line 151, in 中牟县

    parsed = parse_station_file(csv_bytes(*lines), filename="驿站.csv", crs=Crs.wgs84)

    assert len(parsed.rows) == 300
    assert [(w.line, w.reason) for w in parsed.warnings] == [(151, "import-far-from-district")]


def test_a_station_outside_its_city_is_reported_and_still_read() -> None:
    data = _district_lines((3, "114.3500", "34.7900"))  # row 3 (line 4) put in 开封

    parsed = parse_station_file(data, filename="驿站.csv", crs=Crs.wgs84)

    assert len(parsed.rows) == 6
    assert parsed.warnings == [Rejection(4, "import-outside-city", "郑州市")]
    assert "郑州市" in t("zh", "import-outside-city", detail="郑州市")
    assert "郑州市" in t("en", "import-outside-city", detail="郑州市")


def test_stations_spread_over_a_large_county_raise_no_warning() -> None:
    # 中牟县: the county seat, its old town and 狼城岗镇, about 25 km to the north-east
    data = csv_bytes(
        "ZM-1,青年路驿站,中牟县青年路,中牟县,113.9755,34.7205,,,,",
        "ZM-2,狼城岗驿站,中牟县狼城岗镇,中牟县,114.1511,34.8718,,,,",
        "ZM-3,北环路驿站,中牟县北环路,中牟县,114.0322,34.7333,,,,",
    )

    parsed = parse_station_file(data, filename="驿站.csv", crs=Crs.gcj02)

    assert len(parsed.rows) == 3
    assert parsed.warnings == []


def test_a_district_with_too_few_stations_to_compare_raises_no_warning() -> None:
    data = csv_bytes(station_line(1), station_line(2, lon="113.7400", lat="34.3960"))

    parsed = parse_station_file(data, filename="驿站.csv", crs=Crs.wgs84)

    assert parsed.warnings == []


# Reports


def test_the_report_lists_at_most_twenty_problems_and_counts_the_rest() -> None:
    report = ImportReport(
        added=3,
        rejected=[Rejection(n, "import-missing-name") for n in range(2, 27)],
        warnings=[Rejection(2, "import-unknown-amenity", "母婴室")],
    )

    text = report.render("en")

    lines = text.splitlines()
    assert lines[0] == t("en", "import-summary", added=3, updated=0, unchanged=0, rejected=25)
    assert lines[1] == t("en", "import-rejected-heading", count=25)
    assert lines[2].strip() == "line 2: " + t("en", "import-missing-name")
    assert lines[22].strip() == t("en", "import-more", count=5)
    assert lines[23] == t("en", "import-warnings-heading", count=1)
    assert lines[24].strip() == "line 2: " + t("en", "import-unknown-amenity", detail="母婴室")
    assert len(lines) == 25


def test_a_json_report_names_items_and_a_dry_run_says_nothing_was_saved() -> None:
    report = ImportReport(
        rejected=[Rejection(4, "import-missing-name")], dry_run=True, format="json"
    )

    text = report.render("zh")

    assert text.splitlines()[0].startswith("试运行")
    assert "第 4 条：" in text


def test_a_file_error_renders_its_reason_in_either_language() -> None:
    err = ImportFileError("import-file-bad-json", "Expecting value (1:2)")

    assert render_file_error(err, "en") == (
        "The file was not imported: The JSON is not valid: Expecting value (1:2)"
    )
    assert "Expecting value (1:2)" in render_file_error(err, "zh")


def _import_keys_in_the_code() -> set[str]:
    source = Path(station_import.__file__).read_text(encoding="utf-8")
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"import-[a-z-]+", node.value)
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_message_key_the_importer_names_is_in_the_catalog(lang: str) -> None:
    keys = _import_keys_in_the_code()

    assert {"import-summary", "import-missing-name", "import-file-empty"} <= keys
    assert keys - message_ids(lang) == set()


def test_every_reason_the_importer_gives_is_listed_with_its_kind() -> None:
    listed = {*REJECTION_KEYS, *WARNING_KEYS, *FILE_ERROR_KEYS}
    framing = {
        "import-summary", "import-summary-dry-run", "import-rejected-heading",
        "import-warnings-heading", "import-line", "import-item", "import-more",
        "import-file-refused",
    }  # fmt: skip

    assert _import_keys_in_the_code() == listed | framing


# The command line


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory and database for `gongyou import stations`, reporting in English."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("GONGYOU_DEFAULT_LANGUAGE", "en")
    return tmp_path


def test_the_import_command_prints_the_report_of_a_dry_run(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "stations-gcj02.csv"

    code = main(["import", "stations", str(path), "--crs", "gcj02", "--dry-run"])

    assert code == 0
    out = capsys.readouterr().out
    expected = t("en", "import-summary-dry-run", added=3, updated=0, unchanged=0, rejected=0)
    assert expected in out


async def _count(url: str) -> int:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(STATIONS))).scalar_one()
            )
    finally:
        await db.dispose()


def test_the_import_command_stores_the_stations_and_a_second_run_changes_nothing(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "stations.geojson"
    assert main(["import", "stations", str(path), "--demo"]) == 0
    assert main(["import", "stations", str(path), "--demo"]) == 0

    out = capsys.readouterr().out
    assert t("en", "import-summary", added=2, updated=0, unchanged=0, rejected=0) in out
    assert t("en", "import-summary", added=0, updated=0, unchanged=2, rejected=0) in out
    url = f"sqlite+aiosqlite:///{cli_env / 'cli.sqlite3'}"
    assert asyncio.run(_count(url)) == 2


def test_the_import_command_exits_1_with_the_reason_for_a_malformed_file(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli_env / "broken.json"
    path.write_text("[{", encoding="utf-8")

    code = main(["import", "stations", str(path)])

    assert code == 1
    err = capsys.readouterr().err
    assert t("en", "import-file-refused", reason=t("en", "import-file-bad-json", detail="")) in err


def test_the_import_command_exits_2_when_the_file_cannot_be_read(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", "stations", str(cli_env / "missing.csv")])

    assert code == 2
    assert "missing.csv" in capsys.readouterr().err


async def _found(db: Database, words: str) -> list[str]:
    from bot.stations.search import search

    result = await db.transact(search, text=words, limit=10)
    return [view.name for view in result.hits]


async def test_imports_keep_the_text_search_index_in_step(db: Database) -> None:
    first = csv_bytes(
        station_line(1, name="银杏社区驿站", address="郑州市中原区银杏路8号"),
        station_line(2, name="梧桐广场驿站", address="郑州市中原区梧桐街9号"),
        station_line(3, name="芙蓉公园驿站", address="郑州市中原区芙蓉路3号"),
    )
    await import_stations(db, first, filename="s.csv", crs=Crs.wgs84)
    assert await _found(db, "银杏社区") == ["银杏社区驿站"]
    assert await _found(db, "梧桐街") == ["梧桐广场驿站"]

    # renamed and moved: the old words no longer find it, the new ones do
    renamed = csv_bytes(
        station_line(1, name="松柏社区驿站", address="郑州市中原区松柏路8号"),
        station_line(2, name="梧桐广场驿站", address="郑州市中原区梧桐街9号"),
        station_line(3, name="芙蓉公园驿站", address="郑州市中原区芙蓉路3号", status="关闭"),
    )
    report = await import_stations(db, renamed, filename="s.csv", crs=Crs.wgs84)
    assert report.updated == 2
    assert await _found(db, "银杏社区") == []
    assert await _found(db, "松柏社区") == ["松柏社区驿站"]
    assert await _found(db, "松柏路") == ["松柏社区驿站"]
    # closed for good: no longer listed
    assert await _found(db, "芙蓉公园") == []

    # a station deleted from the table is gone from the index too
    async with db.engine.begin() as conn:
        await conn.execute(STATIONS.delete().where(STATIONS.c.name == "梧桐广场驿站"))
    assert await _found(db, "梧桐街") == []
    rows = await table(db)
    assert {row["name"]: row["search_text"] for row in rows}["松柏社区驿站"] == (
        "松柏社区驿站中原区郑州市中原区松柏路8号"
    )


async def test_a_station_added_or_renamed_through_the_models_is_searchable(db: Database) -> None:
    from bot.stations.geo import cell_of as cell

    async with db.session() as session:
        station = Station(name="Lotus Station", address="Lotus Road 1", lat=34.7, lon=113.6)
        station.cell = cell(34.7, 113.6)
        session.add(station)
        await session.commit()
        assert await _found(db, "lotus road") == ["Lotus Station"]
        station.name = "Peony Station"
        await session.commit()
    assert await _found(db, "peony") == ["Peony Station"]
    rows = await table(db)
    assert rows[0]["search_text"] == "peony station lotus road 1"
