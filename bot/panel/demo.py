"""Demo data for ``gongyou panel --demo``: the bot's demo stations, member roster and sample job
list, a demo admin to sign in as, and (:func:`load_demo_world`) what gives each staff task
something to work on (``bot.chat.DemoTelegram`` stands in for Telegram while the demo runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from bot.config import Settings
from bot.core.clock import today_in
from bot.core.models import Role, utcnow
from bot.core.usage import add_counts
from bot.core.users import USERS, bootstrap_admins, grant_role, touch_user
from bot.db import Database

if TYPE_CHECKING:
    from bot.stations.models import Station

#: The demo admin's (made-up) Telegram id.
DEMO_ADMIN = 900_001
DATA = Path(__file__).resolve().parents[1] / "data"
#: Made-up Telegram ids of the demo world's workers (cases, reports), employers and subscribers.
DEMO_WORKERS = (700_001, 700_002, 700_003)
DEMO_REPORTERS = 700_100
DEMO_EMPLOYERS = (700_200, 700_201)
DEMO_SUBSCRIBERS = range(700_300, 700_340)


async def load_demo(db: Database, settings: Settings) -> None:
    """Migrate ``db`` and fill it with the demo data and the demo admin."""
    from bot.jobs.core import load_min_wages
    from bot.jobs.imports import import_jobs
    from bot.membership.roster import load_demo_roster, member_key
    from bot.stations.imports import load_demo_stations

    await db.upgrade()
    await load_demo_stations(db)
    await load_demo_roster(db, key=member_key(settings, warn=False))
    await import_jobs(
        db,
        (DATA / "jobs-sample.csv").read_bytes(),
        filename="jobs-sample.csv",
        dry_run=False,
        actor_id=DEMO_ADMIN,
        default_city=settings.match_city,
        min_wages=load_min_wages(settings.min_wage_file),
        posting_days=settings.posting_days,
        timezone=settings.timezone,
    )
    async with db.session() as session:
        await bootstrap_admins(session, admin_ids=settings.admin_ids)
        await grant_role(session, actor_id=None, user_id=DEMO_ADMIN, role=Role.admin)


async def load_demo_world(db: Database, settings: Settings) -> None:
    """What the staff of the demo work on, made by the bot's own functions where it has them:
    three workers' legal cases (unpaid wages; a work injury, urgent, from a worker who writes
    in English and asked to be called; a contract case answered and closed), a post station
    flagged by workers' reports, two employers' postings waiting for review (one asks for a
    deposit, which the screening flags), 40 workers registered for job alerts, whom a
    broadcast to everyone reaches, and four weeks of messages per day by service."""
    now = utcnow()
    today = today_in(settings.timezone, now)
    async with db.session() as session:
        for user_id, lang in zip(DEMO_WORKERS, ("zh", "en", "zh"), strict=True):
            await touch_user(session, user_id=user_id, language=lang)
        await session.commit()
    drafts: list[tuple[int, str, dict[str, Any]]] = [
        (DEMO_WORKERS[0], "zh", {
            "category": "wages", "employer": "郑州某建筑劳务公司", "place": "郑州 金水区",
            "start": "2026-03", "end": "2026-10", "amount": 18000, "contact": "bot",
            "story": "在工地干了七个月，老板拖欠最后三个月工资，一直说下个月给。",
        }),
        (DEMO_WORKERS[1], "en", {
            "category": "injury", "employer": "Zhengzhou Shunda Logistics", "place": "郑州 管城区",
            "incident": (today - timedelta(days=345)).isoformat(), "contact": "phone",
            "phone": "13800001234",
            "story": "I fell from a loading ramp at the warehouse and broke my wrist. The company "
                     "says it was my fault and will not report it as a work injury.",
        }),
        (DEMO_WORKERS[2], "zh", {
            "category": "contract", "employer": "某餐饮连锁店", "place": "郑州 二七区",
            "start": "2026-05", "still": True, "contact": "bot",
            "story": "干了半年一直没签劳动合同，想知道能不能要二倍工资。",
        }),
    ]  # fmt: skip
    await db.transact(_add_cases, drafts=drafts, now=now)
    await flagged_station(db, first_reporter=DEMO_REPORTERS)
    await pending_posting(db, owner_id=DEMO_EMPLOYERS[0], title="叉车司机（夜班）")
    await pending_posting(db, owner_id=DEMO_EMPLOYERS[1], title="仓库打包员",
                          requirements="入职先交500元服装押金")  # fmt: skip
    await subscribers(db, DEMO_SUBSCRIBERS)
    await db.transact(add_counts, counts=_demo_usage(today))


def _demo_usage(today: date) -> dict[tuple[date, str], int]:
    """Four weeks of made-up messages per day by service, busier on weekdays."""
    from random import Random

    chance = Random(4)  # the same every time
    usual = {"jobs": 120, "legal": 45, "station": 60, "match": 15, "router:union_faq": 25}
    counts: dict[tuple[date, str], int] = {}
    for back in range(28):
        day = today - timedelta(days=back)
        weekday = 1.0 if day.weekday() < 5 else 0.6
        for service, mean in usual.items():
            counts[(day, service)] = max(0, round(mean * weekday * chance.uniform(0.7, 1.3)))
    return counts


def _add_cases(
    conn: Connection, *, drafts: list[tuple[int, str, dict[str, Any]]], now: Any
) -> None:
    """The cases the intake would open from ``drafts``; the last one answered and closed."""
    from bot.legal.intake import CASES, case_values, new_draft
    from bot.legal.models import CaseOutcome, CaseStatus

    for number, (user_id, lang, answers) in enumerate(drafts):
        opened = now - timedelta(days=9 - 3 * number)
        draft = {**new_draft(), **answers, "consent": True}
        values = case_values(draft, user_id=user_id, lang=lang, now=opened, today=opened.date())
        if number == len(drafts) - 1:
            values.update(
                status=CaseStatus.closed.value,
                claimed_by=DEMO_ADMIN,
                claimed_at=opened + timedelta(hours=2),
                first_reply_at=opened + timedelta(hours=3),
                closed_at=opened + timedelta(days=1),
                closed_by=DEMO_ADMIN,
                outcome=CaseOutcome.answered.value,
            )
        conn.execute(insert(CASES).values(**values))


async def pending_posting(
    db: Database, *, owner_id: int, title: str, requirements: str = "能吃苦，会用智能手机"
) -> int:
    """An employer's posting waiting in the review queue (screened as the bot screens it)."""
    from bot.jobs.review import submit_posting

    draft: dict[str, Any] = {
        "employer": "郑州顺达物流有限公司",
        "reg": "",
        "title": title,
        "city": "郑州市",
        "district": "金水区",
        "address": "",
        "metro_line": "1号线",
        "metro_station": "紫荆山站",
        "industry": "logistics",
        "type": "full_time",
        "pay": "5000元/月",
        "hours": "",
        "requirements": requirements,
        "tags": 0,
        "contact": "13800000000",
        "expires": "",
    }
    async with db.session() as session:
        await touch_user(session, user_id=owner_id, language="zh")
        await session.commit()
    async with db.engine.begin() as conn:
        submission = await conn.run_sync(
            lambda sync: submit_posting(
                sync, owner_id=owner_id, draft=draft, now=utcnow(), min_wages={}
            )
        )
    return submission.posting_id


