"""Fixtures: a fresh database (SQLite always, PostgreSQL when configured) and a bot harness."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from telegram import Update

from bot.app import GongyouApplication, build_application
from bot.config import Settings
from bot.db import Database
from bot.localapi import Call, LocalBotApi

PG_URL = os.environ.get("GONGYOU_TEST_DATABASE_URL")
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


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    database = Database(database_url)
    await database.upgrade()
    if not database.is_sqlite:
        names = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
        async with database.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
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
