"""Importing job lists that union staff upload: CSV and Excel files with Chinese headers.

Job stations keep their weekly lists in spreadsheets: an Excel workbook (.xlsx) with a title
row above the header, or a CSV saved by Chinese Excel (GBK/GB18030) or by anything else (UTF-8,
with or without a byte-order mark). The files are read with :mod:`bot.core.tables`; this module
maps the usual Chinese and English column names onto a posting, screens every row (fees,
minimum wage, contact) and stores the whole file in one transaction.

Two stages, each usable alone:

* :func:`parse_job_file` is pure. It turns the bytes of a file into normalised rows, the rows
  it rejected and its warnings, each with its line (the spreadsheet's row number, or the CSV
  line). A file that cannot be read as a whole raises :class:`TableFileError`; nothing is
  written then.
* :func:`import_jobs` parses, then upserts: a row with the same dedupe key (employer + title +
  district) as a posting that is not withdrawn or rejected updates that posting instead of
  adding a second one. Clean rows are published (which queues alerts for matching seekers);
  flagged rows wait for staff review. The returned :class:`JobImportReport` renders itself in
  either language.

Every message key of this module is ``ji-<reason>``; the reasons are listed in ``REASONS``.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from bot.core.clock import today_in
from bot.core.models import utcnow
from bot.core.tables import (
    READ_ERRORS,
    SKIP,
    Columns,
    Header,
    ImportProgress,
    Parsed,
    Problem,
    RowCounter,
    RowRejected,
    Rows,
    TableFileError,
    TableReport,
    audit_import,
    blank,
    build_rows,
    cell_text,
    csv_rows,
    decode_csv,
    find_header,
    is_spreadsheet,
    listing,
    run_file_import,
    show,
    table_rows,
)
from bot.db import Database
from bot.i18n import t
from bot.jobs.core import (
    POSTINGS,
    MinWage,
    Salary,
    SalaryError,
    dedupe_key,
    employment_type_of,
    industry_of,
    load_min_wages,
    parse_salary,
    publish_postings,
    screen,
    search_text,
    tags_of,
)
from bot.jobs.models import Employer, EmploymentType, PostingSource, PostingStatus

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "FILE_ERRORS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REASONS",
    "REJECTIONS",
    "SAMPLE_FILE",
    "WARNINGS",
    "Held",
    "JobImportReport",
    "JobRow",
    "ParsedJobs",
    "caption_city",
    "caption_wants_dry_run",
    "caption_says_jobs",
    "import_jobs",
    "looks_like_job_file",
    "map_header",
    "parse_expiry",
    "parse_job_file",
    "render_file_error",
    "run_import_cli",
    "split_metro",
]

EMPLOYERS: Table = Employer.__table__  # type: ignore[attr-defined]

#: The demo job list shipped for trying the bot out (fictional postings, see bot/data/README.md).
SAMPLE_FILE = Path(__file__).parents[1] / "data" / "jobs-sample.xlsx"
#: Files larger than this are refused before they are read (Telegram's download limit).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Files with more job rows than this are refused.
MAX_ROWS = 20_000
#: How many rows at the top of a sheet may come before the header (titles, notes).
HEADER_SEARCH_ROWS = 30

#: Why a row was left out (each is the catalog key ``ji-<reason>``, taking ``$detail``).
REJECTIONS = ("missing-title", "missing-employer", "text-too-long", "expired", "bad-date")
#: What was guessed or ignored in a row that was still imported.
WARNINGS = (
    "unknown-industry",
    "unknown-type",
    "salary-unread",
    "duplicate-row",
    "ignored-columns",
)
#: Why a file as a whole was refused: the readers' reasons, and a header without a column for
#: the title or the employer.
FILE_ERRORS = (*READ_ERRORS, "file-no-title-column", "file-no-employer-column")
REASONS = (*REJECTIONS, *WARNINGS, *FILE_ERRORS)

# Column names


#: Column names and the field each one fills (compared after
#: :func:`bot.core.tables.column_key`).
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "岗位", "职位", "岗位名称", "职位名称", "招聘岗位", "招聘职位", "工种", "title",
        "job", "job title", "position",
    ),
    "employer": (
        "单位", "公司", "企业", "用工单位", "招聘单位", "单位名称", "公司名称", "企业名称",
        "用人单位", "employer", "company",
    ),
    "city": ("城市", "所在城市", "city"),
    "district": ("区县", "区域", "所在区", "行政区", "所在区县", "县区", "区", "district"),
    "address": ("地址", "工作地点", "工作地址", "详细地址", "address", "workplace"),
    "metro": ("地铁", "地铁线路", "附近地铁", "地铁线", "metro", "metro line", "subway"),
    "metro_station": ("地铁站", "附近地铁站", "地铁站点", "metro station", "metro_station"),
    "industry": ("行业", "行业类别", "岗位类别", "industry"),
    "type": ("用工形式", "工作性质", "类型", "用工类型", "招聘类型", "type", "employment type"),
    "salary": (
        "薪资", "工资", "薪酬", "待遇", "薪资待遇", "工资待遇", "薪资范围", "salary", "pay",
        "wage",
    ),
    "hours": ("工作时间", "班次", "上班时间", "hours", "working hours", "shift"),
    "requirements": (
        "要求", "任职要求", "岗位要求", "招聘要求", "岗位职责", "职位描述", "岗位描述",
        "requirements", "description",
    ),
    "tags": ("适合人群", "标签", "特点", "岗位特点", "福利", "tags", "suitable for"),
    "contact": ("联系方式", "联系电话", "联系人", "电话", "手机", "contact", "phone"),
    "expires": (
        "截止日期", "有效期", "截止时间", "有效期至", "截止", "expires", "expiry", "deadline",
        "valid until",
    ),
    "registration": (
        "统一社会信用代码", "信用代码", "社会信用代码", "注册号", "registration",
        "registration no", "credit code",
    ),
    "notes": ("备注", "说明", "notes", "note", "remarks"),
    SKIP: ("序号", "编号", "no", "id", "#"),
}  # fmt: skip
#: Fields that may come from several columns, joined in order (联系人 + 联系电话).
_JOINED = frozenset({"contact", "notes"})

COLUMNS = Columns(_FIELD_ALIASES, joined=_JOINED)


def map_header(cells: Sequence[Any]) -> tuple[dict[int, str], list[str]]:
    """Which field each header cell fills ({index: field}), and the headers left unused."""
    header = COLUMNS.header(0, cells)
    return header.columns, _ignored(header)


def _ignored(header: Header) -> list[str]:
    return [cell_text(header.cells[index]) for index in header.ignored]


# Results


@dataclass(frozen=True, slots=True)
class Held:
    """A row stored as pending because screening flagged it."""

    line: int
    title: str
    flags: tuple[str, ...]


@dataclass(slots=True)
class JobRow:
    """One posting read from a file, normalised and ready to store."""

    line: int
    title: str
    employer_name: str
    registration_no: str | None
    city: str
    district: str
    address: str
    metro_line: str
    metro_station: str
    industry: str
    employment_type: EmploymentType
    salary: Salary
    hours: str
    requirements: str
    tags: int
    contact: str
    expires_on: date | None
    #: Words screened for fees besides title and requirements (pay, hours, tags cells).
    extra_text: str = ""

    @property
    def key(self) -> str:
        """The dedupe key: employer + title + district."""
        return dedupe_key(employer=self.employer_name, title=self.title, district=self.district)


#: What :func:`parse_job_file` read: good rows, rejected rows and warnings.
ParsedJobs = Parsed[JobRow]


@dataclass
class JobImportReport(TableReport):
    """The outcome of an import (or of a dry run, which stores nothing)."""

    published: int = 0
    held: list[Held] = field(default_factory=list)
    employers_added: int = 0
    alerts_queued: int = 0

    def render(self, lang: str) -> str:
        """A short report in ``lang``: counts, then held rows, rejected rows and warnings."""
        if self.dry_run:
            lines = [
                t(lang, "ji-summary-dry-run", **self.counts()),
                t(lang, "ji-outcome-dry-run", published=self.published, held=len(self.held)),
            ]
        else:
            lines = [
                t(lang, "ji-summary", **self.counts()),
                t(
                    lang,
                    "ji-outcome",
                    published=self.published,
                    held=len(self.held),
                    alerts=self.alerts_queued,
                ),
            ]
        if self.employers_added:
            lines.append(t(lang, "ji-employers-added", count=self.employers_added))
        joiner = "；" if lang == "zh" else "; "

        def held_line(held: Held) -> str:
            flags = joiner.join(t(lang, f"flag-{flag}") for flag in held.flags)
            return t(lang, "ji-held-line", line=held.line, title=held.title, flags=flags)

        def problem_line(problem: Problem) -> str:
            reason = _reason_text(lang, problem.reason, problem.detail)
            return t(lang, "ji-line", line=problem.line, reason=reason)

        def more(count: int) -> str:
            return t(lang, "ji-more", count=count)

        if self.held:
            lines.append(t(lang, "ji-held-heading", count=len(self.held)))
            lines.extend(listing(self.held, held_line, more))
        for problems in (self.rejected, self.warnings):
            if problems:
                rejected = problems is self.rejected
                heading = "ji-rejected-heading" if rejected else "ji-warnings-heading"
                lines.append(t(lang, heading, count=len(problems)))
                lines.extend(listing(problems, problem_line, more))
        return "\n".join(lines)


def _reason_text(lang: str, ji_reason: str, detail: str) -> str:
    """A rejection, warning or file error (one of ``REASONS``) in ``lang``."""
    return t(lang, f"ji-{ji_reason}", detail=detail)


def render_file_error(err: TableFileError, lang: str) -> str:
    """Why a job file was refused, in ``lang``."""
    return t(lang, "ji-file-refused", reason=_reason_text(lang, err.reason, err.detail))


# Captions and sniffing (used by the document handler)

_JOB_CAPTION = re.compile(r"岗位|职位|招聘|\bjobs?\b", re.I)
_DRY_RUN_CAPTION = re.compile(r"试运行|预览|\bdry[-_ ]?run\b|\bpreview\b", re.I)
_CITY_CAPTION = re.compile(r"([\u4e00-\u9fff]{2,6}市)")


def caption_says_jobs(caption: str) -> bool:
    """True when a document's caption says it is a job list (岗位, 招聘, jobs...)."""
    return bool(_JOB_CAPTION.search(caption or ""))


