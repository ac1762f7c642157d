"""Fixtures: a fresh database (SQLite always, PostgreSQL when configured) and a bot harness."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from telegram import Update

from bot.app import GongyouApplication, build_application
from bot.config import Settings
from bot.db import Database, alembic_config
from bot.localapi import Call, LocalBotApi


def _own_worker_database() -> tuple[str, str] | None:
    """Under pytest-xdist, give this worker a PostgreSQL database of its own.

    The tests empty the database between tests, so two workers must never share one: each
    makes ``<database>_<worker>`` (``gongyou_test_gw0``…) on the same server, new, and points
    ``GONGYOU_TEST_DATABASE_URL`` at it for everything that reads it (fixtures, replicas and
    bots started in subprocesses). Returns the given URL and the worker's, to drop the worker's
    database when it ends.
    """
    url = os.environ.get("GONGYOU_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return None
    base = make_url(Settings(database_url=url, _env_file=None).database_url)
    own = base.set(database=f"{base.database}_{worker}")

    async def create() -> None:
        engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{own.database}"'))
        finally:
            await engine.dispose()

    asyncio.run(create())
    os.environ["GONGYOU_TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)
    return base.render_as_string(hide_password=False), own.database or ""


WORKER_DATABASE = _own_worker_database()
PG_URL = os.environ.get("GONGYOU_TEST_DATABASE_URL")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the worker's own database (see :func:`_own_worker_database`)."""
    if WORKER_DATABASE is None:
        return
    base, own = WORKER_DATABASE

    async def drop() -> None:
        engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        finally:
            await engine.dispose()

    asyncio.run(drop())


TOKEN = "123456:TEST-token"


PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep HTTP clients from sending 127.0.0.1 traffic through a configured proxy."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: a new SQLite file, or the test PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    if not PG_URL:
        pytest.skip("set GONGYOU_TEST_DATABASE_URL to run against PostgreSQL")
    return Settings(database_url=PG_URL).database_url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test run; each test's database starts as a copy."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"

    async def migrate() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        await database.upgrade()
        async with database.engine.begin() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await database.dispose()

    asyncio.run(migrate())
    return path


@cache
def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def _migrated(database: Database) -> None:
    """Migrate the database unless it is at the head already (one query instead of Alembic)."""
    async with database.engine.connect() as conn:
        try:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        except Exception:  # noqa: BLE001 - no version table yet
            version = None
    if version != _head():
        await database.upgrade()


def _table_names() -> list[str]:
    return [table.name for table in SQLModel.metadata.sorted_tables]


async def _empty_postgresql(database: Database) -> None:
    """Delete every row a test left and restart the sequences it used.

    Cheaper than one TRUNCATE of every table, which replaces each table's files and can take
    half a second per test on a busy machine: most tests touch a few tables.
    """
    names = _table_names()
    probe = " UNION ALL ".join(
        f"SELECT '{name}' AS name WHERE EXISTS (SELECT 1 FROM {name})" for name in names
    )
    async with database.engine.begin() as conn:
        filled = {row.name for row in await conn.execute(text(probe))}
        for name in reversed(names):  # children before the tables they refer to
            if name in filled:
                await conn.execute(text(f"DELETE FROM {name}"))
        await conn.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences WHERE last_value IS NOT NULL "
                "AND schemaname = current_schema()"
            )
        )


@pytest.fixture
def migrated_url(database_url: str, request: pytest.FixtureRequest) -> str:
    """``database_url``, its SQLite file (if new) copied from the migrated template."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        if not path.exists():
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return database_url


@pytest.fixture
async def db(migrated_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    database = Database(migrated_url)
    await _migrated(database)
    if not database.is_sqlite:
        await _empty_postgresql(database)
    yield database
    await database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for tests: no outbound rate limits, a fixed admin."""
    return Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[333_333],
        default_language="zh",
        _env_file=None,  # type: ignore[call-arg]
    )


class Harness:
    """Feeds updates through the real application and exposes what the bot sent."""

    def __init__(self, app: GongyouApplication, api: LocalBotApi, db: Database) -> None:
        self.app = app
        self.api = api
        self.db = db

    async def feed(self, payload: dict[str, Any]) -> list[Call]:
        """Process one update payload; return the Bot API calls it caused."""
        before = len(self.api.calls)
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        return self.api.calls[before:]

    async def texts(self, payload: dict[str, Any]) -> list[str]:
        """Process one update; return the texts of the messages the bot sent."""
        calls = await self.feed(payload)
        return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


@pytest.fixture
async def harness(settings: Settings, db: Database) -> AsyncIterator[Harness]:
    """The real application over a fresh database with a recording Bot API."""
    from bot.core.users import bootstrap_admins

    api = LocalBotApi(strict=True)
    app = build_application(settings, db=db, request=api, job_queue=False)
    async with db.session() as session:
        await bootstrap_admins(session, admin_ids=settings.admin_ids)
    await app.initialize()
    try:
        yield Harness(app, api, db)
    finally:
        await app.shutdown()
    assert not api.unexpected, f"unexpected Bot API calls: {api.unexpected}"
