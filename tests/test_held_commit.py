"""A flow step is stored before anything is said about it, and on PostgreSQL the step, the
searches of the same update and the inbox mark share the update's one transaction."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.context import UpdateScope, bind_scope, unbind_scope
from bot.core.inbox import INBOX
from bot.core.models import InboxState, utcnow
from bot.core.users import FLOWS, get_flow, set_flow
from bot.db import Database, standalone_read
from tests import factories as f
from tests.conftest import Harness

#: A worker asking for work of a kind: the jobs service starts a search flow and searches.
SEARCH = "想找个日结的活"


async def _committed(db: Database, update_id: int, user_id: int) -> tuple[Any, Any]:
    """The inbox state and flow of a user as another connection sees them (committed only)."""
    async with db.engine.connect() as conn:
        state = await conn.scalar(select(INBOX.c.state).where(INBOX.c.update_id == update_id))
        flow = await conn.scalar(select(FLOWS.c.flow).where(FLOWS.c.user_id == user_id))
    return state, flow


async def test_the_step_and_the_inbox_mark_are_stored_before_the_reply(
    harness: Harness, db: Database
) -> None:
    payload = f.message(SEARCH)
    seen: list[tuple[str, Any, Any]] = []
    inner = harness.api.do_request

    async def look_first(url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        api_method = url.rsplit("/", 1)[-1]
        if api_method == "sendMessage":
            seen.append((api_method, *await _committed(db, payload["update_id"], f.WORKER_ID)))
        return await inner(url, method, *args, **kwargs)

    harness.api.do_request = look_first  # type: ignore[method-assign]
    texts = await harness.texts(payload)
    assert texts, "the worker got no answer"
    assert seen[0] == ("sendMessage", InboxState.done.value, "jobs")


async def test_a_step_and_its_search_cost_the_update_two_transactions(
    harness: Harness, db: Database
) -> None:
    await harness.texts(f.message("/start"))
    begins: list[int] = []
    engines = db.engines

    def count(_conn: Any) -> None:
        begins.append(1)

    for engine in engines:
        event.listen(engine, "begin", count)
    try:
        texts = await harness.texts(f.message(SEARCH))
    finally:
        for engine in engines:
            event.remove(engine, "begin", count)
    assert texts
    if db.is_sqlite:
        # each commit lands at once (a write lock held across awaits would stall the
        # other updates' writers): the step, then the searches on their own
        assert len(begins) >= 3
    else:
        # taking the update, then one transaction for the step, both searches and the mark
        assert len(begins) == 2


async def _scope(db: Database, update_id: int) -> tuple[UpdateScope, Any]:
    scope = UpdateScope(db=db, language="zh")
    scope.taken = update_id
    async with db.engine.begin() as conn:
        await conn.execute(
            INBOX.insert().values(
                update_id=update_id,
                user_key=f.WORKER_ID,
                raw={},
                received_at=utcnow(),
                state=InboxState.new.value,
                attempts=1,
                next_attempt_at=utcnow(),
            )
        )
    return scope, bind_scope(scope)


async def test_a_held_step_lands_before_another_transaction_of_the_update(db: Database) -> None:
    scope, token = await _scope(db, 9_001)
    try:
        await set_flow(scope.session, user_id=f.WORKER_ID, flow="jobs", step="browse", data={})
        before = await _committed(db, 9_001, f.WORKER_ID)
        if db.is_sqlite:
            assert before == (InboxState.done.value, "jobs")  # committed at once
        else:
            assert before == (InboxState.new.value, None)  # held for the update's commit
        await db.transact(lambda conn: None)
        assert await _committed(db, 9_001, f.WORKER_ID) == (InboxState.done.value, "jobs")
        assert not scope.held
    finally:
        unbind_scope(token)
        await scope.close()


async def test_a_rollback_drops_a_held_step_and_leaves_the_update_to_be_tried_again(
    db: Database,
) -> None:
    scope, token = await _scope(db, 9_002)
    try:
        await set_flow(scope.session, user_id=f.WORKER_ID, flow="jobs", step="browse", data={})
        await scope.session.rollback()
        assert not scope.held
        assert not scope.finished or db.is_sqlite
        if not db.is_sqlite:
            assert await _committed(db, 9_002, f.WORKER_ID) == (InboxState.new.value, None)
            assert await get_flow(scope.session, user_id=f.WORKER_ID) is None
    finally:
        unbind_scope(token)
        await scope.close()


async def test_a_read_in_another_task_does_not_use_the_updates_session(db: Database) -> None:
    scope, token = await _scope(db, 9_003)
    try:

        async def elsewhere() -> int:
            return await db.read(lambda conn: 7)

        assert await asyncio.create_task(elsewhere()) == 7
        assert not scope.session_open  # the other task read on its own
        assert await db.read(lambda conn: 8) == 8
        assert scope.session_open is (not db.is_sqlite)
    finally:
        unbind_scope(token)
        await scope.close()


async def test_a_standalone_read_outside_an_update_sends_no_begin_or_commit_on_postgresql(
    db: Database,
) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite reads outside an update run on the writer thread, in a transaction")

    @standalone_read
    def standalone(conn: Any) -> bool:
        return in_transaction(conn)

    def in_transaction(conn: Any) -> bool:
        conn.exec_driver_sql("SELECT 1")
        # what the server said after that statement: idle, or inside a transaction
        return bool(conn.connection.dbapi_connection._connection.is_in_transaction())

    assert await db.read(standalone) is False
    # reads not marked keep their transaction (a transaction-local setting, one snapshot)
    assert await db.read(in_transaction) is True
    assert await db.transact(in_transaction) is True