def caption_wants_dry_run(caption: str) -> bool:
    """True when a document's caption asks for a dry run (试运行, 预览, dry-run)."""
    return bool(_DRY_RUN_CAPTION.search(caption or ""))


def caption_city(caption: str) -> str:
    """A city named in a caption ("郑州市"), for rows that give none; else empty."""
    found = _CITY_CAPTION.search(caption or "")
    return found.group(1) if found else ""


def looks_like_job_file(data: bytes, filename: str) -> bool:
    """True for an Excel workbook, or a CSV whose header names a job title and an employer.

    Only the first 64 KB of a CSV are looked at; nothing is raised for unreadable data.
    """
    if is_spreadsheet(data, filename):
        return True
    head = data[:65_536]
    if len(data) > len(head) and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    try:
        text = decode_csv(head)
    except TableFileError:
        return False
    for line, cells in islice(csv_rows(text), HEADER_SEARCH_ROWS):
        if {"title", "employer"} <= COLUMNS.header(line, cells).fields:
            return True
    return False


# Reading files


def _long_text(value: Any) -> str:
    """A cell that may hold several lines (requirements): each line trimmed, blanks dropped."""
    if not isinstance(value, str):
        return cell_text(value)
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


def parse_job_file(
    data: bytes,
    *,
    filename: str,
    default_city: str = "",
    today: date,
    counter: RowCounter | None = None,
) -> ParsedJobs:
    """Read a CSV or .xlsx job list (pure: no database; ``today`` decides what has expired).

    The header is the first row naming a job-title column (rows above it, such as a sheet
    title, are skipped). Rows that cannot become a posting are listed in ``rejected`` and
    the rest come back; of rows with the same dedupe key the last wins. Raises
    :class:`TableFileError` when the file as a whole is unusable. Each row read is counted on
    ``counter``.
    """
    fmt, rows = table_rows(data, filename=filename, max_bytes=MAX_FILE_BYTES)
    with closing(rows):
        return _read_rows(
            rows, ParsedJobs(format=fmt), default_city=default_city, today=today, counter=counter
        )


