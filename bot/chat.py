"""`gongyou chat`: talk to the real bot in a terminal, with no Telegram and no token."""

from __future__ import annotations

import asyncio
import itertools
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.db import Database
from bot.localapi import Call, LocalBotApi
from bot.models import Role
from bot.station_import import load_demo_stations
from bot.users import bootstrap_admins, grant_role

LOCATION = re.compile(r"^/loc\s+(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)$")
HELP = (
    "Type as a worker would. A number presses that button of the last keyboard; "
    "/loc <lat>,<lon> shares a location (try /loc 34.7466,113.6254, central Zhengzhou: "
    "82 demo post stations are loaded); /quit leaves."
)


class Terminal:
    """Renders what the bot sends and remembers the last keyboard's buttons."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self.buttons: list[dict[str, Any]] = []
        self.keyboard_message_id = 0

    def show(self, call: Call) -> None:
        """Print one Bot API call the way a phone would show it."""
        params = call.params
        if call.method in ("sendMessage", "editMessageText"):
            prefix = "bot (edited)" if call.method == "editMessageText" else "bot"
            self.write(f"\n{prefix}: {call.text}")
        elif call.method == "sendLocation":
            self.write(f"\nbot: [location {params['latitude']}, {params['longitude']}]")
        elif call.method == "sendVenue":
            self.write(
                f"\nbot: [map pin] {params['title']} - {params['address']} "
                f"({params['latitude']}, {params['longitude']})"
            )
        elif call.method == "answerCallbackQuery" and params.get("text"):
            self.write(f"\nbot (popup): {params['text']}")
        elif call.method == "sendPhoto" or call.method == "sendDocument":
            self.write(f"\nbot: [{call.method[4:].lower()}] {call.text}")
        rows = call.buttons
        if rows:
            self.buttons = [button for row in rows for button in row]
            result = call.result if isinstance(call.result, dict) else {}
            self.keyboard_message_id = int(result.get("message_id") or 0)
            for number, button in enumerate(self.buttons, start=1):
                target = f" -> {button['url']}" if "url" in button else ""
                self.write(f"  [{number}] {button['text']}{target}")


class ChatSession:
    """A simulated worker talking to the application through the in-process Bot API."""

    def __init__(self, *, user_id: int, language: str, write: Callable[[str], None]) -> None:
        self.user_id = user_id
        self.language = language
        self.terminal = Terminal(write)
        self.api = LocalBotApi(on_call=self.terminal.show)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": "工友",
            "language_code": self.language,
        }

    def payload_for(self, line: str) -> dict[str, Any] | None:
        """Turn a typed line into a Telegram update payload (None: not an update)."""
        update_id = next(self._update_ids)
        chat = {"id": self.user_id, "type": "private", "first_name": "工友"}
        line = line.strip()
        if line.isdigit() and self.terminal.buttons:
            index = int(line) - 1
            if not 0 <= index < len(self.terminal.buttons):
                self.terminal.write(f"(there is no button {line})")
                return None
            button = self.terminal.buttons[index]
            if "callback_data" not in button:
                self.terminal.write(f"(opens {button.get('url', 'a link')})")
                return None
            return {
                "update_id": update_id,
                "callback_query": {
                    "id": str(update_id),
                    "from": self._user(),
                    "chat_instance": "terminal",
                    "data": button["callback_data"],
                    "message": {
                        "message_id": self.terminal.keyboard_message_id or 1,
                        "date": int(time.time()),
                        "chat": chat,
                        "text": "",
                    },
                },
            }
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(),
        }
        found = LOCATION.match(line)
        if found:
            message["location"] = {
                "latitude": float(found.group(1)),
                "longitude": float(found.group(2)),
            }
        else:
            message["text"] = line
            if line.startswith("/"):
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(line.split()[0])}
                ]
        return {"update_id": update_id, "message": message}


async def run_chat(
    settings: Settings,
    *,
    user_id: int = 10001,
    role: Role | None = None,
    language: str = "zh",
    database_url: str | None = None,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    """Run the terminal chat until /quit or end of input."""
    with tempfile.TemporaryDirectory(prefix="gongyou-chat-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'chat.sqlite3'}"
        db = Database(url)
        await db.upgrade()
        await load_demo_stations(db)
        async with db.session() as session:
            await bootstrap_admins(session, admin_ids=settings.admin_ids)
            if role is not None:
                await grant_role(session, actor_id=None, user_id=user_id, role=role)
        local = settings.model_copy(update={"outbound_rate_limit": False, "database_url": url})
        chat = ChatSession(user_id=user_id, language=language, write=write)
        app = build_application(local, db=db, request=chat.api, token="1:LOCAL", job_queue=False)
        await app.initialize()
        write(HELP)
        try:
            line = "/start"
            while True:
                if line.strip() in ("/quit", "/exit"):
                    break
                payload = chat.payload_for(line) if line.strip() else None
                if payload is not None:
                    await app.process_update(Update.de_json(payload, app.bot))
                try:
                    line = await asyncio.to_thread(read, "\nyou> ")
                except EOFError:
                    break
        finally:
            await app.shutdown()
            await db.dispose()
