"""Station import and nearest-station lookups at national scale: grid index against a full scan.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/stations.py [--stations 160000] [--queries 10000] [--scan-queries 200]
                             [--database-url URL] [--seed 1]

For PostgreSQL, create the database first (``CREATE DATABASE gongyou_stbench``) and pass e.g.
``--database-url postgresql+asyncpg://postgres@127.0.0.1/gongyou_stbench``; an existing
database is migrated and its stations are deleted first.

Three steps, all seeded:

1. Stations are spread over 75 Chinese cities (more for bigger ones, most of them
   close to the centre, the rest over the suburbs), written as a CSV file with the Chinese
   headers district unions use, and imported with ``import_stations`` (WGS-84). The import is
   timed and its report must say every station was added.
2. Query points, mostly within 15 km of a city centre and some on the road between two
   neighbouring cities, are answered by ``nearest`` (the grid-cell index) through
   ``Database.transact``, as the bot does: the nearest five without a filter, with the water
   and charging filter, with a rare amenity, and the nearest five within 4 km. Every call is
   timed on its own.
3. The first ``--scan-queries`` points of every variant are answered again by
   ``nearest_by_scan``, which measures every station. The answers must be identical (ids and
   distances); the speed-up of the index over the scan is reported.

The full scan builds every station of the table for each call (seconds per call at 160,000
stations), so it dominates the run time: the defaults take about three quarters of an hour on
a small machine; ``--scan-queries 20`` gives a quick look.

The figures are a report: the exit code is 0 unless something crashes, the import does not
add every station, or the index and the scan disagree (then 1).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import io
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

from sqlalchemy import Connection, func, select, text

import bot.models  # noqa: F401  (puts the tables on SQLModel.metadata)
from bot.config import Settings
from bot.db import Database
from bot.stations.geo import EARTH_RADIUS_M, Crs
from bot.stations.imports import MAX_FILE_BYTES, import_stations
from bot.stations.search import STATIONS, Hit, NearestQuery, amenity_mask, nearest
from bot.stations.search import nearest_by_scan as scan

#: Targets (the latency one is meant for SQLite).
TARGET_IMPORT_S = 20.0
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
Finder = Callable[..., list[Hit]]


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


async def run_queries(
    db: Database, finder: Finder, variant: Variant, points: Sequence[Point]
) -> Run:
    """Ask ``variant`` at every point through ``finder``, one transaction and timing per call."""
    clock = time.perf_counter
    latencies: list[float] = []
    answers: list[Answer] = []
    gc.collect()
    for point in points:
        query = variant.query(point.lat, point.lon)
        started = clock()
        hits = await db.transact(finder, query=query)
        latencies.append((clock() - started) * 1000.0)
        answers.append([(hit.station.id, hit.distance_m) for hit in hits])
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
        if mine != theirs:
            lines.append(
                f"  {variant.name} #{number} at {point.lat:.6f},{point.lon:.6f}: "
                f"index {mine} != scan {theirs}"
            )
    return lines


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
        "--queries", type=int, default=10_000, help="query points per variant (10000)"
    )
    parser.add_argument(
        "--scan-queries",
        type=int,
        default=200,
        help="of those, how many are also answered by the full scan, per variant (200)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a new SQLite file in a temporary directory. An existing database is "
        "migrated and its stations are deleted first.",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE on the stations table after the import (planner statistics)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of stations and points (1)")
    args = parser.parse_args(argv)
    if args.stations < 5 or args.queries < 1 or args.scan_queries < 0:
        parser.error("need --stations >= 5, --queries >= 1 and --scan-queries >= 0")
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


async def main_async(args: argparse.Namespace) -> int:
    """Generate, import, query, compare, print; return the exit code."""
    rng = random.Random(args.seed)
    began = time.perf_counter()
    data = station_csv(station_rows(args.stations, rng))
    points = query_points(args.queries, random.Random(args.seed + 1))
    warmup = query_points(WARMUP_QUERIES, random.Random(args.seed + 2))
    scan_points = points[: args.scan_queries]
    print(
        f"gongyou station benchmark: {args.stations} stations in {len(CITIES)} cities, "
        f"{args.queries} query points per variant ({RURAL_SHARE:.0%} between cities), "
        f"full scan on the first {len(scan_points)}; seed {args.seed}"
    )
    print(
        f"CSV file: {len(data) / 1024 / 1024:.1f} MB (importer limit "
        f"{MAX_FILE_BYTES / 1024 / 1024:.0f} MB), generated in {time.perf_counter() - began:.1f} s"
    )

    if len(data) > MAX_FILE_BYTES:
        print("ERROR: the file is larger than the importer accepts; use fewer --stations")
        return 1

    with tempfile.TemporaryDirectory(prefix="gongyou-stations-") as tmp:
        fresh = args.database_url is None
        raw_url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'stations.sqlite3'}"
        url = Settings(database_url=raw_url, _env_file=None).database_url
        started_load = load_average()
        try:
            db = await prepare_database(url, fresh=fresh)
        except Exception as exc:
            raise SystemExit(
                f"cannot open the database ({type(exc).__name__}: {exc}); does it exist?"
            ) from exc
        backend = db.url.get_backend_name()
        print(f"database: {backend}\n")
        try:
            import_s, import_ok = await bench_import(db, data, args.stations)
            if args.analyze:
                await db.transact(_analyze)
                print("ANALYZE stations: done")
            indexed: dict[str, Run] = {}
            scanned: dict[str, Run] = {}
            for variant in VARIANTS:
                await run_queries(db, nearest, variant, warmup)
                indexed[variant.name] = await run_queries(db, nearest, variant, points)
            for variant in VARIANTS:
                await run_queries(db, scan, variant, warmup[:1])
                scanned[variant.name] = await run_queries(db, scan, variant, scan_points)
        finally:
            await db.dispose()

    print(
        f"\nindexed nearest (grid cells), {args.queries} queries per variant, "
        "ms per call through Database.transact:"
    )
    header = (
        f"{'variant':<27} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>8} {'mean':>7} "
        f"{'city p95':>9} {'rural p95':>10} {'answers<5':>10}"
    )
    print(header)
    print("-" * len(header))
    for variant in VARIANTS:
        run = indexed[variant.name]
        city = [ms for ms, point in zip(run.latencies_ms, points, strict=True) if not point.rural]
        rural = [ms for ms, point in zip(run.latencies_ms, points, strict=True) if point.rural]
        short = sum(1 for answer in run.answers if len(answer) < 5)
        print(
            f"{variant.name:<27} {run.percentile(0.50):>7.2f} {run.percentile(0.95):>7.2f} "
            f"{run.percentile(0.99):>7.2f} {max(run.latencies_ms):>8.2f} "
            f"{sum(run.latencies_ms) / len(run.latencies_ms):>7.2f} "
            f"{percentile(city, 0.95):>9.2f} {percentile(rural, 0.95):>10.2f} {short:>10}"
        )
    rural_count = sum(1 for point in points if point.rural)
    print(f"({len(points) - rural_count} points in cities, {rural_count} between cities)")

    problems: list[str] = []
    worst_p50 = worst_p95 = math.inf
    if scan_points:
        print(
            f"\nfull scan against the index on the same {len(scan_points)} points per variant "
            "(ms per call):"
        )
        header = (
            f"{'variant':<27} {'scan p50':>9} {'scan p95':>9} {'index p50':>10} "
            f"{'index p95':>10} {'x p50':>7} {'x p95':>7} {'same':>6}"
        )
        print(header)
        print("-" * len(header))
        for variant in VARIANTS:
            run = scanned[variant.name]
            subset = Run(
                indexed[variant.name].latencies_ms[: len(scan_points)],
                indexed[variant.name].answers[: len(scan_points)],
            )
            wrong = mismatches(variant, scan_points, subset.answers, run.answers)
            problems.extend(wrong)
            speed_p50 = run.percentile(0.50) / subset.percentile(0.50)
            speed_p95 = run.percentile(0.95) / subset.percentile(0.95)
            worst_p50, worst_p95 = min(worst_p50, speed_p50), min(worst_p95, speed_p95)
            same = len(scan_points) - len(wrong)
            print(
                f"{variant.name:<27} {run.percentile(0.50):>9.1f} {run.percentile(0.95):>9.1f} "
                f"{subset.percentile(0.50):>10.2f} {subset.percentile(0.95):>10.2f} "
                f"{speed_p50:>7.0f} {speed_p95:>7.0f} {same:>6}"
            )
        if problems:
            print(f"\nMISMATCHES between the index and the scan ({len(problems)}):")
            print("\n".join(problems))
        else:
            print(
                f"\nall {len(scan_points) * len(VARIANTS)} answers identical (ids and distances)"
            )

    worst_index_p95 = max(run.percentile(0.95) for run in indexed.values())
    print(f"\ntargets ({backend}):")
    rows = [
        (f"import < {TARGET_IMPORT_S:.0f} s", f"{import_s:.2f} s", import_s < TARGET_IMPORT_S),
        (
            f"indexed p95 < {TARGET_P95_MS:.0f} ms (worst variant)",
            f"{worst_index_p95:.2f} ms",
            worst_index_p95 < TARGET_P95_MS,
        ),
    ]
    if scan_points:
        rows.append(
            (
                f"speed-up >= {TARGET_SPEEDUP:.0f}x (worst variant, p50 / p95)",
                f"{worst_p50:.0f}x / {worst_p95:.0f}x",
                min(worst_p50, worst_p95) >= TARGET_SPEEDUP,
            )
        )
    for label, value, ok in rows:
        print(f"  {label:<44} {value:>14}   {verdict(ok)}")
    if backend != "sqlite":
        print("  (the latency target is meant for SQLite)")
    print(
        f"\nmachine: {os.cpu_count()} CPUs, 1-minute load average {started_load} at the start "
        f"and {load_average()} at the end; whole run {time.perf_counter() - began:.0f} s"
    )
    return 0 if import_ok and not problems else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 unless something crashed, the import fell short or the answers differ."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
