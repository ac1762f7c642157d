"""Messages per day by service (`bot.core.usage`): each update is counted once, by the service
that handled it, on the union's calendar day; replicas' counts add up in `service_days`; a
failed write keeps them; the dashboard charts them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.core.usage import SERVICE_DAYS, UsageCounts
from bot.db import Database
from bot.localapi import LocalBotApi
from bot.panel.dashboard import count_figures
from tests.conftest import Harness
from tests.factories import message


async def _stored(db: Database) -> dict[tuple[date, str], int]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(SERVICE_DAYS))
        return {(row.day, row.service): row.updates for row in rows}


async def test_each_update_is_counted_once_by_the_service_that_handled_it(
    harness: Harness,
) -> None:
    usage = harness.app.usage
    assert usage is not None
    for text in ("/jobs", "/jobs", "/legal", "/help"):
        await harness.feed(message(text))
    again = message("/jobs", update_id=9_000_001)
    await harness.feed(again)
    await harness.feed(again)  # delivered twice by Telegram: handled, and counted, once
    assert await usage.flush(harness.db) == 5
    today = datetime.now(ZoneInfo(harness.app.bot_data["services"].settings.timezone)).date()
    stored = await _stored(harness.db)
    assert stored[(today, "jobs")] == 3
    assert stored[(today, "legal")] == 1
    assert sum(stored.values()) == 5
    assert {day for day, _service in stored} == {today}
    assert await usage.flush(harness.db) == 0  # nothing new: nothing written


async def test_replicas_add_up_and_a_day_is_the_unions_calendar_day(db: Database) -> None:
    late = datetime(2026, 12, 5, 17, 30, tzinfo=UTC)  # 01:30 on the 6th in Shanghai
    first, second = UsageCounts("Asia/Shanghai"), UsageCounts("Asia/Shanghai")
    first.note("legal", late)
    first.note("legal", late)
    second.note("legal", late)
    second.note("station", datetime(2026, 12, 5, 15, 0, tzinfo=UTC))  # 23:00 on the 5th
    await first.flush(db)
    await second.flush(db)
    assert await _stored(db) == {
        (date(2026, 12, 6), "legal"): 3,
        (date(2026, 12, 5), "station"): 1,
    }


async def test_a_failed_write_keeps_the_counts_for_the_next(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = UsageCounts("Asia/Shanghai")
    day = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    usage.note("jobs", day)
    real = db.transact

    async def down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("the database is away")

    monkeypatch.setattr(db, "transact", down)
    with pytest.raises(ConnectionError):
        await usage.flush(db)
    usage.note("jobs", day)  # noted meanwhile
    monkeypatch.setattr(db, "transact", real)
    assert await usage.flush(db) == 2
    assert await _stored(db) == {(date(2026, 12, 6), "jobs"): 2}


async def test_a_running_bot_writes_its_counts_when_it_stops(
    settings: Settings, db: Database
) -> None:
    app = build_application(settings, db=db, request=LocalBotApi(), job_queue=False)
    await app.initialize()
    await app.start()
    try:
        await app.process_update(Update.de_json(message("/legal"), app.bot))
    finally:
        await app.stop()
        await app.shutdown()
    assert sum(n for (_day, service), n in (await _stored(db)).items() if service == "legal") == 1


async def test_the_dashboard_charts_messages_by_service_with_the_rest_as_other(
    db: Database,
) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)  # noon on the 6th
    usage = UsageCounts("Asia/Shanghai")
    for service, n in (("legal", 3), ("router:faq", 2), ("union", 1), ("match", 4)):
        for _ in range(n):
            usage.note(service, now)
    usage.note("jobs", datetime(2026, 12, 4, 4, 0, tzinfo=UTC))
    usage.note("jobs", datetime(2026, 9, 1, 4, 0, tzinfo=UTC))  # before the 30 days
    await usage.flush(db)
    async with db.engine.connect() as conn:
        figures = await conn.run_sync(
            lambda sync: count_figures(sync, days=30, zone=zone, now=now)
        )
    assert figures.days[-1] == date(2026, 12, 6)
    assert figures.messages["legal"][-1] == 3
    assert figures.messages["match"][-1] == 4
    assert figures.messages["other"][-1] == 3
    assert figures.messages["jobs"][-3:] == [1, 0, 0]
    assert sum(figures.messages["jobs"]) == 1
    assert sum(figures.messages["station"]) == 0
