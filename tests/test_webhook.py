"""The aiohttp app over HTTP: webhook secret, update handling, health, readiness and metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select
from telegram import Update

import bot.app
from bot import metrics
from bot.app import GongyouApplication, build_application
from bot.config import Settings
from bot.context import Services
from bot.core.models import InboxItem, InboxState, User
from bot.db import Database
from bot.i18n import t
from bot.localapi import LocalBotApi
from bot.web import SECRET_HEADER, make_web_app
from tests import factories

PATH = "/telegram"
SECRET = "s3cret"
GOOD = {SECRET_HEADER: SECRET}
WELCOME = t("zh", "welcome")


async def until(predicate: Callable[[], bool], *, within: float = 5.0, what: str) -> None:
    """Wait until ``predicate()`` holds, checking often; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {within} s for {what}")
        await asyncio.sleep(0.01)


def updates_handled(kind: str = "message") -> float:
    """How many updates of ``kind`` the metrics have counted (any service)."""
    total = 0.0
    for family in metrics.REGISTRY.collect():
        for sample in family.samples:
            if sample.name == "gongyou_updates_total" and sample.labels["type"] == kind:
                total += sample.value
    return total


def duplicates_ignored() -> float:
    return metrics.REGISTRY.get_sample_value("gongyou_duplicate_updates_total") or 0.0


@pytest.fixture
def api() -> Iterator[LocalBotApi]:
    """A recording Bot API that refuses methods it does not know."""
    local = LocalBotApi(strict=True)
    yield local
    assert not local.unexpected, f"unexpected Bot API calls: {local.unexpected}"


@pytest.fixture
def application(settings: Settings, db: Database, api: LocalBotApi) -> GongyouApplication:
    """The bot as webhook mode builds it: no updater, no job queue."""
    return build_application(settings, db=db, request=api, updater=False, job_queue=False)


async def serve(application: GongyouApplication, *, manage: bool = False) -> TestClient[Any, Any]:
    """A test client over the web app; unless ``manage``, the caller starts and stops the bot."""
    web_app = make_web_app(application, path=PATH, secret=SECRET, manage_application=manage)
    test_client: TestClient[Any, Any] = TestClient(TestServer(web_app))
    try:
        await test_client.start_server()
    except BaseException:
        await test_client.close()
        raise
    return test_client


@pytest.fixture
async def client(application: GongyouApplication) -> AsyncIterator[TestClient[Any, Any]]:
    """The web app with the bot running behind it, so queued updates are handled."""
    await application.initialize()
    try:
        await application.start()
        try:
            test_client = await serve(application)
            try:
                yield test_client
            finally:
                await test_client.close()
        finally:
            await application.stop()
    finally:
        await application.shutdown()


@pytest.fixture
async def idle_client(application: GongyouApplication) -> AsyncIterator[TestClient[Any, Any]]:
    """The web app with the bot not running: whatever the webhook accepts stays queued."""
    test_client = await serve(application)
    try:
        yield test_client
    finally:
        await test_client.close()


async def user_ids(db: Database) -> list[int]:
    async with db.session() as session:
        return [u.id for u in (await session.exec(select(User))).all()]


async def claimed_ids(db: Database) -> list[int]:
    """Ids of the updates the inbox holds."""
    async with db.session() as session:
        return list((await session.exec(select(InboxItem.update_id))).all())


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SECRET_HEADER: ""},
        {SECRET_HEADER: "wrong"},
        {SECRET_HEADER: SECRET.upper()},
        {SECRET_HEADER: SECRET + "x"},
    ],
    ids=["missing", "empty", "wrong", "other-case", "longer"],
)
async def test_a_post_without_the_right_secret_is_refused_and_not_queued(
    idle_client: TestClient[Any, Any],
    application: GongyouApplication,
    api: LocalBotApi,
    db: Database,
    headers: dict[str, str],
) -> None:
    response = await idle_client.post(PATH, json=factories.message("/start"), headers=headers)

    assert response.status == 403
    assert application.update_queue.empty()
    assert api.calls == []
    assert await user_ids(db) == []


async def test_the_secret_is_checked_before_the_body_is_read(
    idle_client: TestClient[Any, Any], application: GongyouApplication
) -> None:
    response = await idle_client.post(
        PATH,
        data=b"{not json",
        headers={SECRET_HEADER: "wrong", "Content-Type": "application/json"},
    )

    assert response.status == 403
    assert application.update_queue.empty()


async def test_a_post_with_the_right_secret_is_queued_for_the_bot(
    idle_client: TestClient[Any, Any], application: GongyouApplication
) -> None:
    update = factories.message("/start")

    response = await idle_client.post(PATH, json=update, headers=GOOD)

    assert response.status == 200
    queued = application.update_queue.get_nowait()
    assert isinstance(queued, Update)
    assert queued.update_id == update["update_id"]


