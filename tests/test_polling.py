"""The real polling loop over HTTP: `bot.polling` and HTTPXRequest against a fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select
from telegram import Bot
from telegram.request import BaseRequest

from bot.app import GongyouApplication, build_application
from bot.config import Settings
from bot.core import inbox
from bot.core.models import InboxItem, InboxState, User
from bot.db import Database
from bot.i18n import t
from bot.localapi import BOT_USER
from bot.polling import poll, serve_polling
from bot.ratelimit import UpdatesRequest
from tests import factories
from tests.fake_botapi import FakeBotApi

WELCOME = t("zh", "welcome")


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[FakeBotApi]:
    """A fake Bot API for the test bot's token."""
    async with FakeBotApi(settings.require_token()) as server:
        yield server
    assert not server.unexpected, f"unexpected Bot API calls: {server.unexpected}"


@pytest.fixture
async def polling_app(
    settings: Settings, db: Database, api: FakeBotApi, no_proxy: None
) -> AsyncIterator[GongyouApplication]:
    """The bot as it runs in polling mode: started as `serve_polling` starts it."""
    application = build_application(
        settings.model_copy(update={"api_base_url": api.base_url}), db=db, updater=False
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve_polling(application, stop=stop, long_poll=1))
    try:
        await api.wait_for("getUpdates")
        yield application
    finally:
        stop.set()
        await running


async def test_polling_starts_with_getupdates_and_sets_the_command_menu_beside_it(
    polling_app: GongyouApplication, api: FakeBotApi
) -> None:
    await api.wait_for("getUpdates")
    await api.wait_for("setMyCommands", count=2)  # set beside the first getUpdates

    methods = [c.method for c in api.calls]
    assert methods[0] == "getMe"
    assert methods.count("setMyCommands") == 2
    assert "deleteWebhook" not in methods  # there is no webhook to delete


async def _polling(settings: Settings, db: Database, api: FakeBotApi) -> AsyncIterator[None]:
    application = build_application(
        settings.model_copy(update={"api_base_url": api.base_url}), db=db, updater=False
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve_polling(application, stop=stop, long_poll=1))
    try:
        yield
    finally:
        stop.set()
        await running


async def test_a_bot_that_had_a_webhook_deletes_it_when_telegram_refuses_to_poll(
    settings: Settings, db: Database, api: FakeBotApi, no_proxy: None
) -> None:
    api.webhook = "https://old.example.org/telegram"
    async with contextlib.asynccontextmanager(_polling)(settings, db, api):
        api.enqueue(factories.message("/start"))
        [sent] = await api.wait_for("sendMessage")
    assert sent.text == WELCOME
    polls = [c.method for c in api.calls if c.method in ("getMe", "getUpdates", "deleteWebhook")]
    assert polls[:4] == ["getMe", "getUpdates", "deleteWebhook", "getUpdates"]
    [delete] = api.sent("deleteWebhook")
    assert not delete.params.get("drop_pending_updates")  # nothing waiting is dropped
    assert api.webhook == ""


async def test_another_poller_of_the_same_bot_is_waited_out_not_answered_by_deleting(
    settings: Settings, db: Database, api: FakeBotApi, no_proxy: None
) -> None:
    api.refuse_polls = 1  # "terminated by other getUpdates request", once
    async with contextlib.asynccontextmanager(_polling)(settings, db, api):
        api.enqueue(factories.message("/start"))
        await api.wait_for("sendMessage", within=10)
    assert "deleteWebhook" not in [c.method for c in api.calls]


async def test_a_start_message_fetched_by_polling_gets_the_welcome_and_main_menu(
    polling_app: GongyouApplication, api: FakeBotApi, db: Database
) -> None:
    update = factories.message("/start")
    api.enqueue(update)

    [sent] = await api.wait_for("sendMessage")

    assert sent.params["chat_id"] == factories.WORKER_ID
    assert sent.text == WELCOME
    assert "m:jobs" in sent.callback_data
    await all_done(db, 1)  # on PostgreSQL the handling commits after its reply
    async with db.session() as session:
        user = await session.get(User, factories.WORKER_ID)
        claimed = await session.get(InboxItem, update["update_id"])
    assert user is not None
    assert user.language == "zh"
    assert claimed is not None


async def test_a_menu_button_pressed_while_polling_is_answered_and_opens_the_service(
    polling_app: GongyouApplication, api: FakeBotApi, db: Database
) -> None:
    start = factories.message("/start")
    press = factories.callback("m:jobs")
    api.enqueue(start)
    api.enqueue(press)

    [answer] = await api.wait_for("answerCallbackQuery")
    sent = await api.wait_for("sendMessage", count=2)

    assert answer.params["callback_query_id"] == press["callback_query"]["id"]
    assert sent[0].text == WELCOME
    assert sent[1].text == t("zh", "jobs-menu")
    async with db.session() as session:
        users = (await session.exec(select(User))).all()
        claimed = (await session.exec(select(InboxItem.update_id))).all()
    assert [u.id for u in users] == [factories.WORKER_ID]
    assert sorted(claimed) == sorted([start["update_id"], press["update_id"]])


async def test_polling_confirms_fetched_updates_with_the_next_offset(
    polling_app: GongyouApplication, api: FakeBotApi
) -> None:
    update = factories.message("/start")
    api.enqueue(update)
    await api.wait_for("sendMessage")

    await api.wait_until(
        lambda: any(
            c.params.get("offset") == update["update_id"] + 1 for c in api.sent("getUpdates")
        ),
        what="a getUpdates confirming the update",
    )
    assert api.delivered == [update["update_id"]]


