"""Table files staff upload (CSV, Excel): reading them, mapping their columns, reporting on them.

The imports of job lists (bot.jobs.imports), post stations (bot.stations.imports) and the
member roster (bot.membership.roster) each keep their own column names, row checks and
database writes; what they do alike is here:

* reading: :func:`table_rows` opens a CSV (in any usual encoding, see
  :func:`bot.core.textfile.decode_text`) or an .xlsx workbook and yields its non-blank rows
  with their line numbers (:func:`csv_rows`, :func:`xlsx_rows`);
* columns: :class:`Columns` says which field each column name fills, and :func:`find_header`
  finds the header row below any title rows;
* rows: :func:`build_rows` builds one row from each record, collecting the rejected rows and
  the warnings as :class:`Problem` entries of a :class:`Parsed`;
* reports: :class:`TableReport` holds the counts every report starts with, :func:`listing`
  lists the first problems and counts the rest, :func:`audit_import` records an import, and
  :func:`run_file_import` is the command-line import (read, import, print the report);
* progress: each import takes an optional :data:`ImportProgress` callback, told (rows done,
  rows in all) while it runs, through a :class:`RowCounter`.

Progress is counted in the file's rows (below its header), in two steps. While the file is
read and its rows checked, the total is not known yet: the callback is told (rows read, 0).
Once it is read, a row is done when the import has nothing left to do with it: a rejected row
at once; in a dry run once it is matched against the database; in an import once it is written
(or found unchanged); the callback is told (rows done, rows in all). The last count, given
when the import's transaction has ended, is (total, total).

A file that cannot be imported at all raises :class:`TableFileError`; its ``reason`` (one of
``READ_ERRORS`` when raised here) is said with the catalog key of the import that read it.
"""

from __future__ import annotations

import asyncio
import csv
import inspect
import io
import json
import logging
import math
import re
import sys
import threading
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Awaitable, Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection, Table, insert

from bot.core.models import AuditLog
from bot.core.textfile import TextDecodeError, decode_text
from bot.db import Database

AUDIT: Table = AuditLog.__table__  # type: ignore[attr-defined]

log = logging.getLogger(__name__)

R = TypeVar("R")
T = TypeVar("T")
V = TypeVar("V")

#: Why the code here cannot take a file (each import says it with its own catalog key).
READ_ERRORS = (
    "file-empty",
    "file-too-large",
    "file-too-many-rows",
    "file-encoding",
    "file-binary",
    "file-old-excel",
    "file-bad-xlsx",
    "file-unreadable",
)
#: How many entries of a kind (rejected rows, warnings, held rows) a rendered report lists.
REPORT_LIMIT = 20
#: The field of columns that fill none and are not reported as ignored (row numbers).
SKIP = "_skip"

#: Rows of a file: (line, cells) for each non-blank row.
Rows = Generator[tuple[int, list[Any]], None, None]

#: An import's progress callback: called with (rows done, rows in all), see :class:`RowCounter`.
#: It may return an awaitable, which is awaited on the event loop (never by the import).
ImportProgress = Callable[[int, int], Awaitable[None] | None]
#: A running import tells its progress callback at most every this many rows...
PROGRESS_ROWS = 500
#: ...or, when fewer rows are done in that time, after this many seconds.
PROGRESS_SECONDS = 0.5

_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_NOTE = re.compile(r"[(（\[【].*?[)）\]】]")


class TableFileError(ValueError):
    """The file cannot be imported at all; ``reason`` says why, ``detail`` what was found."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Problem:
    """A rejected row or a warning: its line, the reason and a detail (the value at fault)."""

    line: int
    reason: str
    detail: str = ""


class RowRejected(Exception):
    """Raised while a row is built: the row is left out for ``reason``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Parsed(Generic[R]):
    """What a file held: its format, the rows built, the rows rejected and the warnings."""

    format: str
    rows: list[R] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


# Reading files


def check_size(size: int, limit: int) -> None:
    """Refuse a file of ``size`` bytes when it is larger than ``limit`` (``file-too-large``)."""
    if size > limit:
        raise TableFileError("file-too-large", f"{size / 1024 / 1024:.1f} MB")


