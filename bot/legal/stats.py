"""How the legal service is going, for union staff: counts, reply times, ratings, a CSV export.

The database counts (one pass of sums) and finds the cases at the reply-time percentiles
(ordered by reply time, the ones at the nearest ranks), so a big union's hundreds of thousands of
cases are never read into Python for the statistics; a percentile's value is then computed in
Python from that case's two timestamps, so SQLite and PostgreSQL give the same numbers. Both the
statistics and the export run as staff reports (:meth:`Database.report`), the export a chunk of
rows at a time.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, case, func, select

from bot.db import Database, standalone_read
from bot.i18n import t
from bot.legal.core import CATEGORIES, OUTCOMES, case_label, category_name, outcome_name
from bot.legal.models import CaseStatus, LegalCase, LegalConsultation

CASES: Table = LegalCase.__table__  # type: ignore[attr-defined]
CONSULTATIONS: Table = LegalConsultation.__table__  # type: ignore[attr-defined]

#: Ratings workers can give, lowest first.
STARS = (1, 2, 3, 4, 5)
#: The longest period `/legal stats <days>` accepts.
MAX_DAYS = 3650
#: The export reads and writes this many cases at a time, giving the event loop back between.
EXPORT_CHUNK = 500


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


def _reply_seconds(dialect: str) -> Any:
    """A case's time to its first reply as the database computes it, to order cases by (SQLite
    keeps times to the millisecond in its date functions; the value shown is computed in
    Python from the two timestamps)."""
    if dialect == "postgresql":
        return func.extract("epoch", CASES.c.first_reply_at - CASES.c.created_at)
    return func.julianday(CASES.c.first_reply_at) - func.julianday(CASES.c.created_at)


def _counted(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _case_counts(conn: Connection, *, since: datetime | None) -> dict[str, int]:
    """The cases opened since ``since`` counted every way the statistics show them, in one
    pass over the table (one sum per figure: a ``GROUP BY`` of the same columns sorts them,
    which took SQLite several times as long)."""
    figures: dict[str, Any] = {
        "cases": func.count(),
        "urgent": _counted(CASES.c.urgent.is_(True)),
    }
    for status in CaseStatus:
        figures[f"status:{status}"] = _counted(CASES.c.status == status)
    for category in CATEGORIES:
        if category != "other":
            figures[f"category:{category}"] = _counted(CASES.c.category == category)
    for outcome in OUTCOMES:
        figures[f"outcome:{outcome}"] = _counted(CASES.c.outcome == outcome)
    for star in STARS:
        figures[f"star:{star}"] = _counted(CASES.c.rating == star)
    query = select(*(value.label(f"f{index}") for index, value in enumerate(figures.values())))
    if since is not None:
        query = query.where(CASES.c.created_at >= since)
    row = conn.execute(query).one()
    return {name: int(value or 0) for name, value in zip(figures, row, strict=True)}


def first_reply_times(
    conn: Connection, *, since: datetime | None, cases: int | None = None
) -> ReplyTimes:
    """How long cases opened since ``since`` (all when None) waited for their first reply:
    the median and 90th percentile by the nearest rank (:func:`nearest_rank`; a reply stored
    before the opening counts as none). ``cases``: how many cases were opened since ``since``,
    if counted already.

    One statement numbers the replied cases by reply time (one sort), counts them, and
    returns the cases at the two ranks; no other case is read into Python."""
    opened = [] if since is None else [CASES.c.created_at >= since]
    if cases is None:
        cases = int(conn.scalar(select(func.count()).select_from(CASES).where(*opened)) or 0)
    numbered = (
        select(
            CASES.c.created_at,
            CASES.c.first_reply_at,
            func.row_number()
            .over(order_by=(_reply_seconds(conn.dialect.name), CASES.c.id))
            .label("rank"),
            func.count().over().label("replied"),
        )
        .where(CASES.c.first_reply_at.is_not(None), *opened)
        .subquery()
    )
    # the nearest rank, ceil(percent * n / 100), in integers
    ranks = [(percent * numbered.c.replied + 99) // 100 for percent in (50, 90)]
    rows = conn.execute(
        select(
            numbered.c.rank, numbered.c.replied, numbered.c.created_at, numbered.c.first_reply_at
        ).where(numbered.c.rank.in_(ranks))
    ).all()
    if not rows:
        return ReplyTimes(median=None, p90=None, replied=0, waiting=cases)
    replied = int(rows[0].replied)
    at_rank = {int(r.rank): max(r.first_reply_at - r.created_at, timedelta(0)) for r in rows}
    median, p90 = (at_rank[max(math.ceil(p * replied / 100), 1)] for p in (50, 90))
    return ReplyTimes(median=median, p90=p90, replied=replied, waiting=max(cases - replied, 0))


def _ratings(per_star: dict[int, int]) -> Ratings:
    count = sum(per_star[star] for star in STARS)
    average = sum(star * per_star[star] for star in STARS) / count if count else None
    return Ratings(count=count, average=average, per_star={star: per_star[star] for star in STARS})


async def legal_stats(db: Database, *, since: datetime | None, now: datetime) -> LegalStats:
    """Count consultations and cases from ``since`` (everything when None) up to ``now``
    (:meth:`Database.report`: on SQLite off the event loop and the writer thread, on
    PostgreSQL inside an update's own transaction)."""
    return await db.report(count_legal, since=since, now=now)


@standalone_read
def count_legal(conn: Connection, *, since: datetime | None, now: datetime) -> LegalStats:
    """The statistics of :func:`legal_stats`, on a connection."""
    feedback = select(CONSULTATIONS.c.helped, func.count()).group_by(CONSULTATIONS.c.helped)
    if since is not None:
        feedback = feedback.where(CONSULTATIONS.c.at >= since)
    answers: dict[bool | None, int] = {}
    for helped, count in conn.execute(feedback).all():
        answers[helped] = answers.get(helped, 0) + int(count)

    counted = _case_counts(conn, since=since)
    first_reply = first_reply_times(conn, since=since, cases=counted["cases"])
    statuses = {status: counted[f"status:{status}"] for status in CaseStatus}
    categories = {c: counted[f"category:{c}"] for c in CATEGORIES if c != "other"}
    # a code no longer in the menu reads as "other", as it does everywhere
    categories["other"] = counted["cases"] - sum(categories.values())

    return LegalStats(
        since=since,
        now=now,
        consultations=sum(answers.values()),
        helped=answers.get(True, 0),
        not_helped=answers.get(False, 0),
        no_feedback=answers.get(None, 0),
        cases=counted["cases"],
        open=statuses[CaseStatus.open],
        claimed=statuses[CaseStatus.claimed],
        closed=statuses[CaseStatus.closed],
        urgent=counted["urgent"],
        by_category=tuple((category, categories[category]) for category in CATEGORIES),
        by_outcome=tuple((outcome, counted[f"outcome:{outcome}"]) for outcome in OUTCOMES),
        first_reply=first_reply,
        ratings=_ratings({star: counted[f"star:{star}"] for star in STARS}),
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
EXPORT_SELECT = (
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


@dataclass(frozen=True)
class _Names:
    """The words an export's rows repeat, looked up in the catalog once per export."""

    categories: dict[str, str]
    outcomes: dict[str, str]
    yes: str
    no: str

    @classmethod
    def of(cls, lang: str) -> _Names:
        return cls(
            categories={c: category_name(lang, c) for c in CATEGORIES},
            outcomes={o: outcome_name(lang, o) for o in OUTCOMES},
            yes=t(lang, "ls-csv-yes"),
            no=t(lang, "ls-csv-no"),
        )

    def category(self, category: str) -> str:
        return self.categories.get(category) or self.categories["other"]

    def outcome(self, outcome: str) -> str:
        return self.outcomes.get(outcome, outcome)


def _row(names: _Names, values: Sequence[Any]) -> list[str]:
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
    yes, no = names.yes, names.no
    return [
        case_label(int(case_id)),
        names.category(str(category)),
        _iso(created_at),
        _iso(claimed_at),
        _iso(first_reply_at),
        _iso(closed_at),
        names.outcome(str(outcome)) if outcome else "",
        yes if urgent else no,
        deadline.isoformat() if deadline else "",
        (yes if deadline_approximate else no) if deadline else "",
        str(reannounced),
        _iso(escalated_at),
        str(rating) if rating is not None else "",
    ]


class CaseCsv:
    """The export's file, written some cases at a time. Made on the event loop (it looks up
    the catalog's words, headers included, once); ``add`` may run anywhere."""

    def __init__(self, lang: str) -> None:
        self._names = _Names.of(lang)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)
        self._writer.writerow(_headers(lang))
        self.rows = 0

    def add(self, cases: Sequence[Sequence[Any]]) -> None:
        """Write ``cases``, each the values of :data:`EXPORT_SELECT` in order."""
        self._writer.writerows(_row(self._names, tuple(case)) for case in cases)
        self.rows += len(cases)

    def export(self) -> CaseExport:
        """The file as written so far."""
        return CaseExport(data=self._buffer.getvalue().encode("utf-8-sig"), rows=self.rows)


async def export_cases(db: Database, *, lang: str, since: datetime | None = None) -> CaseExport:
    """Every case opened since ``since`` (all when None) as CSV, one row per case, oldest first.

    Headers and category and outcome names are in ``lang``; times are UTC. The employer, place,
    description, phone, name and the worker's id are never read or written. The rows are read
    and written :data:`EXPORT_CHUNK` at a time, through :meth:`Database.report`: on SQLite on
    a thread of its own, on PostgreSQL through a server-side cursor, the event loop
    handling other updates while each chunk is on its way.
    """
    return await db.report(_export, out=CaseCsv(lang), since=since)


def _export(conn: Connection, *, out: CaseCsv, since: datetime | None) -> CaseExport:
    query = select(*EXPORT_SELECT).order_by(CASES.c.id)
    if since is not None:
        query = query.where(CASES.c.created_at >= since)
    for chunk in conn.execute(query.execution_options(yield_per=EXPORT_CHUNK)).partitions():
        out.add(chunk)
    return out.export()
