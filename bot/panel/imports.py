"""Imports: upload a job list, a station list or a member roster, check it, then import it.

The page calls the same import functions as the bot and ``gongyou import`` (``import_jobs``,
``import_stations``, ``import_roster``) and shows the same report objects as a table. An upload
is checked first (a dry run); its one-time token then lets staff confirm it, once: a second
submit of the same confirmation (on this replica or another) finds the import already under way
and imports nothing more. Checks and imports run in the background on the replica that took the
request; their page refreshes itself until they are done, showing how many rows are done.

Pending uploads (the file, its options, its owner, when it expires, how its check went) live in
the database (:mod:`bot.panel.uploads`), so several replicas behind a load balancer serve them
alike. Uploads are read in chunks and refused as soon as they pass :data:`UPLOAD_LIMIT` (and at
once when the request says it is larger), so a huge file is never held whole. Workbooks with
formulas are refused with a word on how to save them as values.

Progress: the imports count their rows as they match and store them (see
:class:`bot.core.tables.RowCounter`), and the page shows those real counts: "N of M rows" and a
bar. Each count goes to the upload's row (``rows_done``, and ``rows`` the file's real total) in a
short transaction of its own, never the import's: it is not rolled back with the import, and the
import never waits for it. On SQLite the import's transaction holds the database's one write
lock from its first write to its end, so a count written meanwhile would have to wait for the
import: there the latest count is also kept in memory (:data:`_COUNTS`), the page on the replica
running the import shows it at once, and the row gets it when the lock is free (a write that
cannot get it within :data:`COUNT_WRITE_WAIT` is given up; the next count tries again, the last
one lands once the import has committed). The page of an upload reads its row without the
writer, so it is served while an import holds it. On PostgreSQL every count lands at once and
every replica shows it.

The import reads and checks the whole file before it knows its total and counts rows done;
while it reads, it counts the rows read (``rows_read``, kept and written the same way), and
the page shows "reading the file: N rows read of about M", M being the rows estimated at upload
(:func:`estimate_rows`: exact for most files, and never shown below the rows read). Before the
first row is read (a workbook being opened), the page estimates rows done from the time taken:
a check from the file's row count at a measured pace (:data:`ROWS_PER_SECOND`), an import from
how long its own check took (:data:`IMPORT_FACTOR`), and says "about".
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, ClientPayloadError, web

from bot.context import Services
from bot.core.models import Role, utcnow
from bot.core.tables import ImportProgress, Problem, TableFileError, TableReport
from bot.db import Database
from bot.i18n import DEFAULT_LANGUAGE, FLUENT_LOCALE, t
from bot.jobs.core import load_min_wages
from bot.jobs.imports import JobImportReport, import_jobs
from bot.jobs.imports import _reason_text as job_reason_text
from bot.jobs.imports import render_file_error as render_job_error
from bot.membership.roster import (
    RosterFileError,
    RosterProblem,
    RosterReport,
    file_error_text,
    import_roster,
    member_key,
    rejection_text,
)
from bot.panel.guard import requires, services
from bot.panel.render import NavEntry, language, message_page, render, url, visitor
from bot.panel.uploads import (
    PER_PERSON,
    Upload,
    add_upload,
    drop_upload,
    find_upload,
    finish_run,
    get_upload,
    list_uploads,
    note_progress,
    take_for_import,
)
from bot.stations.geo import Crs
from bot.stations.imports import ImportReport, import_stations
from bot.stations.imports import _reason_text as station_reason_text
from bot.stations.imports import render_file_error as render_station_error

log = logging.getLogger(__name__)

NAV = NavEntry("/imports", "panel-nav-imports", frozenset({Role.staff}))
routes = web.RouteTableDef()

KINDS = ("jobs", "stations", "members")
#: The file names each kind takes (the readers look at the bytes too).
SUFFIXES = {
    "jobs": (".xlsx", ".xlsm", ".csv", ".txt"),
    "stations": (".csv", ".txt", ".json", ".geojson", ".xlsx", ".xlsm"),
    "members": (".xlsx", ".xlsm", ".csv", ".txt"),
}
#: Largest upload taken (Telegram's download limit, as for files sent to the bot).
UPLOAD_LIMIT = 20 * 1024 * 1024
#: Form fields besides the file are short.
FIELD_LIMIT = 1024
#: Rows a check reads per second, by kind (a little below what 10,000-row files took on SQLite
#: and PostgreSQL on a small server): how far a running check is estimated to be.
ROWS_PER_SECOND = {"jobs": 10_000.0, "stations": 50_000.0, "members": 80_000.0}
#: An import takes about this many times as long as its own check (it writes, too; measured
#: the same way): how far a running import is estimated to be.
IMPORT_FACTOR = {"jobs": 2.5, "stations": 6.5, "members": 2.0}
#: Rows of the report table shown on the page (the counts cover every row).
TABLE_LIMIT = 1000
#: Seconds between refreshes of a page whose check or import is still running.
REFRESH_SECONDS = 2
#: Longest a count of rows done waits for SQLite's write lock before it is left for the next.
COUNT_WRITE_WAIT = 2.0
#: How much of a workbook's sheets is looked through for formulas.
FORMULA_SCAN_LIMIT = 256 * 1024 * 1024

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]{1,3}[0-9]{1,7})"')
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")
_FEATURE = re.compile(rb'"type"\s*:\s*"Feature"')

Report = JobImportReport | ImportReport | RosterReport


class UploadRefused(Exception):
    """The upload is refused before it is checked; ``key`` is the catalog key saying why."""

    def __init__(self, key: str, status: int = 400, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.args_ = args


# --- reading the upload ------------------------------------------------------------------------


async def _read_field(part: BodyPartReader) -> str:
    data = bytearray()
    while chunk := await part.read_chunk(FIELD_LIMIT):
        data += chunk
        if len(data) > FIELD_LIMIT:
            raise UploadRefused("panel-imports-bad-form")
    return data.decode("utf-8", errors="replace").strip()


async def _read_file(part: BodyPartReader) -> bytes:
    """The file's bytes, refused as soon as they pass the limit."""
    data = bytearray()
    while chunk := await part.read_chunk(256 * 1024):
        data += chunk
        if len(data) > UPLOAD_LIMIT:
            raise UploadRefused("panel-imports-too-large", status=413, limit=_megabytes())
    return bytes(data)


