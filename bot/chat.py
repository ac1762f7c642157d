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

from bot.app import build_application, encoders
from bot.config import Settings, load_settings
from bot.core.models import Role, utcnow
from bot.core.users import bootstrap_admins, grant_role
from bot.db import Database
from bot.localapi import Call, LocalBotApi
from bot.membership.roster import load_demo_roster, member_key
from bot.stations.imports import load_demo_stations

LOCATION = re.compile(r"^/loc\s+(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)$")
FILE = re.compile(r"^/file\s+(\S+)(?:\s+(.*))?$")
PHOTO = re.compile(r"^/photo(?:\s+(.*))?$")
CONTACT = re.compile(r"^/contact(?:\s+(\S+))?$")
AS = re.compile(r"^/as\s+(\S+)$")
SAMPLE_JOBS = Path(__file__).with_name("data") / "jobs-sample.xlsx"
#: People to chat as with /as; staff and the volunteers get their role when the chat starts.
PERSONAS: dict[str, tuple[int, Role | None]] = {
    "worker": (10001, None),
    "worker2": (10002, None),
    "worker3": (10004, None),
    "employer": (10003, None),
    "staff": (20001, Role.staff),
    "lawyer": (20002, Role.volunteer_legal),
    "matchmaker": (20003, Role.volunteer_match),
}
#: The volunteers' group of the chat (a forum supergroup): new legal cases are posted there.
VOLUNTEERS_CHAT = -1001000000001
HELP = (
    "Type as a worker would. A number presses that button of the last keyboard; "
    "/loc <lat>,<lon> shares a location (try /loc 34.7466,113.6254, central Zhengzhou: "
    "82 demo post stations are loaded); /file <path> [caption] sends a file (/file sample "
    "sends the sample job list); /photo [path] [caption] sends a photo (a stand-in picture "
    "without a path); /contact shares your own phone number (/contact other: someone else's); "
    "/as <name> switches person (worker, worker2, worker3, employer, staff, lawyer, "
    "matchmaker, or a number); /quit leaves. Demo union members for matchmaking: worker "
    "张伟 card DEMO-0001, worker2 李娜 DEMO-0002, worker3 王芳 DEMO-0003."
)


class Terminal:
    """Renders what the bot sends and remembers each person's last keyboard."""

    def __init__(self, write: Callable[[str], None], names: dict[int, str]) -> None:
        self.write = write
        self.names = names
        self.current = 0
        self.keyboards: dict[int, tuple[list[dict[str, Any]], int]] = {}
        self.markups: dict[int, list[list[dict[str, Any]]]] = {}

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The buttons of the last keyboard the current person was sent."""
        return self.keyboards.get(self.current, ([], 0))[0]

    @property
    def keyboard_message_id(self) -> int:
        """The message that carries the current person's last keyboard."""
        return self.keyboards.get(self.current, ([], 0))[1]

    def show(self, call: Call) -> None:
        """Print one Bot API call the way a phone would show it."""
        params = call.params
        try:
            chat_id = int(params.get("chat_id") or self.current)
        except (TypeError, ValueError):
            chat_id = self.current
        bot = "bot" if chat_id == self.current else f"bot -> {self.names.get(chat_id, chat_id)}"
        if params.get("message_thread_id"):
            bot += f" (topic {params['message_thread_id']})"
        if call.method in ("sendMessage", "editMessageText"):
            prefix = f"{bot} (edited)" if call.method == "editMessageText" else bot
            self.write(f"\n{prefix}: {call.text}")
        elif call.method == "sendLocation":
            self.write(f"\n{bot}: [location {params['latitude']}, {params['longitude']}]")
        elif call.method == "sendVenue":
            self.write(
                f"\n{bot}: [map pin] {params['title']} - {params['address']} "
                f"({params['latitude']}, {params['longitude']})"
            )
        elif call.method == "answerCallbackQuery" and params.get("text"):
            self.write(f"\nbot (popup): {params['text']}")
        elif call.method in ("sendPhoto", "sendDocument", "copyMessage"):
            self.write(f"\n{bot}: [{call.method[4:].lower()}] {call.text}")
        elif call.method == "editMessageReplyMarkup" and call.buttons:
            self.write(f"\n{bot} (buttons changed):")
        elif call.method == "createForumTopic":
            self.write(f"\n{bot}: [new topic] {params.get('name', '')}")
        rows = call.buttons
        if rows:
            buttons = [button for row in rows for button in row]
            result = call.result if isinstance(call.result, dict) else {}
            self.keyboards[chat_id] = (buttons, int(result.get("message_id") or 0))
            self.markups[chat_id] = rows
            if chat_id != self.current:
                labels = ", ".join(f"[{button['text']}]" for button in buttons)
                self.write(f"  {labels}")
                return
            for number, button in enumerate(buttons, start=1):
                target = f" -> {button['url']}" if "url" in button else ""
                self.write(f"  [{number}] {button['text']}{target}")


