"""A stand-in for Telegram's Bot API server, reached over real HTTP on 127.0.0.1.

The bot talks to it exactly as it talks to Telegram: point ``Settings.api_base_url`` at
:attr:`FakeBotApi.base_url` and the unchanged ``HTTPXRequest`` sends ``POST /bot<token>/<method>``
here. Every call is recorded (method and decoded parameters); unknown methods are answered with
``ok: false`` / 404 and kept in :attr:`FakeBotApi.unexpected`. Updates queued with
:meth:`FakeBotApi.enqueue` are handed out by ``getUpdates`` with Telegram's offset semantics.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import pytest
from aiohttp import web

from bot.localapi import BOT_USER, Call

#: Longest a test server keeps an empty ``getUpdates`` open, whatever ``timeout`` asks for.
MAX_LONG_POLL = 0.2
#: Parameters the Bot API defines as strings; form values of any other parameter are JSON.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "parse_mode",
        "url",
        "secret_token",
        "language_code",
        "inline_message_id",
        "ip_address",
        "business_connection_id",
    }
)
#: Telegram's answer to getUpdates while the bot has a webhook.
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
#: Telegram's answer to getUpdates while another getUpdates of the same bot is open.
POLLER_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
TRUE_METHODS = frozenset({"deleteWebhook", "setWebhook", "setMyCommands", "answerCallbackQuery"})


@dataclass
class _Queued:
    update: dict[str, Any]
    #: Hand the update out on the next ``getUpdates`` even if its id was already confirmed.
    redeliver: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


class FakeBotApi:
    """A Bot API server for one bot token; use as ``async with FakeBotApi(token) as api``."""

    def __init__(self, token: str, *, max_long_poll: float = MAX_LONG_POLL) -> None:
        self.token = token
        self.max_long_poll = max_long_poll
        self.calls: list[Call] = []
        self.unexpected: list[Call] = []
        #: Update ids in the order ``getUpdates`` handed them out (a redelivery appears twice).
        self.delivered: list[int] = []
        self._queue: list[_Queued] = []
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        #: The webhook set (setWebhook), if any: getUpdates is refused while there is one.
        self.webhook = ""
        #: How many more getUpdates to refuse as Telegram does when another poller is polling.
        self.refuse_polls = 0

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """The value for ``Settings.api_base_url`` (the token and method are appended to it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- what tests use -----------------------------------------------------------------------

    def enqueue(self, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates``, as if a user had just done something."""
        self._queue.append(_Queued(update))
        self._notify()

    def redeliver(self, update: dict[str, Any]) -> None:
        """Queue an update again even though it was confirmed, as Telegram may after a failure."""
        self._queue.append(_Queued(update, redeliver=True))
        self._notify()

    def sent(self, method: str | None = None) -> list[Call]:
        """Recorded calls, optionally only those of one method."""
        return [c for c in self.calls if method is None or c.method == method]

    async def wait_until(
        self, predicate: Callable[[], bool], *, within: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until ``predicate()`` holds after some call; fail after ``within`` seconds."""
        try:
            async with asyncio.timeout(within):
                while not predicate():
                    await self._changed.wait()
        except TimeoutError:
            seen = [c.method for c in self.calls if c.method != "getUpdates"]
            pytest.fail(f"waited {within} s for {what}; calls so far: {seen}")

    async def wait_for(self, method: str, *, count: int = 1, within: float = 5.0) -> list[Call]:
        """Wait until ``method`` has been called ``count`` times; return those calls."""
        await self.wait_until(
            lambda: len(self.sent(method)) >= count,
            within=within,
            what=f"{count} call(s) of {method}",
        )
        return self.sent(method)

    # -- the server ---------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake everyone waiting for a change; later waiters wait for the next one."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _handle(self, request: web.Request) -> web.Response:
        prefix, _, method = request.match_info["path"].rpartition("/")
        params = await _read_params(request)
        call = Call(method, params)
        if prefix != f"bot{self.token}":
            self.unexpected.append(call)
            return _error(401, "Unauthorized")
        if method == "setWebhook":
            self.webhook = str(params.get("url") or "")
        elif method == "deleteWebhook":
            self.webhook = ""
        if method == "getUpdates" and (self.webhook or self.refuse_polls):
            self.calls.append(call)
            self._notify()
            if self.webhook:
                return _error(409, WEBHOOK_CONFLICT)
            self.refuse_polls -= 1
            return _error(409, POLLER_CONFLICT)
        if method == "getUpdates":
            result: Any = await self._get_updates(params)
        else:
            result = self._answer(call)
        if result is None:
            self.unexpected.append(call)
            return _error(404, "Not Found: method not found")
        self.calls.append(call)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_long_poll)
        self._confirm(offset)
        if not self._queue and wait > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    while not self._queue:
                        await self._changed.wait()
            self._confirm(offset)
        handed = self._queue[:limit]
        for entry in handed:
            entry.redeliver = False
        self.delivered.extend(entry.update_id for entry in handed)
        if handed:
            self._notify()
        return [entry.update for entry in handed]

    def _confirm(self, offset: int) -> None:
        """Forget updates older than ``offset``: the bot has confirmed them."""
        if offset:
            self._queue = [e for e in self._queue if e.redeliver or e.update_id >= offset]

    def _answer(self, call: Call) -> Any:
        method, params = call.method, call.params
        if method == "getMe":
            return BOT_USER
        if method in TRUE_METHODS:
            return True
        if method == "sendMessage":
            return self._message(params, next(self._message_ids))
        if method == "editMessageText":
            if "inline_message_id" in params:
                return True
            return self._message(params, int(params["message_id"]))
        return None

    @staticmethod
    def _message(params: dict[str, Any], message_id: int) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat: dict[str, Any] = (
            {"id": chat_id, "type": "private", "first_name": "worker"}
            if chat_id > 0
            else {"id": chat_id, "type": "supergroup", "title": "group"}
        )
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message


async def _read_params(request: web.Request) -> dict[str, Any]:
    """The call's parameters, from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = {k: _decode(k, v) for k, v in request.query.items()}
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):  # an uploaded file: keep its name only
            params[key] = value.filename
        elif isinstance(value, str):
            params[key] = _decode(key, value)
    return params


def _decode(key: str, value: str) -> Any:
    """Undo PTB's form encoding: every non-string parameter is sent JSON-encoded."""
    if key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _error(code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=code
    )
