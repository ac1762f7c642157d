"""Database engine, sessions and migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

#: How many ``Database.transact`` calls the current task (an update's handling) has made: a
#: row an ORM session holds from before the latest one may have been changed by it.
TRANSACTS: ContextVar[int] = ContextVar("gongyou_transacts", default=0)

MIGRATIONS = Path(__file__).with_name("migrations")
#: The PostgreSQL advisory lock key held while migrating (any fixed number of the project's).
MIGRATE_LOCK = 0x676F6E67
T = TypeVar("T")


class Database:
    """One engine and its session factory; create once per process."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            database = self.url.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # No ping before each checkout (a round trip per transaction): a connection the
            # server dropped fails on first use, the pool is invalidated, and ``transact``,
            # the first database work of every update, tries once more on a fresh connection.
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=False)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        self._writer: Engine | None = None
        self._writer_thread: ThreadPoolExecutor | None = None
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            database = self.url.database or ""
            if database and database != ":memory:":
                # aiosqlite makes a thread hop for every cursor call; the per-update
                # transaction instead runs whole in one call on a thread of its own.
                self._writer = create_engine(self.url.set(drivername="sqlite+pysqlite"))
                event.listen(self._writer, "connect", _sqlite_pragmas)
                self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

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
        Each call is counted in :data:`TRANSACTS` (of the task that makes it).
        """
        TRANSACTS.set(TRANSACTS.get() + 1)
        if self._writer is not None and self._writer_thread is not None:
            writer = self._writer

            def call() -> T:
                with writer.begin() as conn:
                    return fn(conn, **params)

            return await asyncio.get_running_loop().run_in_executor(self._writer_thread, call)
        try:
            async with self.engine.begin() as conn:
                return await conn.run_sync(partial(fn, **params))
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.info("a pooled database connection was gone; trying again on a new one")
        async with self.engine.begin() as conn:
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
        if self._writer is not None:
            self._writer.dispose()
        if self._writer_thread is not None:
            self._writer_thread.shutdown(wait=True)
            self._writer_thread = None
            self._writer = None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
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
