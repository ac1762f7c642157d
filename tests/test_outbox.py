"""The outbox: queued in the deciding transaction, sent once, resent once after a crash."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bot.app import encoders
from bot.core import outbox
from bot.core.lease import LEASES
from bot.core.models import OutboxState
from bot.core.outbox import OUTBOX, OutboxSender
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from handlers.notifier import TelegramNotifier
from handlers.outbox import SENDER_TASK, start_sender, stop_sender
from tests.conftest import Harness
from tests.factories import WORKER_ID, callback, message

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Sleeps:
    """Records the sender's waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _notifier(harness: Harness) -> TelegramNotifier:
    return TelegramNotifier(harness.app.bot, encoders())


def _sender(harness: Harness, clock: Clock, **kwargs: Any) -> OutboxSender:
    options: dict[str, Any] = {"owner": "replica-a", "clock": clock, "sleep": Sleeps()}
    options.update(kwargs)
    return OutboxSender(_notifier(harness), harness.db, **options)


async def _put(db: Database, key: str = "test:1", **fields: Any) -> bool:
    values: dict[str, Any] = {"chat_id": WORKER_ID, "kind": "test", "text": "你好", "now": NOW}
    values.update(fields)
    return bool(await db.transact(outbox.put, key=key, **values))


async def _rows(db: Database) -> dict[str, dict[str, Any]]:
    async with db.engine.connect() as conn:
        found = (await conn.execute(select(OUTBOX))).mappings().all()
    return {str(row["key"]): dict(row) for row in found}


def _sent(harness: Harness, text: str = "你好") -> list[Call]:
    """Messages Telegram took (failed calls are recorded too, without a result)."""
    return [c for c in harness.api.sent("sendMessage") if c.text == text and c.result is not None]


async def _drain(sender: OutboxSender, steps: int = 10) -> None:
    for _ in range(steps):
        if await sender.step() == 0:
            return


# --- queuing ----------------------------------------------------------------------------------


async def test_put_is_idempotent_by_key(db: Database) -> None:
    assert await _put(db, "case-opened:1")
    assert not await _put(db, "case-opened:1", text="another text")

    rows = await _rows(db)
    assert list(rows) == ["case-opened:1"]
    assert rows["case-opened:1"]["text"] == "你好"
    assert rows["case-opened:1"]["state"] == "pending"


async def test_put_joins_the_callers_transaction(db: Database) -> None:
    def queue_then_fail(conn: Connection) -> None:
        outbox.put(conn, key="k:1", chat_id=WORKER_ID, kind="test", text="x")
        raise RuntimeError("the decision is rolled back")

    with contextlib.suppress(RuntimeError):
        await db.transact(queue_then_fail)
    assert await _rows(db) == {}


async def test_put_in_queues_in_an_orm_session(db: Database) -> None:
    async with db.session() as session:
        assert await outbox.put_in(
            session, key="k:2", chat_id=WORKER_ID, kind="test", text="x", now=NOW
        )
        await session.commit()
    assert list(await _rows(db)) == ["k:2"]


# --- sending ----------------------------------------------------------------------------------


async def test_a_row_is_sent_once(harness: Harness) -> None:
    await _put(harness.db)
    clock = Clock()

    states = await outbox.deliver(harness.db, _notifier(harness), ["test:1"], clock=clock)
    again = await outbox.deliver(harness.db, _notifier(harness), ["test:1"], clock=clock)
    await _drain(_sender(harness, clock))

    assert states == {"test:1": OutboxState.sent}
    assert again == {}
    assert len(_sent(harness)) == 1
    row = (await _rows(harness.db))["test:1"]
    assert (row["state"], row["attempts"], row["sent_at"]) == ("sent", 1, NOW)


async def test_stored_buttons_and_parse_mode_reach_the_bot_api(harness: Harness) -> None:
    await _put(
        harness.db,
        text="<b>你好</b>",
        parse_mode="HTML",
        markup={"inline_keyboard": [[{"text": "菜单", "callback_data": "m:menu"}]]},
    )

    await outbox.deliver(harness.db, _notifier(harness), ["test:1"], clock=Clock())

    [call] = harness.api.sent("sendMessage")
    assert call.params["parse_mode"] == "HTML"
    assert call.callback_data == ["m:menu"]


async def test_the_sender_sends_what_is_due(harness: Harness) -> None:
    await _put(harness.db, "a:1")
    await _put(harness.db, "a:2", text="再见")

    await _drain(_sender(harness, Clock()))

    assert len(_sent(harness)) == 1
    assert len(_sent(harness, "再见")) == 1
    assert {row["state"] for row in (await _rows(harness.db)).values()} == {"sent"}