def _megabytes() -> int:
    return UPLOAD_LIMIT // (1024 * 1024)


async def read_upload(request: web.Request) -> tuple[dict[str, str], str, bytes]:
    """The form's fields, the file's name and its bytes (or :class:`UploadRefused`)."""
    if request.content_length is not None and request.content_length > UPLOAD_LIMIT + 65_536:
        raise UploadRefused("panel-imports-too-large", status=413, limit=_megabytes())
    if not request.content_type.startswith("multipart/form-data"):
        raise UploadRefused("panel-imports-bad-form")
    fields: dict[str, str] = {}
    filename, data = "", b""
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise UploadRefused("panel-imports-bad-form")
            if part.name == "file" and part.filename is not None:
                filename = _file_name(part.filename)
                data = await _read_file(part)
            elif part.name and len(fields) < 16:
                fields[part.name] = await _read_field(part)
            else:
                await part.release()
    except (ValueError, AssertionError, ClientPayloadError):
        raise UploadRefused("panel-imports-bad-form") from None
    return fields, filename, data


def _file_name(given: str) -> str:
    """The file's own name from the form (clients may percent-encode it; no folders)."""
    name = Path(unquote(given).replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable())[:200]


def formula_cell(data: bytes) -> str | None:
    """The first cell of a workbook that holds a formula ("B3"), or None (also for non-zips)."""
    return scan_workbook(data)[0]


