"""Station text search through the indexes gives the full scan's best answers: near misses (a
city written before a street, a station number with a digit wrong or missing), two-letter words,
and stations renamed after the index was built."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from bot.db import Database
from bot.stations.geo import Crs
from bot.stations.imports import import_stations
from bot.stations.models import search_text_of
from bot.stations.search import STATIONS, near_misses, search, search_by_scan
from tests.test_stations import _insert, _station


def _at(name: str, district: str, address: str, number: int) -> dict[str, Any]:
    """A station with the given name, district and address, ``number`` metres apart."""
    return {
        **_station(name, float(number), 0.0, district=district),
        "address": address,
    }


def _filler(count: int) -> list[dict[str, Any]]:
    """Stations on other streets, listed first (lower ids) so the best answers come later."""
    return [_at(f"郑州社区驿站{n}", "金水区", f"文化路{n}号", n) for n in range(1, count + 1)]


async def _same_as_scan(db: Database, words: str) -> tuple[list[int], list[int]]:
    fast = await db.transact(search, text=words, limit=5)
    slow = await db.transact(search_by_scan, text=words, limit=5)
    assert fast.confident == slow.confident
    return [v.id for v in fast.hits], [v.id for v in slow.hits]


def test_near_misses_leave_out_or_put_in_one_letter() -> None:
    found = near_misses("泉州文化路", {("州", "文"): {"区"}})
    assert "州文化路" in found  # the first letter left out
    assert "泉州文化" in found  # the last letter left out
    assert "州区文化路" in found  # one left out, one put in where stations have it
    assert "泉州区文化路" in found  # one put in
    assert "泉州文化路" not in found
    assert all(len(pattern) >= 3 for pattern in found)


async def test_a_city_written_before_a_street_finds_that_street_in_a_district_of_the_city(
    db: Database,
) -> None:
    await _insert(db, _filler(30))
    ids = await _insert(
        db,
        [
            _at("宁波加油站驿站1", "鄞州区", "文化路101号", 100),
            _at("南通街道驿站13", "通州区", "文化路252号", 101),
        ],
    )
    fast, slow = await _same_as_scan(db, "泉州文化路")
    assert fast == slow
    assert fast[:2] == [ids["宁波加油站驿站1"], ids["南通街道驿站13"]]


async def test_a_station_number_with_a_digit_missing_ranks_as_the_full_scan_ranks_it(
    db: Database,
) -> None:
    rows = [_at(f"济南银行网点驿站{n}", "历下区", "解放路1号", n) for n in range(1100, 1190)]
    rows += [_at("济南银行网点驿站1592", "历下区", "长江路303号", 500)]
    rows += [_at("济南银行网点驿站1659", "历下区", "中山路147号", 501)]
    ids = await _insert(db, rows)
    fast, slow = await _same_as_scan(db, "济南银行网点驿站1659")
    assert fast == slow
    assert fast[0] == ids["济南银行网点驿站1659"]
    assert ids["济南银行网点驿站1592"] in fast


async def test_a_two_letter_word_finds_the_first_stations_holding_it(db: Database) -> None:
    await _insert(db, _filler(40))
    ids = await _insert(
        db, [_at(f"西安驿站{n}", "雁塔区", f"长安路{n}号", 200 + n) for n in range(3)]
    )
    result = await db.transact(search, text="雁塔", limit=5)
    assert [view.id for view in result.hits] == [ids[f"西安驿站{n}"] for n in range(3)]
    assert result.total == 3
    fast, slow = await _same_as_scan(db, "雁塔")
    assert fast == slow


async def test_a_renamed_station_is_found_by_a_near_miss_of_its_new_address(
    db: Database,
) -> None:
    await _insert(db, _filler(20))
    ids = await _insert(db, [_at("郊外驿站", "城郊", "中山路1号", 300)])
    async with db.engine.begin() as conn:
        await conn.execute(
            update(STATIONS)
            .where(STATIONS.c.id == ids["郊外驿站"])
            .values(
                address="鹊桥路8号",
                district="七里河区",
                search_text=search_text_of("郊外驿站", "七里河区", "鹊桥路8号"),
            )
        )
    fast, slow = await _same_as_scan(db, "七里河鹊桥路")
    assert fast == slow
    assert fast[:1] == [ids["郊外驿站"]]


async def test_a_station_imported_from_a_file_is_found_by_a_near_miss(db: Database) -> None:
    await _insert(db, _filler(20))
    data = (
        "编号,名称,地址,区县,经度,纬度,开放时间,服务设施\n"
        "QL1,郊外驿站,鹊桥路8号,七里河区,113.620000,34.740000,24小时,water\n"
    ).encode()
    report = await import_stations(db, data, filename="stations.csv", crs=Crs.wgs84)
    assert report.added == 1
    fast, slow = await _same_as_scan(db, "七里河鹊桥路")
    assert fast == slow
    assert len(fast) == 1


async def test_a_street_many_stations_hold_gives_the_first_of_them_by_id_as_the_scan_does(
    db: Database,
) -> None:
    # More stations hold the street than the fuzzy step reads, and the first by id have the
    # longest texts: ranked by bm25 (which prefers short texts) they would be left out, but
    # they are the scan's answers, as every one of them scores the same.
    rows = [_at(f"社区驿站{n}", "高新技术产业开发区", f"解放路{n}号", n) for n in range(1, 11)]
    rows += [_at(f"驿站{n}", "东区", f"解放路{n}号", n) for n in range(11, 260)]
    ids = await _insert(db, rows)
    fast, slow = await _same_as_scan(db, "北京解放路")
    assert fast == slow
    assert fast == [ids[f"社区驿站{n}"] for n in range(1, 6)]
