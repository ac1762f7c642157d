"""The flow row read with the update serves the update's flow reads, unless it changed since."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, update

from bot.core.users import (
    FLOWS,
    FlowRow,
    get_flow,
    seed_session,
    set_flow,
)
from bot.db import Database

USER = 4242


async def _stored_flow(db: Database, data: dict[str, Any]) -> FlowRow:
    async with db.sessionmaker() as session:
        state = await set_flow(session, user_id=USER, flow="jobs", step="browse", data=data)
        return FlowRow(state.flow, state.step, dict(state.data), state.updated_at)


def _engines(db: Database) -> list[Any]:
    return db.engines


async def test_a_flow_read_with_the_update_is_not_read_again(db: Database) -> None:
    row = await _stored_flow(db, {"p": 1})
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    for engine in _engines(db):
        event.listen(engine, "before_cursor_execute", count)
    try:
        async with db.sessionmaker() as session:
            seed_session(session.sync_session, user_id=USER, in_flow=True, flow_row=row)
            state = await get_flow(session, user_id=USER)
            assert state is not None
            assert (state.flow, state.step, state.data) == ("jobs", "browse", {"p": 1})
            assert await get_flow(session, user_id=USER) is state
    finally:
        for engine in _engines(db):
            event.remove(engine, "before_cursor_execute", count)
    assert statements == []


async def test_a_flow_changed_by_the_updates_own_transaction_is_read_again(db: Database) -> None:
    row = await _stored_flow(db, {"p": 1})

    def next_page(conn: Connection) -> None:
        conn.execute(update(FLOWS).where(FLOWS.c.user_id == USER).values(data={"p": 2}))

    async with db.sessionmaker() as session:
        seed_session(session.sync_session, user_id=USER, in_flow=True, flow_row=row)
        await db.transact(next_page)
        state = await get_flow(session, user_id=USER)
        assert state is not None
        assert state.data == {"p": 2}


async def test_a_flow_row_read_with_the_update_can_be_advanced(db: Database) -> None:
    row = await _stored_flow(db, {"p": 1})
    async with db.sessionmaker() as session:
        seed_session(session.sync_session, user_id=USER, in_flow=True, flow_row=row)
        await set_flow(session, user_id=USER, flow="jobs", step="detail", data={"p": 3})
    async with db.sessionmaker() as session:
        state = await get_flow(session, user_id=USER)
        assert state is not None
        assert (state.step, state.data) == ("detail", {"p": 3})