class ChatSession:
    """Simulated people talking to the application through the in-process Bot API."""

    def __init__(self, *, user_id: int, language: str, write: Callable[[str], None]) -> None:
        self.user_id = user_id
        self.language = language
        self.names = {number: name for name, (number, _role) in PERSONAS.items()}
        self.names[VOLUNTEERS_CHAT] = "volunteers group"
        self.terminal = Terminal(write, self.names)
        self.terminal.current = user_id
        self.api = LocalBotApi(on_call=self.terminal.show)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.names.get(self.user_id, "工友"),
            "language_code": self.language,
        }

    def switch(self, who: str) -> bool:
        """Chat as another person from now on (a persona name or a Telegram id)."""
        if who in PERSONAS:
            self.user_id = PERSONAS[who][0]
        elif who.isdigit() and 0 < int(who) < 10**12:
            self.user_id = int(who)
        else:
            self.terminal.write(f"(unknown person {who!r}; try {', '.join(PERSONAS)})")
            return False
        self.terminal.current = self.user_id
        name = self.names.get(self.user_id, str(self.user_id))
        self.terminal.write(f"(now chatting as {name}, id {self.user_id})")
        return True

    def _document(self, path_text: str, caption: str | None) -> dict[str, Any] | None:
        path = SAMPLE_JOBS if path_text == "sample" else Path(path_text).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.terminal.write(f"(cannot read {path}: {exc.strerror})")
            return None
        file_id = f"local-{next(self._file_ids)}"
        self.api.files[file_id] = data
        document: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": path.name,
            "file_size": len(data),
        }
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
        return extra

    def _photo(self, rest: str | None) -> dict[str, Any] | None:
        """A photo message: ``/photo [path] [caption]`` (a stand-in picture without a path)."""
        data = b""
        first, _, caption_text = (rest or "").strip().partition(" ")
        caption: str | None = (rest or "").strip() or None
        if first and Path(first).expanduser().is_file():
            try:
                data = Path(first).expanduser().read_bytes()
            except OSError as exc:
                self.terminal.write(f"(cannot read {first}: {exc.strerror})")
                return None
            caption = caption_text.strip() or None
        file_id = f"local-photo-{next(self._file_ids)}"
        self.api.files[file_id] = data
        size = {"file_id": file_id, "file_unique_id": file_id, "width": 1280, "height": 960}
        extra: dict[str, Any] = {"photo": [size]}
        if caption:
            extra["caption"] = caption
        return extra

    def payload_for(self, line: str) -> dict[str, Any] | None:
        """Turn a typed line into a Telegram update payload (None: not an update)."""
        line = line.strip()
        if found := AS.match(line):
            self.switch(found.group(1))
            return None
        update_id = next(self._update_ids)
        chat = {"id": self.user_id, "type": "private", "first_name": "工友"}
        # a number of one or two digits presses a button; longer ones (amounts, phones) are text
        if line.isdigit() and len(line) <= 2 and self.terminal.buttons:
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
                        "reply_markup": {
                            "inline_keyboard": self.terminal.markups.get(self.user_id, [])
                        },
                    },
                },
            }
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(),
        }
        if found := LOCATION.match(line):
            message["location"] = {
                "latitude": float(found.group(1)),
                "longitude": float(found.group(2)),
            }
        elif found := FILE.match(line):
            document = self._document(found.group(1), found.group(2))
            if document is None:
                return None
            message.update(document)
        elif found := CONTACT.match(line):
            other = found.group(1) == "other"
            message["contact"] = {
                "phone_number": f"+86138{(99999 if other else self.user_id) % 100000:08d}",
                "first_name": "别人" if other else self.names.get(self.user_id, "工友"),
                "user_id": 99999 if other else self.user_id,
            }
        elif found := PHOTO.match(line):
            photo = self._photo(found.group(1))
            if photo is None:
                return None
            message.update(photo)
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
        url = (
            load_settings(database_url=database_url).database_url
            if database_url
            else f"sqlite+aiosqlite:///{Path(tmp) / 'chat.sqlite3'}"
        )
        db = Database(url)
        await db.upgrade()
        await load_demo_stations(db)
        await load_demo_roster(db, key=member_key(settings, warn=False))
        async with db.session() as session:
            await bootstrap_admins(session, admin_ids=settings.admin_ids)
            for persona_id, persona_role in PERSONAS.values():
                if persona_role is not None:
                    await grant_role(session, actor_id=None, user_id=persona_id, role=persona_role)
            if role is not None:
                await grant_role(session, actor_id=None, user_id=user_id, role=role)
        local = settings.model_copy(
            update={
                "outbound_rate_limit": False,
                "database_url": url,
                "volunteers_chat_id": settings.volunteers_chat_id or VOLUNTEERS_CHAT,
            }
        )
        chat = ChatSession(user_id=user_id, language=language, write=write)
        app = build_application(local, db=db, request=chat.api, token="1:LOCAL", job_queue=False)
        await app.initialize()
        background = Background(app.bot, db, local)
        write(HELP)
        try:
            line = "/start"
            while True:
                if line.strip() in ("/quit", "/exit"):
                    break
                payload = chat.payload_for(line) if line.strip() else None
                if payload is not None:
                    await app.process_update(Update.de_json(payload, app.bot))
                    await background.catch_up()
                try:
                    line = await asyncio.to_thread(read, "\nyou> ")
                except EOFError:
                    break
        finally:
            await app.shutdown()
            await db.dispose()


class Background:
    """The work a running bot does between messages (broadcasts, job alerts), done at once."""

    def __init__(self, bot: Any, db: Database, settings: Settings) -> None:
        from bot.jobs.broadcast import BroadcastSender
        from handlers.notifier import TelegramNotifier

        self.db = db
        self.bot = bot
        self.settings = settings
        notifier = TelegramNotifier(bot, encoders())
        self.sender = BroadcastSender(notifier, db, rate=1000.0, owner="chat")

    async def catch_up(self) -> None:
        """Send what a broadcast has pending, due job alerts and tomorrow's social reminders."""
        from bot.jobs.alerts import deliver_alerts
        from bot.match.events import send_reminders
        from handlers.notifier import TelegramNotifier

        while await self.sender.step():
            pass
        await deliver_alerts(
            self.sender.notifier,
            self.db,
            now=utcnow(),
            quiet_hours=self.settings.quiet_hours,
            timezone=self.settings.timezone,
        )
        notifier = TelegramNotifier(self.bot, encoders())
        await send_reminders(notifier, self.db, now=utcnow(), zone=self.settings.timezone)