def read_file(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a file; one larger than ``max_bytes`` is refused before it is read."""
    check_size(path.stat().st_size, max_bytes)
    return path.read_bytes()


def is_spreadsheet(data: bytes, filename: str) -> bool:
    """True for an Excel workbook: by its name (.xlsx, .xlsm) or its zip signature."""
    return Path(filename).suffix.lower() in _SPREADSHEET_SUFFIXES or data.startswith(_ZIP_MAGIC)


def table_rows(data: bytes, *, filename: str, max_bytes: int) -> tuple[str, Rows]:
    """The format (``xlsx`` or ``csv``) of a table file and its rows.

    Raises :class:`TableFileError` for a file over ``max_bytes``, an empty one or one that
    cannot be decoded; reading the rows may raise it too (a damaged workbook).
    """
    check_size(len(data), max_bytes)
    if not data.strip():
        raise TableFileError("file-empty")
    if is_spreadsheet(data, filename):
        return "xlsx", xlsx_rows(data)
    text = decode_csv(data)
    if not text.strip():
        raise TableFileError("file-empty")
    return "csv", csv_rows(text)


def decode_csv(data: bytes) -> str:
    """The text of a CSV (see :func:`bot.core.textfile.decode_text`); refuses old .xls files."""
    if data.startswith(_OLE_MAGIC):
        raise TableFileError("file-old-excel")
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data[:65_536]:
        raise TableFileError("file-binary")  # before a lenient GB18030 reading can accept it
    return file_text(data)


def file_text(data: bytes) -> str:
    """The text of a file (see :func:`bot.core.textfile.decode_text`), or TableFileError."""
    try:
        return decode_text(data)
    except TextDecodeError as exc:
        raise TableFileError(
            "file-binary" if exc.reason == "binary" else "file-encoding"
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter most used in the first lines (a title line above the header has none)."""
    lines = [line for line in text[:20_000].splitlines() if line.strip()][:5]
    return max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in lines))


def csv_rows(text: str, delimiter: str | None = None) -> Rows:
    """Yield (first line, cells) for every non-blank CSV row (delimiter: sniffed if not given)."""
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    end = 0
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield line, list(cells)
    except csv.Error as exc:
        raise TableFileError("file-encoding", str(exc)) from None


def xlsx_rows(data: bytes) -> Rows:
    """Yield (row number, cells) for every non-blank row of a workbook's first sheet."""
    import openpyxl  # imported here: only spreadsheet imports pay for it

    if data.startswith(_OLE_MAGIC):
        raise TableFileError("file-old-excel")
    try:
        with warnings.catch_warnings():
            # Workbooks saved by WPS or online editors make openpyxl warn about styles.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TableFileError("file-bad-xlsx", type(exc).__name__) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise TableFileError("file-bad-xlsx", type(exc).__name__) from None
    try:
        if not book.worksheets:
            raise TableFileError("file-empty")
        sheet = book.worksheets[0]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    if any(not blank(cell) for cell in cells):
                        yield number, list(cells)
        except TableFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a valid zip
            raise TableFileError("file-bad-xlsx", type(exc).__name__) from None
    finally:
        book.close()


# Cells


def blank(value: Any) -> bool:
    """True for an empty cell or value: None, or text of nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as one line of text: numbers written plainly, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def show(value: Any, limit: int = 40) -> str:
    """A value as a report quotes it (text as is, else as JSON), cut after ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Columns


def without_notes(name: str) -> str:
    """A column name without notes in brackets ("薪资（元/月）" → "薪资") or a byte-order mark."""
    return _NOTE.sub("", name.replace("\ufeff", ""))


def column_key(name: str) -> str:
    """How a column name is compared: notes in brackets dropped, width, case, marks folded."""
    name = without_notes(name)
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum()) or name.strip()


@dataclass(frozen=True)
class Header:
    """A header row: its line and cells, the field of each mapped cell ({index: field}) and
    the indexes of the named cells that fill none.
    """

    line: int
    cells: list[Any]
    columns: dict[int, str]
    ignored: tuple[int, ...]

    @property
    def fields(self) -> set[str]:
        """The fields the header has a column for."""
        return set(self.columns.values())