def scan_workbook(data: bytes) -> tuple[str | None, int]:
    """The first cell holding a formula (or None), and about how many rows the first sheet
    has below its header (0 for what is not a workbook), in one pass over the sheets."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return None, 0
    seen = rows = 0
    with book:
        for number, name in enumerate(sorted(n for n in book.namelist() if _SHEET.match(n))):
            try:
                with book.open(name) as sheet:
                    tail = b""
                    while chunk := sheet.read(1024 * 1024):
                        seen += len(chunk)
                        if number == 0:
                            rows += len(_ROW.findall(chunk))
                        window = tail + chunk
                        found = _FORMULA.search(window)
                        if found is not None:
                            cells = list(_CELL.finditer(window, 0, found.start()))
                            return (cells[-1].group(1).decode() if cells else "?"), rows
                        if seen > FORMULA_SCAN_LIMIT:
                            return None, max(0, rows - 1)
                        tail = window[-512:]
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
                return None, max(0, rows - 1)
    return None, max(0, rows - 1)


def estimate_rows(data: bytes, filename: str) -> int:
    """About how many rows a text file holds below its header (features of a GeoJSON file,
    lines of a CSV file): the page measures progress against it until the check counts them."""
    if filename.lower().endswith((".json", ".geojson")):
        return len(_FEATURE.findall(data))
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return max(0, lines - 1)


def _check_form(fields: dict[str, str], filename: str, data: bytes) -> dict[str, Any]:
    """The import's options from the form, or :class:`UploadRefused`."""
    kind = fields.get("kind", "")
    if kind not in KINDS:
        raise UploadRefused("panel-imports-bad-form")
    if not filename or not data:
        raise UploadRefused("panel-imports-no-file")
    if not filename.lower().endswith(SUFFIXES[kind]):
        raise UploadRefused(
            "panel-imports-wrong-type", name=filename, types=" ".join(SUFFIXES[kind])
        )
    options: dict[str, Any] = {}
    if kind == "stations":
        crs = fields.get("crs", "")
        if crs not in {c.value for c in Crs}:
            raise UploadRefused("panel-imports-bad-crs")
        options["crs"] = crs
    elif kind == "jobs":
        options["city"] = fields.get("city", "")[:20]
    else:
        options["replace"] = fields.get("replace", "") == "yes"
    return options


# --- running the same imports as the bot and the CLI -------------------------------------------

#: The checks and imports running in this process (kept referenced until they end).
_RUNNING: set[asyncio.Task[None]] = set()
#: The latest count (rows done, rows in all) of each check or import running in this process,
#: by upload token: shown at once on this replica's page, even before the row has it.
_COUNTS: dict[str, tuple[int, int]] = {}


def _count_rows(db: Database, token: str) -> ImportProgress:
    """The progress callback of an upload's run: keeps the count in memory and writes it to
    the upload's row in a short transaction of its own (see the module's docstring)."""

    async def count(done: int, total: int) -> None:
        _COUNTS[token] = (done, total)
        write: Awaitable[None] = db.short(note_progress, token=token, done=done, total=total)
        try:
            if db.is_sqlite:
                # The import may hold the write lock for its whole transaction: do not wait
                # for it; the count stays in memory and the next one tries again.
                async with asyncio.timeout(COUNT_WRITE_WAIT):
                    await write
            else:
                await write
        except Exception:  # noqa: BLE001 - a count not stored is no failure of the import
            log.debug("panel: the count of upload %s waits for the next one", token[:6])

    return count


async def _run(
    svc: Services,
    upload: Upload,
    data: bytes,
    *,
    dry_run: bool,
    progress: ImportProgress | None = None,
) -> Report:
    """Run the upload's import (the bot's and the CLI's function) as its owner."""
    settings = svc.settings
    if upload.kind == "jobs":
        return await import_jobs(
            svc.db,
            data,
            filename=upload.filename,
            dry_run=dry_run,
            actor_id=upload.user_id,
            default_city=upload.options["city"],
            min_wages=load_min_wages(settings.min_wage_file),
            posting_days=settings.posting_days,
            timezone=settings.timezone,
            progress=progress,
        )
    if upload.kind == "stations":
        return await import_stations(
            svc.db,
            data,
            filename=upload.filename.lower(),
            crs=Crs(upload.options["crs"]),
            dry_run=dry_run,
            actor_id=upload.user_id,
            progress=progress,
        )
    return await import_roster(
        svc.db,
        data,
        filename=upload.filename,
        key=member_key(settings, warn=False),
        replace=upload.options["replace"],
        dry_run=dry_run,
        actor_id=upload.user_id,
        progress=progress,
    )


