"""Dashboard: how the services were used over the last 30 or 90 days.

What is counted, and from where:

- messages per day by service: ``service_days`` (:mod:`bot.core.usage`: each running bot
  counts the updates it handles by the service that answered them and writes its counts every
  minute), grouped as the four services and the rest;
- updates per day: the inbox (every update the bot received; kept 7 days, not split by
  service, so the chart covers at most the last week);
- activity per day by service: rows each service writes when a worker acts: legal cases
  opened, station reports, job postings created, matchmaking profiles created;
- legal cases opened and closed in the period, and the median time from a case's opening to
  its first answer (``first_reply_at``; by the nearest rank, as the case statistics give it);
- job postings created in the period, by their status now;
- broadcasts created in the period and their recipients by delivery status;
- station reports (open and resolved), matchmaking profiles, pairs and social sign-ups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import Connection, Integer, String, cast, func, select

from bot.core.models import InboxItem, Role, utcnow
from bot.core.usage import updates_per_day
from bot.db import Database, standalone_read
from bot.jobs.models import Broadcast, BroadcastRecipient, JobPosting, PostingStatus
from bot.legal.models import LegalCase
from bot.legal.stats import first_reply_times
from bot.match.models import MatchPair, MatchProfile, MatchSignup
from bot.panel.charts import bar_chart, line_chart
from bot.panel.guard import requires, services
from bot.panel.render import NavEntry, language, render, translator
from bot.stations.models import StationReport

NAV = NavEntry("/dashboard", "panel-nav-dashboard", frozenset({Role.staff}))
PERIODS = (30, 90)
#: How many days of updates the inbox keeps (bot.core.inbox.RETENTION).
INBOX_DAYS = 7
routes = web.RouteTableDef()
SERVICE_KEYS = {
    "legal": "panel-dash-service-legal",
    "station": "panel-dash-service-station",
    "jobs": "panel-dash-service-jobs",
    "match": "panel-dash-service-match",
}
#: The groups of the messages chart: the four services, and everything else.
MESSAGE_KEYS = {**SERVICE_KEYS, "other": "panel-dash-service-other"}
POSTING_KEYS = {
    "draft": "panel-dash-posting-draft",
    "pending": "panel-dash-posting-pending",
    "published": "panel-dash-posting-published",
    "expired": "panel-dash-posting-expired",
    "withdrawn": "panel-dash-posting-withdrawn",
    "rejected": "panel-dash-posting-rejected",
}
DELIVERY_KEYS = {
    "delivered": "panel-dash-delivery-delivered",
    "blocked": "panel-dash-delivery-blocked",
    "failed": "panel-dash-delivery-failed",
    "pending": "panel-dash-delivery-pending",
}


@dataclass
class Figures:
    """Everything the dashboard shows for one period."""

    days: list[date]
    inbox_days: list[date]
    updates_per_day: list[int]
    activity: dict[str, list[int]]
    messages: dict[str, list[int]] = field(default_factory=dict)
    cases_opened: int = 0
    cases_closed: int = 0
    first_answer_hours: float | None = None
    postings: dict[str, int] = field(default_factory=dict)
    broadcasts: int = 0
    delivery: dict[str, int] = field(default_factory=dict)
    reports_open: int = 0
    reports_resolved: int = 0
    profiles: int = 0
    pairs: int = 0
    signups: int = 0


#: Moments are counted in the database per this many seconds since the epoch, then each
#: count is given to its local day: every time zone's offset is a multiple of 15 minutes.
BUCKET_SECONDS = 900


def _per_day(
    conn: Connection, column: Any, since: datetime, days: Sequence[date], zone: ZoneInfo
) -> list[int]:
    """How many rows have ``column`` on each of ``days`` (local calendar days in ``zone``).

    The database counts them per quarter hour, so a busy inbox's hundreds of thousands of
    timestamps are never read into Python (nor, on PostgreSQL, onto the event loop)."""
    if conn.dialect.name == "postgresql":
        bucket: Any = func.floor(func.extract("epoch", column) / BUCKET_SECONDS)
    else:
        # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" (UTC): the hour and the quarter of it,
        # cut from the text (parsing every date with strftime costs more than Python did)
        quarter = cast(cast(func.substr(column, 15, 2), Integer) // 15, String)
        bucket = func.substr(column, 1, 13).concat(":").concat(quarter)
    rows = conn.execute(
        select(bucket.label("bucket"), func.count()).where(column >= since).group_by("bucket")
    )
    counts: Counter[date] = Counter()
    for quarter, n in rows:
        counts[_local_day(quarter, zone)] += int(n)
    return [counts.get(day, 0) for day in days]


def _local_day(bucket: Any, zone: ZoneInfo) -> date:
    """The local day of a quarter hour counted by :func:`_per_day` (a number of quarter hours
    since the epoch, or on SQLite "YYYY-MM-DD HH:q")."""
    if isinstance(bucket, str):
        hour, quarter = bucket.rsplit(":", 1)
        moment = datetime.fromisoformat(f"{hour}:00").replace(tzinfo=UTC)  # " " or "T"
        moment += timedelta(seconds=int(quarter) * BUCKET_SECONDS)
    else:
        moment = datetime.fromtimestamp(int(bucket) * BUCKET_SECONDS, UTC)
    return moment.astimezone(zone).date()


def _messages(conn: Connection, days: Sequence[date]) -> dict[str, list[int]]:
    """The updates handled on each of ``days`` by each service of the chart (the router's own
    answers, the menu, membership and the union's questions count as "other")."""
    shown = {key: [0] * len(days) for key in MESSAGE_KEYS}
    where = {day: n for n, day in enumerate(days)}
    for service, per_day in updates_per_day(conn, first=days[0], last=days[-1]).items():
        counts = shown[service if service in SERVICE_KEYS else "other"]
        for day, n in per_day.items():
            if day in where:
                counts[where[day]] += n
    return shown


def _count(conn: Connection, column: Any, since: datetime) -> int:
    """How many rows have ``column`` at ``since`` or later."""
    found = conn.scalar(select(func.count()).where(column >= since))
    return int(found or 0)


async def gather(db: Database, *, days: int, zone: ZoneInfo, now: datetime) -> Figures:
    """The dashboard's figures (:meth:`Database.report`: on SQLite off the event loop)."""
    return await db.report(count_figures, days=days, zone=zone, now=now)


@standalone_read
def count_figures(conn: Connection, *, days: int, zone: ZoneInfo, now: datetime) -> Figures:
    """Count what the dashboard shows over the last ``days`` days (local calendar days)."""
    today = now.astimezone(zone).date()
    calendar = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    since = datetime.combine(calendar[0], datetime.min.time(), zone)
    inbox_calendar = calendar[-INBOX_DAYS:]
    inbox_since = datetime.combine(inbox_calendar[0], datetime.min.time(), zone)
    activity = {
        "legal": _per_day(conn, LegalCase.created_at, since, calendar, zone),
        "station": _per_day(conn, StationReport.created_at, since, calendar, zone),
        "jobs": _per_day(conn, JobPosting.created_at, since, calendar, zone),
        "match": _per_day(conn, MatchProfile.created_at, since, calendar, zone),
    }
    figures = Figures(
        days=calendar,
        inbox_days=inbox_calendar,
        updates_per_day=_per_day(conn, InboxItem.received_at, inbox_since, inbox_calendar, zone),
        activity=activity,
        cases_opened=sum(activity["legal"]),
        profiles=sum(activity["match"]),
    )
    figures.messages = _messages(conn, calendar)
    figures.cases_closed = _count(conn, LegalCase.closed_at, since)
    median = first_reply_times(conn, since=since).median
    figures.first_answer_hours = (
        round(median.total_seconds() / 3600, 1) if median is not None else None
    )
    by_status = conn.execute(
        select(JobPosting.status, func.count())  # type: ignore[call-overload]
        .where(JobPosting.created_at >= since)
        .group_by(JobPosting.status)
    )
    counted = {str(status): int(n) for status, n in by_status}
    figures.postings = {status.value: counted.get(status.value, 0) for status in PostingStatus}
    figures.broadcasts = int(
        conn.scalar(
            select(func.count()).select_from(Broadcast).where(Broadcast.created_at >= since)  # type: ignore[arg-type]
        )
        or 0
    )
    delivery = conn.execute(
        select(BroadcastRecipient.status, func.count())  # type: ignore[call-overload]
        .join(Broadcast, Broadcast.id == BroadcastRecipient.broadcast_id)
        .where(Broadcast.created_at >= since)
        .group_by(BroadcastRecipient.status)
    )
    shown: Counter[str] = Counter()
    for status, n in delivery:
        value = str(status)
        key = "delivered" if value in ("sent", "resent", "unconfirmed") else value
        shown[key if key in ("delivered", "blocked", "failed") else "pending"] += int(n)
    figures.delivery = {k: shown.get(k, 0) for k in ("delivered", "blocked", "failed", "pending")}
    figures.reports_resolved = _count(conn, StationReport.resolved_at, since)
    figures.reports_open = int(
        conn.scalar(
            select(func.count())  # type: ignore[arg-type]
            .select_from(StationReport)
            .where(StationReport.resolved_at.is_(None))  # type: ignore[union-attr]
        )
        or 0
    )
    figures.pairs = _count(conn, MatchPair.at, since)
    figures.signups = _count(conn, MatchSignup.at, since)
    return figures


def _day_labels(days: Sequence[date]) -> list[str]:
    return [f"{d.month}/{d.day}" for d in days]


@routes.get("/dashboard", name="panel-dashboard")
@requires(Role.staff)
async def dashboard_page(request: web.Request) -> web.StreamResponse:
    """Show the figures and charts of the last 30 or 90 days."""
    raw = request.query.get("days", "30")
    days = int(raw) if raw in ("30", "90") else 30
    settings = services(request).settings
    zone = ZoneInfo(settings.timezone)
    figures = await gather(services(request).db, days=days, zone=zone, now=utcnow())
    tr = translator(language(request))
    charts = {
        "messages": line_chart(
            _day_labels(figures.days),
            {tr(MESSAGE_KEYS[key]): values for key, values in figures.messages.items()},
            title=tr("panel-dash-messages-title"),
            y_label=tr("panel-dash-axis-count"),
            x_label=tr("panel-dash-axis-day"),
        ),
        "updates": line_chart(
            _day_labels(figures.inbox_days),
            {tr("panel-dash-updates"): figures.updates_per_day},
            title=tr("panel-dash-updates-title"),
            y_label=tr("panel-dash-axis-count"),
            x_label=tr("panel-dash-axis-day"),
        ),
        "activity": line_chart(
            _day_labels(figures.days),
            {tr(SERVICE_KEYS[key]): values for key, values in figures.activity.items()},
            title=tr("panel-dash-activity-title"),
            y_label=tr("panel-dash-axis-count"),
            x_label=tr("panel-dash-axis-day"),
        ),
        "postings": bar_chart(
            [tr(POSTING_KEYS[s]) for s in figures.postings],
            {tr("panel-dash-postings"): list(figures.postings.values())},
            title=tr("panel-dash-postings-title"),
            y_label=tr("panel-dash-axis-count"),
        ),
        "delivery": bar_chart(
            [tr(DELIVERY_KEYS[s]) for s in figures.delivery],
            {tr("panel-dash-recipients"): list(figures.delivery.values())},
            title=tr("panel-dash-delivery-title"),
            y_label=tr("panel-dash-axis-count"),
        ),
    }
    return render(
        request,
        "dashboard.html",
        title_key="panel-nav-dashboard",
        days=days,
        periods=PERIODS,
        figures=figures,
        charts=charts,
        hours=(
            "-"
            if figures.first_answer_hours is None
            else tr("panel-dash-hours", hours=f"{figures.first_answer_hours:.1f}")
        ),
    )