class Columns:
    """Column names (headers, JSON keys) and the field each one fills.

    ``aliases`` lists the names of each field; names are compared after ``key``. A field
    takes the first column naming it, except the ``joined`` fields, which take every such
    column (joined by the import). Columns of the field ``SKIP`` are neither used nor
    reported.
    """

    def __init__(
        self,
        aliases: Mapping[str, Iterable[str]],
        *,
        key: Callable[[str], str] = column_key,
        joined: Iterable[str] = (),
    ) -> None:
        self.key = key
        self.joined = frozenset(joined)
        self.lookup = {key(alias): name for name, names in aliases.items() for alias in names}

    def field(self, name: str) -> str | None:
        """The field a column name fills, or None."""
        return self.lookup.get(self.key(name))

    def header(self, line: int, cells: Sequence[Any]) -> Header:
        """Read ``cells`` as a header row."""
        columns: dict[int, str] = {}
        taken: set[str] = set()
        ignored: list[int] = []
        for index, cell in enumerate(cells):
            name = cell_text(cell)
            if not name:
                continue
            target = self.field(name)
            if target == SKIP:
                continue
            if target is None or (target in taken and target not in self.joined):
                ignored.append(index)
                continue
            taken.add(target)
            columns[index] = target
        return Header(line, list(cells), columns, tuple(ignored))


def find_header(
    rows: Iterator[tuple[int, list[Any]]], columns: Columns, *, naming: str, search: int
) -> Header:
    """The header: the first of the first ``search`` rows with a column for ``naming``.

    When none has one the first row comes back (the import refuses the file, quoting it); a
    file without rows is refused (``file-empty``). The rows below the header stay in ``rows``.
    """
    first: Header | None = None
    for searched, (line, cells) in enumerate(rows):
        header = columns.header(line, cells)
        if naming in header.fields:
            return header
        first = first or header
        if searched + 1 >= search:
            break
    if first is None:
        raise TableFileError("file-empty")
    return first


# Rows


def build_rows(
    records: Iterable[tuple[int, V]],
    build: Callable[[int, V, list[Problem]], R],
    parsed: Parsed[R],
    *,
    max_rows: int,
    problem: type[Problem] = Problem,
    counter: RowCounter | None = None,
) -> Iterator[R]:
    """Yield the row ``build`` makes of each record (line, values), in order.

    Each record read is counted on ``counter`` (:meth:`RowCounter.read`).

    ``build`` raises :class:`RowRejected` for a row left out, which is listed (as a
    ``problem``) in ``parsed.rejected``; the warnings it adds to the list it is given are kept
    in ``parsed.warnings`` when the row is built. More than ``max_rows`` records refuse the
    file (``file-too-many-rows``).
    """
    count = 0
    for line, values in records:
        count += 1
        if counter is not None:
            counter.read()
        if count > max_rows:
            raise TableFileError("file-too-many-rows", f"{max_rows:,}")
        found: list[Problem] = []
        try:
            row = build(line, values, found)
        except RowRejected as exc:
            parsed.rejected.append(problem(line, exc.reason, exc.detail))
            continue
        parsed.warnings.extend(found)
        yield row


# Reports


@dataclass
class TableReport:
    """The outcome of an import (or of a dry run, which stores nothing)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        """The numbers a report's summary gives: rows added, updated, unchanged, rejected."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


def listing(
    entries: Sequence[T],
    line: Callable[[T], str],
    more: Callable[[int], str],
    *,
    limit: int = REPORT_LIMIT,
) -> list[str]:
    """A report's lines for the first ``limit`` entries, then how many more there are."""
    lines = ["  " + line(entry) for entry in entries[:limit]]
    if len(entries) > limit:
        lines.append("  " + more(len(entries) - limit))
    return lines


def audit_import(
    conn: Connection,
    *,
    action: str,
    actor_id: int | None,
    filename: str,
    fmt: str,
    report: TableReport,
    now: datetime,
    **detail: Any,
) -> None:
    """Record an import in the audit log: the file's name and format, the counts and ``detail``."""
    counts = {**report.counts(), "warnings": len(report.warnings)}
    conn.execute(
        insert(AUDIT).values(
            at=now,
            actor_id=actor_id,
            action=action,
            subject=filename[:128],
            detail={"format": fmt, **detail, **counts},
        )
    )