async def test_not_before_is_respected(harness: Harness) -> None:
    clock = Clock()
    await _put(harness.db, not_before=NOW + timedelta(hours=5))

    assert await outbox.deliver(harness.db, _notifier(harness), ["test:1"], clock=clock) == {}
    sender = _sender(harness, clock)
    await _drain(sender)
    assert _sent(harness) == []

    clock.advance(5 * 3600)
    await _drain(sender)
    assert len(_sent(harness)) == 1


async def test_403_marks_the_row_blocked_and_runs_the_kinds_hooks(harness: Harness) -> None:
    seen: list[int] = []
    outbox.on_blocked("test-blocked", lambda conn, chat_id: seen.append(chat_id))
    await _put(harness.db, kind="test-blocked")
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    states = await outbox.deliver(harness.db, _notifier(harness), ["test:1"], clock=Clock())
    await _drain(_sender(harness, Clock(NOW + timedelta(hours=1))))

    assert states == {"test:1": OutboxState.blocked}
    assert seen == [WORKER_ID]
    assert (await _rows(harness.db))["test:1"]["state"] == "blocked"
    assert _sent(harness) == []


async def test_429_waits_as_told_then_sends(harness: Harness) -> None:
    clock = Clock()
    sleeps = Sleeps()
    sender = _sender(harness, clock, sleep=sleeps)
    await _put(harness.db, "a:1")
    await _put(harness.db, "a:2")
    harness.api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=7)

    await sender.step()

    assert sleeps.waits == [7]
    rows = await _rows(harness.db)
    assert rows["a:1"]["state"] == "pending"
    assert rows["a:1"]["not_before"] == NOW + timedelta(seconds=7)
    assert rows["a:1"]["attempts"] == 0
    assert rows["a:2"]["state"] == "pending"  # given back untried
    await _drain(sender)
    assert len(_sent(harness)) == 1  # a:2 went; a:1 waits for its time
    clock.advance(7)
    await _drain(sender)
    assert len(_sent(harness)) == 2
    assert {row["state"] for row in (await _rows(harness.db)).values()} == {"sent"}


async def test_a_server_error_is_retried_with_backoff(harness: Harness) -> None:
    clock = Clock()
    await _put(harness.db)
    harness.api.fail_next("sendMessage", 502, "Bad Gateway")
    sender = _sender(harness, clock)

    await _drain(sender)
    row = (await _rows(harness.db))["test:1"]
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert row["not_before"] == NOW + outbox.BACKOFF_FIRST

    clock.advance(outbox.BACKOFF_FIRST.total_seconds())
    await _drain(sender)
    assert (await _rows(harness.db))["test:1"]["state"] == "sent"
    assert len(_sent(harness)) == 1


async def test_a_rejected_message_fails_with_the_reason(harness: Harness) -> None:
    await _put(harness.db)
    harness.api.fail_next("sendMessage", 400, "Bad Request: chat not found")

    await _drain(_sender(harness, Clock()))

    row = (await _rows(harness.db))["test:1"]
    assert row["state"] == "failed"
    assert "chat not found" in row["last_error"].lower()


# --- crashes ----------------------------------------------------------------------------------


async def _left_sending(db: Database, *, by: str, at: datetime, doubtful: bool = False) -> None:
    """A row a sender marked ``sending`` and never settled (it stopped)."""
    await _put(db)
    async with db.engine.begin() as conn:
        await conn.execute(
            update(OUTBOX).values(state="sending", claimed_by=by, claimed_at=at, doubtful=doubtful)
        )


async def _lease(db: Database, owner: str, until: datetime) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(LEASES).values(name=outbox.LEASE_NAME, owner=owner, expires_at=until)
        )


async def test_a_row_left_sending_by_a_stopped_sender_is_resent_once(harness: Harness) -> None:
    clock = Clock()
    await _left_sending(harness.db, by="replica-dead", at=NOW)
    await _lease(harness.db, "replica-dead", NOW + timedelta(seconds=30))
    sender = _sender(harness, clock)

    assert await sender.step() == 0  # the stopped sender's lease has not run out yet
    clock.advance(31)
    await _drain(sender)
    await _drain(_sender(harness, clock, owner="replica-c"))

    row = (await _rows(harness.db))["test:1"]
    assert row["state"] == "resent"
    assert row["doubtful"] is True
    assert len(_sent(harness)) == 1