def _read_rows(
    rows: Rows,
    parsed: ParsedJobs,
    *,
    default_city: str,
    today: date,
    counter: RowCounter | None = None,
) -> ParsedJobs:
    """Find the header among the first rows, then build every row after it."""
    header = find_header(rows, COLUMNS, naming="title", search=HEADER_SEARCH_ROWS)
    shown = show(", ".join(cell_text(c) for c in header.cells if not blank(c)), 200)
    if "title" not in header.fields:
        raise TableFileError("file-no-title-column", shown)
    if "employer" not in header.fields:
        raise TableFileError("file-no-employer-column", shown)
    if header.ignored:
        ignored = show(", ".join(_ignored(header)))
        parsed.warnings.append(Problem(header.line, "ignored-columns", ignored))

    builder = _RowBuilder(header, default_city=default_city, today=today)
    where: dict[str, int] = {}
    for row in build_rows(rows, builder.build, parsed, max_rows=MAX_ROWS, counter=counter):
        earlier = where.get(row.key)
        if earlier is not None:
            previous = parsed.rows[earlier]
            parsed.warnings.append(Problem(previous.line, "duplicate-row", str(row.line)))
            parsed.rows[earlier] = row
        else:
            where[row.key] = len(parsed.rows)
            parsed.rows.append(row)
    parsed.warnings.sort(key=lambda problem: problem.line)
    return parsed


