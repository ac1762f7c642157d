"""Matchmaking suggestions among 50,000 profiles: SQL filtering against loading every profile.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/match.py [--profiles 50000] [--queries 300] [--naive-queries 30]
                          [--analyze] [--seed 1] [--database-url URL] [--no-sqlite] [--json]

The profiles always go into a new SQLite file in a temporary directory first. With
``--database-url`` the same run follows on PostgreSQL and the two are printed side by side:
create a database only for this (``CREATE DATABASE gongyou_matchbench``) and pass e.g.
``--database-url postgresql+asyncpg://postgres@127.0.0.1/gongyou_matchbench``; it is migrated
and its users and every matchmaking table are emptied first. No ANALYZE is run unless
``--analyze`` is given, so a new database measures the plans chosen before statistics exist.
The target, p95 <= 50 ms, holds for both databases.

Three steps, all seeded:

1. Approved profiles of verified members are written with Core in bulk, spread the way a city
   union's members might be: men and women half and half, ages 20 to 55, the ten districts of
   Zhengzhou (weighted), seven education levels, two to eight interests each. Most look for the
   other gender, some for either; age wishes are narrow (±3-5 years), middling (±8) or wide;
   three in ten name one to three districts. A few are paused, hidden after reports or visible
   to matchmakers only. History is added too: earlier suggestions with their decisions (likes,
   skips, some blocks and reports) and some pairs.
2. ``--queries`` members (each once, so every call sees an untouched pool) ask for their next
   suggestion through ``bot.match.suggest.next_suggestion`` in ``Database.transact``, exactly as
   the bot does: lock their profile, check it, count today's suggestions, choose, record.
3. The first ``--naive-queries`` of them are first answered the naive way: load every approved
   profile with the member's decisions, suggestions, blocks and pairs, check the rules and score
   in Python. The choice must be the same profile; the speed-up of SQL filtering is reported.

The figures are a report: the exit code is 0 unless something crashes or the two ways choose
differently on either database (then 1). With ``--json`` the last line printed is one JSON
object with the figures of each database.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, text

import bot.models  # noqa: F401  (puts the tables on SQLModel.metadata)
from bot.config import DEFAULT_DISTRICTS, Settings
from bot.core.clock import today_in
from bot.core.models import User
from bot.db import Database
from bot.match.core import CONSENT_VERSION, EDUCATION, INTERESTS, age_of, pack_districts
from bot.match.models import MatchEvent, MatchIntro, MatchSignup
from bot.match.suggest import (
    DECISIONS,
    FINAL_DECISIONS,
    PAIRS,
    PROFILES,
    REPORTS,
    SUGGESTIONS,
    VERIFICATIONS,
    Suggestion,
    next_suggestion,
    score,
    seeker_of,
)

USERS: Table = User.__table__  # type: ignore[attr-defined]
OTHER_TABLES: tuple[Table, ...] = (
    MatchIntro.__table__,  # type: ignore[attr-defined]
    MatchSignup.__table__,  # type: ignore[attr-defined]
    MatchEvent.__table__,  # type: ignore[attr-defined]
)

TARGET_P95_MS = 50.0
WARMUP_QUERIES = 20
FIRST_USER_ID = 1_000_000
CHUNK = 5_000
DAILY_LIMIT = 5
#: Shares of profiles that are paused, hidden after reports, or shown to matchmakers only.
PAUSED_SHARE = 0.03
HIDDEN_SHARE = 0.005
MATCHMAKERS_SHARE = 0.05
#: Earlier suggestions per profile (each decided), and the pairs already made.
HISTORY_PER_PROFILE = 2
PAIR_SHARE = 0.01
DISTRICT_WEIGHTS = (9, 8, 5, 12, 4, 7, 3, 2, 1, 6)
EDUCATION_WEIGHTS = (1, 8, 10, 9, 8, 6, 2)
DECISION_WEIGHTS = {"like": 30, "skip": 64, "block": 4, "report": 2}


@dataclass(frozen=True)
class Run:
    """Latencies (ms) and the chosen profile ids of one way of choosing."""

    latencies_ms: list[float]
    chosen: list[int | None]

    def percentile(self, share: float) -> float:
        """The latency below which ``share`` of the calls fall (nearest rank)."""
        return percentile(self.latencies_ms, share)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[rank]


# --- the data ---------------------------------------------------------------------------------


def _wishes(age: int, rng: random.Random) -> tuple[int, int]:
    """An age range around ``age``: narrow, middling or wide."""
    kind = rng.random()
    if kind < 0.4:
        spread = rng.randint(3, 5)
        return max(18, age - spread), min(80, age + spread)
    if kind < 0.8:
        return max(18, age - 8), min(80, age + 8)
    return 18, rng.choice((55, 60, 70))


def profile_rows(
    count: int, rng: random.Random, *, today: date, now: datetime
) -> list[dict[str, Any]]:
    """``count`` approved profiles of plausible variety (user ids from FIRST_USER_ID)."""
    districts = DEFAULT_DISTRICTS
    rows = []
    for number in range(count):
        gender = rng.choice("mf")
        age = rng.randint(20, 55)
        other = "f" if gender == "m" else "m"
        want_gender = rng.choices((other, "a", gender), (85, 10, 5))[0]
        low, high = _wishes(age, rng)
        wanted = (
            rng.sample(districts, rng.randint(1, 3)) if rng.random() < 0.3 else []  # some wishes
        )
        interests = rng.sample(INTERESTS, rng.randint(2, 8))
        visibility = "matchmakers" if rng.random() < MATCHMAKERS_SHARE else "members"
        updated = now - timedelta(seconds=rng.randint(0, 90 * 86400))
        rows.append(
            {
                "user_id": FIRST_USER_ID + number,
                "status": "approved",
                "paused": rng.random() < PAUSED_SHARE,
                "hidden": rng.random() < HIDDEN_SHARE,
                "gender": gender,
                "birth_year": today.year - age,
                "city": "郑州市",
                "district": rng.choices(districts, DISTRICT_WEIGHTS)[0],
                "education": rng.choices(EDUCATION, EDUCATION_WEIGHTS)[0],
                "occupation": rng.choice(("快递员", "保洁员", "厨师", "保安", "电子厂普工")),
                "height_cm": rng.randint(150, 190) if rng.random() < 0.7 else None,
                "intro": "踏实肯干，下班喜欢做饭散步，希望找个能一起过日子的人。",
                "want_gender": want_gender,
                "want_age_min": low,
                "want_age_max": high,
                "want_districts": pack_districts(wanted),
                "want_other": "",
                "interests": sum(1 << INTERESTS.index(key) for key in interests),
                "photo_file_id": "",
                "visibility": visibility,
                "consent_at": updated,
                "consent_version": CONSENT_VERSION,
                "review_note": "",
                "reviewed_by": None,
                "reviewed_at": updated,
                "tg_username": "",
                "tg_name": "",
                "created_at": updated,
                "updated_at": updated,
            }
        )
    return rows


def history_rows(
    count: int, rng: random.Random, *, today: date, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Earlier suggestions, their decisions, the reports among them, and some pairs."""
    suggestions: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    kinds, weights = list(DECISION_WEIGHTS), list(DECISION_WEIGHTS.values())
    seen: set[tuple[int, int]] = set()
    for number in range(count):
        user_id = FIRST_USER_ID + number
        for _ in range(HISTORY_PER_PROFILE):
            target = FIRST_USER_ID + rng.randrange(count)
            if target == user_id or (user_id, target) in seen:
                continue
            seen.add((user_id, target))
            day = today - timedelta(days=rng.randint(1, 60))
            at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            suggestions.append(
                {"user_id": user_id, "target_id": target, "day": day, "score": 0, "at": at}
            )
            kind = rng.choices(kinds, weights)[0]
            decisions.append({"user_id": user_id, "target_id": target, "decision": kind, "at": at})
            if kind == "report":
                reports.append(
                    {"reporter_id": user_id, "target_id": target, "reason": "fake", "at": at}
                )
    pairs: set[tuple[int, int]] = set()
    for _ in range(int(count * PAIR_SHARE)):
        a, b = sorted(rng.sample(range(FIRST_USER_ID, FIRST_USER_ID + count), 2))
        pairs.add((a, b))
    pair_rows = [{"a_id": a, "b_id": b, "source": "like", "at": now} for a, b in sorted(pairs)]
    return suggestions, decisions, reports, pair_rows


