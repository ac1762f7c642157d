"""Station import, nearest-station lookups and text search at national scale, on SQLite and
(given ``--database-url``) PostgreSQL side by side.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/stations.py [--stations 160000] [--queries 5000] [--scan-queries 100]
                             [--text-queries 40] [--database-url URL] [--seed 1] [--json]

For PostgreSQL, create the database first (``CREATE DATABASE gongyou_stbench``) and pass e.g.
``--database-url postgresql+asyncpg://postgres@127.0.0.1/gongyou_stbench``; it is migrated and
its stations are deleted first. SQLite (a new file in a temporary directory) is always run.

All seeded:

1. Stations are spread over 75 Chinese cities, written as a CSV file with the Chinese headers
   district unions use, and imported with ``import_stations`` (timed; every station must be
   added).
2. Query points, mostly within 15 km of a city centre and some on the road between two
   neighbouring cities, are answered by ``nearest`` through ``Database.read``, as the bot
   does (outside an update, on PostgreSQL, without BEGIN and COMMIT around the statement):
   the nearest five, with water and charging, with a rare amenity, within 4 km.
3. The baseline: every station (id, position, amenities, status) is read into memory once, and
   the first ``--scan-queries`` points of every variant are answered by measuring all of them
   with the haversine formula in a loop (brute force: the distance of every station, then the
   filters; testing the amenities first makes the rare-amenity scan about 20 times faster).
   The answers must be identical (same ids in the same order, same distances); the speed-up
   of ``nearest`` over the in-memory scan is reported.
4. Text search: a fixed set of words (station names, districts, streets, a city written
   before a street, with and without typing mistakes, two-letter words, and words no station
   has) is answered by ``search`` (the indexes: FTS5 on SQLite, pg_trgm and the bigram index
   on PostgreSQL) and by ``search_by_scan`` (every station scored, as search worked before
   the index): the first page must score the same, place by place, and be as confident. Both
   score their candidates in id order, so among equal scores both keep the first ids;
   identical pages and totals are counted and printed as well but not required: past the
   first page the index looks for near misses one letter away, while the scan keeps every
   station within 5 points of the best (e.g. a station number two digits away), and among
   many equal low scores the index's candidates need not be the first by id.

``--json`` prints one JSON object with every figure as the last line. The exit code is 0 unless
something crashes, the import does not add every station, or an answer differs (then 1).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import io
import json
import logging
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, func, select, text

import bot.models  # noqa: F401  (puts the tables on SQLModel.metadata)
from bot.config import Settings
from bot.db import Database
from bot.stations.geo import EARTH_RADIUS_M, Crs, haversine_m
from bot.stations.imports import MAX_FILE_BYTES, import_stations
from bot.stations.models import StationStatus, search_text_of
from bot.stations.search import (
    MAX_SEARCH_M,
    STATIONS,
    NearestQuery,
    amenity_mask,
    nearest,
    search,
    search_by_scan,
)
from knowledge.router import normalize

#: Targets, on both databases.
TARGET_IMPORT_S = 20.0
TARGET_TEXT_P95_MS = 20.0
TARGET_P95_MS = 2.0
TARGET_SPEEDUP = 100.0

#: Queries answered before the measured ones, so that first-call costs are not counted.
WARMUP_QUERIES = 50


@dataclass(frozen=True)
class City:
    """A city centre (WGS-84) and a rough weight for how many stations and workers it has."""

    name: str
    lat: float
    lon: float
    weight: float
    districts: tuple[str, ...] = ()


#: City centres (rounded public coordinates); the weight is roughly the urban population in
#: millions. Districts are named for the larger cities; the others use common generic names.
CITIES: tuple[City, ...] = (
    City("北京", 39.90, 116.40, 21, ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "通州区")),
    City("上海", 31.23, 121.47, 24, ("黄浦区", "徐汇区", "静安区", "浦东新区", "闵行区")),
    City("广州", 23.13, 113.26, 18, ("越秀区", "天河区", "海珠区", "白云区", "番禺区")),
    City("深圳", 22.54, 114.06, 17, ("福田区", "罗湖区", "南山区", "宝安区", "龙岗区")),
    City("重庆", 29.56, 106.55, 16, ("渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区")),
    City("天津", 39.13, 117.20, 13, ("和平区", "河西区", "南开区", "河东区", "滨海新区")),
    City("成都", 30.66, 104.07, 16, ("锦江区", "青羊区", "金牛区", "武侯区", "成华区")),
    City("武汉", 30.59, 114.31, 12, ("江岸区", "江汉区", "武昌区", "洪山区", "汉阳区")),
    City("杭州", 30.27, 120.16, 11, ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区")),
    City("西安", 34.34, 108.94, 12, ("新城区", "碑林区", "莲湖区", "雁塔区", "未央区")),
    City("南京", 32.06, 118.80, 9, ("玄武区", "秦淮区", "鼓楼区", "建邺区", "江宁区")),
    City("郑州", 34.75, 113.63, 12, ("金水区", "二七区", "中原区", "管城回族区", "惠济区")),
    City("苏州", 31.30, 120.59, 12, ("姑苏区", "吴中区", "相城区", "虎丘区", "吴江区")),
    City("东莞", 23.02, 113.75, 10, ("莞城街道", "南城街道", "东城街道", "长安镇")),
    City("佛山", 23.02, 113.12, 9, ("禅城区", "南海区", "顺德区")),
    City("沈阳", 41.80, 123.43, 9, ("和平区", "沈河区", "皇姑区", "铁西区")),
    City("青岛", 36.07, 120.38, 9, ("市南区", "市北区", "李沧区", "崂山区", "黄岛区")),
    City("哈尔滨", 45.80, 126.53, 9, ("道里区", "南岗区", "道外区", "香坊区")),
    City("济南", 36.65, 117.12, 9, ("历下区", "市中区", "槐荫区", "天桥区", "历城区")),
    City("长沙", 28.23, 112.94, 10, ("芙蓉区", "天心区", "岳麓区", "开福区", "雨花区")),
    City("昆明", 25.04, 102.71, 8, ("五华区", "盘龙区", "官渡区", "西山区")),
    City("合肥", 31.82, 117.23, 9, ("瑶海区", "庐阳区", "蜀山区", "包河区")),
    City("大连", 38.91, 121.61, 7, ("中山区", "西岗区", "沙河口区", "甘井子区")),
    City("石家庄", 38.04, 114.51, 10, ("长安区", "桥西区", "新华区", "裕华区")),
    City("厦门", 24.48, 118.09, 5, ("思明区", "湖里区", "集美区", "海沧区")),
    City("福州", 26.07, 119.30, 8, ("鼓楼区", "台江区", "仓山区", "晋安区")),
    City("宁波", 29.87, 121.54, 9, ("海曙区", "江北区", "鄞州区", "北仑区")),
    City("无锡", 31.49, 120.31, 7, ("梁溪区", "滨湖区", "新吴区", "锡山区")),
    City("长春", 43.82, 125.32, 9, ("南关区", "朝阳区", "宽城区", "绿园区")),
    City("太原", 37.87, 112.55, 5, ("小店区", "迎泽区", "杏花岭区", "万柏林区")),
    City("南宁", 22.82, 108.37, 8, ("青秀区", "兴宁区", "西乡塘区", "江南区")),
    City("南昌", 28.68, 115.86, 6, ("东湖区", "西湖区", "青山湖区", "红谷滩区")),
    City("贵阳", 26.65, 106.63, 6, ("南明区", "云岩区", "观山湖区", "花溪区")),
    City("乌鲁木齐", 43.83, 87.62, 4, ("天山区", "沙依巴克区", "新市区", "水磨沟区")),
    City("兰州", 36.06, 103.83, 4, ("城关区", "七里河区", "安宁区", "西固区")),
    City("呼和浩特", 40.84, 111.75, 3, ("新城区", "回民区", "赛罕区", "玉泉区")),
    City("银川", 38.49, 106.23, 3, ("兴庆区", "金凤区", "西夏区")),
    City("西宁", 36.62, 101.78, 2, ("城东区", "城中区", "城西区", "城北区")),
    City("拉萨", 29.65, 91.17, 1, ("城关区", "堆龙德庆区")),
    City("海口", 20.04, 110.20, 3, ("龙华区", "美兰区", "秀英区", "琼山区")),
    City("三亚", 18.25, 109.51, 1, ("吉阳区", "天涯区")),
    City("温州", 28.00, 120.70, 9, ("鹿城区", "龙湾区", "瓯海区")),
    City("泉州", 24.87, 118.68, 8, ("鲤城区", "丰泽区", "洛江区", "晋江市")),
    City("徐州", 34.26, 117.18, 9, ("鼓楼区", "云龙区", "泉山区", "铜山区")),
    City("唐山", 39.63, 118.18, 7, ("路南区", "路北区", "开平区", "丰润区")),
    City("临沂", 35.10, 118.36, 11, ("兰山区", "罗庄区", "河东区")),
    City("潍坊", 36.71, 119.16, 9, ("潍城区", "奎文区", "坊子区", "寒亭区")),
    City("烟台", 37.46, 121.45, 7, ("芝罘区", "莱山区", "福山区", "牟平区")),
    City("洛阳", 34.62, 112.45, 7, ("西工区", "老城区", "涧西区", "洛龙区")),
    City("南阳", 32.99, 112.53, 9, ("宛城区", "卧龙区")),
    City("邯郸", 36.63, 114.54, 9, ("邯山区", "丛台区", "复兴区")),
    City("保定", 38.87, 115.46, 11, ("竞秀区", "莲池区", "满城区", "清苑区")),
    City("常州", 31.81, 119.97, 5, ("天宁区", "钟楼区", "新北区", "武进区")),
    City("汕头", 23.35, 116.68, 5, ("金平区", "龙湖区", "濠江区", "潮阳区")),
    City("珠海", 22.27, 113.58, 2, ("香洲区", "斗门区", "金湾区")),
    City("惠州", 23.11, 114.42, 6, ("惠城区", "惠阳区")),
    City("嘉兴", 30.75, 120.76, 5, ("南湖区", "秀洲区")),
    City("绍兴", 30.00, 120.58, 5, ("越城区", "柯桥区", "上虞区")),
    City("金华", 29.08, 119.65, 7, ("婺城区", "金东区", "义乌市")),
    City("台州", 28.66, 121.42, 6, ("椒江区", "黄岩区", "路桥区")),
    City("扬州", 32.39, 119.41, 4, ("广陵区", "邗江区", "江都区")),
    City("南通", 31.98, 120.89, 7, ("崇川区", "通州区", "海门区")),
    City("鞍山", 41.11, 122.99, 3),
    City("吉林", 43.84, 126.55, 4),
    City("大庆", 46.59, 125.10, 3),
    City("包头", 40.66, 109.84, 3),
    City("柳州", 24.33, 109.42, 4),
    City("桂林", 25.27, 110.29, 5),
    City("遵义", 27.73, 106.93, 6),
    City("绵阳", 31.47, 104.68, 5),
    City("宜昌", 30.69, 111.29, 4),
    City("襄阳", 32.01, 112.12, 5),
    City("芜湖", 31.33, 118.43, 4),
    City("赣州", 25.83, 114.93, 9),
    City("喀什", 39.47, 75.99, 1),
)
GENERIC_DISTRICTS = ("城区", "高新区", "经开区", "新区", "城郊")
ROADS = (
    "人民路",
    "建设路",
    "解放路",
    "中山路",
    "文化路",
    "和平路",
    "新华路",
    "胜利路",
    "长江路",
    "黄河路",
    "友谊路",
    "光明路",
    "工业路",
    "花园路",
    "迎宾大道",
)
PLACES = ("社区", "公园", "广场", "街道", "加油站", "银行网点", "环卫所", "物流园", "商场")
HOURS_TEXTS = ("08:00-20:00", "24小时", "周一至周五 09:00-17:00", "07:30-22:30")
HOURS_WEIGHTS = (4, 2, 3, 3)
#: How likely a station is to offer each amenity ("reading" is the rare one).
AMENITY_CHANCE: dict[str, float] = {
    "water": 0.9,
    "microwave": 0.35,
    "charging": 0.6,
    "toilet": 0.6,
    "rest": 0.8,
    "ac": 0.35,
    "wifi": 0.3,
    "first_aid": 0.2,
    "umbrella": 0.15,
    "reading": 0.03,
}
#: Share of stations near a city's core (the rest spread over its suburbs and counties).
CORE_SHARE = 0.6
#: Share of query points on the road between two neighbouring cities.
RURAL_SHARE = 0.15
#: Query points near a city lie within this distance of its centre.
CITY_QUERY_KM = 15.0
KM_PER_DEGREE = math.radians(1) * EARTH_RADIUS_M / 1000.0


@dataclass(frozen=True)
class Variant:
    """One kind of nearest question."""

    name: str
    amenities: int = 0
    radius_m: float | None = None

    def query(self, lat: float, lon: float) -> NearestQuery:
        """The question at a point (five stations, no paging, as the bot asks it)."""
        return NearestQuery(lat, lon, limit=5, amenities=self.amenities, radius_m=self.radius_m)


VARIANTS = (
    Variant("nearest 5"),
    Variant("nearest 5, water+charging", amenity_mask(["water", "charging"])),
    Variant("nearest 5, reading (rare)", amenity_mask(["reading"])),
    Variant("nearest 5 within 4 km", radius_m=4000.0),
)


@dataclass(frozen=True)
class Point:
    """Where a worker asks from; ``rural`` when between cities rather than in one."""

    lat: float
    lon: float
    rural: bool = False


Answer = list[tuple[int, float]]
Finder = Callable[..., Any]


@dataclass
class Run:
    """Latencies (ms) and answers of one variant through one search function."""

    latencies_ms: list[float]
    answers: list[Answer]

    def percentile(self, share: float) -> float:
        """The latency below which ``share`` of the calls fall (nearest rank)."""
        return percentile(self.latencies_ms, share)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[rank]


def _offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    """The point ``north_km`` north and ``east_km`` east of (lat, lon), flat-earth."""
    dlat = north_km / KM_PER_DEGREE
    dlon = east_km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def station_rows(count: int, rng: random.Random) -> list[list[str]]:
    """``count`` stations as CSV rows (without the header), in WGS-84."""
    weights = [city.weight for city in CITIES]
    chosen = rng.choices(CITIES, weights, k=count)
    amenity_items = list(AMENITY_CHANCE.items())
    serial: dict[str, int] = {}
    rows = []
    for number, city in enumerate(chosen, start=1):
        core = rng.random() < CORE_SHARE
        sigma_km = 2.5 + 0.25 * city.weight if core else 15.0 + city.weight
        lat, lon = _offset(city.lat, city.lon, rng.gauss(0, sigma_km), rng.gauss(0, sigma_km))
        districts = city.districts or GENERIC_DISTRICTS
        district = districts[0 if core and rng.random() < 0.3 else rng.randrange(len(districts))]
        serial[city.name] = serial.get(city.name, 0) + 1
        road = rng.choice(ROADS)
        place = rng.choice(PLACES)
        names = [name for name, chance in amenity_items if rng.random() < chance] or ["water"]
        rows.append(
            [
                f"ST{number:06d}",
                f"{city.name}{place}驿站{serial[city.name]}",
                f"{road}{rng.randint(1, 399)}号",
                district,
                f"{lon:.6f}",
                f"{lat:.6f}",
                rng.choices(HOURS_TEXTS, HOURS_WEIGHTS)[0],
                "/".join(names),
            ]
        )
    return rows


def station_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """The CSV file (UTF-8) of station rows, with the headers district unions use."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["编号", "名称", "地址", "区县", "经度", "纬度", "开放时间", "服务设施"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _neighbours(count: int) -> dict[str, list[City]]:
    """Each city's ``count`` nearest other cities (straight-line)."""

    def km(a: City, b: City) -> float:
        dlat = a.lat - b.lat
        dlon = (a.lon - b.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
        return math.hypot(dlat, dlon)

    return {
        city.name: sorted((c for c in CITIES if c is not city), key=lambda c: km(city, c))[:count]
        for city in CITIES
    }


def query_points(count: int, rng: random.Random) -> list[Point]:
    """``count`` points where workers ask: mostly in cities, some between neighbouring ones."""
    weights = [city.weight for city in CITIES]
    neighbours = _neighbours(5)
    points: list[Point] = []
    for _ in range(count):
        city = rng.choices(CITIES, weights)[0]
        if rng.random() < RURAL_SHARE:
            other = rng.choice(neighbours[city.name])
            share = rng.uniform(0.2, 0.8)
            lat = city.lat + share * (other.lat - city.lat)
            lon = city.lon + share * (other.lon - city.lon)
            lat, lon = _offset(lat, lon, rng.gauss(0, 8.0), rng.gauss(0, 8.0))
            points.append(Point(lat, lon, rural=True))
        else:
            reach = CITY_QUERY_KM * math.sqrt(rng.random())
            angle = rng.uniform(0, 2 * math.pi)
            lat, lon = _offset(
                city.lat, city.lon, reach * math.cos(angle), reach * math.sin(angle)
            )
            points.append(Point(lat, lon))
    return points


async def prepare_database(url: str, *, fresh: bool) -> Database:
    """Migrate the database; delete its stations (and their reports) unless it is new."""
    db = Database(url)
    await db.upgrade()
    if not fresh:
        async with db.engine.begin() as conn:
            if db.is_sqlite:
                await conn.execute(text("DELETE FROM station_reports"))
                await conn.execute(text("DELETE FROM stations"))
            else:
                await conn.execute(text("TRUNCATE stations RESTART IDENTITY CASCADE"))
    return db


def _count_stations(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(STATIONS)).scalar_one())


