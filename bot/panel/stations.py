"""Post stations: the list and search, flagged stations to resolve, status changes.

The same service functions as the bot's staff commands (``/stations flagged``, the "resolved"
button, ``/stations status``): :func:`bot.stations.search.search` for text search,
:func:`flagged_stations`, :func:`resolve_flag` and :func:`set_status`, which write the audit
records (``stations.resolve_flag``, ``stations.status``) as the signed-in staff member. Workers'
reports are shown without the reporter's id, as in the bot.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import func
from sqlmodel import col, select

from bot.core.models import Role
from bot.i18n import t
from bot.panel.guard import int_param, requires, services
from bot.panel.render import (
    NavEntry,
    language,
    local_time,
    message_page,
    render,
    url,
    visitor,
    zone_of,
)
from bot.stations.models import ReportKind, Station, StationReport, StationStatus
from bot.stations.search import (
    amenity_names,
    flagged_stations,
    get_station,
    resolve_flag,
    search,
    set_status,
    station_stats,
)

NAV = NavEntry("/stations", "panel-nav-stations", frozenset({Role.staff}))
PAGE_SIZE = 25
#: Longest search text taken (the bot takes 100 characters too).
QUERY_MAX = 100
#: Reports shown on a station's page (the latest).
REPORTS_SHOWN = 50
STATUSES = tuple(s.value for s in StationStatus)
#: Notices after a change (``?done=``): the catalog key of each.
DONE = {
    "resolved": "panel-stations-done-resolved",
    "not-flagged": "panel-stations-done-not-flagged",
    "status": "panel-stations-done-status",
    "unchanged": "panel-stations-done-unchanged",
}
routes = web.RouteTableDef()


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def _status_names(lang: str) -> list[tuple[str, str]]:
    """Each status (in the order of StationStatus) with its name in ``lang``."""
    names = {
        "open": t(lang, "panel-stations-status-open"),
        "temporarily_closed": t(lang, "panel-stations-status-temporarily_closed"),
        "closed": t(lang, "panel-stations-status-closed"),
    }
    return [(status, names[status]) for status in STATUSES]


def _done(request: web.Request) -> str:
    return DONE.get(request.query.get("done", ""), "")


@routes.get("/stations", name="panel-stations")
@requires(Role.staff)
async def stations_page(request: web.Request) -> web.StreamResponse:
    """List stations (by district and name), or those a search finds, with their status."""
    text = request.query.get("q", "").strip()
    status = request.query.get("status", "")
    if len(text) > QUERY_MAX or (status and status not in STATUSES):
        return message_page(request, "panel-stations-bad-search", status=400)
    page = _page(request.query.get("page", "1"))
    offset = (page - 1) * PAGE_SIZE
    async with services(request).db.session() as session:
        stats = await station_stats(session)
    rows: list[Any]
    if text:
        found = await services(request).db.transact(
            search, text=text, limit=PAGE_SIZE, offset=offset
        )
        rows = [
            {
                "id": v.id,
                "name": v.name,
                "district": v.district,
                "address": v.address,
                "status": v.status.value,
                "flagged": v.flagged,
            }  # fmt: skip
            for v in found.hits
        ]
        total = found.total
    else:
        conditions = [col(Station.status) == status] if status else []
        async with services(request).db.session() as session:
            total = int(
                (
                    await session.exec(
                        select(func.count()).select_from(Station).where(*conditions)
                    )
                ).one()
            )
            stations = (
                await session.exec(
                    select(Station)
                    .where(*conditions)
                    .order_by(col(Station.district), col(Station.name), col(Station.id))
                    .offset(offset)
                    .limit(PAGE_SIZE)
                )
            ).all()
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "district": s.district,
                "address": s.address,
                "status": str(s.status),
                "flagged": s.flagged_at is not None,
            }  # fmt: skip
            for s in stations
        ]
    lang = language(request)
    return render(
        request,
        "stations.html",
        title_key="panel-nav-stations",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        query=text,
        chosen=status,
        statuses=_status_names(lang),
        names=dict(_status_names(lang)),
        stats=stats,
    )


@routes.get("/stations/flagged", name="panel-stations-flagged")
@requires(Role.staff)
async def flagged_page(request: web.Request) -> web.StreamResponse:
    """Show the stations workers flagged, with their open reports, to resolve."""
    async with services(request).db.session() as session:
        flagged = await flagged_stations(session)
    lang = language(request)
    items = [
        {
            "id": item.station.id,
            "name": item.station.name,
            "district": item.station.district,
            "address": item.station.address,
            "reports": [(t(lang, f"st-report-{kind}"), text) for kind, text in item.reports],
        }
        for item in flagged
    ]
    return render(
        request,
        "stations_flagged.html",
        title_key="panel-stations-flagged-title",
        items=items,
        done=_done(request),
    )


@routes.get("/stations/{id}", name="panel-station")
@requires(Role.staff)
async def station_page(request: web.Request) -> web.StreamResponse:
    """Show one station, its workers' reports and the status form."""
    station_id = int_param(request, "id")
    view = await services(request).db.transact(get_station, station_id=station_id)
    if view is None:
        raise web.HTTPNotFound()
    async with services(request).db.session() as session:
        reports = (
            await session.exec(
                select(StationReport)
                .where(col(StationReport.station_id) == station_id)
                .order_by(col(StationReport.id).desc())
                .limit(REPORTS_SHOWN)
            )
        ).all()
    lang = language(request)
    return render(
        request,
        "station.html",
        title_key="panel-nav-stations",
        station=view,
        hours=view.hours.text,
        amenities=", ".join(
            t(lang, f"st-amenity-{amenity}") for amenity in amenity_names(view.amenities)
        ),
        reports=[_report(lang, zone_of(request), report) for report in reports],
        statuses=_status_names(lang),
        status_name=dict(_status_names(lang))[view.status.value],
        done=_done(request),
    )