class RowCounter:
    """Counts the rows an import has done and tells its :data:`ImportProgress` callback.

    Use it as ``async with RowCounter(progress) as counter``, hand it to the file's reader
    (which calls :meth:`read` for each row) and to the import's transaction (which calls
    :meth:`start` once, then :meth:`add`), and ``await counter.finish()`` once the transaction
    has ended. With no callback it does nothing.

    The transaction is synchronous code running on a thread of its own (SQLite's writer) or on
    the event loop inside the async engine (PostgreSQL); :meth:`start` and :meth:`add` may be
    called from either. They only note the count and, when a call is due (every
    :data:`PROGRESS_ROWS` rows or :data:`PROGRESS_SECONDS`), wake a task on the event loop that
    calls the callback. The transaction never waits for it: a callback that writes the count
    to the database does so in its own transaction, neither joined to the import's (it is not
    rolled back with it) nor holding it up. Counts that arrive while the callback is still busy
    are merged and the latest is given next, so the counts given only grow within each step
    (rows read, then rows done). A failing callback is logged and the import goes on.
    """

    def __init__(self, progress: ImportProgress | None) -> None:
        self._progress = progress
        self._every = PROGRESS_ROWS
        self._seconds = PROGRESS_SECONDS
        self._done = 0
        self._total = 0
        self._started = False
        self._told_done = 0
        self._told_at = -math.inf  # the first count is told at once
        self._lock = threading.Lock()
        self._pending: tuple[int, int] | None = None
        self._closing = False
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RowCounter:
        if self._progress is not None:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.create_task(self._pump(self._progress), name="import-progress")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is not None:
            with self._lock:
                self._pending = None  # a failed import says no more
        await self._close()

    def read(self, rows: int = 1) -> None:
        """``rows`` more rows of the file are read (before :meth:`start`): the callback is told
        (rows read, 0) when it is due."""
        if self._task is None or self._started:
            return
        self._done += rows
        self._tell_if_due()

    def start(self, *, total: int, done: int = 0) -> None:
        """The file is read: it has ``total`` rows, ``done`` of them done already (rejected)."""
        if self._task is None:
            return
        self._started = True
        self._total, self._done = total, min(done, total)
        self._tell()

    def add(self, rows: int = 1) -> None:
        """``rows`` more rows are done; the callback is told when it is due."""
        if self._task is None:
            return
        self._done = min(self._done + rows, self._total)
        self._tell_if_due()

    async def finish(self) -> None:
        """The import is done: tell the callback (total, total) and wait until it has heard."""
        if self._task is None:
            return
        self._done = self._total
        self._tell()
        await self._close()

    def _tell_if_due(self) -> None:
        """Tell the count once :data:`PROGRESS_ROWS` rows or :data:`PROGRESS_SECONDS` passed."""
        if (
            self._done - self._told_done >= self._every
            or time.monotonic() - self._told_at >= self._seconds
        ):
            self._tell()

    def _tell(self) -> None:
        self._told_done, self._told_at = self._done, time.monotonic()
        with self._lock:
            self._pending = (self._done, self._total)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._wake.set)

    async def _close(self) -> None:
        if self._task is None or self._task.done():
            return
        self._closing = True
        self._wake.set()
        await self._task

    async def _pump(self, progress: ImportProgress) -> None:
        """Call the callback with the latest count whenever one is waiting; end when closed."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._lock:
                counts, self._pending = self._pending, None
            if counts is not None:
                try:
                    result = progress(*counts)
                    if inspect.isawaitable(result):
                        await result
                except Exception:  # noqa: BLE001 - progress never stops an import
                    log.warning("an import's progress callback failed", exc_info=True)
            with self._lock:
                if self._closing and self._pending is None:
                    return


class Report(Protocol):
    """What an import returns: a report that renders itself in a language."""

    def render(self, lang: str) -> str: ...


async def run_file_import(
    database_url: str,
    path: Path,
    run: Callable[[Database, bytes], Awaitable[Report]],
    *,
    max_bytes: int,
    refused: Callable[[TableFileError, str], str],
    reason: Callable[[TableFileError, str], str],
    lang: str,
) -> int:
    """Import a file from the command line: 0 when imported, 1 if refused, 2 if unreadable.

    ``run`` imports the file's bytes into the database at ``database_url`` (upgraded first) and
    returns the report, printed in ``lang``. A refused file is said on stderr with
    ``refused(err, lang)``; one that cannot be read with ``reason(err, lang)`` of a
    ``file-unreadable`` error.
    """
    try:
        data = await asyncio.to_thread(read_file, path, max_bytes=max_bytes)
    except TableFileError as err:
        print(refused(err, lang), file=sys.stderr)
        return 1
    except OSError as exc:
        unreadable = TableFileError("file-unreadable", f"{path.name}: {exc.strerror}")
        print(reason(unreadable, lang), file=sys.stderr)
        return 2
    db = Database(database_url)
    try:
        await db.upgrade()
        report = await run(db, data)
    except TableFileError as err:
        print(refused(err, lang), file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(report.render(lang))
    return 0
