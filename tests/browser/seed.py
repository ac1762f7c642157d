"""Records the browser tests and the screenshots add to the demo data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from bot.core.models import utcnow
from bot.core.users import USERS, touch_user
from bot.db import Database
from bot.jobs.core import SEEKERS
from bot.jobs.review import submit_posting
from bot.stations.models import ReportKind, Station
from bot.stations.search import FLAG_THRESHOLD, add_report


async def pending_posting(
    db: Database, *, owner_id: int, title: str, requirements: str = "能吃苦，会用智能手机"
) -> int:
    """An employer's posting waiting in the review queue (screened as the bot screens it)."""
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
    """The ``nth`` demo station, flagged by enough workers' reports."""
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


async def subscribers(db: Database, user_ids: Iterable[int], *, language: str = "zh") -> None:
    """Workers registered for job alerts (the audience of a broadcast to everyone)."""
    now = utcnow()
    ids = list(user_ids)
    users = [
        {
            "id": user_id,
            "language": language,
            "roles": [],
            "consents": {},
            "first_seen": now,
            "last_seen": now,
        }
        for user_id in ids
    ]
    seekers = [
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
        for user_id in ids
    ]
    async with db.engine.begin() as conn:
        await conn.execute(insert(USERS), users)
        await conn.execute(insert(SEEKERS), seekers)
