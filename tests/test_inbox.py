"""The update inbox: failed updates are retried with backoff, then parked; old rows pruned."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select
from telegram import Update

from bot import metrics
from bot.app import GongyouApplication, build_application
from bot.config import Settings
from bot.core import inbox
from bot.core.models import InboxItem, InboxState, utcnow
from bot.db import Database
from bot.i18n import t
from bot.localapi import LocalBotApi
from tests import factories
from tests.conftest import Harness

BOOM = RuntimeError("boom")


@pytest.fixture
def api() -> Iterator[LocalBotApi]:
    """A recording Bot API that refuses methods it does not know."""
    local = LocalBotApi(strict=True)
    yield local
    assert not local.unexpected, f"unexpected Bot API calls: {local.unexpected}"


@pytest.fixture
async def running(
    settings: Settings, db: Database, api: LocalBotApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[GongyouApplication]:
    """The bot running, sweeping its inbox often and retrying failures at once."""
    monkeypatch.setattr(inbox, "RETRY_AFTER", timedelta(0))
    application = build_application(settings, db=db, request=api, updater=False, job_queue=False)
    application.sweep_every = 0.02
    await application.initialize()
    await application.start()
    try:
        yield application
    finally:
        await application.stop()
        await application.shutdown()


async def receive(application: GongyouApplication, payload: dict[str, Any]) -> None:
    """Hand the update to the bot as the webhook does."""
    await application.take_in([Update.de_json(payload, application.bot)], raw=[payload])


async def row_in(
    db: Database, update_id: int, state: InboxState, *, within: float = 5.0
) -> InboxItem:
    """The update's inbox row once it is in ``state`` (fails the test otherwise)."""
    try:
        async with asyncio.timeout(within):
            while True:
                async with db.session() as session:
                    row = await session.get(InboxItem, update_id)
                if row is not None and row.state == state.value:
                    return row
                await asyncio.sleep(0.01)
    except TimeoutError:
        pytest.fail(f"update {update_id} never became {state.value}")


def parked_count() -> float:
    return metrics.REGISTRY.get_sample_value("gongyou_inbox_parked_total") or 0.0


