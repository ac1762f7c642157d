"""The real polling loop over HTTP: PTB's Updater and HTTPXRequest against a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import GongyouApplication, build_application
from bot.config import Settings
from bot.core.models import ProcessedUpdate, User
from bot.db import Database
from bot.i18n import t
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
    """The bot as it runs in polling mode, started the way PTB's run_polling starts it."""
    application = build_application(
        settings.model_copy(update={"api_base_url": api.base_url}), db=db
    )
    assert application.updater is not None
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.updater.start_polling(
            poll_interval=0, timeout=1, drop_pending_updates=False
        )
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()


async def test_polling_starts_by_removing_the_webhook_and_setting_the_command_menu(
    polling_app: GongyouApplication, api: FakeBotApi
) -> None:
    await api.wait_for("getUpdates")

    methods = [c.method for c in api.calls]
    assert methods[0] == "getMe"
    assert methods.count("setMyCommands") == 2
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    [delete] = api.sent("deleteWebhook")
    assert not delete.params.get("drop_pending_updates")


async def test_a_start_message_fetched_by_polling_gets_the_welcome_and_main_menu(
    polling_app: GongyouApplication, api: FakeBotApi, db: Database
) -> None:
    update = factories.message("/start")
    api.enqueue(update)

    [sent] = await api.wait_for("sendMessage")

    assert sent.params["chat_id"] == factories.WORKER_ID
    assert sent.text == WELCOME
    assert "m:jobs" in sent.callback_data
    async with db.session() as session:
        user = await session.get(User, factories.WORKER_ID)
        claimed = await session.get(ProcessedUpdate, update["update_id"])
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
        claimed = (await session.exec(select(ProcessedUpdate.update_id))).all()
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
        claimed = (await session.exec(select(ProcessedUpdate.update_id))).all()
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