def _start(svc: Services, upload: Upload, data: bytes, *, dry_run: bool) -> None:
    """Run the check or the import in the background; its outcome goes to the upload's row,
    where every replica's page finds it."""

    async def work() -> None:
        started = time.monotonic()
        rows: int | None = None
        seconds: float | None = None
        try:
            report = await _run(
                svc, upload, data, dry_run=dry_run, progress=_count_rows(svc.db, upload.token)
            )
        except (TableFileError, RosterFileError) as err:
            state, result = "refused", _error_result(upload.kind, err)
        except Exception:  # noqa: BLE001 - shown as a polite failure, logged in full
            log.exception("panel: %s import of %s failed", upload.kind, upload.filename)
            state, result = "failed", {}
        else:
            state = "checked" if dry_run else "imported"
            result, rows = report_result(upload.kind, report), report_rows(report)
            seconds = time.monotonic() - started if dry_run else None
        try:
            await svc.db.transact(
                finish_run,
                token=upload.token,
                state=state,
                result=result,
                rows=rows,
                check_seconds=seconds,
            )
        except Exception:  # noqa: BLE001 - the page shows it as cut off after a while
            log.exception("panel: the outcome of upload %s was not stored", upload.token[:6])
        finally:
            _COUNTS.pop(upload.token, None)

    task = asyncio.create_task(work(), name=f"panel-import-{upload.token[:6]}")
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


def report_rows(report: Report) -> int:
    """How many rows the file held (below its header)."""
    if isinstance(report, RosterReport):
        return report.rows
    return sum(TableReport.counts(report).values())


def report_result(kind: str, report: Report) -> dict[str, Any]:
    """What the page shows of a report, in every language (kept with the upload)."""
    entries = {
        lang: [[e.line, e.outcome, e.reason] for e in report_entries(kind, report, lang)]
        for lang in FLUENT_LOCALE
    }
    count = len(entries[DEFAULT_LANGUAGE])
    return {
        "figures": [[key, number] for key, number in report_figures(report)],
        "entries": {lang: found[:TABLE_LIMIT] for lang, found in entries.items()},
        "more": max(0, count - TABLE_LIMIT),
    }


def _error_result(kind: str, err: TableFileError | RosterFileError) -> dict[str, Any]:
    """Why a file was refused, in every language."""
    texts = {}
    for lang in FLUENT_LOCALE:
        if isinstance(err, RosterFileError):
            texts[lang] = file_error_text(lang, err)
        else:
            render_error: Callable[[TableFileError, str], str] = (
                render_job_error if kind == "jobs" else render_station_error
            )
            texts[lang] = render_error(err, lang)
    return {"error": texts}


@dataclass(frozen=True)
class Progress:
    """How far a running check or import is: rows done of the file's rows, as the import
    counted them (``counted``); before that, rows read of the rows estimated at upload
    (``reading``); before the first row is read, estimated from the time taken."""

    done: int
    total: int
    percent: int
    counted: bool = False
    reading: bool = False


