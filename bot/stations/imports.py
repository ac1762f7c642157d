"""Importing union post stations from CSV, JSON and GeoJSON files.

Staff get station lists in whatever shape a district union keeps them: a spreadsheet saved as
CSV (UTF-8, or GB18030 from Chinese Excel), a JSON export, or GeoJSON from a map tool. This
module reads all three (CSV with :mod:`bot.core.tables`), maps the usual Chinese and English
column names onto ``Station``, converts coordinates to WGS-84 and stores everything in one
transaction.

Two stages, each usable alone:

* :func:`parse_station_file` is pure. It turns the bytes of a file into normalised rows plus
  the rows it rejected and the warnings it has, each with its line (CSV, the header being line
  1) or item number (JSON). A file that cannot be read as a whole raises
  :class:`ImportFileError`; nothing is written then.
* :func:`import_stations` parses and then upserts: a row matches an existing station by its
  external id when it has one, otherwise by name and address. Only the columns a file has are
  written over an existing station, so a file without a status column does not reopen a
  station staff closed. The returned :class:`ImportReport` renders itself in either language.

The message keys of rejections, warnings and file errors live in ``bot/locales/*/import.ftl``.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, Text, bindparam, cast, insert, select, text, update

from bot.core.models import utcnow
from bot.core.tables import (
    Columns,
    ImportProgress,
    Parsed,
    Problem,
    RowCounter,
    RowRejected,
    TableFileError,
    TableReport,
    audit_import,
    blank,
    build_rows,
    check_size,
    csv_rows,
    file_text,
    find_header,
    listing,
    run_file_import,
    show,
    without_notes,
)
from bot.db import Database
from bot.i18n import t
from bot.stations.geo import (
    Crs,
    cell_of,
    haversine_m,
    outside_china,
    to_wgs84,
    valid_point,
)
from bot.stations.hours import parse_hours
from bot.stations.models import Station, StationStatus, search_text_of
from bot.stations.search import AMENITIES, add_search_terms, amenity_mask, take_over_search_terms

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "AMENITY_NAMES",
    "AMENITY_WORDS",
    "DEMO_FILE",
    "FILE_ERROR_KEYS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REJECTION_KEYS",
    "WARNING_KEYS",
    "ImportFileError",
    "ImportReport",
    "ParsedFile",
    "Rejection",
    "StationRow",
    "amenity_mask",
    "import_stations",
    "load_demo_stations",
    "parse_station_file",
    "render_file_error",
    "run_import_cli",
]

STATIONS: Table = Station.__table__  # type: ignore[attr-defined]

#: Amenity names in bit order (defined with the rest of the station code in bot.stations.search).
AMENITY_NAMES: tuple[str, ...] = AMENITIES
#: The stations shipped for trying the bot out (GCJ-02, see bot/data/README.md).
DEMO_FILE = Path(__file__).parents[1] / "data" / "stations-zhengzhou.json"
#: Files larger than this are refused before they are read.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Files with more station rows than this are refused.
MAX_ROWS = 500_000

#: A station this far from the middle of the other stations of its district is reported ...
FAR_KM = 25.0
#: ... when at least this many other stations of the district are there to compare with ...
MIN_NEIGHBOURS = 2
#: ... and it lies this many times farther out than those stations lie from their middle.
FAR_FACTOR = 3.0
#: Cities whose area the import knows: the city's name and its (south, west, north, east) in
#: WGS-84, by the names a file uses for the city or for a county-level city or county in it.
_ZHENGZHOU = ("郑州市", (34.26, 112.70, 34.99, 114.23))
CITY_AREAS: dict[str, tuple[str, tuple[float, float, float, float]]] = dict.fromkeys(
    ("郑州", "巩义", "荥阳", "新密", "新郑", "登封", "中牟"), _ZHENGZHOU
)

_WRITE_CHUNK = 5_000
_ID_CHUNK = 900

#: Why a row was left out. Every key is a catalog message taking ``$detail``.
REJECTION_KEYS = (
    "import-missing-name",
    "import-missing-coordinates",
    "import-invalid-coordinates",
    "import-swapped-coordinates",
    "import-outside-globe",
    "import-outside-china",
    "import-not-a-point",
    "import-text-too-long",
    "import-invalid-value",
    "import-duplicate",
)
#: What was ignored or guessed in a row that was still imported.
WARNING_KEYS = (
    "import-unknown-amenity",
    "import-unknown-status",
    "import-invalid-date",
    "import-hours-unparsed",
    "import-ignored-columns",
    "import-far-from-district",
    "import-outside-city",
)
#: Why a file as a whole was refused.
FILE_ERROR_KEYS = (
    "import-file-empty",
    "import-file-too-large",
    "import-file-too-many-rows",
    "import-file-encoding",
    "import-file-binary",
    "import-file-spreadsheet",
    "import-file-bad-json",
    "import-file-not-a-list",
    "import-file-not-an-object",
    "import-file-not-feature-collection",
    "import-file-no-name-column",
    "import-file-no-coordinate-columns",
    "import-file-unreadable",
)


# Words and column names


def _word_key(word: str) -> str:
    """How an amenity word is compared: lower case, without spaces, hyphens or underscores."""
    return re.sub(r"[\s_\-]+", "", word.strip().lower())


#: Facility words and codes seen in station lists, and the amenity each one means.
AMENITY_WORDS: dict[str, str] = {
    **{name: name for name in AMENITIES},
    "drink": "water",
    "饮水": "water",
    "热水": "water",
    "饮用水": "water",
    "开水": "water",
    "喝水": "water",
    "微波炉": "microwave",
    "热饭": "microwave",
    "充电": "charging",
    "厕所": "toilet",
    "卫生间": "toilet",
    "如厕": "toilet",
    "seat": "rest",
    "休息": "rest",
    "座椅": "rest",
    "歇脚": "rest",
    "空调": "ac",
    "无线网": "wifi",
    "药箱": "first_aid",
    "急救": "first_aid",
    "医药箱": "first_aid",
    "雨伞": "umbrella",
    "借伞": "umbrella",
    "书": "reading",
    "阅读": "reading",
    "图书": "reading",
}
_AMENITY_LOOKUP = {_word_key(word): name for word, name in AMENITY_WORDS.items()}
#: Words also recognised inside a longer phrase ("免费饮用水", "手机充电", "免费WiFi"): the
#: Chinese ones of two characters or more, and "wifi". Short Latin codes such as "ac" are not,
#: since they occur inside unrelated words.
_AMENITY_INSIDE = sorted(
    (
        (key, name)
        for key, name in _AMENITY_LOOKUP.items()
        if key == "wifi" or (len(key) >= 2 and not key.isascii())
    ),
    key=lambda pair: -len(pair[0]),
)
_FACILITY_SEPARATORS = re.compile(r"[、,，;；/|\s]+")

_STATUS_WORDS: dict[str, StationStatus] = {
    **{status.value: status for status in StationStatus},
    "正常": StationStatus.open,
    "开放": StationStatus.open,
    "正常开放": StationStatus.open,
    "营业": StationStatus.open,
    "运营": StationStatus.open,
    "启用": StationStatus.open,
    "active": StationStatus.open,
    "暂停": StationStatus.temporarily_closed,
    "暂时关闭": StationStatus.temporarily_closed,
    "暂停开放": StationStatus.temporarily_closed,
    "暂停服务": StationStatus.temporarily_closed,
    "临时关闭": StationStatus.temporarily_closed,
    "维修": StationStatus.temporarily_closed,
    "装修": StationStatus.temporarily_closed,
    "paused": StationStatus.temporarily_closed,
    "关闭": StationStatus.closed,
    "停用": StationStatus.closed,
    "停业": StationStatus.closed,
    "已关闭": StationStatus.closed,
    "撤销": StationStatus.closed,
}
_STATUS_LOOKUP = {_word_key(word): status for word, status in _STATUS_WORDS.items()}

#: Column names (CSV headers, JSON keys) and the field each one fills.
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("名称", "站点名称", "驿站名称", "name"),
    "address": ("地址", "详细地址", "address"),
    "city": ("城市", "市", "city"),
    "district": ("区县", "区", "县", "所属区县", "district"),
    "lon": ("经度", "lng", "lon", "long", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "location": ("经纬度", "坐标", "location", "lnglat", "coordinates"),
    "hours": ("开放时间", "营业时间", "open_hours", "opening_hours", "hours"),
    "facilities": ("服务设施", "设施", "facilities", "amenities"),
    "phone": ("电话", "联系电话", "contact_phone", "phone"),
    "managing_union": ("管理单位", "所属工会", "manager", "union", "managing_union"),
    "status": ("状态", "status"),
    "external_id": ("编号", "external_id", "id"),
    "verified_on": ("核实日期", "verified_on"),
}


def _column_key(name: str) -> str:
    """How a column name is compared: no notes in brackets, lower case, ``_`` for spaces."""
    return re.sub(r"[\s\-]+", "_", without_notes(name).strip().lower())


COLUMNS = Columns(_FIELD_ALIASES, key=_column_key)

#: Text fields and their longest allowed length (taken from the table).
_TEXT_FIELDS = (
    "external_id",
    "name",
    "address",
    "city",
    "district",
    "phone",
    "managing_union",
    "hours_text",
)
_TEXT_LIMITS: dict[str, int] = {
    name: int(getattr(STATIONS.c[name].type, "length", None) or 10_000) for name in _TEXT_FIELDS
}

_CITY_IN_ADDRESS = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,8}自治区)?"
    r"([^\s省市区县镇乡路街道号\d]{2,7}市)"
)
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


# Results


@dataclass(frozen=True, slots=True)
class Rejection(Problem):
    """A problem in one row: why it was rejected, or (among warnings) what was ignored.

    ``line`` is the 1-based line of a CSV file (the header is line 1) or the 1-based item
    number in a JSON or GeoJSON file (a warning about CSV columns has the header's line).
    ``reason_key`` is a catalog key; ``detail`` is the offending value, shown after the
    reason.
    """

    @property
    def reason_key(self) -> str:
        """The catalog key saying why (one of ``REJECTION_KEYS`` or ``WARNING_KEYS``)."""
        return self.reason


class ImportFileError(TableFileError):
    """The file cannot be imported at all; ``reason_key`` is the catalog key saying why."""

    @property
    def reason_key(self) -> str:
        """The catalog key saying why (one of ``FILE_ERROR_KEYS``)."""
        return self.reason

    @classmethod
    def of(cls, err: TableFileError) -> ImportFileError:
        """A table file error with this module's key (``file-empty``: ``import-file-empty``)."""
        return err if isinstance(err, cls) else cls(f"import-{err.reason}", err.detail)


@dataclass(slots=True)
class StationRow:
    """One station read from a file, normalised, with coordinates in WGS-84.

    ``given`` names the fields the file has a column (or key) for; only those are written
    over an existing station. Name, coordinates and their source system are always given.
    """

    line: int
    name: str
    lat: float
    lon: float
    cell: int
    source_crs: str
    address: str = ""
    city: str = ""
    district: str = ""
    amenities: int = 0
    hours: dict[str, Any] = field(default_factory=dict)
    hours_text: str = ""
    phone: str | None = None
    managing_union: str | None = None
    status: StationStatus = StationStatus.open
    verified_on: date | None = None
    external_id: str | None = None
    given: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[str, ...]:
        """What identifies the station within a file: its external id, else name and address."""
        if self.external_id is not None:
            return ("id", self.external_id)
        return ("place", self.name, self.address)


#: What :func:`parse_station_file` read: good rows, rejected rows and warnings.
ParsedFile = Parsed[StationRow]


@dataclass
class ImportReport(TableReport):
    """The outcome of an import (or of a dry run, which stores nothing)."""

    format: str = "csv"

    def render(self, lang: str) -> str:
        """A short report in ``lang``: the counts, then the first rejected rows and warnings."""
        summary = "import-summary-dry-run" if self.dry_run else "import-summary"
        lines = [t(lang, summary, **self.counts())]

        def problem_line(problem: Problem) -> str:
            reason = _reason_text(lang, problem.reason, problem.detail)
            place = "import-line" if self.format == "csv" else "import-item"
            return t(lang, place, line=problem.line, reason=reason)

        def more(count: int) -> str:
            return t(lang, "import-more", count=count)

        if self.rejected:
            lines.append(t(lang, "import-rejected-heading", count=len(self.rejected)))
            lines.extend(listing(self.rejected, problem_line, more))
        if self.warnings:
            lines.append(t(lang, "import-warnings-heading", count=len(self.warnings)))
            lines.extend(listing(self.warnings, problem_line, more))
        return "\n".join(lines)


def _reason_text(lang: str, key: str, detail: str) -> str:
    """A rejection, warning or file-error key (see the *_KEYS tuples) in ``lang``."""
    return t(lang, key, detail=detail)


def _file_reason(err: TableFileError, lang: str) -> str:
    return _reason_text(lang, ImportFileError.of(err).reason_key, err.detail)


def render_file_error(err: TableFileError, lang: str) -> str:
    """Why a file was refused, in ``lang``."""
    return t(lang, "import-file-refused", reason=_file_reason(err, lang))


# Reading files


def _decode(data: bytes) -> str:
    """The text of a file (see :func:`bot.core.tables.file_text`); spreadsheets are refused."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("import-file-spreadsheet")
    return file_text(data)


def _format_of(filename: str, text: str) -> str:
    """``csv``, ``json`` or ``geojson``: from the extension, else from the first character."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".geojson":
        return "geojson"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".json" or text.lstrip()[:1] in ("[", "{"):
        return "json"
    return "csv"


def parse_station_file(
    data: bytes, *, filename: str, crs: Crs, counter: RowCounter | None = None
) -> ParsedFile:
    """Read a CSV, JSON or GeoJSON station file (pure: no database, no clock).

    Coordinates are read in ``crs`` and returned in WGS-84. Rows that cannot become a station
    are listed in ``rejected`` and the rest still come back; duplicates within the file keep
    their first occurrence. Raises :class:`ImportFileError` when the file as a whole is
    unusable: too large, empty, undecodable, not JSON of the expected shape, or a CSV without
    a name column or coordinate columns. Each row read is counted on ``counter``.
    """
    crs = Crs(crs)
    try:
        return _parse(data, filename=filename, crs=crs, counter=counter)
    except TableFileError as err:
        raise ImportFileError.of(err) from None


def _parse(data: bytes, *, filename: str, crs: Crs, counter: RowCounter | None) -> ParsedFile:
    check_size(len(data), MAX_FILE_BYTES)
    if _is_spreadsheet(filename):
        raise ImportFileError("import-file-spreadsheet")
    text = _decode(data)
    if not text.strip():
        raise ImportFileError("import-file-empty")
    fmt = _format_of(filename, text)
    parsed = ParsedFile(format=fmt)
    if fmt == "csv":
        records: Iterable[tuple[int, dict[str, Any]]] = _csv_records(text, parsed)
    else:
        records = _json_records(text, parsed, geojson=fmt == "geojson")
    first_line: dict[tuple[str, ...], int] = {}
    built = build_rows(
        records,
        _RowBuilder(crs).build,
        parsed,
        max_rows=MAX_ROWS,
        problem=Rejection,
        counter=counter,
    )
    for row in built:
        seen = first_line.setdefault(row.key, row.line)
        if seen != row.line:
            parsed.rejected.append(Rejection(row.line, "import-duplicate", str(seen)))
            continue
        parsed.rows.append(row)
    if not parsed.rows and not parsed.rejected:
        raise ImportFileError("import-file-empty")
    place_warnings = list(_place_warnings(parsed.rows))
    if place_warnings:
        parsed.warnings[:] = sorted([*parsed.warnings, *place_warnings], key=lambda p: p.line)
    return parsed


# Coordinates that look misplaced (reported, still imported)


def _city_area(row: StationRow) -> tuple[str, tuple[float, float, float, float]] | None:
    """The known area of the row's city (from its city, else its district), if any."""
    for name in (row.city, row.district):
        short = re.sub(r"(市|县|回族区|区)$", "", name.strip())
        if short in CITY_AREAS:
            return CITY_AREAS[short]
    return None


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return haversine_m(lat1, lon1, lat2, lon2) / 1000


def _place_warnings(rows: list[StationRow]) -> Iterator[Rejection]:
    """Warnings for stations outside their city's known area, or far from their district.

    A station is far from its district when at least ``MIN_NEIGHBOURS`` other stations of the
    same district are there, the station lies more than ``FAR_KM`` from the middle (the
    median latitude and longitude) of those others, and more than ``FAR_FACTOR`` times as far
    as those others lie from their middle (so a district whose stations are spread out, or
    two places that share a district name, do not set it off).
    """
    districts: dict[str, list[StationRow]] = {}
    for row in rows:
        area = _city_area(row)
        if area is not None:
            city, (south, west, north, east) = area
            if not (south <= row.lat <= north and west <= row.lon <= east):
                yield Rejection(row.line, "import-outside-city", city)
                continue
        if row.district:
            districts.setdefault(row.district, []).append(row)
    for district, members in districts.items():
        if len(members) <= MIN_NEIGHBOURS:
            continue
        if len(members) > 200:  # the middle of all the others barely moves without one
            yield from _far_in_large(district, members)
            continue
        for row in members:
            others = [other for other in members if other is not row]
            lat = _median([other.lat for other in others])
            lon = _median([other.lon for other in others])
            spread = _median([_km(other.lat, other.lon, lat, lon) for other in others])
            away = _km(row.lat, row.lon, lat, lon)
            if away > FAR_KM and away > FAR_FACTOR * spread:
                yield Rejection(row.line, "import-far-from-district", f"{district}, {away:.0f} km")


def _far_in_large(district: str, members: list[StationRow]) -> Iterator[Rejection]:
    """The same check for a district with many stations, against the middle of them all."""
    lat = _median([row.lat for row in members])
    lon = _median([row.lon for row in members])
    distances = [_km(row.lat, row.lon, lat, lon) for row in members]
    spread = _median(distances)
    for row, away in zip(members, distances, strict=True):
        if away > FAR_KM and away > FAR_FACTOR * spread:
            yield Rejection(row.line, "import-far-from-district", f"{district}, {away:.0f} km")


def _is_spreadsheet(filename: str) -> bool:
    """True for Excel and other spreadsheet files, which must be saved as CSV first."""
    return Path(filename).suffix.lower() in (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")


def _csv_records(text: str, parsed: ParsedFile) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line, {field: cell}) for every non-blank CSV row, after checking the header."""
    found = re.search(r"[^\r\n]*\S[^\r\n]*", text)
    first = found.group(0) if found else ""
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    if first.count(delimiter) == 0 and first.count(";") > 0:
        delimiter = ";"
    rows = csv_rows(text, delimiter)
    header = find_header(rows, COLUMNS, naming="name", search=1)
    shown = show(", ".join(cell.strip() for cell in header.cells), 200)
    if "name" not in header.fields:
        raise ImportFileError("import-file-no-name-column", shown)
    if not ({"lat", "lon"} <= header.fields or "location" in header.fields):
        raise ImportFileError("import-file-no-coordinate-columns", shown)
    if header.ignored:
        ignored = show(", ".join(header.cells[index].strip() for index in header.ignored), 200)
        parsed.warnings.append(Rejection(header.line, "import-ignored-columns", ignored))
    for line, cells in rows:
        yield (
            line,
            {
                target: (cells[index] if index < len(cells) else "")
                for index, target in header.columns.items()
            },
        )


def _json_records(
    text: str, parsed: ParsedFile, *, geojson: bool
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (item number, {field: value}) for a JSON list or a GeoJSON FeatureCollection."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            "import-file-bad-json", f"{exc.msg} ({exc.lineno}:{exc.colno})"
        ) from None
    except ValueError:  # a number with more digits than Python converts
        raise ImportFileError("import-file-bad-json", "number too long") from None
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        geojson = True
    if geojson:
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            raise ImportFileError("import-file-not-feature-collection")
        items = document.get("features")
        if not isinstance(items, list):
            raise ImportFileError("import-file-not-feature-collection")
        parsed.format = "geojson"
    else:
        items = document.get("stations") if isinstance(document, dict) else document
        if not isinstance(items, list):
            raise ImportFileError("import-file-not-a-list")
    if len(items) > MAX_ROWS:
        raise ImportFileError("import-file-too-many-rows", f"{MAX_ROWS:,}")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFileError("import-file-not-an-object", str(number))
        yield number, _feature_values(item) if geojson else _map_keys(item)


def _map_keys(item: Mapping[str, Any]) -> dict[str, Any]:
    """Map the keys of a JSON object onto fields (the first key for a field wins)."""
    values: dict[str, Any] = {}
    for key, value in item.items():
        target = COLUMNS.field(str(key))
        if target is not None and target not in values:
            values[target] = value
    return values


def _feature_values(feature: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a GeoJSON feature: its properties, with the geometry as coordinates."""
    properties = feature.get("properties")
    values = _map_keys(properties) if isinstance(properties, dict) else {}
    if "external_id" not in values and feature.get("id") is not None:
        values["external_id"] = feature["id"]
    geometry = feature.get("geometry")
    if isinstance(geometry, dict):
        values.pop("lat", None)
        values.pop("lon", None)
        values["location"] = _PointGeometry(geometry)
    return values


@dataclass(frozen=True)
class _PointGeometry:
    """A GeoJSON geometry object, kept apart from user-supplied location values."""

    geometry: Mapping[str, Any]


# Turning values into a station


def _text(value: Any, name: str) -> str:
    """A text value: strings stripped, numbers written plainly, null as empty."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    raise RowRejected("import-invalid-value", name)


def _number(value: Any) -> float:
    """A coordinate as a float (ValueError if it is not one; it may be NaN or infinite)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:  # an integer past the float range (JSON allows any length)
            raise ValueError(value) from None
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return float(value.strip().rstrip("°").strip())
    raise ValueError(value)


class _RowBuilder:
    """Builds :class:`StationRow` objects (see :func:`bot.core.tables.build_rows`)."""

    def __init__(self, crs: Crs) -> None:
        self.crs = crs
        # Station lists repeat the same few hours, facilities and status texts: read each once.
        self._hours: dict[str, tuple[dict[str, Any], bool]] = {}
        self._facilities: dict[Any, tuple[int, tuple[str, ...]]] = {}
        self._statuses: dict[str, StationStatus | None] = {}
        self._given: dict[frozenset[str], frozenset[str]] = {}

    def build(self, line: int, values: Mapping[str, Any], warnings: list[Problem]) -> StationRow:
        """The station of one row (adding its warnings to ``warnings``), or RowRejected."""
        text = {
            name: _text(values.get(name), name) for name in _TEXT_FIELDS if name != "hours_text"
        }
        if not text["name"]:
            raise RowRejected("import-missing-name")
        lat, lon = self._coordinates(values)
        if not text["city"]:
            found = _CITY_IN_ADDRESS.match(text["address"])
            text["city"] = found.group(1) if found else ""
        hours_text = _text(values.get("hours"), "hours")
        text["hours_text"] = hours_text
        for name, value in text.items():
            if len(value) > _TEXT_LIMITS[name]:
                raise RowRejected("import-text-too-long", f"{name} > {_TEXT_LIMITS[name]}")
        given = {name for name in values if name in _GIVEN_FIELDS}
        if "address" in given and "city" not in given:
            given.add("city")
        if "location" in given:
            given.discard("location")
        row = StationRow(
            line=line,
            name=text["name"],
            lat=lat,
            lon=lon,
            cell=cell_of(lat, lon),
            source_crs=self.crs.value,
            address=text["address"],
            city=text["city"],
            district=text["district"],
            phone=text["phone"] or None,
            managing_union=text["managing_union"] or None,
            external_id=text["external_id"] or None,
        )
        if "facilities" in values:
            given.discard("facilities")
            given.add("amenities")
            row.amenities = self._amenities(line, values["facilities"], warnings)
        if "hours" in values:
            given.add("hours_text")
            row.hours_text = hours_text
            if hours_text:
                row.hours, known = self._parse_hours(hours_text)
                if not known:
                    warnings.append(Rejection(line, "import-hours-unparsed", show(hours_text)))
        # A blank or unknown status, or an unreadable date, keeps what the station had.
        given.discard("status")
        status = _text(values.get("status"), "status")
        if status:
            if status not in self._statuses:
                self._statuses[status] = _STATUS_LOOKUP.get(_word_key(status))
            meaning = self._statuses[status]
            if meaning is None:
                warnings.append(Rejection(line, "import-unknown-status", show(status)))
            else:
                row.status = meaning
                given.add("status")
        verified = _text(values.get("verified_on"), "verified_on")
        if verified:
            row.verified_on = _parse_date(verified)
            if row.verified_on is None:
                given.discard("verified_on")
                warnings.append(Rejection(line, "import-invalid-date", show(verified)))
        row.given = self._given.setdefault(frozenset(given), frozenset(given))
        return row

    def _coordinates(self, values: Mapping[str, Any]) -> tuple[float, float]:
        """WGS-84 (lat, lon) of a row, or RowRejected saying what is wrong with them."""
        raw_lat, raw_lon = values.get("lat"), values.get("lon")
        if blank(raw_lat) and blank(raw_lon) and not blank(values.get("location")):
            raw_lat, raw_lon = _split_location(values["location"])
        if blank(raw_lat) or blank(raw_lon):
            raise RowRejected("import-missing-coordinates")
        try:
            lat, lon = _number(raw_lat), _number(raw_lon)
        except ValueError:
            raise RowRejected(
                "import-invalid-coordinates", f"{show(raw_lat)}, {show(raw_lon)}"
            ) from None
        shown = f"{show(raw_lat)}, {show(raw_lon)}"
        if not (math.isfinite(lat) and math.isfinite(lon)) or (lat == 0 and lon == 0):
            raise RowRejected("import-invalid-coordinates", shown)
        china = self.crs is not Crs.wgs84
        inside = valid_point(lat, lon) and not (china and outside_china(lat, lon))
        if not inside:
            if valid_point(lon, lat) and not outside_china(lon, lat):
                raise RowRejected("import-swapped-coordinates", shown)
            if not valid_point(lat, lon):
                raise RowRejected("import-outside-globe", shown)
            raise RowRejected("import-outside-china", shown)
        return to_wgs84(lat, lon, self.crs)

    def _amenities(self, line: int, value: Any, warnings: list[Problem]) -> int:
        key = tuple(value) if isinstance(value, list) else value
        try:
            cached = self._facilities.get(key)
        except TypeError:  # a list holding lists or objects: not worth remembering
            key, cached = None, None
        if cached is None:
            cached = _read_facilities(value)
            if key is not None:
                self._facilities[key] = cached
        mask, unknown = cached
        warnings.extend(Rejection(line, "import-unknown-amenity", word) for word in unknown)
        return mask

    def _parse_hours(self, text: str) -> tuple[dict[str, Any], bool]:
        cached = self._hours.get(text)
        if cached is None:
            hours = parse_hours(text)
            # A JSON round trip gives exactly what the database hands back later.
            cached = (json.loads(json.dumps(hours.to_json())), bool(hours.known))
            self._hours[text] = cached
        return cached


def _read_facilities(value: Any) -> tuple[int, tuple[str, ...]]:
    """The amenity mask of a facilities value (text or list), and the words not understood."""
    words: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if item is None or isinstance(item, dict | list):
            continue
        words.extend(w for w in _FACILITY_SEPARATORS.split(_text(item, "facilities")) if w)
    names: set[str] = set()
    unknown: list[str] = []
    for word in words:
        key = _word_key(word)
        exact = _AMENITY_LOOKUP.get(key)
        if exact is not None:
            names.add(exact)
            continue
        inside = {name for part, name in _AMENITY_INSIDE if part in key}
        if inside:
            names |= inside
        else:
            unknown.append(show(word))
    return amenity_mask(names), tuple(unknown)


#: Fields whose column, when present, is written over an existing station.
_GIVEN_FIELDS = frozenset(
    {
        "address",
        "city",
        "district",
        "phone",
        "managing_union",
        "status",
        "verified_on",
        "external_id",
        "facilities",
        "hours",
        "location",
    }
)


def _split_location(value: Any) -> tuple[Any, Any]:
    """(lat, lon) from one location value: a GeoJSON Point, "lng,lat", [lng, lat] or a dict.

    Text and lists are longitude first (as Amap and GeoJSON write them), unless the second
    number cannot be a latitude while the first can.
    """
    if isinstance(value, _PointGeometry):
        geometry = value.geometry
        if geometry.get("type") != "Point":
            raise RowRejected("import-not-a-point", show(geometry.get("type")))
        value = geometry.get("coordinates")
        if not isinstance(value, list) or len(value) < 2:
            raise RowRejected("import-invalid-coordinates", show(value))
        return value[1], value[0]
    if isinstance(value, dict):
        mapped = _map_keys(value)
        return mapped.get("lat"), mapped.get("lon")
    if isinstance(value, str):
        value = [part for part in re.split(r"[,，;\s]+", value.strip()) if part]
    if not isinstance(value, list) or len(value) != 2:
        raise RowRejected("import-invalid-coordinates", show(value))
    first, second = value
    try:
        if abs(_number(first)) <= 90 < abs(_number(second)):
            return first, second
    except ValueError:
        raise RowRejected("import-invalid-coordinates", show(value)) from None
    return second, first


def _parse_date(text: str) -> date | None:
    found = _DATE.match(text)
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


# Storing


#: Columns an import compares and writes.
_DATA_COLUMNS = (
    "external_id",
    "name",
    "address",
    "city",
    "district",
    "lat",
    "lon",
    "cell",
    "source_crs",
    "amenities",
    "hours",
    "hours_text",
    "phone",
    "managing_union",
    "status",
    "verified_on",
    "demo",
)
#: The columns text search reads, in the order ``search_text_of`` takes them.
_SEARCHED = ("name", "district", "address")
#: Which of those a row always sets, and which only when the file has them.
_ALWAYS = frozenset({"name", "lat", "lon", "cell", "source_crs", "demo"})


def _row_values(row: StationRow, *, demo: bool) -> tuple[Any, ...]:
    """The values of a row, in the order of ``_DATA_COLUMNS``."""
    return (
        row.external_id,
        row.name,
        row.address,
        row.city,
        row.district,
        row.lat,
        row.lon,
        row.cell,
        row.source_crs,
        row.amenities,
        row.hours,
        row.hours_text,
        row.phone,
        row.managing_union,
        row.status.value,
        row.verified_on,
        demo,
    )


def _same(column: str, old: Any, new: Any) -> bool:
    """Whether a stored value equals the imported one (coordinates to within 1e-9 degrees)."""
    if column in ("lat", "lon"):
        return old is not None and abs(float(old) - float(new)) < 1e-9
    if column == "status":
        return str(old) == str(new)
    if column == "demo":
        return bool(old) == bool(new)
    if column == "hours":  # both JSON text: equal text, or equal once decoded
        return bool(old == new or (old is not None and json.loads(old) == json.loads(new)))
    return bool(old == new)


@cache
def _takes(given: frozenset[str]) -> tuple[bool, ...]:
    """For each of ``_DATA_COLUMNS``, whether a row with these columns writes it."""
    return tuple(name in _ALWAYS or name in given for name in _DATA_COLUMNS)


def _upsert(
    conn: Connection,
    *,
    parsed: ParsedFile,
    demo: bool,
    dry_run: bool,
    actor_id: int | None,
    filename: str,
    crs: str,
    counter: RowCounter,
) -> ImportReport:
    """Match, compare and (unless a dry run) write the parsed rows, in the caller's transaction.

    ``counter`` is told each row done: in a dry run once it is matched (and compared), in an
    import once it is written or found unchanged; rows left out as duplicates once matched.
    """
    report = ImportReport(warnings=parsed.warnings, dry_run=dry_run, format=parsed.format)
    counter.start(total=len(parsed.rows) + len(parsed.rejected), done=len(parsed.rejected))
    by_id: dict[str, int] = {}
    by_place: dict[tuple[str, str], int] = {}
    by_place_unnumbered: dict[tuple[str, str], int] = {}
    keys = select(STATIONS.c.id, STATIONS.c.external_id, STATIONS.c.name, STATIONS.c.address)
    for found in conn.execute(keys.order_by(STATIONS.c.id)):
        place = (found.name, found.address)
        by_place.setdefault(place, found.id)
        if found.external_id is None:
            by_place_unnumbered.setdefault(place, found.id)
        else:
            by_id[found.external_id] = found.id

    new: list[StationRow] = []
    matched: dict[int, StationRow] = {}
    duplicates: list[Problem] = []
    for row in parsed.rows:
        place = (row.name, row.address)
        if row.external_id is not None:
            station_id = by_id.get(row.external_id, by_place_unnumbered.get(place))
        else:
            station_id = by_place.get(place)
        if station_id is None:
            new.append(row)
        elif station_id in matched:
            first = matched[station_id].line
            duplicates.append(Rejection(row.line, "import-duplicate", str(first)))
        else:
            matched[station_id] = row
    report.rejected = sorted([*parsed.rejected, *duplicates], key=lambda r: r.line)
    counter.add(len(duplicates) + (len(new) if dry_run else 0))

    now = utcnow()
    changes: dict[tuple[int, ...], list[dict[str, Any]]] = {}
    ids = list(matched)
    # Stored hours are read as their JSON text and compared with the text the import would
    # store: decoding every stored value is the slowest part of re-importing a large file.
    columns = [
        cast(STATIONS.c.hours, Text) if name == "hours" else STATIONS.c[name]
        for name in _DATA_COLUMNS
    ]
    hours_at = _DATA_COLUMNS.index("hours")
    dumped: dict[int, str] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        unchanged = report.unchanged
        query = select(STATIONS.c.id, *columns).where(STATIONS.c.id.in_(chunk))
        for found in conn.execute(query):
            station_id, current = found[0], tuple(found[1:])
            row = matched[station_id]
            values = list(_row_values(row, demo=demo))
            hours_key = id(row.hours)
            if hours_key not in dumped:
                dumped[hours_key] = json.dumps(row.hours)
            values[hours_at] = dumped[hours_key]
            merged = [
                value if take else old
                for value, take, old in zip(values, _takes(row.given), current, strict=True)
            ]
            if row.external_id is None or current[0] is not None:
                merged[0] = current[0]  # an import never renumbers a station
            if current == tuple(merged):
                report.unchanged += 1
                continue
            differ = tuple(
                i
                for i, (name, old, value) in enumerate(
                    zip(_DATA_COLUMNS, current, merged, strict=True)
                )
                if not _same(name, old, value)
            )
            if not differ:
                report.unchanged += 1
                continue
            # Rows are grouped by the columns that changed, so each group is one executemany
            # that touches only those columns (and their indexes).
            params = {
                f"b_{_DATA_COLUMNS[i]}": row.hours if i == hours_at else merged[i] for i in differ
            }
            if any(_DATA_COLUMNS[i] in _SEARCHED for i in differ):
                params["b_search_text"] = search_text_of(
                    *(merged[_DATA_COLUMNS.index(name)] for name in _SEARCHED)
                )
            changes.setdefault(differ, []).append({"b_id": station_id, **params})
        counter.add(len(chunk) if dry_run else report.unchanged - unchanged)
    report.updated = sum(len(group) for group in changes.values())
    report.added = len(new)
    if dry_run:
        return report

    # Pieces of text search's vocabulary are added once for the whole file (PostgreSQL).
    take_over_search_terms(conn)
    written: list[str] = []
    for start in range(0, len(new), _WRITE_CHUNK):
        batch = [
            {
                **dict(zip(_DATA_COLUMNS, _row_values(row, demo=demo), strict=True)),
                "timezone": "Asia/Shanghai",
                "search_text": search_text_of(row.name, row.district, row.address),
                "flagged_at": None,
                "created_at": now,
                "updated_at": now,
            }
            for row in new[start : start + _WRITE_CHUNK]
        ]
        conn.execute(insert(STATIONS), batch)
        written.extend(row["search_text"] for row in batch)
        counter.add(len(batch))
    for differ, group in changes.items():
        names = [_DATA_COLUMNS[i] for i in differ]
        if any(name in _SEARCHED for name in names):
            names.append("search_text")
        statement = (
            update(STATIONS)
            .where(STATIONS.c.id == bindparam("b_id"))
            .values(updated_at=now, **{name: bindparam(f"b_{name}") for name in names})
        )
        for start in range(0, len(group), _WRITE_CHUNK):
            conn.execute(statement, group[start : start + _WRITE_CHUNK])
            counter.add(len(group[start : start + _WRITE_CHUNK]))
        written.extend(row["b_search_text"] for row in group if "b_search_text" in row)
    add_search_terms(conn, written)
    audit_import(
        conn,
        action="stations.import",
        actor_id=actor_id,
        filename=filename,
        fmt=parsed.format,
        report=report,
        now=now,
        crs=crs,
        demo=demo,
    )
    return report


async def import_stations(
    db: Database,
    data: bytes,
    *,
    filename: str,
    crs: Crs,
    dry_run: bool = False,
    demo: bool = False,
    actor_id: int | None = None,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Parse a station file and upsert its rows in one transaction; return the report.

    A row matches an existing station by external id when it has one (or, failing that, a
    station with the same name and address and no external id), otherwise by name and
    address. ``demo`` marks every imported row as demo data. A dry run reports the same counts
    and writes nothing. A file that is malformed as a whole raises :class:`ImportFileError`
    before anything is written. One audit record (``stations.import``) notes the counts.
    ``progress`` is told (rows read, 0) while the file is read, then (rows done, rows in all)
    as rows are matched and stored, and once at the end with done == total (see
    :class:`bot.core.tables.RowCounter`).
    """
    crs = Crs(crs)
    async with RowCounter(progress) as counter:
        parsed = await asyncio.to_thread(
            parse_station_file, data, filename=filename, crs=crs, counter=counter
        )
        report = await db.transact(
            _upsert,
            parsed=parsed,
            demo=demo,
            dry_run=dry_run,
            actor_id=actor_id,
            filename=Path(filename).name,
            crs=crs.value,
            counter=counter,
        )
        if not dry_run and not db.is_sqlite and report.added + report.updated >= ANALYZE_AFTER:
            # PostgreSQL plans the nearest query from the table's statistics: after a big
            # import they are refreshed at once rather than when autovacuum gets to it.
            await db.transact(_analyze)
        await counter.finish()
    return report


#: An import that adds or changes at least this many stations refreshes the statistics.
ANALYZE_AFTER = 1000


def _analyze(conn: Connection) -> None:
    conn.execute(text("ANALYZE stations"))


async def load_demo_stations(db: Database) -> ImportReport:
    """Load the shipped Zhengzhou stations as demo data (a second call changes nothing)."""
    return await import_stations(
        db, DEMO_FILE.read_bytes(), filename=DEMO_FILE.name, crs=Crs.gcj02, demo=True
    )


async def run_import_cli(
    settings: Settings,
    path: Path,
    *,
    crs: str,
    dry_run: bool,
    demo: bool,
    progress: ImportProgress | None = None,
) -> int:
    """``gongyou import stations``: 0 when imported, 1 for a malformed file, 2 if unreadable
    (``progress``: see :func:`import_stations`)."""
    path = Path(path)

    async def run(db: Database, data: bytes) -> ImportReport:
        return await import_stations(
            db,
            data,
            filename=path.name,
            crs=Crs(crs),
            dry_run=dry_run,
            demo=demo,
            progress=progress,
        )

    return await run_file_import(
        settings.database_url,
        path,
        run,
        max_bytes=MAX_FILE_BYTES,
        refused=render_file_error,
        reason=_file_reason,
        lang=settings.default_language,
    )
