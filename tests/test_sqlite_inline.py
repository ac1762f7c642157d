"""SQLite calls made on the event loop never stall it while another connection writes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from bot.db import Database
from bot.sqlite_inline import InlineConnection


@pytest.fixture
async def lite(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    try:
        yield database
    finally:
        await database.dispose()


async def _ticks_while(work: asyncio.Future[object] | asyncio.Task[object]) -> int:
    """How often the loop ran something else while ``work`` was under way."""
    ticks = 0
    while not work.done():
        ticks += 1
        await asyncio.sleep(0.005)
    return ticks


async def _bodies(database: Database) -> list[str]:
    async with database.engine.connect() as conn:
        return [row[0] for row in await conn.execute(text("SELECT body FROM notes ORDER BY id"))]


async def test_the_async_engine_runs_on_the_loop_without_a_thread(lite: Database) -> None:
    async with lite.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineConnection)
        assert await conn.scalar(text("PRAGMA busy_timeout")) == 0


async def test_a_write_waits_for_anothers_lock_without_stalling_the_loop(lite: Database) -> None:
    async with lite.session() as holder:
        await holder.exec(text("INSERT INTO notes (body) VALUES ('first')"))  # holds the lock

        async def second() -> None:
            async with lite.session() as session:
                await session.exec(text("INSERT INTO notes (body) VALUES ('second')"))
                await session.commit()

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.05)
        assert not waiting.done()  # still waiting for the lock, and the loop runs meanwhile
        await holder.commit()
        await waiting
    assert await _bodies(lite) == ["first", "second"]


async def test_a_short_transaction_waits_for_the_writer_thread_and_runs_again(
    lite: Database,
) -> None:
    def slow_write(conn: Connection) -> None:
        conn.execute(text("INSERT INTO notes (body) VALUES ('slow')"))
        time.sleep(0.3)  # on the writer thread, holding the write lock

    runs: list[int] = []

    def quick_write(conn: Connection) -> int:
        runs.append(1)
        conn.execute(text("INSERT INTO notes (body) VALUES ('quick')"))
        return len(runs)

    slow = asyncio.ensure_future(lite.transact(slow_write))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    quick = asyncio.ensure_future(lite.short(quick_write))
    ticks = await _ticks_while(quick)
    tries = await quick
    await slow
    assert time.monotonic() - started >= 0.1  # it waited for the lock ...
    assert ticks >= 10  # ... while the loop went on with other work
    assert tries == len(runs) > 1  # locked, rolled back and run again
    assert await _bodies(lite) == ["slow", "quick"]


async def test_a_lock_held_too_long_fails_the_short_transaction(
    lite: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.sqlite_inline.BUSY_WAIT", 0.05)
    async with lite.session() as holder:
        await holder.exec(text("INSERT INTO notes (body) VALUES ('held')"))

        def write(conn: Connection) -> None:
            conn.execute(text("INSERT INTO notes (body) VALUES ('never')"))

        with pytest.raises(Exception, match="locked"):
            await lite.short(write)
        await holder.commit()
    assert await _bodies(lite) == ["held"]


async def test_a_staff_report_reads_beside_a_busy_writer_thread(lite: Database) -> None:
    await lite.transact(lambda conn: conn.execute(text("INSERT INTO notes (body) VALUES ('a')")))
    release = threading.Event()

    def long_write(conn: Connection) -> None:
        conn.execute(text("INSERT INTO notes (body) VALUES ('b')"))
        release.wait(10)  # the writer thread, and its write lock, are held meanwhile

    writing = asyncio.ensure_future(lite.transact(long_write))
    await asyncio.sleep(0.05)

    def count(conn: Connection) -> int:
        return int(conn.scalar(text("SELECT count(*) FROM notes")) or 0)

    counted = await asyncio.wait_for(lite.report(count), 5)
    assert not writing.done()
    release.set()
    await writing
    assert counted == 1  # what was committed when the report read
    assert await lite.report(count) == 2


async def test_a_staff_report_cannot_write(lite: Database) -> None:
    def write(conn: Connection) -> None:
        conn.execute(text("INSERT INTO notes (body) VALUES ('x')"))

    with pytest.raises(OperationalError, match="readonly"):
        await lite.report(write)
    assert await _bodies(lite) == []