def _report(lang: str, zone: str, report: StationReport) -> dict[str, str]:
    """A worker's report as staff see it: what, when, whether resolved (not who sent it)."""
    kind = ReportKind(report.kind)
    return {
        "kind": t(lang, f"st-report-{kind.value}"),
        "text": report.text,
        "at": local_time(zone, report.created_at),
        "resolved": local_time(zone, report.resolved_at),
    }


@routes.post("/stations/{id}/resolve", name="panel-station-resolve")
@requires(Role.staff)
async def resolve(request: web.Request) -> web.StreamResponse:
    """Mark a flagged station's reports resolved (audited); a second submit changes nothing."""
    seen = visitor(request)
    assert seen is not None
    station_id = int_param(request, "id")
    form = await request.post()
    back = "/stations/flagged" if form.get("back") == "flagged" else f"/stations/{station_id}"
    async with services(request).db.session() as session:
        if await session.get(Station, station_id) is None:
            raise web.HTTPNotFound()
        done = await resolve_flag(session, station_id=station_id, staff_id=seen.user_id)
    raise web.HTTPSeeOther(url(request, f"{back}?done={'resolved' if done else 'not-flagged'}"))


@routes.post("/stations/{id}/status", name="panel-station-status")
@requires(Role.staff)
async def change_status(request: web.Request) -> web.StreamResponse:
    """Change a station's status (audited); a repeated submit of the same change does nothing."""
    seen = visitor(request)
    assert seen is not None
    station_id = int_param(request, "id")
    form = await request.post()
    wanted = form.get("status", "")
    if not isinstance(wanted, str) or wanted not in STATUSES:
        return message_page(request, "panel-stations-bad-status", status=400)
    async with services(request).db.session() as session:
        station = await session.get(Station, station_id)
        if station is None:
            raise web.HTTPNotFound()
        if str(station.status) == wanted:
            done = "unchanged"
        else:
            changed = await set_status(
                session, station_id=station_id, status=StationStatus(wanted), staff_id=seen.user_id
            )
            done = "status" if changed else "unchanged"  # None: deleted meanwhile
    raise web.HTTPSeeOther(url(request, f"/stations/{station_id}?done={done}"))