def progress(
    upload: Upload, now: datetime, counted: tuple[int, int] | None = None
) -> Progress | None:
    """A running check's or import's progress (None when the file's rows are not known).

    ``counted`` is the latest count kept in this process (rows done, rows in all; or rows
    read, 0 while the file is read), else the upload's row has one once the import has read
    or counted rows. Before the first row is read it is estimated, measured in time against
    the pace of checks (a check) or against the upload's own check (an import), and it stays
    below the last row until the run is done.
    """
    if not upload.running:
        return None
    read = upload.rows_read
    if counted is not None and counted[1] == 0:
        read, counted = counted[0], None
    if counted is None and upload.rows_done is not None:
        counted = (upload.rows_done, upload.rows)
    if counted is not None and counted[1] > 0:
        done, total = counted
        done = max(0, min(done, total))
        return Progress(done=done, total=total, percent=done * 100 // total, counted=True)
    if read:
        # the rows estimated at upload, and never fewer than have been read
        total = max(upload.rows, read + 1)
        return Progress(done=read, total=total, percent=read * 100 // total, reading=True)
    if upload.rows <= 0:
        return None
    elapsed = max(0.0, (now - upload.started_at).total_seconds())
    if upload.state == "importing" and upload.check_seconds is not None:
        expected = upload.check_seconds * IMPORT_FACTOR[upload.kind]
    else:
        expected = upload.rows / ROWS_PER_SECOND[upload.kind]
    expected = max(expected, 0.5)
    done = max(0, min(upload.rows - 1, int(upload.rows * elapsed / expected)))
    return Progress(done=done, total=upload.rows, percent=done * 100 // upload.rows)


# --- what the page shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of the report table: the row (or item) number, what happened and why."""

    line: int
    outcome: str
    reason: str


def _problem_text(kind: str, lang: str, problem: Problem | RosterProblem) -> str:
    """Why a row was left out or warned about, in the words of the import that read it."""
    if isinstance(problem, RosterProblem):
        return rejection_text(lang, problem)
    if kind == "jobs":
        return job_reason_text(lang, problem.reason, problem.detail)
    return station_reason_text(lang, problem.reason, problem.detail)


def report_entries(kind: str, report: Report, lang: str) -> list[Entry]:
    """Every rejected, held or warned row of a report, in row order."""
    entries = [Entry(p.line, "rejected", _problem_text(kind, lang, p)) for p in report.rejected]
    if isinstance(report, JobImportReport):
        joiner = "；" if lang == "zh" else "; "
        for held in report.held:
            flags = joiner.join(t(lang, f"flag-{flag}") for flag in held.flags)
            entries.append(Entry(held.line, "held", f"{held.title}: {flags}"))
    if not isinstance(report, RosterReport):
        entries += [
            Entry(p.line, "warning", _problem_text(kind, lang, p)) for p in report.warnings
        ]
    entries.sort(key=lambda entry: entry.line)
    return entries


def report_figures(report: Report) -> list[tuple[str, int]]:
    """The report's counts, as (catalog key suffix, number)."""
    if isinstance(report, RosterReport):
        figures = [
            ("rows", report.rows),
            ("added", report.added),
            ("existing", report.existing),
            ("rejected", len(report.rejected)),
        ]
        if report.replace:
            figures += [("removed", report.removed), ("revoked", report.revoked)]
        return figures
    figures = list(report.counts().items()) + [("warnings", len(report.warnings))]
    if isinstance(report, JobImportReport):
        figures += [("published", report.published), ("held", len(report.held))]
        if not report.dry_run:
            figures.append(("alerts", report.alerts_queued))
    return figures


async def _own_upload(request: web.Request) -> Upload:
    """The upload the URL names, if it is the visitor's (anything else: 404)."""
    token = request.match_info.get("token", "")
    seen = visitor(request)
    if seen is None or not _TOKEN.match(token):
        raise web.HTTPNotFound()
    db = services(request).db
    now = utcnow()
    upload: Upload | None = None
    if db.is_sqlite:
        # Read without the writer: a running import holds SQLite's one writer thread for its
        # whole transaction, and the page must show its progress meanwhile (a read in WAL
        # mode waits for no writer).
        async with db.engine.connect() as conn:
            upload = await conn.run_sync(find_upload, token=token, user_id=seen.user_id, now=now)
    if upload is None or upload.cut_off(now):
        upload = await db.transact(get_upload, token=token, user_id=seen.user_id, now=now)
    if upload is None:
        raise web.HTTPNotFound()
    return upload


# --- routes ------------------------------------------------------------------------------------


@routes.get("/imports", name="panel-imports")
@requires(Role.staff)
async def imports_page(request: web.Request) -> web.StreamResponse:
    """Show the upload form and the visitor's recent uploads."""
    seen = visitor(request)
    assert seen is not None
    mine = await services(request).db.transact(list_uploads, user_id=seen.user_id, now=utcnow())
    return render(
        request,
        "imports.html",
        title_key="panel-nav-imports",
        kinds=KINDS,
        crs=[c.value for c in Crs],
        suffixes=SUFFIXES,
        limit=_megabytes(),
        uploads=mine,
    )


@routes.post("/imports", name="panel-imports-upload")
@requires(Role.staff)
async def upload_file(request: web.Request) -> web.StreamResponse:
    """Take an uploaded file, keep it with the visitor's uploads and start its check."""
    seen = visitor(request)
    assert seen is not None
    try:
        fields, filename, data = await read_upload(request)
        options = _check_form(fields, filename, data)
        if filename.lower().endswith((".xlsx", ".xlsm")):
            cell, rows = await asyncio.to_thread(scan_workbook, data)
            if cell is not None:
                raise UploadRefused("panel-imports-formulas", cell=cell)
        else:
            rows = estimate_rows(data, filename)
    except UploadRefused as refused:
        answer = message_page(
            request, refused.key, status=refused.status, title_key="panel-nav-imports",
            **refused.args_,
        )  # fmt: skip
        if refused.status == 413:
            answer.force_close()  # the rest of the body is not read
        return answer
    db = services(request).db
    token = secrets.token_urlsafe(24)
    now = utcnow()
    stored = await db.transact(
        add_upload,
        token=token,
        user_id=seen.user_id,
        kind=fields["kind"],
        filename=filename,
        options=options,
        data=data,
        rows=rows,
        now=now,
        per_person=PER_PERSON,
    )
    if not stored:
        return message_page(
            request, "panel-imports-busy", status=429, title_key="panel-nav-imports",
            count=PER_PERSON,
        )  # fmt: skip
    upload = await db.transact(get_upload, token=token, user_id=seen.user_id, now=now)
    assert upload is not None
    _start(services(request), upload, data, dry_run=True)
    raise web.HTTPSeeOther(url(request, f"/imports/{token}"))


@routes.get("/imports/{token}", name="panel-imports-upload-page")
@requires(Role.staff)
async def upload_page(request: web.Request) -> web.StreamResponse:
    """Show an upload: its progress, its check with a confirm button, or the import's report."""
    upload = await _own_upload(request)
    lang = language(request)
    now = utcnow()
    result = upload.result
    entries = [Entry(*entry) for entry in result.get("entries", {}).get(lang, [])]
    error = ""
    if upload.state == "refused":
        error = result.get("error", {}).get(lang, "") or t(lang, "panel-imports-failed")
    elif upload.state == "failed":
        error = t(lang, "panel-imports-failed")
    response = render(
        request,
        "imports_upload.html",
        title_key="panel-nav-imports",
        upload=upload,
        running=upload.running,
        elapsed=int(max(0.0, (now - upload.started_at).total_seconds())),
        progress=progress(upload, now, _COUNTS.get(upload.token)),
        figures=[tuple(figure) for figure in result.get("figures", [])],
        entries=entries,
        more=int(result.get("more", 0)),
        error=error,
        kilobytes=max(1, upload.size // 1024),
    )
    if upload.running:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@routes.post("/imports/{token}/confirm", name="panel-imports-confirm")
@requires(Role.staff)
async def confirm_upload(request: web.Request) -> web.StreamResponse:
    """Import a checked upload, once: a second confirmation, here or on another replica, finds
    it taken and only shows the first one's page."""
    upload = await _own_upload(request)
    taken = await services(request).db.transact(
        take_for_import, token=upload.token, user_id=upload.user_id, now=utcnow()
    )
    if taken is not None:
        checked, data = taken
        _start(services(request), checked, data, dry_run=False)
    raise web.HTTPSeeOther(url(request, f"/imports/{upload.token}"))


@routes.post("/imports/{token}/drop", name="panel-imports-drop")
@requires(Role.staff)
async def drop_upload_page(request: web.Request) -> web.StreamResponse:
    """Forget a checked upload without importing it."""
    upload = await _own_upload(request)
    await services(request).db.transact(drop_upload, token=upload.token, user_id=upload.user_id)
    raise web.HTTPSeeOther(url(request, "/imports"))