# Turning cells into a posting


def _length(table: Table, column: str) -> int:
    return int(getattr(table.c[column].type, "length", None) or 10_000)


#: Text fields and the column of ``job_postings`` (or ``employers``) that limits their length.
_LIMITS: dict[str, int] = {
    "title": _length(POSTINGS, "title"),
    "employer": _length(POSTINGS, "employer_name"),
    "city": _length(POSTINGS, "city"),
    "district": _length(POSTINGS, "district"),
    "address": _length(POSTINGS, "address"),
    "metro": _length(POSTINGS, "metro_line"),
    "metro_station": _length(POSTINGS, "metro_station"),
    "salary": _length(POSTINGS, "pay_text"),
    "hours": _length(POSTINGS, "hours"),
    "requirements": _length(POSTINGS, "requirements"),
    "contact": _length(POSTINGS, "contact"),
    "registration": _length(EMPLOYERS, "registration_no"),
}

_CITY_IN_ADDRESS = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,8}自治区)?([^\s省市区县镇乡路街道号\d]{2,7}市)"
)
_DISTRICT_IN_ADDRESS = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}省)?(?:[^\s省市区县路街道号\d]{2,7}市)?"
    r"([^\s省市区县路街道号\d]{1,6}(?:区|县))"
)
_NO_EXPIRY = frozenset({"长期", "长期有效", "常年", "常年招聘", "不限", "无", "-", "—", "n/a"})
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class _DateError(ValueError):
    """A date cell that cannot be read."""


def parse_expiry(value: Any) -> date | None:
    """An expiry cell as a date: Excel dates, 2026-12-31, 2026/12/31, 2026年12月31日.

    Blank cells and words such as "长期有效" give None; anything else unreadable raises
    ValueError.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:  # an Excel serial day number
            from openpyxl.utils.datetime import from_excel

            found = from_excel(value)
            return found.date() if isinstance(found, datetime) else None
        raise _DateError(str(value))
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if not text or text.casefold() in _NO_EXPIRY:
        return None
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise _DateError(text)
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise _DateError(text) from None


_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_METRO_LINE = re.compile(
    r"(?:地铁)?\s*(?:([A-Za-z]?\d{1,2}|[一二三四五六七八九十]{1,3})\s*号?\s*线|(城郊线)"
    r"|\bline\s*(\d{1,2})\b)",
    re.I,
)
_METRO_TRIM = " \t-—–_/|、,，;；:：()（）·.。"


def _chinese_number(text: str) -> str:
    """ "十二" → "12" (lines are written both ways); digits pass through."""
    if text.isdigit() or not all(ch in _CHINESE_DIGITS or ch == "十" for ch in text):
        return text.upper()
    if "十" not in text:
        return str(_CHINESE_DIGITS[text]) if len(text) == 1 else text
    tens, _ten, ones = text.partition("十")
    return str(_CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(ones, 0))


def split_metro(text: str) -> tuple[str, str]:
    """A metro cell as (line, station): "1号线紫荆山站" → ("1号线", "紫荆山"), "Line 2" too."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    line = ""
    found = _METRO_LINE.search(folded)
    if found is not None:
        if found.group(2):
            line = found.group(2)
        else:
            line = _chinese_number(found.group(1) or found.group(3)) + "号线"
        folded = _METRO_LINE.sub(" ", folded)
    return line, _station_name(folded)