async def flagged_station(db: Database, *, first_reporter: int, nth: int = 0) -> Station:
    """The ``nth`` station (by id), flagged by enough workers' reports."""
    from bot.stations.models import ReportKind, Station
    from bot.stations.search import FLAG_THRESHOLD, add_report

    async with db.session() as session:
        found = await session.exec(select(Station).order_by(col(Station.id)).offset(nth))
        station = found.first()
        assert station is not None
        for reporter in range(first_reporter, first_reporter + FLAG_THRESHOLD):
            await add_report(
                session,
                station_id=station.id or 0,
                reporter_id=reporter,
                kind=ReportKind.no_water,
                text="饮水机坏了",
            )
        await session.commit()
        await session.refresh(station)
        assert station.flagged_at is not None
        return station


async def subscribers(
    db: Database,
    user_ids: Iterable[int],
    *,
    language: str | Callable[[int], str] = "zh",
    chunk: int = 2000,
) -> None:
    """Workers registered for job alerts with no filter (the audience of a broadcast to
    everyone): new user rows and their seeker rows, ``chunk`` of each per statement, in one
    transaction. ``language`` is every worker's, or a function of the worker's id."""
    from bot.jobs.core import SEEKERS

    now = utcnow()
    speaks = language if callable(language) else lambda _user_id: language
    ids = list(user_ids)
    async with db.engine.begin() as conn:
        for first in range(0, len(ids), chunk):
            part = ids[first : first + chunk]
            users = [
                {
                    "id": user_id,
                    "language": speaks(user_id),
                    "roles": [],
                    "consents": {},
                    "first_seen": now,
                    "last_seen": now,
                }
                for user_id in part
            ]
            seekers: list[dict[str, Any]] = [
                {
                    "user_id": user_id,
                    "districts": [],
                    "industries": [],
                    "types": [],
                    "metro_lines": [],
                    "tags": 0,
                    "min_pay": None,
                    "min_pay_unit": None,
                    "alerts": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for user_id in part
            ]
            await conn.execute(insert(USERS), users)
            await conn.execute(insert(SEEKERS), seekers)