async def test_a_start_posted_with_the_right_secret_gets_the_welcome_and_a_user_row(
    client: TestClient[Any, Any], api: LocalBotApi, db: Database
) -> None:
    update = factories.message("/start")

    response = await client.post(PATH, json=update, headers=GOOD)
    assert response.status == 200
    await until(lambda: bool(api.sent("sendMessage")), what="the welcome")

    [sent] = api.sent("sendMessage")
    assert sent.text == WELCOME
    assert int(sent.params["chat_id"]) == factories.WORKER_ID
    assert "m:jobs" in sent.callback_data
    assert await user_ids(db) == [factories.WORKER_ID]
    assert await claimed_ids(db) == [update["update_id"]]


async def test_the_same_update_posted_twice_is_handled_once(
    client: TestClient[Any, Any], api: LocalBotApi, db: Database
) -> None:
    update = factories.message("/start")
    ignored_before = duplicates_ignored()

    for _ in range(2):
        response = await client.post(PATH, json=update, headers=GOOD)
        assert response.status == 200
    await until(
        lambda: bool(api.sent("sendMessage")) and duplicates_ignored() == ignored_before + 1,
        what="the welcome and the ignored copy",
    )

    assert [c.text for c in api.sent("sendMessage")] == [WELCOME]
    assert await claimed_ids(db) == [update["update_id"]]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"\xff\xfe", b"{}", b'{"update_id": 1, "message": {}}'],
    ids=["broken", "empty", "not-utf8", "no-update-id", "bad-message"],
)
async def test_a_malformed_body_gets_400_and_the_bot_keeps_serving(
    client: TestClient[Any, Any], api: LocalBotApi, body: bytes
) -> None:
    headers = {**GOOD, "Content-Type": "application/json"}

    response = await client.post(PATH, data=body, headers=headers)
    assert response.status == 400

    response = await client.post(PATH, json=factories.message("/start"), headers=GOOD)
    assert response.status == 200
    await until(lambda: bool(api.sent("sendMessage")), what="the welcome")
    assert [c.text for c in api.sent("sendMessage")] == [WELCOME]


@pytest.mark.parametrize(
    "body", [b"null", b"[]", b'"hello"', b"42"], ids=["null", "list", "string", "number"]
)
async def test_a_json_body_that_is_not_an_object_gets_400(
    idle_client: TestClient[Any, Any], application: GongyouApplication, body: bytes
) -> None:
    headers = {**GOOD, "Content-Type": "application/json"}

    response = await idle_client.post(PATH, data=body, headers=headers)

    assert response.status == 400
    assert application.update_queue.empty()