async def test_a_handler_that_keeps_failing_is_tried_three_times_then_parked_with_its_error(
    running: GongyouApplication, api: LocalBotApi, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[str] = []

    def fail(*args: Any, **kwargs: Any) -> Any:
        tries.append("try")
        raise BOOM

    monkeypatch.setattr("handlers.router.plan_reply", fail)
    before = parked_count()
    update = factories.message("你好")

    await receive(running, update)
    row = await row_in(db, update["update_id"], InboxState.parked)

    assert len(tries) == inbox.MAX_ATTEMPTS == row.attempts == 3
    assert row.last_error == "RuntimeError: boom"
    assert row.raw == update  # kept, so staff can see what could not be handled
    assert parked_count() == before + 1
    # the worker is told once, not once per try
    assert [c.text for c in api.sent("sendMessage")] == [t("zh", "error-generic")]
    await asyncio.sleep(0.1)  # a few more sweeps: a parked update is not tried again
    assert len(tries) == 3


async def test_a_handler_that_fails_once_is_retried_and_the_worker_gets_the_answer(
    running: GongyouApplication, api: LocalBotApi, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import router

    real = router.plan_reply
    failures = [BOOM]

    def fail_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(router, "plan_reply", fail_once)
    update = factories.message("你好")

    await receive(running, update)
    row = await row_in(db, update["update_id"], InboxState.done)

    assert row.attempts == 2
    assert row.last_error == "RuntimeError: boom"
    assert row.raw is None
    texts = [c.text for c in api.sent("sendMessage")]
    assert texts[0] == t("zh", "error-generic")
    assert len(texts) >= 2  # then the answer itself
    assert t("zh", "error-generic") not in texts[1:]


async def test_the_retry_waits_longer_after_each_failed_try() -> None:
    delays = [inbox.retry_delay(attempt) for attempt in (1, 2, 3)]

    assert delays == [inbox.RETRY_AFTER, inbox.RETRY_AFTER * 4, inbox.RETRY_AFTER * 16]


async def test_a_failed_update_is_not_taken_again_before_its_retry_is_due(db: Database) -> None:
    now = utcnow()
    await db.transact(inbox.accept, items=[inbox.Incoming(7, 1, {"update_id": 7})], now=now)
    await db.transact(inbox.fail, update_id=7, attempt=1, error="boom", now=now)

    soon = await db.transact(inbox.due, now=now + inbox.RETRY_AFTER / 2)
    later = await db.transact(inbox.due, now=now + inbox.RETRY_AFTER)

    assert soon == []
    assert [d.update_id for d in later] == [7]


async def test_a_new_update_is_left_to_its_receiver_for_a_grace_period(db: Database) -> None:
    now = utcnow()
    await db.transact(inbox.accept, items=[inbox.Incoming(8, 1, {"update_id": 8})], now=now)

    assert await db.transact(inbox.due, now=now) == []
    assert [d.update_id for d in await db.transact(inbox.due, now=now + inbox.GRACE)] == [8]
    assert await db.transact(inbox.due, now=now + inbox.GRACE, skip={8}) == []


async def test_handled_updates_are_pruned_after_the_retention_and_parked_ones_kept_longer(
    db: Database,
) -> None:
    now = utcnow()
    old = now - inbox.RETENTION - timedelta(minutes=1)
    ancient = now - inbox.PARKED_RETENTION - timedelta(minutes=1)
    for update_id, at in ((1, old), (2, now), (3, old), (4, ancient), (5, old)):
        item = inbox.Incoming(update_id, 1, {"update_id": update_id})
        await db.transact(inbox.accept, items=[item], now=at)
    for update_id in (1, 2):
        await db.transact(inbox.finish, update_id=update_id)
    for update_id in (3, 4):
        await db.transact(inbox.park, update_id=update_id, error="boom")

    removed = await db.transact(inbox.prune, now=now)

    async with db.session() as session:
        kept = (
            await session.exec(select(InboxItem.update_id).order_by(InboxItem.update_id))
        ).all()
    assert removed == 2
    assert list(kept) == [2, 3, 5]  # recent done, parked within its retention, not yet handled


async def test_an_update_that_cannot_be_read_back_is_parked_not_retried(
    settings: Settings, db: Database, api: LocalBotApi
) -> None:
    application = build_application(settings, db=db, request=api, updater=False, job_queue=False)
    await application.initialize()
    try:
        item = inbox.Incoming(9, 1, {"update_id": 9, "message": {"text": "no chat"}})
        await db.transact(inbox.accept, items=[item], now=utcnow() - inbox.GRACE)

        queued = await application.sweep()
    finally:
        await application.shutdown()

    async with db.session() as session:
        row = await session.get(InboxItem, 9)
    assert queued == 0
    assert row is not None
    assert row.state == InboxState.parked.value
    assert application.update_queue.empty()


# /inbox for staff


async def test_staff_see_the_inbox_counts_and_the_latest_parked_update_with_its_error(
    harness: Harness,
) -> None:
    db = harness.db
    await harness.feed(factories.message("/lang en", user_id=factories.ADMIN_ID))
    now = utcnow()
    items = [inbox.Incoming(n, 1, {"update_id": n}) for n in (1, 2)]
    await db.transact(inbox.accept, items=items, now=now - inbox.GRACE)
    await db.transact(inbox.fail, update_id=2, attempt=3, error="RuntimeError: boom")

    [text] = await harness.texts(
        factories.message("/inbox", user_id=factories.ADMIN_ID, lang="en")
    )

    assert "2 waiting" in text  # update 1, and the /inbox command being answered
    assert "1 update given up on" in text
    assert "#2 · " in text
    assert "3 tries · RuntimeError: boom" in text


async def test_staff_see_the_inbox_in_chinese(harness: Harness) -> None:
    [text] = await harness.texts(
        factories.message("/inbox", user_id=factories.ADMIN_ID, lang="zh-hans")
    )

    assert text.startswith("消息收件箱")
    assert "已放弃 0 条" in text
    assert t("zh", "inbox-none-parked") in text


async def test_a_worker_cannot_see_the_inbox(harness: Harness) -> None:
    texts = await harness.texts(factories.message("/inbox"))

    assert texts == [t("zh", "role-refused")]


# --- one transaction with the handler's writes ------------------------------------------------


async def test_a_step_saved_before_a_failure_is_not_applied_a_second_time(
    running: GongyouApplication, api: LocalBotApi, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.users import get_flow, set_flow
    from handlers import router

    tries: list[str] = []

    async def save_then_fail(update: Update, context: Any, text: str) -> None:
        tries.append(text)
        assert update.effective_user is not None
        await set_flow(context.db, user_id=update.effective_user.id, flow="f", step="s", data={})
        raise BOOM

    monkeypatch.setattr(router, "route_text", save_then_fail)
    update = factories.message("你好")

    await receive(running, update)
    row = await row_in(db, update["update_id"], InboxState.done)

    await asyncio.sleep(0.1)  # sweeps: an update marked handled with its step is not retried
    assert tries == ["你好"]
    assert row.attempts == 1
    async with db.session() as session:
        state = await get_flow(session, user_id=factories.WORKER_ID)
    assert state is not None
    assert (state.flow, state.step) == ("f", "s")
    assert [c.text for c in api.sent("sendMessage")] == [t("zh", "error-generic")]


async def test_an_ordinary_update_takes_one_transaction_on_postgresql_after_it_is_stored(
    running: GongyouApplication, api: LocalBotApi, db: Database
) -> None:
    from sqlalchemy import event

    engines = db.engines
    running.sweep_every = 3600.0  # no sweeps counted among the update's transactions
    await asyncio.sleep(0.05)
    first = factories.message("/start")
    await receive(running, first)  # the worker's row exists
    await row_in(db, first["update_id"], InboxState.done)
    api.clear()
    update = factories.message("会费多少")
    ended: list[str] = []

    def count(conn: Any) -> None:
        ended.append("transaction")

    for engine in engines:
        event.listen(engine, "commit", count)
    try:
        await receive(running, update)
        stored = len(ended)
        await row_in(db, update["update_id"], InboxState.done)
    finally:
        for engine in engines:
            event.remove(engine, "commit", count)

    assert stored == 1  # the inbox row, before Telegram is told
    if db.is_sqlite:  # taking the update, and handling it (marked done with it)
        assert len(ended) - stored == 2
    else:  # taking it is the first statement of its handling's transaction
        assert len(ended) - stored == 1
    [answer] = [c.text for c in api.sent("sendMessage")]
    assert "会费" in answer


async def test_an_update_whose_process_dies_before_its_handling_commits_is_taken_up_again(
    settings: Settings, db: Database, api: LocalBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL takes a fresh update in its handling's transaction: until that commits, the
    update is as it was stored, and after a crash a sweep takes it in a transaction of its own
    (the try is counted)."""
    from sqlalchemy import text

    import handlers.router as router

    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite takes an update in a transaction of its own")
    update = factories.message("会费多少")
    answer = router.route_text
    reached, hold = asyncio.Event(), asyncio.Event()
    backends: list[int] = []

    async def first_one_hangs(upd: Update, context: Any, text_: str) -> None:
        if not backends:  # the process that dies: its transaction is open here
            connection = await context.db.connection()
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            backends.append(int(pid))
            reached.set()
            await hold.wait()
            return
        await answer(upd, context, text_)

    monkeypatch.setattr(router, "route_text", first_one_hangs)
    dying = build_application(settings, db=db, request=api, updater=False, job_queue=False)
    await dying.initialize()
    await dying.take_in([Update.de_json(update, dying.bot)], raw=[update])
    handling = asyncio.create_task(dying.process_update(Update.de_json(update, dying.bot)))
    try:
        await asyncio.wait_for(reached.wait(), 5)
        async with db.session() as session:
            row = await session.get(InboxItem, update["update_id"])
        assert row is not None
        assert (row.state, row.attempts) == (InboxState.new.value, 0)  # as stored

        # the process dies: the server ends its connection, and its transaction with it
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backends[0]})
        restarted = build_application(settings, db=db, request=api, updater=False, job_queue=False)
        await restarted.initialize()
        await restarted.start()  # sweeps the inbox at once
        try:
            done = await row_in(db, update["update_id"], InboxState.done)
        finally:
            await restarted.stop()
            await restarted.shutdown()
    finally:
        hold.set()
        with contextlib.suppress(Exception):
            await handling
        await dying.shutdown()

    assert done.attempts == 1  # the sweep's try, counted on its own
    [reply] = [c.text for c in api.sent("sendMessage")]  # answered once, after the restart
    assert "会费" in reply


async def test_a_connection_the_server_dropped_is_replaced_without_an_error(
    db: Database,
) -> None:
    from sqlalchemy import text

    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no server to drop connections")

    def backend(conn: Any) -> int:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())

    pid = await db.transact(backend)
    other = Database(str(db.url.render_as_string(hide_password=False)))
    try:
        async with other.engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()

    assert await db.transact(backend) != pid


async def test_an_update_taken_on_a_connection_the_server_dropped_is_answered_without_an_error(
    settings: Settings, db: Database, api: LocalBotApi
) -> None:
    from sqlalchemy import text

    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no server to drop connections")
    application = build_application(settings, db=db, request=api, updater=False, job_queue=False)
    await application.initialize()
    update = factories.message("会费多少")
    try:
        [taken] = await application.take_in([Update.de_json(update, application.bot)])
        other = Database(str(db.url.render_as_string(hide_password=False)))
        try:
            async with other.engine.connect() as conn:  # the connections the pool holds end
                ended = await conn.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
        finally:
            await other.dispose()
        assert ended

        await application.process_update(taken)  # taken on a pooled connection, now gone
    finally:
        await application.shutdown()

    done = await row_in(db, update["update_id"], InboxState.done)
    assert done.attempts == 1
    [answer] = [c.text for c in api.sent("sendMessage")]
    assert "会费" in answer


async def test_a_first_contact_whose_handler_writes_about_the_sender_elsewhere_is_answered(
    running: GongyouApplication, api: LocalBotApi, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender's new row is committed before the handling goes on: a transaction of the
    update that refers to it (a job seeker's registration here) does not wait for the
    handling's own transaction, which waits for it."""
    import handlers.router as router
    from bot.jobs.alerts import get_seeker, save_seeker

    async def registers(upd: Update, context: Any, _text: str) -> None:
        await context.services.db.transact(
            save_seeker,
            user_id=upd.effective_user.id,
            districts=["金水区"],
            industries=[],
            types=[],
            metro_lines=[],
            tags=[],
            min_pay=None,
            min_pay_unit=None,
            alerts=True,
        )
        await context.reply(upd, "menu")

    monkeypatch.setattr(router, "route_text", registers)
    update = factories.message("有活吗", user_id=424242)

    await receive(running, update)
    done = await row_in(db, update["update_id"], InboxState.done)

    assert done.attempts == 1
    assert [c.text for c in api.sent("sendMessage")] == [t("zh", "menu")]
    seeker = await db.transact(get_seeker, user_id=424242)
    assert seeker is not None
    assert seeker.districts == ("金水区",)


# --- a sender's updates in order, whichever replica received them -----------------------------


async def test_an_update_waits_while_its_senders_earlier_one_is_handled_elsewhere(
    running: GongyouApplication, api: LocalBotApi, db: Database
) -> None:
    from bot.core.users import admit_update

    earlier, later = factories.message("会费多少"), factories.message("找人工")
    # another replica received the earlier update and is handling it
    await db.transact(
        inbox.accept,
        items=[inbox.Incoming(earlier["update_id"], factories.WORKER_ID, earlier)],
    )
    attempt, _member = await db.transact(
        admit_update, update_id=earlier["update_id"], user_id=factories.WORKER_ID, language="zh"
    )
    assert attempt == 1

    await receive(running, later)
    await asyncio.sleep(0.2)
    assert api.sent("sendMessage") == []  # the later one waits its turn

    await db.transact(inbox.finish, update_id=earlier["update_id"])  # the other replica is done
    await row_in(db, later["update_id"], InboxState.done)
    [answer] = [c.text for c in api.sent("sendMessage")]
    assert "12351" in answer


async def test_an_earlier_update_that_arrives_second_is_still_answered_first(
    running: GongyouApplication, api: LocalBotApi, db: Database
) -> None:
    earlier, later = factories.message("会费多少"), factories.message("找人工")

    # stored together, but queued out of order (as two webhook POSTs may overtake each other)
    both = [later, earlier]
    await running.take_in([Update.de_json(p, running.bot) for p in both], raw=both)
    await row_in(db, later["update_id"], InboxState.done)

    texts = [c.text for c in api.sent("sendMessage")]
    assert len(texts) == 2
    assert "会费" in texts[0]
    assert "12351" in texts[1]


async def test_an_update_whose_senders_earlier_one_ends_meanwhile_is_tried_again_soon(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The claim finds the earlier update still open; another replica finishes it before the
    # next statement looks. The later update must be tried again shortly, not left alone
    # until a sweep finds it (inbox.GRACE later).
    from bot.core import users

    earlier, later = factories.message("会费多少"), factories.message("找人工")
    await db.transact(
        inbox.accept,
        items=[
            inbox.Incoming(payload["update_id"], factories.WORKER_ID, payload)
            for payload in (earlier, later)
        ],
    )
    attempt, _member = await db.transact(
        users.admit_update,
        update_id=earlier["update_id"],
        user_id=factories.WORKER_ID,
        language="zh",
    )
    assert attempt == 1
    build_waiting = users._waiting_statement

    def earlier_ends_between_the_statements(conn: Any) -> tuple[int, Any]:
        def ended_then_built() -> Any:
            inbox.finish(conn, update_id=earlier["update_id"])
            return build_waiting()

        monkeypatch.setattr(users, "_waiting_statement", ended_then_built)
        return users.admit_update(
            conn, update_id=later["update_id"], user_id=factories.WORKER_ID, language="zh"
        )

    assert (await db.transact(earlier_ends_between_the_statements))[0] == users.WAIT
    monkeypatch.setattr(users, "_waiting_statement", build_waiting)
    attempt, member = await db.transact(
        users.admit_update,
        update_id=later["update_id"],
        user_id=factories.WORKER_ID,
        language="zh",
    )
    assert attempt == 1
    assert member is not None
    assert member.id == factories.WORKER_ID


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_statements_every_update_runs_are_compiled_once_not_rewritten_at_each_run(
    dialect: str,
) -> None:
    """A list in ``IN (...)`` is written into the SQL text again at every execution (SQLAlchemy
    marks it POSTCOMPILE): the statements that store, take and finish every update (with the
    facts the services read about the sender) have none."""
    from sqlalchemy.dialects import postgresql, sqlite

    from bot.core.users import _claim_statements

    compiler = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}[dialect]
    stored = ["update_id", "user_key", "raw", "received_at", "next_attempt_at"]
    statements = [
        *((statement, None) for statement in _claim_statements(dialect)),
        (inbox._accept_statement(dialect), stored),
        (inbox._finish_statement(), None),
    ]
    for statement, keys in statements:
        sql = str(statement.compile(dialect=compiler, column_keys=keys))
        assert "POSTCOMPILE" not in sql, sql