def _station_name(text: str) -> str:
    station = text.replace("地铁站", " ").replace("地铁", " ")
    if "站" in station.strip(_METRO_TRIM):
        station = station[: station.index("站")]
    return " ".join(station.strip(_METRO_TRIM).split())


class _RowBuilder:
    """Builds :class:`JobRow` objects from the rows below a header."""

    def __init__(self, header: Header, *, default_city: str, today: date) -> None:
        self.columns = header.columns
        self.headers = {index: cell_text(header.cells[index]) for index in header.columns}
        self.default_city = " ".join(default_city.split())
        self.today = today

    def build(self, line: int, cells: Sequence[Any], problems: list[Problem]) -> JobRow:
        """The posting of one row (adding its warnings to ``problems``), or RowRejected."""
        values: dict[str, Any] = {}
        for index, name in self.columns.items():
            value = cells[index] if index < len(cells) else None
            if name in _JOINED:
                if not blank(value):
                    joined = [values[name]] if name in values else []
                    values[name] = " ".join([*joined, _long_text(value)])
            else:
                values[name] = value
        return self._build(line, values, problems)

    def _build(self, line: int, values: Mapping[str, Any], problems: list[Problem]) -> JobRow:
        text = {
            name: cell_text(values.get(name))
            for name in (
                "title", "employer", "city", "district", "address", "metro", "metro_station",
                "industry", "type", "salary", "hours", "tags", "contact", "registration",
            )
        }  # fmt: skip
        requirements = _long_text(values.get("requirements"))
        notes = str(values.get("notes") or "")
        if notes:
            requirements = "\n".join(part for part in (requirements, notes) if part)
        text["requirements"] = requirements
        if not text["title"]:
            raise RowRejected("missing-title")
        if not text["employer"]:
            raise RowRejected("missing-employer")

        metro_line, metro_station = split_metro(text["metro"]) if text["metro"] else ("", "")
        if text["metro_station"]:
            metro_station = _station_name(unicodedata.normalize("NFKC", text["metro_station"]))
        if not text["city"]:
            found = _CITY_IN_ADDRESS.match(text["address"])
            text["city"] = found.group(1) if found else self.default_city
        if not text["district"]:
            found = _DISTRICT_IN_ADDRESS.match(text["address"])
            text["district"] = found.group(1) if found else ""
        for name, limit in _LIMITS.items():
            if len(text[name]) > limit:
                raise RowRejected("text-too-long", f"{self._header(name)} > {limit}")
        if len(metro_line) > _LIMITS["metro"] or len(metro_station) > _LIMITS["metro_station"]:
            raise RowRejected("text-too-long", f"{self._header('metro')} > {_LIMITS['metro']}")

        raw_expiry = values.get("expires")
        try:
            expires_on = parse_expiry(raw_expiry)
        except ValueError:
            raise RowRejected("bad-date", show(cell_text(raw_expiry))) from None
        if expires_on is not None and expires_on < self.today:
            raise RowRejected("expired", expires_on.isoformat())

        industry = industry_of(text["industry"]) if text["industry"] else None
        if industry is None:
            if text["industry"]:
                problems.append(Problem(line, "unknown-industry", show(text["industry"])))
                industry = "other"
            else:
                industry = industry_of(text["title"]) or "other"

        kind = employment_type_of(text["type"]) if text["type"] else None
        if kind is None:
            if text["type"]:
                problems.append(Problem(line, "unknown-type", show(text["type"])))
                kind = EmploymentType.full_time
            else:
                kind = employment_type_of(text["title"]) or EmploymentType.full_time

        try:
            salary = parse_salary(text["salary"])
        except SalaryError:
            problems.append(Problem(line, "salary-unread", show(text["salary"])))
            salary = Salary(None, None, None, text["salary"])

        tags = tags_of(" ".join((text["tags"], text["title"], requirements, text["hours"])))
        return JobRow(
            line=line,
            title=text["title"],
            employer_name=text["employer"],
            registration_no=text["registration"].upper().replace(" ", "") or None,
            city=text["city"],
            district=text["district"],
            address=text["address"],
            metro_line=metro_line,
            metro_station=metro_station,
            industry=industry,
            employment_type=kind,
            salary=salary,
            hours=text["hours"],
            requirements=requirements,
            tags=tags,
            contact=text["contact"],
            expires_on=expires_on,
            extra_text=" ".join(
                part for part in (text["salary"], text["hours"], text["tags"]) if part
            ),
        )

    def _header(self, name: str) -> str:
        """The file's own header of a field (the report quotes it as staff wrote it)."""
        for index, target in self.columns.items():
            if target == name:
                return self.headers.get(index, name)
        return name


