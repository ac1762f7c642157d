"""How the legal service is going, for union staff: counts, reply times, ratings, a CSV export.

Everything is read with plain queries and computed in Python, so SQLite and PostgreSQL give the
same numbers (percentiles in particular are not left to the database).
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import t
from bot.legal.core import CATEGORIES, OUTCOMES, case_label, category_name, outcome_name
from bot.legal.models import CaseStatus, LegalCase, LegalConsultation

CASES: Table = LegalCase.__table__  # type: ignore[attr-defined]
CONSULTATIONS: Table = LegalConsultation.__table__  # type: ignore[attr-defined]

#: Ratings workers can give, lowest first.
STARS = (1, 2, 3, 4, 5)
#: The longest period `/legal stats <days>` accepts.
MAX_DAYS = 3650


def nearest_rank(values: Sequence[float], percent: float) -> float:
    """The ``percent``-th percentile of ``values`` by the nearest-rank method.

    The values are sorted and the one at rank ``ceil(percent / 100 * n)`` (counting from 1) is
    returned: always one of the values, never an interpolation between two. The median is the
    50th percentile, so for an even count it is the lower of the two middle values.
    """
    if not values:
        raise ValueError("no values")
    if not 0 < percent <= 100:
        raise ValueError("percent must be above 0 and at most 100")
    ordered = sorted(values)
    rank = math.ceil(percent * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class ReplyTimes:
    """Time from a case being opened to the first volunteer message the worker received."""

    median: timedelta | None
    p90: timedelta | None
    replied: int
    waiting: int


@dataclass(frozen=True)
class Ratings:
    """The workers' ratings of the help they got (1-5 stars)."""

    count: int
    average: float | None
    per_star: dict[int, int]


@dataclass(frozen=True)
class LegalStats:
    """The legal service over a period (``since`` None: since the start).

    Consultation numbers count FAQ answers given in the period; case numbers count cases opened
    in the period, with their status as it is now.
    """

    since: datetime | None
    now: datetime
    consultations: int
    helped: int
    not_helped: int
    no_feedback: int
    cases: int
    open: int
    claimed: int
    closed: int
    urgent: int
    by_category: tuple[tuple[str, int], ...]
    by_outcome: tuple[tuple[str, int], ...]
    first_reply: ReplyTimes
    ratings: Ratings


def _reply_times(durations: list[float], waiting: int) -> ReplyTimes:
    if not durations:
        return ReplyTimes(median=None, p90=None, replied=0, waiting=waiting)
    return ReplyTimes(
        median=timedelta(seconds=nearest_rank(durations, 50)),
        p90=timedelta(seconds=nearest_rank(durations, 90)),
        replied=len(durations),
        waiting=waiting,
    )


def _ratings(values: list[int]) -> Ratings:
    counted = [value for value in values if value in STARS]
    per_star = Counter(counted)
    average = sum(counted) / len(counted) if counted else None
    return Ratings(
        count=len(counted), average=average, per_star={star: per_star[star] for star in STARS}
    )


async def legal_stats(
    session: AsyncSession, *, since: datetime | None, now: datetime
) -> LegalStats:
    """Count consultations and cases from ``since`` (everything when None) up to ``now``."""
    conn = await session.connection()
    feedback = select(CONSULTATIONS.c.helped, func.count()).group_by(CONSULTATIONS.c.helped)
    if since is not None:
        feedback = feedback.where(CONSULTATIONS.c.at >= since)
    answers: dict[bool | None, int] = {}
    for helped, count in (await conn.execute(feedback)).all():
        answers[helped] = answers.get(helped, 0) + int(count)

    rows = select(
        CASES.c.status,
        CASES.c.category,
        CASES.c.outcome,
        CASES.c.urgent,
        CASES.c.created_at,
        CASES.c.first_reply_at,
        CASES.c.rating,
    )
    if since is not None:
        rows = rows.where(CASES.c.created_at >= since)
    cases = (await conn.execute(rows)).all()

    statuses: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    durations: list[float] = []
    ratings: list[int] = []
    urgent = waiting = 0
    for status, category, outcome, is_urgent, created_at, first_reply_at, rating in cases:
        statuses[str(status)] += 1
        categories[category if category in CATEGORIES else "other"] += 1
        if outcome is not None:
            outcomes[str(outcome)] += 1
        urgent += bool(is_urgent)
        if first_reply_at is None:
            waiting += 1
        else:
            durations.append(max(0.0, (first_reply_at - created_at).total_seconds()))
        if rating is not None:
            ratings.append(int(rating))

    return LegalStats(
        since=since,
        now=now,
        consultations=sum(answers.values()),
        helped=answers.get(True, 0),
        not_helped=answers.get(False, 0),
        no_feedback=answers.get(None, 0),
        cases=len(cases),
        open=statuses[CaseStatus.open.value],
        claimed=statuses[CaseStatus.claimed.value],
        closed=statuses[CaseStatus.closed.value],
        urgent=urgent,
        by_category=tuple((category, categories[category]) for category in CATEGORIES),
        by_outcome=tuple((outcome, outcomes[outcome]) for outcome in OUTCOMES),
        first_reply=_reply_times(durations, waiting),
        ratings=_ratings(ratings),
    )