def _empty(conn: Connection) -> None:
    """Delete users and every matchmaking row (an existing database given on the command line)."""
    for table in (*OTHER_TABLES, SUGGESTIONS, DECISIONS, REPORTS, PAIRS, PROFILES):
        conn.execute(delete(table))
    conn.execute(delete(VERIFICATIONS))
    conn.execute(delete(USERS))


def _write(conn: Connection, *, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])


async def build(db: Database, *, count: int, seed: int, today: date, now: datetime) -> None:
    """Fill the database: users, verifications, profiles and their history."""
    rng = random.Random(seed)
    profiles = profile_rows(count, rng, today=today, now=now)
    suggestions, decisions, reports, pairs = history_rows(count, rng, today=today, now=now)
    users = [
        {
            "id": row["user_id"],
            "language": "zh",
            "roles": [],
            "consents": {"match": f"{CONSENT_VERSION}@{now.isoformat()}"},
            "first_seen": now,
            "last_seen": now,
        }
        for row in profiles
    ]
    verifications = [
        {"user_id": row["user_id"], "card_hash": f"{row['user_id']:064x}", "verified_at": now}
        for row in profiles
    ]
    await db.transact(_empty)
    for table, rows in (
        (USERS, users),
        (VERIFICATIONS, verifications),
        (PROFILES, profiles),
        (SUGGESTIONS, suggestions),
        (DECISIONS, decisions),
        (REPORTS, reports),
        (PAIRS, pairs),
    ):
        await db.transact(_write, table=table, rows=rows)
    print(
        f"data: {len(profiles)} profiles, {len(suggestions)} earlier suggestions and decisions "
        f"({sum(1 for d in decisions if d['decision'] in FINAL_DECISIONS)} blocks or reports), "
        f"{len(pairs)} pairs"
    )


