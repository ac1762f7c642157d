"""Database engine, sessions and migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, asynccontextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

#: How many ``Database.transact`` calls the current task (an update's handling) has made: a
#: row an ORM session holds from before the latest one may have been changed by it.
TRANSACTS: ContextVar[int] = ContextVar("gongyou_transacts", default=0)


class UpdateTransaction(Protocol):
    """The transaction of the update the current task is handling (``bot.context`` binds it)."""

    async def release(self) -> None:
        """Commit what the update's session holds for its next commit, if anything."""

    async def read(self, fn: Callable[..., Any], params: dict[str, Any]) -> Any:
        """Run ``fn(connection, **params)`` in the update's own transaction, or return
        :data:`NOT_JOINED` when it cannot (another task, or a database without the need)."""


#: The update transaction of the current task, while it handles an update.
CURRENT: ContextVar[UpdateTransaction | None] = ContextVar("gongyou_update_tx", default=None)
#: What :meth:`UpdateTransaction.read` returns when the read must run on its own.
NOT_JOINED: Any = object()

#: ``Session.info`` key of the update's own session: how it holds a commit back (see
#: :func:`commit_soon`).
HOLD = "gongyou_hold"


async def commit_soon(session: AsyncSession) -> None:
    """Commit ``session``, or, when it is the session of the update being handled, let the
    update commit it: before its next Bot API call or other transaction, or when it ends well.

    For a flow step: the step lands before anything is said about it (no reply is ever sent for
    a step that is not stored), and the step, a search and the inbox mark share one transaction.
    """
    hold = session.info.get(HOLD)
    if hold is None:
        await session.commit()
    else:
        await hold()


#: Attribute set by :func:`standalone_read`.
STANDALONE = "gongyou_standalone_read"
F = TypeVar("F", bound=Callable[..., Any])


def standalone_read(fn: F) -> F:
    """Mark a read-only function whose statements need nothing of a transaction: no snapshot
    shared between them, no transaction-local setting (``set_config(..., true)``). Outside an
    update, :meth:`Database.read` runs it on PostgreSQL without BEGIN and COMMIT, one round
    trip per statement, as it costs inside an update, whose transaction it joins."""
    setattr(fn, STANDALONE, True)
    return fn


MIGRATIONS = Path(__file__).with_name("migrations")
#: The PostgreSQL advisory lock key held while migrating (any fixed number of the project's).
MIGRATE_LOCK = 0x676F6E67
#: Run the async engine's SQLite calls on the event loop (bot.sqlite_inline), not a thread.
INLINE_SQLITE = True
T = TypeVar("T")


class UpdateSession(Session):
    """The sessions a :class:`Database` opens. The update being handled hears of its session's
    commits and rollbacks through listeners set once on this class (``bot.context``), not
    added to each session: adding three listeners cost about as much as a statement."""


