"""Imports: upload a job list, a station list or a member roster, check it, then import it.

The page calls the same import functions as the bot and ``gongyou import`` (``import_jobs``,
``import_stations``, ``import_roster``) and shows the same report objects as a table. An upload
is checked first (a dry run); its one-time token then lets staff confirm it, once: a second
submit of the same confirmation finds the import already under way and imports nothing more.
Checks and imports run in the background; their page refreshes itself until they are done.

Uploads are read in chunks and refused as soon as they pass :data:`UPLOAD_LIMIT` (and at once
when the request says it is larger), so a huge file is never held whole. Workbooks with
formulas are refused with a word on how to save them as values.

Pending uploads live in this process's memory (for :data:`KEEP` at most); with several
replicas, the confirmation must reach the replica that checked the file (sticky sessions).
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
import time
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, ClientPayloadError, web

from bot.context import Services
from bot.core.models import Role
from bot.core.tables import Problem, TableFileError
from bot.i18n import t
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
#: A pending upload is forgotten this long after it was made.
KEEP = 60 * 60.0
#: Uploads one person may have pending at a time (each holds its file in memory).
PER_PERSON = 3
#: Rows of the report table shown on the page (the counts cover every row).
TABLE_LIMIT = 1000
#: Seconds between refreshes of a page whose check or import is still running.
REFRESH_SECONDS = 2
#: How much of a workbook's sheets is looked through for formulas.
FORMULA_SCAN_LIMIT = 256 * 1024 * 1024

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]{1,3}[0-9]{1,7})"')
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")

Report = JobImportReport | ImportReport | RosterReport


@dataclass
class Upload:
    """An uploaded file on its way: checked (dry run), then imported once when confirmed."""

    token: str
    user_id: int
    kind: str
    filename: str
    size: int
    options: dict[str, Any]
    data: bytes | None
    created: float
    #: checking -> checked -> importing -> imported; or refused / failed.
    state: str = "checking"
    started: float = 0.0
    report: Report | None = None
    error: Exception | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)


_UPLOADS: weakref.WeakKeyDictionary[web.Application, dict[str, Upload]] = (
    weakref.WeakKeyDictionary()
)


def _uploads(request: web.Request) -> dict[str, Upload]:
    """This panel's pending uploads (old ones dropped)."""
    found = _UPLOADS.setdefault(request.app, {})
    now = time.monotonic()
    for token, upload in list(found.items()):
        if now - upload.created > KEEP and upload.state not in ("checking", "importing"):
            del found[token]
    return found


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
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return None
    seen = 0
    with book:
        for name in sorted(n for n in book.namelist() if _SHEET.match(n)):
            try:
                with book.open(name) as sheet:
                    tail = b""
                    while chunk := sheet.read(1024 * 1024):
                        seen += len(chunk)
                        window = tail + chunk
                        found = _FORMULA.search(window)
                        if found is not None:
                            cells = list(_CELL.finditer(window, 0, found.start()))
                            return cells[-1].group(1).decode() if cells else "?"
                        if seen > FORMULA_SCAN_LIMIT:
                            return None
                        tail = window[-512:]
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
                return None
    return None


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


async def _run(svc: Services, upload: Upload, *, dry_run: bool) -> Report:
    """Run the upload's import (the bot's and the CLI's function) as the visitor."""
    assert upload.data is not None
    settings = svc.settings
    if upload.kind == "jobs":
        return await import_jobs(
            svc.db,
            upload.data,
            filename=upload.filename,
            dry_run=dry_run,
            actor_id=upload.user_id,
            default_city=upload.options["city"],
            min_wages=load_min_wages(settings.min_wage_file),
            posting_days=settings.posting_days,
            timezone=settings.timezone,
        )
    if upload.kind == "stations":
        return await import_stations(
            svc.db,
            upload.data,
            filename=upload.filename.lower(),
            crs=Crs(upload.options["crs"]),
            dry_run=dry_run,
            actor_id=upload.user_id,
        )
    return await import_roster(
        svc.db,
        upload.data,
        filename=upload.filename,
        key=member_key(settings, warn=False),
        replace=upload.options["replace"],
        dry_run=dry_run,
        actor_id=upload.user_id,
    )


def _start(request: web.Request, upload: Upload, *, dry_run: bool) -> None:
    """Run the check or the import in the background; the page shows how far it is."""
    upload.state = "checking" if dry_run else "importing"
    upload.started = time.monotonic()
    svc = services(request)

    async def work() -> None:
        try:
            upload.report = await _run(svc, upload, dry_run=dry_run)
            upload.state = "checked" if dry_run else "imported"
        except (TableFileError, RosterFileError) as err:
            upload.error, upload.state = err, "refused"
        except Exception as exc:  # noqa: BLE001 - shown as a polite failure, logged in full
            log.exception("panel: %s import of %s failed", upload.kind, upload.filename)
            upload.error, upload.state = exc, "failed"
        finally:
            if upload.state != "checked":
                upload.data = None  # imported or refused: the file is not needed any more

    upload.task = asyncio.create_task(work(), name=f"panel-import-{upload.token[:6]}")


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