# Storing

#: Columns an import writes and compares (the posting's content, not its review state).
_DATA_COLUMNS = (
    "title",
    "employer_name",
    "employer_id",
    "city",
    "district",
    "address",
    "metro_line",
    "metro_station",
    "industry",
    "employment_type",
    "pay_min",
    "pay_max",
    "pay_unit",
    "pay_text",
    "hours",
    "requirements",
    "tags",
    "contact",
    "expires_on",
    "search_text",
    "dedupe_key",
    "flags",
)
#: Statuses whose posting a re-imported row updates (withdrawn and rejected ones stay as they
#: are and a new posting is added), best first when several share a key.
_MATCHED = (
    PostingStatus.published.value,
    PostingStatus.pending.value,
    PostingStatus.draft.value,
    PostingStatus.expired.value,
)
_CHUNK = 500


class _Employers:
    """Finds or creates ``employers`` rows: by registration number, else by exact name."""

    def __init__(self, conn: Connection, *, dry_run: bool, now: datetime) -> None:
        self.conn = conn
        self.dry_run = dry_run
        self.now = now
        self.found: dict[tuple[str, str], int] = {}
        self.added = 0

    def id_of(self, row: JobRow) -> int:
        """The employer id of a row (a negative stand-in in a dry run for one to be created)."""
        reg = row.registration_no
        key = ("reg", reg) if reg else ("name", row.employer_name)
        if key in self.found:
            return self.found[key]
        employer_id: int | None = None
        if reg:
            employer_id = self.conn.execute(
                select(EMPLOYERS.c.id).where(EMPLOYERS.c.registration_no == reg)
            ).scalar()
            if employer_id is None:
                # An employer known by name but not yet by number gets the number.
                employer_id = self.conn.execute(
                    select(EMPLOYERS.c.id)
                    .where(
                        EMPLOYERS.c.name == row.employer_name,
                        EMPLOYERS.c.registration_no.is_(None),
                    )
                    .order_by(EMPLOYERS.c.id)
                    .limit(1)
                ).scalar()
                if employer_id is not None and not self.dry_run:
                    self.conn.execute(
                        update(EMPLOYERS)
                        .where(EMPLOYERS.c.id == employer_id)
                        .values(registration_no=reg)
                    )
        else:
            employer_id = self.conn.execute(
                select(EMPLOYERS.c.id)
                .where(EMPLOYERS.c.name == row.employer_name)
                .order_by(EMPLOYERS.c.id)
                .limit(1)
            ).scalar()
        if employer_id is None:
            self.added += 1
            if self.dry_run:
                employer_id = -self.added
            else:
                employer_id = self.conn.execute(
                    insert(EMPLOYERS)
                    .values(
                        name=row.employer_name,
                        registration_no=reg,
                        contact=row.contact,
                        verified=False,
                        owner_id=None,
                        created_at=self.now,
                    )
                    .returning(EMPLOYERS.c.id)
                ).scalar_one()
        self.found[key] = employer_id
        if reg:
            self.found.setdefault(("name", row.employer_name), employer_id)
        return employer_id