def _askers(conn: Connection) -> list[int]:
    """Members who may get suggestions (approved, visible to members, not paused or hidden)."""
    p = PROFILES.c
    found = conn.execute(
        select(p.user_id)
        .where(
            p.status == "approved",
            p.visibility == "members",
            p.paused.is_(False),
            p.hidden.is_(False),
        )
        .order_by(p.user_id)
    )
    return [int(user_id) for user_id in found.scalars()]


def _analyze(conn: Connection) -> None:
    conn.execute(text("ANALYZE"))


# --- the naive way ----------------------------------------------------------------------------


def naive_choice(conn: Connection, *, user_id: int, today: date) -> int | None:
    """The profile id the member should be shown, by loading every approved profile."""
    p = PROFILES.c
    d = DECISIONS.c
    me = seeker_of(conn.execute(select(PROFILES).where(p.user_id == user_id)).one())
    rows = conn.execute(select(PROFILES).where(p.status == "approved")).all()
    verified = set(conn.execute(select(VERIFICATIONS.c.user_id)).scalars())
    mine = set(conn.execute(select(d.target_id).where(d.user_id == user_id)).scalars())
    seen = set(
        conn.execute(
            select(SUGGESTIONS.c.target_id).where(SUGGESTIONS.c.user_id == user_id)
        ).scalars()
    )
    shut_out = set(
        conn.execute(
            select(d.user_id).where(d.target_id == user_id, d.decision.in_(FINAL_DECISIONS))
        ).scalars()
    )
    paired = {
        a if b == user_id else b
        for a, b in conn.execute(
            select(PAIRS.c.a_id, PAIRS.c.b_id).where(
                (PAIRS.c.a_id == user_id) | (PAIRS.c.b_id == user_id)
            )
        )
    }
    my_age = age_of(me.birth_year, today)
    best: tuple[tuple[int, datetime, int], int] | None = None
    for row in rows:
        other = row.user_id
        wanted = row.want_districts.strip("|").split("|") if row.want_districts else []
        if (
            other == user_id
            or row.paused
            or row.hidden
            or row.visibility != "members"
            or other not in verified
            or other in mine
            or other in seen
            or other in shut_out
            or other in paired
            or (me.want_gender in ("m", "f") and row.gender != me.want_gender)
            or row.want_gender not in ("a", "", me.gender)
            or not me.want_age_min <= age_of(row.birth_year, today) <= me.want_age_max
            or not row.want_age_min <= my_age <= row.want_age_max
            or (me.want_districts and row.district not in me.want_districts)
            or (wanted and me.district not in wanted)
        ):
            continue
        points = score(me, interests=row.interests, district=row.district, education=row.education)
        key = (points, row.updated_at, row.id)
        if best is None or key > best[0]:
            best = (key, int(row.id))
    return best[1] if best is not None else None