def _analyze(conn: Connection) -> None:
    conn.execute(text("ANALYZE stations"))


@dataclass(frozen=True)
class Row:
    """What the in-memory scan knows of a station."""

    id: int
    lat: float
    lon: float
    amenities: int


def _load_rows(conn: Connection) -> list[Row]:
    query = (
        select(STATIONS.c.id, STATIONS.c.lat, STATIONS.c.lon, STATIONS.c.amenities)
        .where(STATIONS.c.status != StationStatus.closed.value)
        .order_by(STATIONS.c.id)
    )
    return [Row(row.id, row.lat, row.lon, row.amenities) for row in conn.execute(query)]


def memory_scan(rows: Sequence[Row], query: NearestQuery) -> Answer:
    """The nearest stations by measuring every row in memory (closest first, ties by id): the
    brute-force haversine scan, distance first, then the radius and amenity filters."""
    ceiling = query.radius_m if query.radius_m is not None else MAX_SEARCH_M
    mask = query.amenities
    lat, lon = query.lat, query.lon
    found = []
    for row in rows:
        distance = haversine_m(lat, lon, row.lat, row.lon)
        if distance <= ceiling and row.amenities & mask == mask:
            found.append((distance, row.id))
    found.sort()
    return [(station_id, distance) for distance, station_id in found[: query.limit]]