class Database:
    """One engine and its session factory; create once per process."""

    def __init__(self, url: str, *, echo: bool = False, handling: int = 0) -> None:
        """``handling``: how many updates the bot handles at once. On PostgreSQL each holds a
        pooled connection until its handling commits (replies included), so the pool keeps
        that many and two more (ten at least), and ten beyond when they are all in use."""
        self.url = make_url(url)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            database = self.url.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
            if database and database != ":memory:" and INLINE_SQLITE:
                # no thread hop per call: see bot.sqlite_inline
                from bot.sqlite_inline import connector

                kwargs["async_creator"] = connector(database)
        else:
            # No ping before each checkout (a round trip per transaction): a connection the
            # server dropped fails on first use, the pool is invalidated, and ``transact``,
            # the first database work of every update, tries once more on a fresh connection.
            kwargs.update(pool_size=max(10, handling + 2), max_overflow=10, pool_pre_ping=False)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        self._writer: Engine | None = None
        self._writer_thread: ThreadPoolExecutor | None = None
        #: SQLite: staff reports' read-only connections and their thread (made on first use).
        self._reports: Engine | None = None
        self._reports_thread: ThreadPoolExecutor | None = None
        self._short: Engine | None = None
        if self.is_sqlite:
            inline = "async_creator" in kwargs
            event.listen(
                self.engine.sync_engine, "connect", _inline_pragmas if inline else _sqlite_pragmas
            )
            database = self.url.database or ""
            if database and database != ":memory:":
                # aiosqlite makes a thread hop for every cursor call; the per-update
                # transaction instead runs whole in one call on a thread of its own.
                self._writer = create_engine(self.url.set(drivername="sqlite+pysqlite"))
                event.listen(self._writer, "connect", _sqlite_pragmas)
                self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
                if inline:
                    # the update path's short transactions, run at once on the event loop
                    self._short = create_engine(
                        self.url.set(drivername="sqlite+pysqlite"),
                        connect_args={"timeout": 0},
                    )
                    event.listen(self._short, "connect", _inline_pragmas)
        #: Standalone reads outside an update, on PostgreSQL: no BEGIN and COMMIT round trips
        #: around their statements (the same pool; the flag is kept on the client side).
        self._reader: AsyncEngine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.sessionmaker = async_sessionmaker(
            self.engine,
            class_=AsyncSession,
            sync_session_class=UpdateSession,
            expire_on_commit=False,
        )

    @property
    def engines(self) -> list[Engine]:
        """Every engine this database runs statements on (to watch or count them)."""
        extra = [e for e in (self._writer, self._short, self._reports) if e is not None]
        return [self.engine.sync_engine, *extra]

    @property
    def is_sqlite(self) -> bool:
        """True when the database is SQLite (the embedded default)."""
        return self.url.get_backend_name() == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Open a session; anything not committed is rolled back when it closes."""
        async with self.sessionmaker() as session:
            yield session

    async def transact(self, fn: Callable[..., T], /, **params: Any) -> T:
        """Run ``fn(connection, **params)`` in one transaction, committed if it returns.

        ``fn`` is plain synchronous SQLAlchemy Core code. On SQLite it runs whole on the writer
        thread (one hop instead of several per statement); on PostgreSQL on the async engine.
        Each call is counted in :data:`TRANSACTS` (of the task that makes it). Inside an
        update's handling, what its session held back for its next commit is committed first.
        """
        TRANSACTS.set(TRANSACTS.get() + 1)
        current = CURRENT.get()
        if current is not None:
            await current.release()
        return await self._run(fn, params)

    async def short(self, fn: Callable[..., T], /, **params: Any) -> T:
        """Run ``fn(connection, **params)`` in one transaction, like :meth:`transact`, for the
        few statements of the update path (taking an update, marking it done).

        On a SQLite file it runs at once on the event loop instead of the writer thread (the
        hop costs more than the statements): while another connection holds the write lock,
        it rolls back, gives the loop back and runs again (``fn`` must be safe to run again).
        """
        if self._short is None:
            return await self.transact(fn, **params)
        TRANSACTS.set(TRANSACTS.get() + 1)
        current = CURRENT.get()
        if current is not None:
            await current.release()
        return await self._run_short(self._short, fn, params)

    @staticmethod
    async def _run_short(engine: Engine, fn: Callable[..., T], params: dict[str, Any]) -> T:
        from bot.sqlite_inline import patiently

        def attempt() -> T:
            with engine.begin() as conn:  # locked out: rolled back whole, run again
                return fn(conn, **params)

        return await patiently(attempt)

    async def read(self, fn: Callable[..., T], /, **params: Any) -> T:
        """Run the read-only ``fn(connection, **params)``, like :meth:`transact`.

        On PostgreSQL, inside an update's handling, it runs in the update's own transaction
        (which also marks the update handled), so a search costs no transaction of its own;
        elsewhere, a function marked :func:`standalone_read` runs without BEGIN and COMMIT.
        """
        current = CURRENT.get()
        if current is not None:
            if not self.is_sqlite:
                joined: T = await current.read(fn, params)
                if joined is not NOT_JOINED:
                    return joined
            await current.release()
        return await self._run(fn, params, standalone=getattr(fn, STANDALONE, False))

    async def report(self, fn: Callable[..., T], /, **params: Any) -> T:
        """Run the read-only ``fn(connection, **params)`` of a staff report (statistics, the
        dashboard, an export), like :meth:`read`. On a SQLite file it runs on a thread and
        connection of its own, read-only (``query_only``): a report taking a second at a big
        union's size holds up neither the event loop nor the writer thread on which workers'
        searches and writes queue (WAL lets it read beside them)."""
        if self._writer is None:
            return await self.read(fn, **params)
        current = CURRENT.get()
        if current is not None:
            await current.release()
        if self._reports is None or self._reports_thread is None:
            self._reports = create_engine(self.url.set(drivername="sqlite+pysqlite"))
            event.listen(self._reports, "connect", _report_pragmas)
            self._reports_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reports")
        return await _on_thread(self._reports_thread, self._reports.connect, fn, params)

    async def _run(
        self, fn: Callable[..., T], params: dict[str, Any], *, standalone: bool = False
    ) -> T:
        if self._writer is not None and self._writer_thread is not None:
            return await _on_thread(self._writer_thread, self._writer.begin, fn, params)
        # a standalone read: one round trip per statement instead of BEGIN, it and COMMIT
        opened = self._reader.connect if standalone and not self.is_sqlite else self.engine.begin
        try:
            async with opened() as conn:
                return await conn.run_sync(partial(fn, **params))
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.info("a pooled database connection was gone; trying again on a new one")
        async with opened() as conn:
            return await conn.run_sync(partial(fn, **params))

    async def ping(self) -> bool:
        """Return True if the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            log.warning("database ping failed", exc_info=True)
            return False
        return True

    async def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to ``revision``.

        On PostgreSQL an advisory lock is held for the transaction, so replicas starting together
        migrate one after another (the later ones find nothing left to do).
        """
        async with self.engine.begin() as conn:
            if not self.is_sqlite:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK}
                )
            await conn.run_sync(_run_upgrade, revision)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self._short is not None:
            self._short.dispose()
        if self._writer is not None:
            self._writer.dispose()
        if self._writer_thread is not None:
            self._writer_thread.shutdown(wait=True)
            self._writer_thread = None
            self._writer = None
        if self._reports_thread is not None:
            self._reports_thread.shutdown(wait=True)
            self._reports_thread = None
        if self._reports is not None:
            self._reports.dispose()
            self._reports = None


def dialect_insert(dialect: str) -> Callable[..., Any]:
    """The ``insert`` of ``dialect`` (a dialect's name) that can say what to do on a conflict
    (``ON CONFLICT``): PostgreSQL's, or SQLite's for any other."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def _on_thread(
    thread: ThreadPoolExecutor,
    opened: Callable[[], AbstractContextManager[Connection]],
    fn: Callable[..., T],
    params: dict[str, Any],
) -> T:
    """Run ``fn(connection, **params)`` on ``thread``, in a connection ``opened()`` there."""

    def call() -> T:
        with opened() as conn:
            return fn(conn, **params)

    return await asyncio.get_running_loop().run_in_executor(thread, call)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _report_pragmas(dbapi_conn: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_conn, record)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA query_only=ON")  # a report reads; a write is refused
    cursor.close()


def _inline_pragmas(dbapi_conn: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_conn, record)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA busy_timeout=0")  # waits give the loop back instead
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    from alembic.config import Config  # only migrating needs Alembic

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _run_upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), revision)