def _row_values(row: JobRow, *, employer_id: int, flags: list[str]) -> dict[str, Any]:
    """The stored values of a row, keyed by ``_DATA_COLUMNS``."""
    salary = row.salary
    return {
        "title": row.title,
        "employer_name": row.employer_name,
        "employer_id": employer_id,
        "city": row.city,
        "district": row.district,
        "address": row.address,
        "metro_line": row.metro_line,
        "metro_station": row.metro_station,
        "industry": row.industry,
        "employment_type": row.employment_type.value,
        "pay_min": salary.min,
        "pay_max": salary.max,
        "pay_unit": salary.unit.value if salary.unit is not None else None,
        "pay_text": salary.text[: _LIMITS["salary"]],
        "hours": row.hours,
        "requirements": row.requirements,
        "tags": row.tags,
        "contact": row.contact,
        "expires_on": row.expires_on,
        "search_text": search_text(
            title=row.title,
            employer=row.employer_name,
            requirements=row.requirements,
            metro_station=row.metro_station,
            hours=row.hours,
        ),
        "dedupe_key": row.key,
        "flags": flags,
    }


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old is not None and new is not None and abs(float(old) - float(new)) < 1e-6
    if isinstance(old, list) or isinstance(new, list):
        return list(old or []) == list(new or [])
    return bool(old == new)


def _existing(conn: Connection, keys: Sequence[str]) -> dict[str, Mapping[Any, Any]]:
    """The posting each dedupe key updates: published first, then pending, draft, expired."""
    found: dict[str, Mapping[Any, Any]] = {}
    rank = {status: index for index, status in enumerate(_MATCHED)}
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        query = select(POSTINGS).where(
            POSTINGS.c.dedupe_key.in_(chunk), POSTINGS.c.status.in_(_MATCHED)
        )
        for row in conn.execute(query.order_by(POSTINGS.c.id.desc())).mappings():
            current = found.get(row["dedupe_key"])
            if current is None or rank[row["status"]] < rank[current["status"]]:
                found[row["dedupe_key"]] = row
    return found


def _store(
    conn: Connection,
    *,
    parsed: ParsedJobs,
    dry_run: bool,
    actor_id: int | None,
    min_wages: Mapping[str, MinWage],
    now: datetime,
    today: date,
    posting_days: int,
    filename: str,
    counter: RowCounter,
) -> JobImportReport:
    """Screen, match and (unless a dry run) write the parsed rows, in one transaction.

    ``counter`` is told each row done: in a dry run once it is matched, in an import once it
    is written or found unchanged.
    """
    report = JobImportReport(rejected=parsed.rejected, warnings=parsed.warnings, dry_run=dry_run)
    counter.start(total=len(parsed.rows) + len(parsed.rejected), done=len(parsed.rejected))
    employers = _Employers(conn, dry_run=dry_run, now=now)
    existing = _existing(conn, [row.key for row in parsed.rows])
    new: list[dict[str, Any]] = []
    new_clean: list[bool] = []
    changed: list[dict[str, Any]] = []
    to_publish: list[int] = []
    for row in parsed.rows:
        flags = screen(
            title=row.title,
            requirements=row.requirements,
            contact=row.contact,
            city=row.city,
            salary=row.salary,
            min_wages=min_wages,
            duplicate=False,  # the same job is updated below, never doubled
            extra_text=row.extra_text,
        )
        values = _row_values(row, employer_id=employers.id_of(row), flags=flags)
        if flags:
            report.held.append(Held(row.line, row.title, tuple(flags)))
        old = existing.get(row.key)
        if old is None:
            report.added += 1
            report.published += not flags
            new.append(values)
            new_clean.append(not flags)
            if dry_run:
                counter.add()
            continue
        lapse = old["expires_on"]
        if values["expires_on"] is None and lapse is not None and lapse >= today:
            # No date in the file: a live posting keeps its own, a lapsed one gets a new one.
            values["expires_on"] = lapse
        status = PostingStatus.pending.value if flags else PostingStatus.published.value
        if status == old["status"] and all(
            _same(old[name], values[name]) for name in _DATA_COLUMNS
        ):
            report.unchanged += 1
            counter.add()
            continue
        report.updated += 1
        report.published += not flags
        if dry_run:
            counter.add()
        changed.append(
            {
                **{f"b_{name}": value for name, value in values.items()},
                "b_id": old["id"],
                "b_status": PostingStatus.pending.value if flags else old["status"],
            }
        )
        if not flags:
            to_publish.append(int(old["id"]))
    report.employers_added = employers.added
    if dry_run:
        return report
    from bot.jobs.search import note_posting_terms, note_terms  # on use: loads rapidfuzz

    for start in range(0, len(new), _CHUNK):
        batch = [
            {
                **values,
                "source": PostingSource.staff_import.value,
                "status": PostingStatus.draft.value if clean else PostingStatus.pending.value,
                "owner_id": actor_id,
                "review_note": "",
                "reviewed_by": None,
                "contact_views": 0,
                "report_count": 0,
                "published_at": None,
                "created_at": now,
                "updated_at": now,
            }
            for values, clean in zip(
                new[start : start + _CHUNK], new_clean[start : start + _CHUNK], strict=True
            )
        ]
        ids = list(
            conn.execute(
                insert(POSTINGS).returning(POSTINGS.c.id, sort_by_parameter_order=True), batch
            ).scalars()
        )
        note_terms(conn, ({**row, "id": i} for row, i in zip(batch, ids, strict=True)))
        clean = new_clean[start : start + _CHUNK]
        to_publish.extend(posting_id for posting_id, ok in zip(ids, clean, strict=True) if ok)
        counter.add(len(batch))
    if changed:
        statement = (
            update(POSTINGS)
            .where(POSTINGS.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                updated_at=now,
                **{name: bindparam(f"b_{name}") for name in _DATA_COLUMNS},
            )
        )
        for start in range(0, len(changed), _CHUNK):
            conn.execute(statement, changed[start : start + _CHUNK])
            counter.add(len(changed[start : start + _CHUNK]))
        note_posting_terms(conn, [row["b_id"] for row in changed])
    report.alerts_queued = publish_postings(
        conn, posting_ids=to_publish, now=now, posting_days=posting_days
    )
    audit_import(
        conn,
        action="jobs.import",
        actor_id=actor_id,
        filename=filename,
        fmt=parsed.format,
        report=report,
        now=now,
        published=report.published,
        held=len(report.held),
        alerts=report.alerts_queued,
    )
    return report


