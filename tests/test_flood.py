"""Flood control with the outbound limiter on: bursts counted on arrival, stale backlogs collapsed.

The application runs for real (updates go through its queue and the per-user update processor)
with the outbound limiter switched on but its per-chat periods shortened, and the inbound gate
on a fake clock that moves on only when the bot sends something: each reply "takes" a set number
of seconds to leave, as Telegram's one-message-a-second limit makes it in a private chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from telegram import Update

from bot.app import GongyouApplication, PerUserUpdateProcessor, build_application
from bot.config import Settings
from bot.context import GongyouContext
from bot.core.models import FlowState, Role
from bot.core.users import bootstrap_admins, grant_role, set_flow
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call, LocalBotApi
from bot.ratelimit import OutboundLimiter
from handlers.base import FLOW_HANDLERS
from tests.conftest import TOKEN
from tests.factories import ADMIN_ID, STAFF_ID, WORKER_ID, callback, location, message

OTHER_WORKER_ID = 444_444
#: Methods that put something in the chat (and so wait for the per-chat bucket).
REPLIES = {"sendMessage", "editMessageText", "sendPhoto", "sendLocation", "sendVenue"}


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class LiveBot:
    """The running application, its recording Bot API and the inbound gate's clock."""

    app: GongyouApplication
    api: LocalBotApi
    clock: FakeClock

    async def burst(self, *payloads: dict[str, Any]) -> list[Call]:
        """Let every payload arrive at once, wait until all are handled; the calls they caused."""
        before = len(self.api.calls)
        for payload in payloads:
            self.app.update_queue.put_nowait(Update.de_json(payload, self.app.bot))
        await asyncio.wait_for(self.app.update_queue.join(), timeout=20)
        return self.api.calls[before:]

    async def alone(self, text: str, *, user_id: int = OTHER_WORKER_ID, lang: str = "zh") -> str:
        """What the bot answers to ``text`` from someone with nothing else waiting."""
        before = len(self.api.calls)
        await self.app.process_update(
            Update.de_json(message(text, user_id=user_id, lang=lang), self.app.bot)
        )
        (reply,) = texts(self.api.calls[before:])
        return reply


@asynccontextmanager
async def live_bot(
    db: Database, database_url: str, *, reply_seconds: float = 1.0, **overrides: Any
) -> AsyncIterator[LiveBot]:
    """Start the application with the outbound limiter on; each reply moves the clock."""
    options: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_url": database_url,
        "outbound_rate_limit": True,
        "admin_ids": [ADMIN_ID],
        "default_language": "zh",
        "_env_file": None,
    }
    options.update(overrides)
    settings = Settings(**options)
    api = LocalBotApi(strict=True)
    app = build_application(settings, db=db, request=api, job_queue=False)
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, OutboundLimiter)
    limiter.private_period = 0.03  # Telegram's burst of 3, then one every 10 ms
    processor = app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    clock = FakeClock()
    processor.gate.clock = clock

    def reply_leaves(call: Call) -> None:
        if call.method in REPLIES:
            clock.now += reply_seconds

    api.on_call = reply_leaves
    async with db.session() as session:
        await bootstrap_admins(session, admin_ids=settings.admin_ids)
    await app.initialize()
    await app.start()
    try:
        yield LiveBot(app, api, clock)
    finally:
        await app.stop()
        await app.shutdown()
    assert not api.unexpected, f"unexpected Bot API calls: {api.unexpected}"


def texts(calls: Iterable[Call]) -> list[str]:
    return [c.text for c in calls if c.method == "sendMessage"]


def answers(calls: Iterable[Call]) -> dict[str, list[str]]:
    """Callback query id -> the texts of its answerCallbackQuery calls ("" for a silent one)."""
    found: dict[str, list[str]] = {}
    for c in calls:
        if c.method == "answerCallbackQuery":
            found.setdefault(str(c.params["callback_query_id"]), []).append(
                str(c.params.get("text", ""))
            )
    return found


# A burst


@pytest.mark.parametrize(("lang", "code"), [("zh", "zh-hans"), ("en", "en-GB")])
async def test_a_burst_of_twelve_gets_six_answers_and_one_notice(
    db: Database, database_url: str, lang: str, code: str
) -> None:
    async with live_bot(db, database_url) as bot:
        calls = await bot.burst(*[message("/menu", lang=code) for _ in range(12)])

    assert texts(calls) == [t(lang, "menu")] * 6 + [t(lang, "flood-notice")]


async def test_a_second_burst_within_a_minute_gets_no_second_notice(
    db: Database, database_url: str
) -> None:
    async with live_bot(db, database_url) as bot:
        await bot.burst(*[message("/menu") for _ in range(12)])
        bot.clock.now += 10
        calls = await bot.burst(*[message("/menu") for _ in range(12)])

    assert texts(calls) == [t("zh", "menu")] * 6


