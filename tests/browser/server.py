"""The whole bot, as webhook mode serves it, on 127.0.0.1 in a thread of its own.

Browser tests and ``python -m tests.browser.screenshots`` drive it: the aiohttp app of
``gongyou run`` in webhook mode (the staff panel under ``/panel``, the webhook, the broadcast
sender and the outbox running beside it) over a fresh database with the demo data of
``gongyou panel --demo``, talking to a recording fake Bot API on 127.0.0.1, so a broadcast or
a notice goes nowhere real. Playwright's sync API needs the main thread to itself, hence the
thread: :meth:`PanelServer.run` runs a coroutine on the server's loop and waits for it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import timedelta
from typing import Any, TypeVar

from aiohttp import web

from bot.app import build_application
from bot.config import Settings
from bot.core.models import Role, User, utcnow
from bot.core.users import revoke_role, touch_user
from bot.db import Database
from bot.panel.auth import LINK_LIFETIME, create_link
from bot.panel.demo import DEMO_ADMIN, load_demo
from bot.web import make_web_app
from tests.factories import message

T = TypeVar("T")

TOKEN = "123456:BROWSER-token"
WEBHOOK_PATH = "/telegram"
WEBHOOK_SECRET = "browser-tests-secret"
#: The admin configured in GONGYOU_ADMIN_IDS (the demo admin holds the role in the database).
CONFIGURED_ADMIN = 333_333
START_TIMEOUT = 60.0


class PanelServer:
    """The real app on a free port of 127.0.0.1 (``with PanelServer(url) as server``)."""

    def __init__(
        self,
        database_url: str,
        *,
        extra: Callable[[Database, Settings], Awaitable[None]] | None = None,
        sender_rate: float = 25.0,
    ) -> None:
        self.database_url = database_url
        self._extra = extra
        self.sender_rate = sender_rate
        self.port = 0
        self.settings: Settings | None = None
        self._db: Database | None = None
        self._api: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="panel-server", daemon=True)

    # -- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> PanelServer:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise RuntimeError(f"the panel did not start within {START_TIMEOUT:.0f} s")
        if self._failure is not None:
            self._thread.join(5)
            raise RuntimeError("the panel did not start") from self._failure
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits
            self._failure = exc
            self._ready.set()

    async def _main(self) -> None:
        from tests.fake_botapi import FakeBotApi

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        async with FakeBotApi(TOKEN) as api:
            self._api = api
            settings = Settings(
                bot_token=TOKEN,  # type: ignore[arg-type]
                database_url=self.database_url,
                api_base_url=api.base_url,
                outbound_rate_limit=False,
                bulk_messages_per_second=self.sender_rate,
                quiet_hours="off",
                admin_ids=[CONFIGURED_ADMIN],
                default_language="zh",
                panel_url=f"{self.base_url}/panel",
                _env_file=None,  # type: ignore[call-arg]
            )
            self.settings = settings
            db = Database(settings.database_url)
            self._db = db
            runner: web.AppRunner | None = None
            try:
                await self._fill(db, settings)
                application = build_application(settings, db=db, updater=False)
                app = make_web_app(application, path=WEBHOOK_PATH, secret=WEBHOOK_SECRET)
                runner = web.AppRunner(app, handle_signals=False, access_log=None)
                await runner.setup()
                await web.SockSite(runner, sock).start()
                self._ready.set()
                await self._stop.wait()
            finally:
                if runner is not None:
                    await runner.cleanup()
                await db.dispose()
                sock.close()

    async def _fill(self, db: Database, settings: Settings) -> None:
        """Empty a PostgreSQL database other tests used, load the demo data and ``extra``."""
        if not db.is_sqlite:
            from tests.conftest import _empty_postgresql, _migrated

            await _migrated(db)
            await _empty_postgresql(db)
        await load_demo(db, settings)
        if self._extra is not None:
            await self._extra(db, settings)

    # -- what tests use -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def panel_url(self) -> str:
        return f"{self.base_url}/panel"

    @property
    def db(self) -> Database:
        assert self._db is not None
        return self._db

    @property
    def api(self) -> Any:
        """The recording fake Bot API (:class:`tests.fake_botapi.FakeBotApi`)."""
        return self._api

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run ``coroutine`` on the server's loop and return its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def give_roles(self, user_id: int, roles: Iterable[str], *, language: str = "zh") -> None:
        """Create the user (if new) holding exactly ``roles``, speaking ``language``."""

        async def give() -> None:
            async with self.db.session() as session:
                user = await touch_user(session, user_id=user_id, language=language)
                user.roles = sorted(roles)
                user.language = language
                session.add(user)
                await session.commit()

        self.run(give())

    def revoke(self, user_id: int, role: Role) -> None:
        """Take a role away, as an admin does."""

        async def take() -> None:
            async with self.db.session() as session:
                await revoke_role(session, actor_id=DEMO_ADMIN, user_id=user_id, role=role)

        self.run(take())

    def new_link(self, user_id: int, *, expired: bool = False) -> str:
        """A sign-in link (its full address) for ``user_id``; ``expired``: made 11 minutes ago."""
        made = utcnow() - LINK_LIFETIME - timedelta(minutes=1) if expired else None

        async def make() -> str:
            async with self.db.session() as session:
                return await create_link(session, user_id=user_id, now=made)

        return f"{self.panel_url}/signin/{self.run(make())}"

    def user(self, user_id: int) -> User | None:
        """The user's row as stored now."""

        async def read() -> User | None:
            async with self.db.session() as session:
                return await session.get(User, user_id)

        return self.run(read())

    def send_update(self, text: str, *, user_id: int) -> None:
        """Deliver a private message from ``user_id`` through the webhook, as Telegram does."""

        async def post() -> None:
            import aiohttp

            async with (
                aiohttp.ClientSession() as client,
                client.post(
                    self.base_url + WEBHOOK_PATH,
                    json=message(text, user_id=user_id),
                    headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                ) as answer,
            ):
                assert answer.status == 200, await answer.text()

        self.run(post())
