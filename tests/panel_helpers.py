"""Helpers for panel tests: the real panel app on a test server, and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.context import Services
from bot.core.models import User
from bot.core.notify import Notifier
from bot.core.users import touch_user
from bot.db import Database
from bot.panel import setup_panel
from bot.panel.auth import create_link

PREFIX = "/panel"
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def panel_app(
    db: Database, settings: Settings, notifier: Notifier | None = None
) -> web.Application:
    """An aiohttp app with only the panel mounted (as the webhook app mounts it); with
    ``notifier``, as the panel runs beside the bot."""
    app = web.Application()
    services = Services(settings=settings, db=db, router=None, notifier=notifier)  # type: ignore[arg-type]
    setup_panel(app, services, prefix=PREFIX)
    return app


@asynccontextmanager
async def panel_client(
    db: Database, settings: Settings, notifier: Notifier | None = None
) -> AsyncIterator[TestClient[Any, Any]]:
    """A test client of the panel (not signed in)."""
    client: TestClient[Any, Any] = TestClient(TestServer(panel_app(db, settings, notifier)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def give_roles(
    db: Database, user_id: int, roles: Iterable[str], *, language: str = "zh"
) -> None:
    """Create the user (if new) holding exactly ``roles``."""
    async with db.session() as session:
        user = await touch_user(session, user_id=user_id, language=language)
        user.roles = sorted(roles)
        user.language = language
        session.add(user)
        await session.commit()


async def new_link(db: Database, user_id: int) -> str:
    """A fresh one-time sign-in token for ``user_id``."""
    async with db.session() as session:
        return await create_link(session, user_id=user_id)


async def use_link(client: TestClient[Any, Any], token: str) -> ClientResponse:
    """Open the link and press "sign in", as a browser does (redirects not followed)."""
    page = await client.get(f"{PREFIX}/signin/{token}")
    assert page.status == 200
    return await client.post(f"{PREFIX}/signin", data={"token": token}, allow_redirects=False)


@dataclass
class Panel:
    """A signed-in browser: GETs and POSTs that carry the session's CSRF token."""

    client: TestClient[Any, Any]
    user_id: int
    csrf: str

    async def get(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.client.get(PREFIX + path, **kwargs)

    async def post(
        self, path: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> ClientResponse:
        form = {"csrf": self.csrf, **(data or {})}
        return await self.client.post(PREFIX + path, data=form, **kwargs)


@asynccontextmanager
async def signed_in(
    db: Database,
    settings: Settings,
    *,
    user_id: int = 500_001,
    roles: Iterable[str] = ("staff",),
    language: str = "zh",
    notifier: Notifier | None = None,
) -> AsyncIterator[Panel]:
    """A panel client signed in as ``user_id`` holding ``roles`` (``notifier``: the panel
    runs beside the bot, which sends through it)."""
    await give_roles(db, user_id, roles, language=language)
    async with panel_client(db, settings, notifier) as client:
        response = await use_link(client, await new_link(db, user_id))
        assert response.status == 303, await response.text()
        page = await client.get(PREFIX + "/signin")  # redirects to the visitor's first page
        found = CSRF.search(await page.text())
        assert found is not None, "no CSRF token on the signed-in page"
        yield Panel(client, user_id, found.group(1))


async def user_row(db: Database, user_id: int) -> User | None:
    """The user's row as stored now."""
    async with db.session() as session:
        return await session.get(User, user_id)