async def test_healthz_answers_ok(client: TestClient[Any, Any]) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_answers_ready_when_the_database_answers(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/readyz")

    assert response.status == 200
    assert await response.json() == {"status": "ready"}


async def test_readyz_answers_503_when_the_database_is_unreachable(
    client: TestClient[Any, Any], application: GongyouApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    services: Services = application.bot_data["services"]
    # Nothing listens on port 1, so every connection attempt is refused at once.
    unreachable = Database("postgresql+asyncpg://postgres@127.0.0.1:1/gongyou")
    monkeypatch.setattr(services, "db", unreachable)
    try:
        response = await client.get("/readyz")
    finally:
        await unreachable.dispose()

    assert response.status == 503
    assert await response.json() == {"status": "database unavailable"}


async def test_metrics_count_an_update_handled_through_the_webhook(
    client: TestClient[Any, Any],
) -> None:
    before = updates_handled("message")

    response = await client.post(PATH, json=factories.message("/start"), headers=GOOD)
    assert response.status == 200
    await until(lambda: updates_handled("message") == before + 1, what="the update to be counted")

    response = await client.get("/metrics")
    assert response.status == 200
    text = await response.text()
    assert "gongyou_updates_total" in text
    exposed = sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "gongyou_updates_total" and sample.labels["type"] == "message"
    )
    assert exposed == before + 1


async def test_a_web_app_that_manages_the_bot_starts_it_and_stops_it_with_the_server(
    application: GongyouApplication, api: LocalBotApi
) -> None:
    test_client = await serve(application, manage=True)
    try:
        assert application.running
        # the post_init hook ran: it sets the command menu beside the running bot
        await until(lambda: len(api.sent("setMyCommands")) == 2, what="the command menu")
        response = await test_client.post(PATH, json=factories.message("/start"), headers=GOOD)
        assert response.status == 200
        await until(lambda: bool(api.sent("sendMessage")), what="the welcome")
    finally:
        await test_client.close()

    assert not application.running


# The inbox: an update is stored before Telegram is told it arrived


async def inbox_rows(db: Database) -> list[InboxItem]:
    async with db.session() as session:
        return list((await session.exec(select(InboxItem).order_by(InboxItem.update_id))).all())


async def settled(db: Database, update_id: int, *, within: float = 5.0) -> InboxItem:
    """The update's inbox row once it has been handled (done, failed or parked)."""
    deadline = time.monotonic() + within
    while True:
        async with db.session() as session:
            row = await session.get(InboxItem, update_id)
        if row is not None and row.state != InboxState.new.value:
            return row
        if time.monotonic() > deadline:
            pytest.fail(f"update {update_id} was not handled within {within} s")
        await asyncio.sleep(0.01)


@pytest.fixture
async def unreachable() -> AsyncIterator[Database]:
    """A database nobody answers for (nothing listens on port 1: refused at once)."""
    database = Database("postgresql+asyncpg://postgres@127.0.0.1:1/gongyou")
    yield database
    await database.dispose()


async def test_an_update_that_cannot_be_stored_gets_503_and_is_not_handled(
    client: TestClient[Any, Any],
    application: GongyouApplication,
    api: LocalBotApi,
    db: Database,
    unreachable: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services: Services = application.bot_data["services"]
    monkeypatch.setattr(services, "db", unreachable)

    response = await client.post(PATH, json=factories.message("/start"), headers=GOOD)

    assert response.status == 503
    assert application.update_queue.empty()
    assert api.sent("sendMessage") == []
    assert await inbox_rows(db) == []


async def test_an_update_sent_again_once_the_database_is_back_is_handled_once(
    client: TestClient[Any, Any],
    application: GongyouApplication,
    api: LocalBotApi,
    db: Database,
    unreachable: Database,
) -> None:
    update = factories.message("/start")
    services: Services = application.bot_data["services"]
    services.db = unreachable
    try:
        refused = await client.post(PATH, json=update, headers=GOOD)
    finally:
        services.db = db

    accepted = await client.post(PATH, json=update, headers=GOOD)
    await until(lambda: bool(api.sent("sendMessage")), what="the welcome")
    again = await client.post(PATH, json=update, headers=GOOD)
    await until(lambda: application.update_queue.empty(), what="the queue to empty")

    assert (refused.status, accepted.status, again.status) == (503, 200, 200)
    assert [c.text for c in api.sent("sendMessage")] == [WELCOME]
    row = await settled(db, update["update_id"])
    assert (row.state, row.attempts) == (InboxState.done.value, 1)
    assert len(await inbox_rows(db)) == 1


async def test_an_update_stored_by_the_webhook_is_marked_done_once_handled(
    client: TestClient[Any, Any], api: LocalBotApi, db: Database
) -> None:
    update = factories.message("/start")

    await client.post(PATH, json=update, headers=GOOD)
    await until(lambda: bool(api.sent("sendMessage")), what="the welcome")

    row = await settled(db, update["update_id"])
    assert row.state == InboxState.done.value
    assert row.raw is None  # the update's text is not kept once it is handled
    assert row.user_key == factories.WORKER_ID


async def test_a_second_copy_posted_before_the_first_is_handled_is_not_queued(
    idle_client: TestClient[Any, Any], application: GongyouApplication, db: Database
) -> None:
    update = factories.message("/start")

    first = await idle_client.post(PATH, json=update, headers=GOOD)
    second = await idle_client.post(PATH, json=update, headers=GOOD)

    assert (first.status, second.status) == (200, 200)
    assert application.update_queue.qsize() == 1
    [row] = await inbox_rows(db)
    assert row.state == InboxState.new.value
    assert row.raw == update


async def test_an_update_whose_handling_hit_a_database_failure_is_handled_when_swept(
    client: TestClient[Any, Any],
    application: GongyouApplication,
    api: LocalBotApi,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    update = factories.message("/start")

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("database is down")

    with monkeypatch.context() as patch:
        patch.setattr(bot.app, "admit_update", down)
        response = await client.post(PATH, json=update, headers=GOOD)
        await until(lambda: bool(api.sent("sendMessage")), what="the apology")
        await until(lambda: application.update_queue.empty(), what="the queue to empty")
    [row] = await inbox_rows(db)
    assert (row.state, row.attempts) == (InboxState.new.value, 0)

    assert await application.sweep(grace=timedelta(0)) == 1
    await until(lambda: len(api.sent("sendMessage")) == 2, what="the welcome")

    assert response.status == 200
    assert [c.text for c in api.sent("sendMessage")] == [t("zh", "error-generic"), WELCOME]
    assert await application.sweep(grace=timedelta(0)) == 0
