"""SQLite for the async engine without a thread hop per call.

SQLAlchemy's ``sqlite+aiosqlite`` driver sends every cursor call (open, execute, fetch, close)
and every commit to aiosqlite's thread and waits for the answer: four hops through a queue and
the event loop's self-pipe per statement, most of an update's database cost. A local SQLite
statement takes microseconds, so this connection runs each call at once on the event loop.

What aiosqlite's thread gave besides that is kept:

* A connection never blocks the loop waiting for another connection's write lock: SQLite's own
  busy wait is off (``busy_timeout = 0``); a statement that finds the database locked gives the
  loop back (``asyncio.sleep``) and is tried again, for up to :data:`BUSY_WAIT` seconds. With
  Python's sqlite3 transaction handling a write transaction begins with its first write, so a
  locked first write is rolled back and begun again (never a stale snapshot).
* Only one statement runs at a time on a connection (SQLAlchemy's adapter holds a lock).

Used for file databases only (``Database`` picks it); ``:memory:`` keeps aiosqlite.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: How long a statement waits for another connection's write lock before it fails.
BUSY_WAIT = 30.0
#: The first pause when the database is locked; doubled up to :data:`BUSY_PAUSE_MAX`.
BUSY_PAUSE = 0.0005
BUSY_PAUSE_MAX = 0.02


def busy(error: BaseException | None) -> bool:
    """True if ``error`` (or the driver error SQLAlchemy wrapped in it) says the database is
    locked by another connection."""
    error = getattr(error, "orig", error)
    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == sqlite3.SQLITE_BUSY)
    return "locked" in str(error)


async def patiently(attempt: Callable[[], T]) -> T:
    """Run ``attempt``; while it finds the database locked by another connection, wait without
    blocking the loop (pauses doubling up to :data:`BUSY_PAUSE_MAX`) and run it again, for up
    to :data:`BUSY_WAIT` seconds. ``attempt`` leaves nothing half done when it is locked out."""
    deadline = time.monotonic() + BUSY_WAIT
    pause = BUSY_PAUSE
    while True:
        try:
            return attempt()
        except Exception as error:
            if not busy(error) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, BUSY_PAUSE_MAX)


async def _patiently(conn: sqlite3.Connection, call: Callable[[], Any]) -> Any:
    """:func:`patiently` for one call on ``conn`` (a write that began the transaction and was
    locked out rolls its BEGIN back, so it starts afresh after the wait)."""

    def attempt() -> Any:
        began = conn.in_transaction
        try:
            return call()
        except sqlite3.OperationalError as error:
            if busy(error) and not began and conn.in_transaction:
                conn.rollback()
            raise

    return await patiently(attempt)


class InlineCursor:
    """An aiosqlite-like cursor whose calls run at once."""

    def __init__(self, owner: InlineConnection) -> None:
        self._owner = owner
        self._cursor = owner._conn.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        """The columns of the last statement's rows."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The row id of the last inserted row."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Rows fetchmany returns by default."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        """Run one statement."""
        await _patiently(self._owner._conn, lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> InlineCursor:
        """Run one statement for each set of parameters."""
        await _patiently(self._owner._conn, lambda: self._cursor.executemany(sql, parameters))
        return self

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """The next ``size`` rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """The remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Close the cursor."""
        self._cursor.close()


class _Cursors:
    """What ``connection.cursor()`` returns: awaitable, and an async context manager."""

    def __init__(self, owner: InlineConnection) -> None:
        self._cursor = InlineCursor(owner)

    def __await__(self) -> Any:
        return self.__aenter__().__await__()

    async def __aenter__(self) -> InlineCursor:
        return self._cursor

    async def __aexit__(self, *_exc: object) -> None:
        await self._cursor.close()


class _Now:
    """Stands in for aiosqlite's request queue: SQLAlchemy sets the isolation level through
    it; the call runs at once."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # noqa: BLE001 - handed to the waiting caller
            future.set_exception(error)


class InlineConnection:
    """The part of ``aiosqlite.Connection`` SQLAlchemy's adapter uses, without the thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn
        self._tx = _Now()

    @property
    def isolation_level(self) -> str | None:
        """The sqlite3 module's transaction mode."""
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open."""
        return self._conn.in_transaction

    def cursor(self) -> _Cursors:
        """A new cursor."""
        return _Cursors(self)

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        """Run one statement on a new cursor."""
        cursor = InlineCursor(self)
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        """Commit (waiting, without blocking the loop, while the database is locked)."""
        await _patiently(self._conn, self._conn.commit)

    async def rollback(self) -> None:
        """Roll back."""
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """Register a Python function with SQLite."""
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        """Close the connection (again is fine)."""
        self.stop()

    def stop(self) -> None:
        """Close at once (the pool's terminate; again is fine)."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(database: str) -> Callable[[], Any]:
    """An ``async_creator`` for ``create_async_engine``: inline connections to ``database``."""

    async def connect() -> InlineConnection:
        conn = sqlite3.connect(database, timeout=0, check_same_thread=False)
        return InlineConnection(conn)

    return connect