def duration_text(lang: str, duration: timedelta) -> str:
    """A duration as people say it (3小时12分, 3 h 12 min); whole minutes, rounded down."""
    minutes = max(0, int(duration.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t(lang, "ls-dur-days", days=days, hours=hours)
    if hours:
        return t(lang, "ls-dur-hours", hours=hours, minutes=minutes)
    return t(lang, "ls-dur-minutes", minutes=minutes)


# --- the CSV export ---------------------------------------------------------------------------

#: The export's columns, in order. No column holds anything that identifies a worker.
EXPORT_COLUMNS = (
    "case",
    "category",
    "created",
    "claimed",
    "first_reply",
    "closed",
    "outcome",
    "urgent",
    "deadline",
    "reannounced",
    "escalated",
    "rating",
)


@dataclass(frozen=True)
class CaseExport:
    """A CSV file of cases (UTF-8 with a byte-order mark, so spreadsheet programs read Chinese)."""

    data: bytes
    rows: int


def _iso(moment: datetime | None) -> str:
    """A stored (UTC) time as ISO 8601 to the second, or empty."""
    return moment.replace(microsecond=0).isoformat() if moment is not None else ""


def _headers(lang: str) -> list[str]:
    return [
        t(lang, "ls-csv-case"),
        t(lang, "ls-csv-category"),
        t(lang, "ls-csv-created"),
        t(lang, "ls-csv-claimed"),
        t(lang, "ls-csv-first-reply"),
        t(lang, "ls-csv-closed"),
        t(lang, "ls-csv-outcome"),
        t(lang, "ls-csv-urgent"),
        t(lang, "ls-csv-deadline"),
        t(lang, "ls-csv-deadline-approximate"),
        t(lang, "ls-csv-reannounced"),
        t(lang, "ls-csv-escalated"),
        t(lang, "ls-csv-rating"),
    ]


#: The columns the export reads: none of the worker's own details is even loaded.
_EXPORTED = (
    CASES.c.id,
    CASES.c.category,
    CASES.c.created_at,
    CASES.c.claimed_at,
    CASES.c.first_reply_at,
    CASES.c.closed_at,
    CASES.c.outcome,
    CASES.c.urgent,
    CASES.c.deadline,
    CASES.c.deadline_approximate,
    CASES.c.reannounced,
    CASES.c.escalated_at,
    CASES.c.rating,
)


def _row(lang: str, values: Sequence[Any]) -> list[str]:
    (
        case_id,
        category,
        created_at,
        claimed_at,
        first_reply_at,
        closed_at,
        outcome,
        urgent,
        deadline,
        deadline_approximate,
        reannounced,
        escalated_at,
        rating,
    ) = values
    yes, no = t(lang, "ls-csv-yes"), t(lang, "ls-csv-no")
    return [
        case_label(int(case_id)),
        category_name(lang, str(category)),
        _iso(created_at),
        _iso(claimed_at),
        _iso(first_reply_at),
        _iso(closed_at),
        outcome_name(lang, str(outcome)) if outcome else "",
        yes if urgent else no,
        deadline.isoformat() if deadline else "",
        (yes if deadline_approximate else no) if deadline else "",
        str(reannounced),
        _iso(escalated_at),
        str(rating) if rating is not None else "",
    ]


async def export_cases(
    session: AsyncSession, *, lang: str, since: datetime | None = None
) -> CaseExport:
    """Every case opened since ``since`` (all when None) as CSV, one row per case, oldest first.

    Headers and category and outcome names are in ``lang``; times are UTC. The employer, place,
    description, phone, name and the worker's id are never read or written.
    """
    query = select(*_EXPORTED).order_by(CASES.c.id)
    if since is not None:
        query = query.where(CASES.c.created_at >= since)
    conn = await session.connection()
    rows = (await conn.execute(query)).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers(lang))
    for row in rows:
        writer.writerow(_row(lang, tuple(row)))
    return CaseExport(data=buffer.getvalue().encode("utf-8-sig"), rows=len(rows))
