"""The pipeline bench's stack floor does the work it claims, and its figures are checked.

The floor (``bench/pipeline.py``) is the baseline the throughput targets are read against: the
bot's libraries storing each update, reading or writing its sender, replying and marking it
done. A floor that skipped part of that work would make the bot look slow, so these tests hold
it to its description on both databases.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from telegram import Update
from telegram.ext import ApplicationBuilder

from bench.pipeline import (
    FLOOR_INBOX,
    FLOOR_NAME,
    FLOOR_USERS,
    MEASURED_UPDATE_ID,
    MEASURED_USER_ID,
    TOKEN,
    FloorStore,
    PayloadFactory,
    RunResult,
    Timing,
    check_answers,
    floor_app,
    run_floor,
    targets,
)
from bot.localapi import LocalBotApi


def _payloads(count: int = 30, users: int = 6) -> list[dict]:
    return PayloadFactory(7).batch(
        count, users, first_update=MEASURED_UPDATE_ID, first_user=MEASURED_USER_ID
    )


async def test_floor_stores_every_update_answers_it_and_marks_it_done(database_url: str) -> None:
    payloads = _payloads()
    store = FloorStore(database_url)
    await store.create()
    api = LocalBotApi()
    app = floor_app(
        ApplicationBuilder().token(TOKEN).request(api).updater(None).job_queue(None), store
    )
    await app.initialize()
    try:
        for payload in payloads:
            await app.process_update(Update.de_json(payload, app.bot))
        async with store.engine.connect() as conn:
            stored = (
                await conn.execute(select(FLOOR_INBOX.c.update_id, FLOOR_INBOX.c.done))
            ).all()
            people = await conn.scalar(select(func.count()).select_from(FLOOR_USERS))
    finally:
        await app.shutdown()
        await store.close()
    assert sorted(row.update_id for row in stored) == [p["update_id"] for p in payloads]
    assert all(row.done for row in stored)
    senders = {(p.get("message") or p.get("callback_query"))["from"]["id"] for p in payloads}
    assert people == len(senders)
    texts = [p["message"]["text"] for p in payloads if "message" in p]
    echoes = [call.text for call in api.calls if call.method == "sendMessage"]
    assert echoes == texts
    presses = sum(1 for p in payloads if "callback_query" in p)
    assert sum(1 for call in api.calls if call.method == "answerCallbackQuery") == presses
    assert store.errors == 0


async def test_a_floor_run_is_checked_and_reported_beside_the_targets(database_url: str) -> None:
    warmup = _payloads(5, 2)
    for number, payload in enumerate(warmup):
        payload["update_id"] = 1 + number
    payloads = _payloads()
    floor = await run_floor(database_url, warmup, payloads)
    assert floor.name == FLOOR_NAME
    assert len(floor.timing.latencies) == len(payloads)
    assert check_answers([floor], payloads) == []

    # a floor that fails (here: the same updates fed twice hit the inbox's key) is flagged
    again = await run_floor(database_url, payloads, payloads)
    assert again.errors == len(payloads)
    warnings = check_answers([again], payloads)
    assert len(warnings) == 1
    assert "stack floor" in warnings[0]

    bare = RunResult("bare PTB echo", Timing([0.001] * 10, 0.01, 0.01), Counter())
    gongyou = RunResult("gongyou", Timing([0.002] * 10, 0.02, 0.02), Counter(), database="sqlite")
    floor.database = "sqlite"
    rows = {row["target"]: row for row in targets([gongyou, floor, bare])}
    first = rows["sqlite process_update updates/s >= 1000"]
    assert first["value"] == 500.0
    assert first["met"] is False
    assert first["stack_floor"] == round(floor.rate, 2)
    assert rows["sqlite process_update share of bare >= 0.5"]["value"] == 0.5