async def test_an_update_redelivered_by_get_updates_is_answered_once(
    polling_app: GongyouApplication, api: FakeBotApi, db: Database
) -> None:
    update = factories.message("/start")
    api.enqueue(update)
    await api.wait_for("sendMessage")

    api.redeliver(update)
    await api.wait_until(
        lambda: api.delivered.count(update["update_id"]) == 2, what="the redelivery"
    )
    # The same user's updates are handled in order: once /menu is answered, the copy was seen.
    api.enqueue(factories.message("/menu"))
    sent = await api.wait_for("sendMessage", count=2)

    assert [c.text for c in sent] == [WELCOME, t("zh", "menu")]
    async with db.session() as session:
        claimed = (await session.exec(select(InboxItem.update_id))).all()
    assert update["update_id"] in claimed
    assert len(claimed) == 2


async def test_an_update_repeated_within_one_get_updates_batch_is_answered_once(
    polling_app: GongyouApplication, api: FakeBotApi
) -> None:
    update = factories.message("/start")
    api.enqueue(update)
    api.enqueue(update)
    api.enqueue(factories.message("/menu"))

    sent = await api.wait_for("sendMessage", count=2)

    assert api.delivered[:2] == [update["update_id"]] * 2
    assert [c.text for c in sent] == [WELCOME, t("zh", "menu")]


# The inbox: a fetched batch is stored before the next getUpdates confirms it


async def stored(db: Database) -> list[InboxItem]:
    async with db.session() as session:
        return list((await session.exec(select(InboxItem).order_by(InboxItem.update_id))).all())


async def all_done(db: Database, count: int) -> list[InboxItem]:
    """The inbox rows once ``count`` of them are marked done (fails the test after 5 s)."""
    async with asyncio.timeout(5):
        while True:
            rows = await stored(db)
            if sum(r.state == InboxState.done.value for r in rows) >= count:
                return rows
            await asyncio.sleep(0.01)


async def test_updates_stored_before_a_crash_are_handled_once_when_the_bot_starts_again(
    settings: Settings, db: Database, api: FakeBotApi, no_proxy: None
) -> None:
    config = settings.model_copy(update={"api_base_url": api.base_url})
    start, menu = factories.message("/start"), factories.message("/menu")
    api.enqueue(start)
    api.enqueue(menu)
    # This process fetches and stores the batch, then dies before handling any of it.
    crashed = build_application(config, db=db, updater=False, job_queue=False)
    await crashed.initialize()
    poller = asyncio.create_task(poll(crashed, long_poll=1))
    await api.wait_until(
        lambda: any(
            c.params.get("offset") == menu["update_id"] + 1 for c in api.sent("getUpdates")
        ),
        what="the batch to be confirmed",
    )
    poller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poller
    await crashed.shutdown()
    assert api.sent("sendMessage") == []
    rows = await stored(db)
    assert [r.state for r in rows] == [InboxState.new.value] * 2
    # stored as Telegram sent them, not as python-telegram-bot would write them back
    assert [r.raw for r in rows] == [start, menu]

    for _ in range(2):  # started again, and once more: each update is answered once
        restarted = build_application(config, db=db, updater=False, job_queue=False)
        stop = asyncio.Event()
        running = asyncio.create_task(serve_polling(restarted, stop=stop, long_poll=1))
        try:
            sent = await api.wait_for("sendMessage", count=2)
            rows = await all_done(db, 2)
        finally:
            stop.set()
            await running

    assert [c.text for c in sent] == [WELCOME, t("zh", "menu")]
    assert len(api.sent("sendMessage")) == 2
    assert [(r.update_id, r.attempts) for r in rows] == [
        (start["update_id"], 1),
        (menu["update_id"], 1),
    ]
    assert api.delivered == [start["update_id"], menu["update_id"]]


async def test_a_fetched_batch_the_database_cannot_store_is_fetched_again_and_answered_once(
    polling_app: GongyouApplication,
    api: FakeBotApi,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    update = factories.message("/start")
    store = inbox.accept
    failures = [ConnectionRefusedError("database is down")]

    def flaky(*args: Any, **kwargs: Any) -> set[int]:
        if failures:
            raise failures.pop()
        return store(*args, **kwargs)

    monkeypatch.setattr(inbox, "accept", flaky)
    api.enqueue(update)

    [sent] = await api.wait_for("sendMessage")
    rows = await all_done(db, 1)

    assert api.delivered == [update["update_id"]] * 2  # not confirmed until it was stored
    assert sent.text == WELCOME
    assert [(r.update_id, r.attempts) for r in rows] == [(update["update_id"], 1)]


class _Answers(BaseRequest):
    """Answers getUpdates with the batch given, anything else as getMe."""

    def __init__(self, batch: list[dict[str, Any]]) -> None:
        self.batch = batch

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, *_args: Any, **_kwargs: Any) -> tuple[int, bytes]:
        result = self.batch if url.endswith("/getUpdates") else BOT_USER
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def test_the_fetched_json_is_used_only_for_the_batch_it_came_with() -> None:
    start, menu = factories.message("/start"), factories.message("/menu")
    request = UpdatesRequest(_Answers([start, menu]))
    async with Bot("1:T", request=request, get_updates_request=request) as bot:
        updates = await bot.get_updates()
        assert request.fetched(updates) == [start, menu]
        assert request.fetched(updates[:1]) is None  # not the batch fetched
        assert request.fetched(list(reversed(updates))) is None
        await bot.get_me()  # another call: the batch is no longer at hand
        assert request.fetched(updates) is None