async def test_another_worker_is_answered_before_a_burst_is_worked_through(
    db: Database, database_url: str
) -> None:
    async with live_bot(db, database_url, concurrent_updates=2) as bot:
        burst = [message("/menu") for _ in range(12)]
        calls = await bot.burst(*burst[:6], message("/menu", user_id=OTHER_WORKER_ID), *burst[6:])

    chats = [int(c.params["chat_id"]) for c in calls if c.method == "sendMessage"]
    assert chats.count(OTHER_WORKER_ID) == 1
    assert chats.index(OTHER_WORKER_ID) < 4


async def test_staff_are_counted_as_their_updates_are_handled_as_before(
    db: Database, database_url: str
) -> None:
    async with live_bot(db, database_url) as bot:
        calls = await bot.burst(*[message("/menu", user_id=ADMIN_ID) for _ in range(8)])

    assert texts(calls) == [t("zh", "menu")] * 8


# Button presses


async def test_every_pressed_button_in_a_burst_is_answered(
    db: Database, database_url: str
) -> None:
    async with live_bot(db, database_url) as bot:
        presses = [callback("m:menu") for _ in range(12)]
        calls = await bot.burst(*presses)

    answered = answers(calls)
    ids = [p["callback_query"]["id"] for p in presses]
    assert sorted(answered) == sorted(ids)
    assert all(len(answered[i]) == 1 for i in ids)
    assert [answered[i][0] for i in ids[6:]] == [t("zh", "flood-button")] * 6
    assert texts(calls).count(t("zh", "flood-notice")) == 1


async def test_stale_button_presses_are_all_handled(db: Database, database_url: str) -> None:
    async with live_bot(db, database_url, reply_seconds=10) as bot:
        presses = [callback("m:menu") for _ in range(4)]
        calls = await bot.burst(*presses)

    answered = answers(calls)
    assert [answered.get(p["callback_query"]["id"]) for p in presses] == [[""]] * 4
    assert t("zh", "flood-skipped", count=3) not in texts(calls)


# A stale backlog


async def test_a_stale_backlog_is_collapsed_to_the_latest_message(
    db: Database, database_url: str
) -> None:
    async with live_bot(db, database_url, reply_seconds=10) as bot:
        calls = await bot.burst(
            message("你好"),
            message("加班费怎么算"),
            message("工伤怎么办"),
            message("最低工资是多少"),
            message("我想找工作"),
        )
        first, latest = await bot.alone("你好"), await bot.alone("我想找工作")

    assert texts(calls) == [first, t("zh", "flood-skipped", count=3), latest]


async def test_messages_answered_in_time_are_not_collapsed(
    db: Database, database_url: str
) -> None:
    async with live_bot(db, database_url, reply_seconds=1) as bot:
        calls = await bot.burst(message("你好"), message("加班费怎么算"), message("我想找工作"))
        expected = [await bot.alone(text) for text in ("你好", "加班费怎么算", "我想找工作")]

    assert texts(calls) == expected


async def test_a_stale_shared_location_is_still_answered(db: Database, database_url: str) -> None:
    async with live_bot(db, database_url, reply_seconds=10) as bot:
        calls = await bot.burst(
            message("hello", lang="en-GB"),
            location(34.75, 113.62, lang="en-GB"),
            message("overtime pay", lang="en-GB"),
            message("I want a job", lang="en-GB"),
        )
        latest = await bot.alone("I want a job", lang="en-GB")

    sent = texts(calls)
    assert sent[-2:] == [t("en", "flood-skipped", count=1), latest]
    assert len(sent) > 3  # the greeting and the answer to the location come first


async def test_the_backlog_setting_zero_answers_every_message(
    db: Database, database_url: str
) -> None:
    async with live_bot(db, database_url, reply_seconds=10, flood_backlog_s=0) as bot:
        calls = await bot.burst(message("你好"), message("加班费怎么算"), message("我想找工作"))
        expected = [await bot.alone(text) for text in ("你好", "加班费怎么算", "我想找工作")]

    assert texts(calls) == expected


async def test_a_worker_in_a_flow_has_every_message_handled(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def echo(update: Update, context: GongyouContext, state: FlowState) -> None:
        assert update.effective_message is not None
        await context.reply(update, "cancel-done")

    monkeypatch.setitem(FLOW_HANDLERS, "test_echo", echo)
    async with db.session() as session:
        await set_flow(session, user_id=WORKER_ID, flow="test_echo", step="start", data={})
        await session.commit()
    async with live_bot(db, database_url, reply_seconds=10) as bot:
        calls = await bot.burst(message("一"), message("二"), message("三"))

    assert texts(calls) == [t("zh", "cancel-done")] * 3


async def test_staff_messages_are_never_collapsed(db: Database, database_url: str) -> None:
    async with db.session() as session:
        await grant_role(session, actor_id=ADMIN_ID, user_id=STAFF_ID, role=Role.staff)
        await session.commit()
    async with live_bot(db, database_url, reply_seconds=10) as bot:
        calls = await bot.burst(
            *[message(text, user_id=STAFF_ID) for text in ("你好", "你好", "你好")]
        )
        expected = await bot.alone("你好")

    assert texts(calls) == [expected] * 3
