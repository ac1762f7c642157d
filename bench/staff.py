"""What staff wait for at a big union's size: a broadcast's audience, the dashboard, the legal
statistics and the case export.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/staff.py [--subscribers 100000] [--inbox 280000] [--cases 100000]
                          [--repeats 5] [--seed 1] [--database-url URL] [--json]

Staff composing a broadcast (in the bot or the panel) see the districts, industries and kinds
of work subscribers registered for, most common first (``audience_options``), and, for the
filters they pick, how many workers it will reach (``audience_count``); the launch writes the
same workers into the ledger (``audience_ids`` names them). The panel's dashboard counts, per
local day, the updates in the inbox (a week of them) and what each service recorded
(``bot.panel.dashboard.gather``). The legal statistics (``/legal stats`` and the panel's page:
counts by status, category, outcome and rating, the median and 90th percentile of the time to a
first reply) are made over all of ``--cases`` cases spread over the last 400 days and over the
last 30 days, and the CSV export writes them all. Each is timed here on a new SQLite file and,
given ``--database-url`` (a database only for this: it is migrated and its job seekers, inbox
and legal cases are deleted first), on PostgreSQL, side by side.

Subscribers are seeded with registrations of none, one or several districts (ten), industries
and kinds of work; one in ten has alerts off. The inbox gets ``--inbox`` updates spread over the
last week. The baselines are the simplest correct way of the same work, as the code did it
before the database counted: read every subscriber's lists and apply the audience rule in
Python (``seeker_in_audience``); read every inbox timestamp and give it to its local day; read
every case's status, category, outcome, urgency, rating and times and count them in Python (the
percentiles by :func:`bot.legal.stats.nearest_rank`); read every exported row at once and
write the file. Every answer must equal the baseline's (the same counts, the same ids in the
same order, the same option lists, the same updates per day, the same figures, the same file);
the exit code is 1 when one does not. The median of ``--repeats`` calls is reported, and the
longest the event loop was kept from other work during them ("stall": what a worker's reply
waits for meanwhile, on PostgreSQL whose driver runs on the loop). With ``--json`` the last line
printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, insert, select

import bot.models  # noqa: F401  (puts the tables on SQLModel.metadata)
from bot.core.inbox import INBOX
from bot.core.models import utcnow
from bot.core.users import USERS
from bot.db import Database
from bot.jobs.broadcast import (
    FILTER_KEYS,
    audience_count,
    audience_ids,
    audience_options,
    normalize_audience,
    seeker_in_audience,
)
from bot.jobs.core import INDUSTRIES, SEEKERS
from bot.jobs.models import EmploymentType
from bot.legal.core import CATEGORIES, OUTCOMES
from bot.legal.models import CaseStatus
from bot.legal.stats import (
    CASES,
    EXPORT_SELECT,
    STARS,
    CaseCsv,
    export_cases,
    legal_stats,
    nearest_rank,
)
from bot.panel.dashboard import INBOX_DAYS, gather

FIRST_USER_ID = 50_000_000
FIRST_UPDATE_ID = 7_000_000_000
ZONE = ZoneInfo("Asia/Shanghai")
CHUNK = 5_000
DISTRICTS = ("金水区", "二七区", "中原区", "管城区", "惠济区", "上街区", "高新区", "经开区",
             "郑东新区", "航空港区")  # fmt: skip
#: The audiences picked (each counted and listed), as staff would pick them.
AUDIENCES: tuple[dict[str, list[str]], ...] = (
    {"districts": ["金水区"]},
    {"districts": ["金水区", "二七区"], "industries": ["logistics"]},
    {"industries": ["cleaning", "construction"], "types": ["daily"]},
)


def seed_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` subscribers' registrations (user ids from :data:`FIRST_USER_ID`)."""
    industries = sorted(INDUSTRIES)
    types = [kind.value for kind in EmploymentType]
    now = utcnow()
    return [
        {
            "user_id": FIRST_USER_ID + n,
            "districts": rng.sample(DISTRICTS, rng.choice((0, 1, 1, 2, 3))),
            "industries": rng.sample(industries, rng.choice((0, 1, 1, 2))),
            "types": rng.sample(types, rng.choice((0, 1))),
            "metro_lines": [],
            "tags": 0,
            "min_pay": None,
            "min_pay_unit": None,
            "alerts": rng.random() >= 0.1,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]


def _write(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    now = utcnow()
    ids = [row["user_id"] for row in rows]
    conn.execute(delete(SEEKERS))
    conn.execute(delete(USERS).where(USERS.c.id >= FIRST_USER_ID))
    for start in range(0, len(rows), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(
            insert(USERS),
            [
                {"id": uid, "language": "zh", "roles": [], "consents": {}, "first_seen": now,
                 "last_seen": now}
                for uid in chunk
            ],
        )  # fmt: skip
        conn.execute(insert(SEEKERS), list(rows[start : start + CHUNK]))


def _fill_inbox(conn: Connection, *, count: int, now: datetime) -> None:
    """``count`` handled updates, received evenly over the last week."""
    conn.execute(delete(INBOX))
    spacing = INBOX_DAYS * 86_400 / max(count, 1) * 0.99
    for start in range(0, count, CHUNK):
        conn.execute(
            insert(INBOX),
            [
                {"update_id": FIRST_UPDATE_ID + n, "state": "done", "attempts": 1,
                 "received_at": now - timedelta(seconds=n * spacing), "next_attempt_at": now}
                for n in range(start, min(count, start + CHUNK))
            ],
        )  # fmt: skip


def _fill_cases(conn: Connection, *, count: int, now: datetime, seed: int) -> None:
    """``count`` legal cases opened over the last 400 days, seven in ten answered."""
    rng = random.Random(seed)
    conn.execute(delete(CASES))
    categories = [*CATEGORIES, "retired-code"]
    for start in range(0, count, CHUNK):
        rows = []
        for _ in range(start, min(count, start + CHUNK)):
            opened = now - timedelta(seconds=rng.randint(0, 400 * 86_400))
            status = rng.choice(list(CaseStatus))
            closed = status == CaseStatus.closed
            answered = rng.random() < 0.7
            rows.append(
                {"category": rng.choice(categories), "status": status,
                 "urgent": rng.random() < 0.1, "created_at": opened, "updated_at": opened,
                 "consent_at": opened,
                 "first_reply_at": opened + timedelta(seconds=rng.randint(60, 9 * 86_400))
                 if answered else None,
                 "closed_at": opened + timedelta(days=10) if closed else None,
                 "outcome": rng.choice(OUTCOMES) if closed and rng.random() < 0.8 else None,
                 "rating": rng.choice((None, None, *STARS)) if closed else None}
            )  # fmt: skip
        conn.execute(insert(CASES), rows)


def _legal_figures(stats: Any) -> tuple[Any, ...]:
    """What the legal statistics show about cases (consultations are not seeded)."""
    reply = stats.first_reply
    return (stats.cases, stats.open, stats.claimed, stats.closed, stats.urgent,
            stats.by_category, stats.by_outcome, reply.median, reply.p90, reply.replied,
            reply.waiting, stats.ratings.per_star)  # fmt: skip


def python_legal_figures(conn: Connection, *, since: datetime | None) -> tuple[Any, ...]:
    """The legal statistics' case figures, every case read and counted in Python."""
    query = select(CASES.c.status, CASES.c.category, CASES.c.outcome, CASES.c.urgent,
                   CASES.c.created_at, CASES.c.first_reply_at, CASES.c.rating)  # fmt: skip
    if since is not None:
        query = query.where(CASES.c.created_at >= since)
    cases = conn.execute(query).all()
    statuses = Counter(str(row.status) for row in cases)
    categories = Counter(
        c if c in CATEGORIES else "other" for c in (row.category for row in cases)
    )
    outcomes = Counter(str(row.outcome) for row in cases if row.outcome is not None)
    stars = Counter(int(row.rating) for row in cases if row.rating is not None)
    waits = [max(0.0, (row.first_reply_at - row.created_at).total_seconds())
             for row in cases if row.first_reply_at is not None]  # fmt: skip
    median = timedelta(seconds=nearest_rank(waits, 50)) if waits else None
    p90 = timedelta(seconds=nearest_rank(waits, 90)) if waits else None
    return (len(cases), statuses["open"], statuses["claimed"], statuses["closed"],
            sum(bool(row.urgent) for row in cases),
            tuple((c, categories[c]) for c in CATEGORIES),
            tuple((o, outcomes[o]) for o in OUTCOMES), median, p90, len(waits),
            len(cases) - len(waits), {star: stars[star] for star in STARS})  # fmt: skip


def python_export(conn: Connection, *, out: CaseCsv) -> bytes:
    """The case export, every row read at once and then written."""
    out.add(conn.execute(select(*EXPORT_SELECT).order_by(CASES.c.id)).all())
    return out.export().data


def python_updates_per_day(conn: Connection, *, days: Sequence[date]) -> list[int]:
    """Updates per local day, every timestamp read and binned in Python."""
    since = datetime.combine(days[0], datetime.min.time(), ZONE)
    moments = conn.execute(select(INBOX.c.received_at).where(INBOX.c.received_at >= since))
    counts = Counter(moment.astimezone(ZONE).date() for moment in moments.scalars())
    return [counts.get(day, 0) for day in days]


# The baseline: every subscriber read, the rule applied in Python.


def _all_seekers(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(SEEKERS.c.user_id, *(SEEKERS.c[key] for key in FILTER_KEYS))
        .where(SEEKERS.c.alerts.is_(True))
        .order_by(SEEKERS.c.user_id)
    ).mappings()
    return [dict(row) for row in rows]


def python_ids(conn: Connection, *, audience: dict[str, Any]) -> list[int]:
    """The audience's ids, found by reading every subscriber."""
    filters = normalize_audience(audience)
    return [int(s["user_id"]) for s in _all_seekers(conn) if seeker_in_audience(s, filters)]


def python_count(conn: Connection, *, audience: dict[str, Any]) -> int:
    """The audience's size, found by reading every subscriber."""
    return len(python_ids(conn, audience=audience))


def python_options(conn: Connection) -> tuple[tuple[str, ...], ...]:
    """The option lists (most registered first), counted over every subscriber in Python."""
    seekers = _all_seekers(conn)
    lists = []
    for key in FILTER_KEYS:
        counts = Counter(str(value) for s in seekers for value in s[key] or ())
        lists.append(tuple(sorted(counts, key=lambda value: (-counts[value], value))))
    return tuple(lists)


async def timed(repeats: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, float, Any]:
    """The median milliseconds of ``repeats`` calls, the longest the event loop went without
    running other work meanwhile (ms, as seen by a task asking to run every millisecond), and
    the last answer."""
    times, answer = [], None
    stall = 0.0
    running = True

    async def ticker() -> None:
        nonlocal stall
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stall = max(stall, now - last)
            last = now

    watch = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            answer = await call()
            times.append((time.perf_counter() - started) * 1000.0)
    finally:
        running = False
        await watch
    return statistics.median(times), stall * 1000.0, answer


async def bench_database(
    url: str, rows: Sequence[dict[str, Any]], *, inbox: int, cases: int, repeats: int, seed: int
) -> dict[str, Any]:
    """Every measurement on one database; ``ok`` says whether every answer equalled Python's."""
    db = Database(url)
    now = utcnow()
    try:
        await db.upgrade()
        await db.transact(_write, rows=rows)
        await db.transact(_fill_inbox, count=inbox, now=now)
        await db.transact(_fill_cases, count=cases, now=now, seed=seed)
        figures: dict[str, Any] = {"ok": True, "measures": []}

        async def both(
            name: str, fast: Callable[[], Awaitable[Any]], slow: Callable[[], Awaitable[Any]]
        ) -> None:
            fast_ms, fast_stall, fast_answer = await timed(repeats, fast)
            slow_ms, slow_stall, slow_answer = await timed(repeats, slow)
            same = fast_answer == slow_answer
            figures["ok"] = figures["ok"] and same
            figures["measures"].append(
                {"what": name, "database_ms": round(fast_ms, 1),
                 "python_ms": round(slow_ms, 1), "same": same,
                 "database_stall_ms": round(fast_stall, 1),
                 "python_stall_ms": round(slow_stall, 1)}
            )  # fmt: skip

        async def options() -> tuple[tuple[str, ...], ...]:
            found = await db.transact(audience_options, limit=len(DISTRICTS) + len(INDUSTRIES))
            return (found.districts, found.industries, found.types)

        async def dashboard() -> list[int]:
            return (await gather(db, days=30, zone=ZONE, now=now)).updates_per_day

        days = [now.astimezone(ZONE).date() - timedelta(days=n) for n in range(INBOX_DAYS)][::-1]
        await both("dashboard (30 days)", dashboard, partial(db.transact, python_updates_per_day,
                   days=days))  # fmt: skip
        await both("options (compose page)", options, partial(db.transact, python_options))
        for audience in AUDIENCES:
            label = "+".join(f"{k}={','.join(v)}" for k, v in audience.items())
            await both(
                f"count {label}",
                partial(db.transact, audience_count, audience=audience),
                partial(db.transact, python_count, audience=audience),
            )
            await both(
                f"ids {label}",
                partial(db.transact, audience_ids, audience=audience),
                partial(db.transact, python_ids, audience=audience),
            )

        def legal(since: datetime | None) -> Callable[[], Awaitable[Any]]:
            async def made() -> tuple[Any, ...]:
                return _legal_figures(await legal_stats(db, since=since, now=now))

            return made

        for label, since in (("all", None), ("30 days", now - timedelta(days=30))):
            await both(
                f"legal stats ({label})",
                legal(since),
                partial(db.transact, python_legal_figures, since=since),
            )

        async def export() -> bytes:
            return (await export_cases(db, lang="zh")).data

        async def python_export_all() -> bytes:
            return await db.transact(python_export, out=CaseCsv("zh"))

        await both("case export (all)", export, python_export_all)
        return figures
    finally:
        await db.dispose()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000, help="subscribers (100000)")
    parser.add_argument(
        "--inbox", type=int, default=280_000, help="updates in the inbox, a week's (280000)"
    )
    parser.add_argument("--cases", type=int, default=100_000, help="legal cases (100000)")
    parser.add_argument("--repeats", type=int, default=5, help="calls per figure, median (5)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the registrations (1)")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL database to measure beside SQLite"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    return parser.parse_args(argv)


async def main_async(args: argparse.Namespace) -> int:
    """Seed, measure every database, print the table (and the JSON)."""
    rows = seed_rows(args.subscribers, random.Random(args.seed))
    subscribed = sum(row["alerts"] for row in rows)
    print(
        f"gongyou staff benchmark: {args.subscribers} subscribers ({subscribed} with alerts on), "
        f"{args.inbox} updates in the inbox, {args.cases} legal cases; median of {args.repeats} "
        "calls; baseline: every row read into Python"
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        urls = [("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'staff.sqlite3'}")]
        if args.database_url:
            urls.append(("postgresql", args.database_url))
        for name, url in urls:
            results[name] = await bench_database(
                url, rows, inbox=args.inbox, cases=args.cases, repeats=args.repeats, seed=args.seed
            )
    names = list(results)
    header = f"{'':30}" + "".join(
        f"{n[:6] + ' db':>11}{'py':>8}{'stall db':>10}{'py':>8}" for n in names
    )
    print("\n" + header + "   (ms)")
    for index, measure in enumerate(results[names[0]]["measures"]):
        line = f"{measure['what'][:30]:30}"
        for name in names:
            row = results[name]["measures"][index]
            mark = "" if row["same"] else " DIFF"
            line += (
                f"{row['database_ms']:>11.1f}{row['python_ms']:>8.1f}"
                f"{row['database_stall_ms']:>10.1f}{row['python_stall_ms']:>8.1f}{mark}"
            )
        print(line)
    ok = all(result["ok"] for result in results.values())
    print("\nanswers equal to the baseline:", "yes" if ok else "NO")
    if args.json:
        print(
            json.dumps(
                {"subscribers": args.subscribers, "inbox": args.inbox, "cases": args.cases,
                 "ok": ok, "databases": results}
            )
        )  # fmt: skip
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