async def test_a_row_left_sending_long_ago_is_resent_by_the_lease_holder(
    harness: Harness,
) -> None:
    clock = Clock()
    sender = _sender(harness, clock)
    await sender.step()  # holds the lease
    await _left_sending(harness.db, by="replica-other", at=NOW)

    await _drain(sender)
    assert (await _rows(harness.db))["test:1"]["state"] == "sending"  # maybe still in flight

    clock.advance(outbox.STALE_AFTER.total_seconds())
    await _drain(sender)
    assert (await _rows(harness.db))["test:1"]["state"] == "resent"
    assert len(_sent(harness)) == 1


async def test_a_row_cut_off_twice_is_failed_not_sent_a_third_time(harness: Harness) -> None:
    clock = Clock()
    await _left_sending(harness.db, by="replica-dead", at=NOW, doubtful=True)
    await _lease(harness.db, "replica-dead", NOW)

    await _drain(_sender(harness, clock))

    row = (await _rows(harness.db))["test:1"]
    assert row["state"] == "failed"
    assert "may have arrived" in row["last_error"]
    assert _sent(harness) == []


async def test_a_send_cut_off_mid_request_is_sent_once_more_by_the_next_process(
    harness: Harness,
) -> None:
    class Hanging(TelegramNotifier):
        """Sends, then never returns (the process dies before the mark)."""

        async def send_stored(self, *args: Any, **kwargs: Any) -> None:
            await super().send_stored(*args, **kwargs)
            await asyncio.Event().wait()

    clock = Clock()
    await _put(harness.db)
    dying = OutboxSender(
        Hanging(harness.app.bot, encoders()), harness.db, owner="replica-a", clock=clock
    )
    step = asyncio.create_task(dying.step())
    for _ in range(500):
        if _sent(harness):
            break
        await asyncio.sleep(0.01)
    step.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await step
    assert (await _rows(harness.db))["test:1"]["state"] == "sending"

    clock.advance(31)  # the dead process's lease runs out
    await _drain(_sender(harness, clock, owner="replica-b"))

    assert (await _rows(harness.db))["test:1"]["state"] == "resent"
    assert len(_sent(harness)) == 2  # at least once; at most one duplicate


async def test_settled_rows_are_pruned_after_a_week(harness: Harness) -> None:
    await _put(harness.db, "old:sent")
    await _put(harness.db, "old:pending", not_before=NOW + timedelta(days=30))
    clock = Clock()
    await outbox.deliver(harness.db, _notifier(harness), ["old:sent"], clock=clock)

    clock.advance(outbox.KEEP_SETTLED.total_seconds() + 1)
    await _sender(harness, clock).step()

    assert set(await _rows(harness.db)) == {"old:pending"}


# --- /forget, and the sender beside the bot ---------------------------------------------------


async def test_forget_deletes_the_users_pending_and_settled_rows(harness: Harness) -> None:
    await harness.feed(message("/start"))
    await _put(harness.db, "mine:pending", not_before=NOW + timedelta(days=3650))
    await _put(harness.db, "mine:sent")
    await outbox.deliver(harness.db, _notifier(harness), ["mine:sent"], clock=Clock())
    await _put(harness.db, "theirs", chat_id=WORKER_ID + 1, not_before=NOW + timedelta(days=3650))

    await harness.feed(message("/forget"))
    calls = await harness.feed(callback("forget:yes"))

    assert set(await _rows(harness.db)) == {"theirs"}
    assert any(t("zh", "ob-forget-item") in c.text for c in calls if c.method == "sendMessage")


async def test_the_sender_runs_beside_the_bot_and_is_woken_by_deliver(harness: Harness) -> None:
    from handlers.outbox import SENDER

    start_sender(harness.app)
    try:
        assert harness.app.bot_data[SENDER_TASK] is not None
        sender: OutboxSender = harness.app.bot_data[SENDER]
        await _put(harness.db, not_before=datetime.now(UTC) - timedelta(seconds=1))
        sender.wake()
        for _ in range(500):
            if _sent(harness):
                break
            await asyncio.sleep(0.01)
    finally:
        await stop_sender(harness.app)
    assert SENDER_TASK not in harness.app.bot_data
    assert len(_sent(harness)) == 1
    async with harness.db.engine.connect() as conn:
        expires = (
            await conn.execute(
                select(LEASES.c.expires_at).where(LEASES.c.name == outbox.LEASE_NAME)
            )
        ).scalar_one()
    assert expires <= datetime.now(UTC)  # given up on stopping