async def import_jobs(
    db: Database,
    data: bytes,
    *,
    filename: str,
    dry_run: bool,
    actor_id: int | None,
    default_city: str,
    min_wages: Mapping[str, MinWage],
    posting_days: int = 30,
    timezone: str = "Asia/Shanghai",
    now: datetime | None = None,
    progress: ImportProgress | None = None,
) -> JobImportReport:
    """Parse a job list and upsert its rows in one transaction; return the report.

    Rows are screened (fees, minimum wage, missing contact): clean ones are published and
    alerts queued for matching seekers; flagged ones are stored as pending with their flags
    for staff review (a published posting that now gets a flag goes back to pending). New
    postings have source ``staff_import`` and ``actor_id`` as owner. A dry run reports the
    same counts and writes nothing; a malformed file raises :class:`TableFileError` first.

    ``progress`` is told (rows read, 0) while the file is read, then (rows done, rows in all)
    as rows are matched and stored, and once at the end with done == total (see
    :class:`bot.core.tables.RowCounter`).
    """
    now = now or utcnow()
    today = today_in(timezone, now)
    async with RowCounter(progress) as counter:
        parsed = await asyncio.to_thread(
            parse_job_file,
            data,
            filename=filename,
            default_city=default_city,
            today=today,
            counter=counter,
        )
        report = await db.transact(
            _store,
            parsed=parsed,
            dry_run=dry_run,
            actor_id=actor_id,
            min_wages=min_wages,
            now=now,
            today=today,
            posting_days=posting_days,
            filename=Path(filename).name,
            counter=counter,
        )
        await counter.finish()
    return report


async def run_import_cli(
    settings: Settings,
    path: Path,
    *,
    dry_run: bool,
    city: str,
    progress: ImportProgress | None = None,
) -> int:
    """``gongyou import jobs``: 0 when imported, 1 for a malformed file, 2 if unreadable
    (``progress``: see :func:`import_jobs`)."""
    path = Path(path)

    async def run(db: Database, data: bytes) -> JobImportReport:
        return await import_jobs(
            db,
            data,
            filename=path.name,
            dry_run=dry_run,
            actor_id=None,
            default_city=city,
            min_wages=load_min_wages(settings.min_wage_file),
            posting_days=settings.posting_days,
            timezone=settings.timezone,
            progress=progress,
        )

    return await run_file_import(
        settings.database_url,
        path,
        run,
        max_bytes=MAX_FILE_BYTES,
        refused=render_file_error,
        reason=lambda err, lang: _reason_text(lang, err.reason, err.detail),
        lang=settings.default_language,
    )