async def run_queries(db: Database, variant: Variant, points: Sequence[Point]) -> Run:
    """Ask ``variant`` at every point through ``nearest`` (``Database.read``), timing each."""
    clock = time.perf_counter
    latencies: list[float] = []
    answers: list[Answer] = []
    gc.collect()
    for point in points:
        query = variant.query(point.lat, point.lon)
        started = clock()
        hits = await db.read(nearest, query=query)
        latencies.append((clock() - started) * 1000.0)
        answers.append([(hit.station.id, hit.distance_m) for hit in hits])
    return Run(latencies, answers)


def run_memory_scan(rows: Sequence[Row], variant: Variant, points: Sequence[Point]) -> Run:
    """The in-memory scan at every point, timed per call."""
    clock = time.perf_counter
    latencies: list[float] = []
    answers: list[Answer] = []
    gc.collect()
    for point in points:
        query = variant.query(point.lat, point.lon)
        started = clock()
        answers.append(memory_scan(rows, query))
        latencies.append((clock() - started) * 1000.0)
    return Run(latencies, answers)


def mismatches(
    variant: Variant,
    points: Sequence[Point],
    indexed: Sequence[Answer],
    scanned: Sequence[Answer],
) -> list[str]:
    """A line for every point where the index and the scan answer differently."""
    lines = []
    for number, (point, mine, theirs) in enumerate(zip(points, indexed, scanned, strict=False)):
        if [i for i, _ in mine] != [i for i, _ in theirs] or any(
            abs(a - b) > 1e-6 for (_, a), (_, b) in zip(mine, theirs, strict=True)
        ):
            lines.append(
                f"  {variant.name} #{number} at {point.lat:.6f},{point.lon:.6f}: "
                f"index {mine} != scan {theirs}"
            )
    return lines