def _error_text(upload: Upload, lang: str) -> str:
    err = upload.error
    if isinstance(err, RosterFileError):
        return file_error_text(lang, err)
    if isinstance(err, TableFileError):
        render_error: Callable[[TableFileError, str], str] = (
            render_job_error if upload.kind == "jobs" else render_station_error
        )
        return render_error(err, lang)
    return t(lang, "panel-imports-failed")


def _own_upload(request: web.Request) -> Upload:
    """The upload the URL names, if it is the visitor's (anything else: 404)."""
    token = request.match_info.get("token", "")
    seen = visitor(request)
    upload = _uploads(request).get(token) if _TOKEN.match(token) else None
    if upload is None or seen is None or upload.user_id != seen.user_id:
        raise web.HTTPNotFound()
    return upload


# --- routes ------------------------------------------------------------------------------------


@routes.get("/imports", name="panel-imports")
@requires(Role.staff)
async def imports_page(request: web.Request) -> web.StreamResponse:
    """Show the upload form and the visitor's recent uploads."""
    seen = visitor(request)
    assert seen is not None
    mine = [u for u in _uploads(request).values() if u.user_id == seen.user_id]
    mine.sort(key=lambda u: u.created, reverse=True)
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
    """Take an uploaded file and start its check (a dry run of the import)."""
    seen = visitor(request)
    assert seen is not None
    try:
        fields, filename, data = await read_upload(request)
        options = _check_form(fields, filename, data)
        if filename.lower().endswith((".xlsx", ".xlsm")):
            cell = await asyncio.to_thread(formula_cell, data)
            if cell is not None:
                raise UploadRefused("panel-imports-formulas", cell=cell)
    except UploadRefused as refused:
        answer = message_page(
            request, refused.key, status=refused.status, title_key="panel-nav-imports",
            **refused.args_,
        )  # fmt: skip
        if refused.status == 413:
            answer.force_close()  # the rest of the body is not read
        return answer
    uploads = _uploads(request)
    mine = sorted(
        (u for u in uploads.values() if u.user_id == seen.user_id), key=lambda u: u.created
    )
    for old in mine[: max(0, len(mine) - PER_PERSON + 1)]:
        if old.state not in ("checking", "importing"):
            del uploads[old.token]
    upload = Upload(
        token=secrets.token_urlsafe(24),
        user_id=seen.user_id,
        kind=fields["kind"],
        filename=filename,
        size=len(data),
        options=options,
        data=data,
        created=time.monotonic(),
    )
    uploads[upload.token] = upload
    _start(request, upload, dry_run=True)
    raise web.HTTPSeeOther(url(request, f"/imports/{upload.token}"))


@routes.get("/imports/{token}", name="panel-imports-upload-page")
@requires(Role.staff)
async def upload_page(request: web.Request) -> web.StreamResponse:
    """Show an upload: its progress, its check with a confirm button, or the import's report."""
    upload = _own_upload(request)
    lang = language(request)
    running = upload.state in ("checking", "importing")
    report = upload.report
    entries = report_entries(upload.kind, report, lang) if report is not None else []
    response = render(
        request,
        "imports_upload.html",
        title_key="panel-nav-imports",
        upload=upload,
        running=running,
        elapsed=int(time.monotonic() - upload.started),
        figures=report_figures(report) if report is not None else [],
        entries=entries[:TABLE_LIMIT],
        more=max(0, len(entries) - TABLE_LIMIT),
        error=_error_text(upload, lang) if upload.error is not None else "",
        kilobytes=max(1, upload.size // 1024),
    )
    if running:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@routes.post("/imports/{token}/confirm", name="panel-imports-confirm")
@requires(Role.staff)
async def confirm_upload(request: web.Request) -> web.StreamResponse:
    """Import a checked upload, once: a second confirmation only shows the first one's page."""
    upload = _own_upload(request)
    if upload.state == "checked" and upload.data is not None:
        _start(request, upload, dry_run=False)  # the state changes before anything awaits
    raise web.HTTPSeeOther(url(request, f"/imports/{upload.token}"))


@routes.post("/imports/{token}/drop", name="panel-imports-drop")
@requires(Role.staff)
async def drop_upload(request: web.Request) -> web.StreamResponse:
    """Forget a checked upload without importing it."""
    upload = _own_upload(request)
    if upload.state not in ("checking", "importing"):
        _uploads(request).pop(upload.token, None)
    raise web.HTTPSeeOther(url(request, "/imports"))