# --- timing -----------------------------------------------------------------------------------


async def run_sql(
    db: Database, members: Sequence[int], *, today: date, now: datetime, limit: int
) -> Run:
    """Ask for each member's next suggestion as the bot does, one transaction per call."""
    clock = time.perf_counter
    latencies: list[float] = []
    chosen: list[int | None] = []
    gc.collect()
    for user_id in members:
        started = clock()
        result = await db.transact(
            next_suggestion, user_id=user_id, today=today, now=now, limit=limit
        )
        latencies.append((clock() - started) * 1000.0)
        chosen.append(result.profile.id if isinstance(result, Suggestion) else None)
    return Run(latencies, chosen)


async def run_naive(db: Database, members: Sequence[int], *, today: date) -> Run:
    """Choose for each member the naive way, one transaction per call."""
    clock = time.perf_counter
    latencies: list[float] = []
    chosen: list[int | None] = []
    gc.collect()
    for user_id in members:
        started = clock()
        chosen.append(await db.transact(naive_choice, user_id=user_id, today=today))
        latencies.append((clock() - started) * 1000.0)
    return Run(latencies, chosen)


def load_average() -> str:
    """The one-minute load average ("?" where the system does not tell)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--profiles", type=int, default=50_000, help="profiles (50000)")
    parser.add_argument("--queries", type=int, default=300, help="members asking, each once (300)")
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=30,
        help="of those, how many are first answered the naive way too (30)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL database run after SQLite (which always is a new file in a "
        "temporary directory). It is migrated and its users and matchmaking tables are emptied "
        "first.",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE after building (planner statistics; the bot does not run it)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of profiles and members (1)")
    parser.add_argument(
        "--no-sqlite", action="store_true", help="only the --database-url database, not SQLite"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the figures as one JSON object, last"
    )
    args = parser.parse_args(argv)
    if args.profiles < 100 or args.queries < 1 or args.naive_queries < 0:
        parser.error("need --profiles >= 100, --queries >= 1 and --naive-queries >= 0")
    args.naive_queries = min(args.naive_queries, args.queries)
    return args


def _row(label: str, run: Run) -> str:
    values = run.latencies_ms
    return (
        f"{label:<28} {len(values):>6} {run.percentile(0.50):>8.2f} {run.percentile(0.95):>8.2f} "
        f"{run.percentile(0.99):>8.2f} {max(values):>8.2f} {sum(values) / len(values):>8.2f}"
    )


async def run_on(
    raw_url: str, args: argparse.Namespace, *, today: date, now: datetime
) -> dict[str, Any]:
    """Build, ask and compare on one database; print its table and return its figures."""
    url = Settings(database_url=raw_url, _env_file=None).database_url
    started_load = load_average()
    try:
        db = Database(url)
        await db.upgrade()
    except Exception as exc:
        raise SystemExit(
            f"cannot open the database ({type(exc).__name__}: {exc}); does it exist?"
        ) from exc
    backend = db.url.get_backend_name()
    try:
        started = time.perf_counter()
        await build(db, count=args.profiles, seed=args.seed, today=today, now=now)
        if args.analyze:
            await db.transact(_analyze)
        analyzed = ", ANALYZE run" if args.analyze else ", no ANALYZE"
        print(f"database: {backend}{analyzed}, built in {time.perf_counter() - started:.1f} s\n")
        askers = await db.transact(_askers)
        rng = random.Random(args.seed + 1)
        picked = rng.sample(askers, min(len(askers), args.queries + WARMUP_QUERIES))
        warmup, members = picked[:WARMUP_QUERIES], picked[WARMUP_QUERIES:]
        compared = members[: args.naive_queries]
        await run_sql(db, warmup, today=today, now=now, limit=DAILY_LIMIT)
        naive = await run_naive(db, compared, today=today)
        indexed = await run_sql(db, members, today=today, now=now, limit=DAILY_LIMIT)
    finally:
        await db.dispose()

    header = (
        f"{'ms per call':<28} {'calls':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'mean':>8}"
    )
    print(header)
    print("-" * len(header))
    print(_row("SQL filtering (the bot)", indexed))
    if compared:
        print(_row("naive: load all, Python", naive))
    answered = sum(1 for choice in indexed.chosen if choice is not None)
    print(
        f"\n{answered} of {len(members)} members got a suggestion ({len(members) - answered} none)"
    )
    differ = [
        (user_id, mine, theirs)
        for user_id, mine, theirs in zip(compared, indexed.chosen, naive.chosen, strict=False)
        if mine != theirs
    ]
    speed_p50 = speed_p95 = 0.0
    if compared:
        subset = Run(indexed.latencies_ms[: len(compared)], indexed.chosen[: len(compared)])
        speed_p50 = naive.percentile(0.50) / subset.percentile(0.50)
        speed_p95 = naive.percentile(0.95) / subset.percentile(0.95)
        print(
            f"same choice as the naive way: {len(compared) - len(differ)} of {len(compared)}; "
            f"speed-up on those members: {speed_p50:.0f}x at p50, {speed_p95:.0f}x at p95"
        )
        for user_id, mine, theirs in differ:
            print(f"  DIFFERENT for member {user_id}: SQL chose {mine}, naive chose {theirs}")
    p95 = indexed.percentile(0.95)
    met = "met" if p95 <= TARGET_P95_MS else "NOT met"
    print(f"\ntarget p95 <= {TARGET_P95_MS:.0f} ms ({backend}): {met} ({p95:.2f} ms)")
    ending_load = load_average()
    print(f"1-minute load average {started_load} at the start and {ending_load} at the end\n")
    return {
        "database": backend,
        "analyzed": bool(args.analyze),
        "calls": len(indexed.latencies_ms),
        "p50_ms": round(indexed.percentile(0.50), 2),
        "p95_ms": round(p95, 2),
        "p99_ms": round(indexed.percentile(0.99), 2),
        "max_ms": round(max(indexed.latencies_ms), 2),
        "target_met": p95 <= TARGET_P95_MS,
        "answered": answered,
        "compared": len(compared),
        "same_as_reference": len(compared) - len(differ),
        "naive_p50_ms": round(naive.percentile(0.50), 2) if compared else None,
        "speed_up_p50": round(speed_p50, 1),
        "load_average": [started_load, ending_load],
    }


async def main_async(args: argparse.Namespace) -> int:
    """Build, ask, compare and print on SQLite, then on PostgreSQL if given; the exit code."""
    began = time.perf_counter()
    settings = Settings(_env_file=None)
    now = datetime.now(UTC)
    today = today_in(settings.timezone, now)
    print(
        f"gongyou matchmaking benchmark: {args.profiles} profiles, {args.queries} members "
        f"asking for their next suggestion, the first {args.naive_queries} also the naive way "
        f"(the reference the choices must equal); seed {args.seed}\n"
    )
    figures: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="gongyou-match-") as tmp:
        if not args.no_sqlite:
            sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'match.sqlite3'}"
            figures.append(await run_on(sqlite_url, args, today=today, now=now))
    if args.database_url:
        figures.append(await run_on(args.database_url, args, today=today, now=now))
    if len(figures) > 1:
        print("side by side        " + "".join(f"{f['database']:>14}" for f in figures))
        for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "same_as_reference"):
            print(f"  {key:<18}" + "".join(f"{f[key]:>14}" for f in figures))
    print(f"machine: {os.cpu_count()} CPUs; whole run {time.perf_counter() - began:.0f} s")
    if args.json:
        print(json.dumps({"profiles": args.profiles, "runs": figures}))
    return 1 if any(f["same_as_reference"] != f["compared"] for f in figures) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 unless something crashed or the two ways chose differently."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