TYPOS = {"驿": "译", "站": "战", "路": "露", "区": "曲", "社": "设", "园": "圆", "场": "厂"}


def text_queries(rows: Sequence[Sequence[str]], count: int, rng: random.Random) -> list[str]:
    """Words workers type to find a station: names, districts, streets, a city and a street,
    typing mistakes, two-letter words, and places no station has."""
    queries: list[str] = ["火星基地", "moon base", "驿站", "人民路"]
    kinds = ("name", "typo", "district", "street", "city street", "short", "name part")
    while len(queries) < count:
        row = rng.choice(rows)
        name, address, district = row[1], row[2], row[3]
        kind = kinds[len(queries) % len(kinds)]
        if kind == "name":
            queries.append(name)
        elif kind == "typo":
            spots = [i for i, char in enumerate(name) if char in TYPOS]
            i = rng.choice(spots)
            queries.append(name[:i] + TYPOS[name[i]] + name[i + 1 :])
        elif kind == "district":
            queries.append(district)
        elif kind == "street":
            queries.append(address)
        elif kind == "city street":
            queries.append(name[:2] + address.rstrip("0123456789号"))
        elif kind == "short":
            queries.append(district[:2])
        else:
            queries.append(name[2:8])
    return queries


@dataclass
class TextRun:
    """Latencies (ms) and answers of text search through one function."""

    latencies_ms: list[float]
    #: per query: the scores of the first page, its ids, the total, whether confident
    answers: list[tuple[list[float], list[int], int, bool]]


async def run_text(db: Database, finder: Finder, queries: Sequence[str]) -> TextRun:
    """Search every query through ``finder`` (first page of five), timing each call."""
    clock = time.perf_counter
    latencies: list[float] = []
    answers: list[tuple[list[float], list[int], int, bool]] = []
    gc.collect()
    for words in queries:
        started = clock()
        result = await db.read(finder, text=words, limit=5, offset=0)
        latencies.append((clock() - started) * 1000.0)
        needle = normalize(words)
        scores = [
            round(
                fuzz.partial_ratio(needle, search_text_of(view.name, view.district, view.address)),
                6,
            )
            for view in result.hits
        ]
        answers.append((scores, [view.id for view in result.hits], result.total, result.confident))
    return TextRun(latencies, answers)


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def load_average() -> str:
    """The one-minute load average ("?" where the system does not tell)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stations", type=int, default=160_000, help="stations (160000)")
    parser.add_argument(
        "--queries", type=int, default=5_000, help="query points per variant (5000)"
    )
    parser.add_argument(
        "--scan-queries",
        type=int,
        default=100,
        help="of those, how many the in-memory scan also answers, per variant (100)",
    )
    parser.add_argument(
        "--text-queries", type=int, default=40, help="text searches, each also scanned (40)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL database to run as well as SQLite; it is migrated and its stations "
        "are deleted first",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE on the stations table after the import (planner statistics)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of stations and points (1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args(argv)
    if args.stations < 5 or args.queries < 1 or args.scan_queries < 0 or args.text_queries < 0:
        parser.error("need --stations >= 5, --queries >= 1 and the scans >= 0")
    return args


async def bench_import(db: Database, data: bytes, expected: int) -> tuple[float, bool]:
    """Import the CSV file; return the seconds it took and whether every station was added."""
    gc.collect()
    started = time.perf_counter()
    report = await import_stations(db, data, filename="stations-bench.csv", crs=Crs.wgs84)
    seconds = time.perf_counter() - started
    stored = await db.transact(_count_stations)
    ok = (
        report.added == expected
        and not report.updated
        and not report.rejected
        and stored == expected
    )
    print(
        f"import: {seconds:.2f} s for {expected} stations ({expected / seconds:,.0f} rows/s); "
        f"report: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.rejected)} rejected, {len(report.warnings)} warnings; {stored} stored"
    )
    if not ok:
        print("ERROR: the import did not add every station exactly once")
        print(report.render("en"))
    return seconds, ok


@dataclass
class Workload:
    """What every database is asked, generated once."""

    data: bytes
    points: list[Point]
    warmup: list[Point]
    scan_points: list[Point]
    words: list[str]


async def bench_database(
    url: str, work: Workload, args: argparse.Namespace, *, fresh: bool
) -> dict[str, Any]:
    """Import, ask, compare and print for one database; return its figures."""
    try:
        db = await prepare_database(url, fresh=fresh)
    except Exception as exc:
        raise SystemExit(
            f"cannot open the database ({type(exc).__name__}: {exc}); does it exist?"
        ) from exc
    backend = db.url.get_backend_name()
    print(f"\n=== {backend} ===")
    try:
        import_s, import_ok = await bench_import(db, work.data, args.stations)
        if args.analyze:
            await db.transact(_analyze)
            print("ANALYZE stations: done")
        indexed: dict[str, Run] = {}
        for variant in VARIANTS:
            await run_queries(db, variant, work.warmup)
            indexed[variant.name] = await run_queries(db, variant, work.points)
        rows = await db.transact(_load_rows)
        scanned = {
            variant.name: run_memory_scan(rows, variant, work.scan_points) for variant in VARIANTS
        }
        await run_text(db, search, work.words[:3])
        text_indexed = await run_text(db, search, work.words)
        text_scanned = await run_text(db, search_by_scan, work.words)
    finally:
        await db.dispose()

    figures: dict[str, Any] = {"backend": backend, "import_s": round(import_s, 2)}
    print(f"\nnearest through the index, {args.queries} queries per variant (ms per call):")
    header = (
        f"{'variant':<27} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7} "
        f"{'city p95':>9} {'rural p95':>10} {'scan p50':>9} {'x p50':>6} {'x p95':>6} {'same':>5}"
    )
    print(header)
    print("-" * len(header))
    problems: list[str] = []
    variants: dict[str, Any] = {}
    for variant in VARIANTS:
        run, base = indexed[variant.name], scanned[variant.name]
        city = [ms for ms, p in zip(run.latencies_ms, work.points, strict=True) if not p.rural]
        rural = [ms for ms, p in zip(run.latencies_ms, work.points, strict=True) if p.rural]
        subset = Run(
            run.latencies_ms[: len(work.scan_points)], run.answers[: len(work.scan_points)]
        )
        wrong = mismatches(variant, work.scan_points, subset.answers, base.answers)
        problems.extend(wrong)
        speed_p50 = base.percentile(0.5) / max(subset.percentile(0.5), 1e-9)
        speed_p95 = base.percentile(0.95) / max(subset.percentile(0.95), 1e-9)
        same = len(work.scan_points) - len(wrong)
        print(
            f"{variant.name:<27} {run.percentile(0.5):>6.2f} {run.percentile(0.95):>6.2f} "
            f"{run.percentile(0.99):>6.2f} {max(run.latencies_ms):>7.2f} "
            f"{percentile(city, 0.95):>9.2f} {percentile(rural, 0.95):>10.2f} "
            f"{base.percentile(0.5):>9.1f} {speed_p50:>6.0f} {speed_p95:>6.0f} {same:>5}"
        )
        variants[variant.name] = {
            "p50_ms": round(run.percentile(0.5), 3),
            "p95_ms": round(run.percentile(0.95), 3),
            "p99_ms": round(run.percentile(0.99), 3),
            "city_p95_ms": round(percentile(city, 0.95), 3),
            "rural_p95_ms": round(percentile(rural, 0.95), 3),
            "scan_p50_ms": round(base.percentile(0.5), 2),
            "scan_p95_ms": round(base.percentile(0.95), 2),
            "speedup_p50": round(speed_p50, 1),
            "speedup_p95": round(speed_p95, 1),
            "same": same,
            "compared": len(work.scan_points),
        }
    print(
        f"(scan = every station read into memory once, measured by haversine per query, on the "
        f"first {len(work.scan_points)} points; same = identical answers)"
    )
    # The same best answers: the first page scores the same, place by place, and is as
    # confident. Identical pages and totals are counted as well (see point 4 above).
    text_wrong = []
    identical = same_total = 0
    for words, mine, theirs in zip(
        work.words, text_indexed.answers, text_scanned.answers, strict=True
    ):
        if (mine[0], mine[3]) != (theirs[0], theirs[3]):
            text_wrong.append(f"  search {words!r}: index {mine} != scan {theirs}")
        identical += mine[1] == theirs[1]
        same_total += mine[2] == theirs[2]
    problems.extend(text_wrong)
    tp50 = percentile(text_indexed.latencies_ms, 0.5)
    tp95 = percentile(text_indexed.latencies_ms, 0.95)
    sp50 = percentile(text_scanned.latencies_ms, 0.5)
    sp95 = percentile(text_scanned.latencies_ms, 0.95)
    print(
        f"\ntext search, {len(work.words)} queries: index p50 {tp50:.2f} ms, p95 {tp95:.2f} ms, "
        f"max {max(text_indexed.latencies_ms, default=0):.2f} ms; full scan p50 {sp50:.0f} ms, "
        f"p95 {sp95:.0f} ms; same best answers (page scores) "
        f"{len(work.words) - len(text_wrong)}/{len(work.words)}, identical ids "
        f"{identical}/{len(work.words)}, same totals {same_total}/{len(work.words)}"
    )
    if problems:
        print(f"\nMISMATCHES ({len(problems)}):")
        print("\n".join(problems[:40]))
    worst_p95 = max(run.percentile(0.95) for run in indexed.values())
    worst_speed = (
        min(min(v["speedup_p50"], v["speedup_p95"]) for v in variants.values())
        if work.scan_points
        else math.inf
    )
    checks = [
        (f"import < {TARGET_IMPORT_S:.0f} s", f"{import_s:.2f} s", import_s < TARGET_IMPORT_S),
        (
            f"nearest p95 <= {TARGET_P95_MS:.0f} ms (worst variant)",
            f"{worst_p95:.2f} ms",
            worst_p95 <= TARGET_P95_MS,
        ),
        (
            f"speed-up >= {TARGET_SPEEDUP:.0f}x over the memory scan (worst)",
            f"{worst_speed:.0f}x",
            worst_speed >= TARGET_SPEEDUP,
        ),
        (
            f"text search p95 <= {TARGET_TEXT_P95_MS:.0f} ms",
            f"{tp95:.2f} ms",
            tp95 <= TARGET_TEXT_P95_MS,
        ),
        ("answers identical to the scans", f"{len(problems)} differ", not problems),
    ]
    print(f"\ntargets ({backend}):")
    for label, value, ok in checks:
        print(f"  {label:<48} {value:>12}   {verdict(ok)}")
    figures.update(
        import_ok=import_ok,
        nearest=variants,
        nearest_worst_p95_ms=round(worst_p95, 3),
        nearest_worst_speedup=round(worst_speed, 1),
        text={
            "queries": len(work.words),
            "p50_ms": round(tp50, 3),
            "p95_ms": round(tp95, 3),
            "max_ms": round(max(text_indexed.latencies_ms, default=0), 3),
            "scan_p50_ms": round(sp50, 1),
            "scan_p95_ms": round(sp95, 1),
            "same_best": len(work.words) - len(text_wrong),
            "identical_ids": identical,
            "same_totals": same_total,
        },
        mismatches=len(problems),
        targets={label: ok for label, _value, ok in checks},
    )
    return figures


async def main_async(args: argparse.Namespace) -> int:
    """Generate, then import, query, compare and print on each database; return the exit code."""
    rng = random.Random(args.seed)
    began = time.perf_counter()
    csv_rows = station_rows(args.stations, rng)
    work = Workload(
        data=station_csv(csv_rows),
        points=query_points(args.queries, random.Random(args.seed + 1)),
        warmup=query_points(WARMUP_QUERIES, random.Random(args.seed + 2)),
        scan_points=[],
        words=text_queries(csv_rows, args.text_queries, random.Random(args.seed + 3)),
    )
    work.scan_points = work.points[: args.scan_queries]
    print(
        f"gongyou station benchmark: {args.stations} stations in {len(CITIES)} cities, "
        f"{args.queries} query points per variant ({RURAL_SHARE:.0%} between cities), "
        f"in-memory scan on the first {len(work.scan_points)}, {len(work.words)} text searches; "
        f"seed {args.seed}"
    )
    print(
        f"CSV file: {len(work.data) / 1024 / 1024:.1f} MB (importer limit "
        f"{MAX_FILE_BYTES / 1024 / 1024:.0f} MB), generated in {time.perf_counter() - began:.1f} s"
    )
    if len(work.data) > MAX_FILE_BYTES:
        print("ERROR: the file is larger than the importer accepts; use fewer --stations")
        return 1
    started_load = load_average()
    results = []
    with tempfile.TemporaryDirectory(prefix="gongyou-stations-") as tmp:
        sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'stations.sqlite3'}"
        results.append(await bench_database(sqlite_url, work, args, fresh=True))
    if args.database_url:
        url = Settings(database_url=args.database_url, _env_file=None).database_url
        results.append(await bench_database(url, work, args, fresh=False))
    seconds = time.perf_counter() - began
    print(
        f"\nmachine: {os.cpu_count()} CPUs, 1-minute load average {started_load} at the start "
        f"and {load_average()} at the end; whole run {seconds:.0f} s"
    )
    ok = all(r["import_ok"] and not r["mismatches"] for r in results)
    if args.json:
        print(
            json.dumps(
                {
                    "bench": "stations",
                    "stations": args.stations,
                    "queries": args.queries,
                    "scan_queries": len(work.scan_points),
                    "text_queries": len(work.words),
                    "seed": args.seed,
                    "seconds": round(seconds, 1),
                    "cpus": os.cpu_count(),
                    "ok": ok,
                    "databases": {r["backend"]: r for r in results},
                },
                ensure_ascii=False,
            )
        )
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 unless something crashed, the import fell short or the answers differ."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
