"""`gongyou chat`: talk to the real bot in a terminal, with no Telegram and no token; and the
same stand-in for Telegram beside `gongyou panel --demo` (:class:`DemoTelegram`)."""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import logging
import re
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Update

from bot.app import build_application, encoders
from bot.config import Settings, load_settings
from bot.core.models import Role, utcnow
from bot.core.users import bootstrap_admins, get_flow, grant_role
from bot.db import Database
from bot.jobs.review import BUTTON_STEPS as JOB_BUTTON_STEPS
from bot.jobs.review import DRAFT_STEPS, POST_FLOW
from bot.jobs.review import REVIEW_FLOW as JOB_REVIEW_FLOW
from bot.legal.core import ASK_FLOW, DRAFT_FLOW, INTAKE_FLOW, REPLY_FLOW
from bot.legal.intake import BUTTON_STEPS as INTAKE_BUTTON_STEPS
from bot.legal.intake import STEPS as INTAKE_STEPS
from bot.localapi import Call, LocalBotApi
from bot.match.core import EVENT_FLOW, PROFILE_FLOW
from bot.match.core import REVIEW_FLOW as MATCH_REVIEW_FLOW
from bot.match.profile import TEXT_STEPS as PROFILE_TEXT_STEPS
from bot.membership.roster import (
    CARD_STEP,
    NAME_STEP,
    VERIFY_FLOW,
    load_demo_roster,
    member_key,
)
from bot.stations.imports import load_demo_stations
from handlers.jobs.alerts import FLOW as ALERTS_FLOW
from handlers.jobs.broadcast import FLOW as BROADCAST_FLOW
from handlers.jobs.search import FLOW as JOBS_FLOW

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)
LOCATION = re.compile(r"^/loc\s+(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)$")
FILE = re.compile(r"^/file\s+(\S+)(?:\s+(.*))?$")
PHOTO = re.compile(r"^/photo(?:\s+(.*))?$")
CONTACT = re.compile(r"^/contact(?:\s+(\S+))?$")
AS = re.compile(r"^/as\s+(\S+)$")
#: ``#2`` always presses button 2; a bare ``2`` only when no typed answer is awaited.
PRESS = re.compile(r"^#(\d{1,2})$")
BARE_NUMBER = re.compile(r"^\d{1,2}$")
SAMPLE_JOBS = Path(__file__).with_name("data") / "jobs-sample.xlsx"
#: Where a "send my location" button puts the person: central Zhengzhou (二七广场), among the
#: demo post stations.
DEMO_LOCATION = (34.7466, 113.6254)
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
#: Flow steps whose answer is typed, by flow (``None``: every step of that flow). While a person
#: is at one of these steps a bare number is their answer, not a button; the steps come from
#: the services' own lists where they keep one. Flows not named here (browsing job results, the
#: station search, a question waiting for "open a case") are answered with buttons.
TYPED_STEPS: dict[str, frozenset[str] | None] = {
    POST_FLOW: frozenset(DRAFT_STEPS) - JOB_BUTTON_STEPS,
    JOB_REVIEW_FLOW: None,
    JOBS_FLOW: frozenset({"keywords", "report"}),
    BROADCAST_FLOW: frozenset({"compose"}),
    ALERTS_FLOW: None,
    VERIFY_FLOW: frozenset({CARD_STEP, NAME_STEP}),
    # a phone number is never one or two digits: there a bare number presses "share my phone"
    INTAKE_FLOW: frozenset(INTAKE_STEPS) - INTAKE_BUTTON_STEPS - {"evidence", "phone"},
    REPLY_FLOW: None,
    ASK_FLOW: None,
    DRAFT_FLOW: frozenset({"q", "p", "a"}),
    PROFILE_FLOW: PROFILE_TEXT_STEPS,
    MATCH_REVIEW_FLOW: None,
    EVENT_FLOW: frozenset({"title", "start", "place", "capacity"}),
}
HELP = (
    "Type as a worker would. #2 presses button 2 of the last keyboard; a bare number of one "
    "or two digits presses it too when the bot's last message carries buttons and no question "
    "waits for a typed answer (at a step like a social's number of places, 40 is the answer; "
    "#40 would press). Keyboard buttons under the input field (send my location, share my "
    "phone) are numbered the same way. /loc <lat>,<lon> shares a location (try /loc "
    "34.7466,113.6254, central Zhengzhou: 82 demo post stations are loaded); /file <path> "
    "[caption] sends a file (/file sample sends the sample job list); /photo [path] [caption] "
    "sends a photo (a stand-in picture without a path); /contact shares your own phone number "
    "(/contact other: someone else's); /as <name> switches person (worker, worker2, worker3, "
    "employer, staff, lawyer, matchmaker, or a number); /quit leaves. Demo union members for "
    "matchmaking: worker 张伟 card DEMO-0001, worker2 李娜 DEMO-0002, worker3 王芳 DEMO-0003."
)
#: Methods that put a new message in a chat.
NEW_MESSAGE = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "copyMessage",
        "forwardMessage",
    }
)

#: Map pins sent after a list belong to it: they leave the list's buttons the last ones.
PINS = frozenset({"sendLocation", "sendVenue"})


class _PlainText(HTMLParser):
    """Telegram HTML as a phone shows it: tags gone, links as ``text <url>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, first = self.links.pop()
            label = "".join(self.parts[first:])
            if href and href != label:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str, parse_mode: Any) -> str:
    """The text a phone shows for a message sent with ``parse_mode`` (only HTML is read)."""
    if str(parse_mode or "").upper() != "HTML":
        return text
    reader = _PlainText()
    reader.feed(text)
    reader.close()
    return html.unescape("".join(reader.parts))


def _markup(params: dict[str, Any]) -> dict[str, Any]:
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return markup if isinstance(markup, dict) else {}


def _reply_hint(button: dict[str, Any], number: int) -> str:
    """What pressing a keyboard button under the input field does."""
    lat, lon = DEMO_LOCATION
    if button.get("request_location"):
        return (
            f"shares a location: press {number} for central Zhengzhou {lat},{lon}, "
            "or type /loc <lat>,<lon>"
        )
    if button.get("request_contact"):
        return f"shares your own phone number: press {number} or type /contact"
    return f"sends this text: press {number}"


class Terminal:
    """Renders what the bot sends and remembers each person's last keyboard.

    Inline buttons and the keyboard under the input field share one numbering: an inline
    keyboard replaces the numbered buttons; a keyboard under the input field sent in the same
    reply joins them (numbers go on), sent alone it replaces them.
    """

    def __init__(self, write: Callable[[str], None], names: dict[int, str]) -> None:
        self.write = write
        self.names = names
        self.current = 0
        self.keyboards: dict[int, tuple[list[dict[str, Any]], int]] = {}
        self.markups: dict[int, list[list[dict[str, Any]]]] = {}
        #: Chats whose last message carries the numbered buttons.
        self.fresh: set[int] = set()
        #: Chats that got an inline keyboard in the reply being shown now.
        self._inline_now: set[int] = set()

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The buttons of the last keyboard the current person was sent."""
        return self.keyboards.get(self.current, ([], 0))[0]

    @property
    def keyboard_message_id(self) -> int:
        """The message that carries the current person's last inline keyboard."""
        return self.keyboards.get(self.current, ([], 0))[1]

    @property
    def buttons_are_fresh(self) -> bool:
        """True if the current person's last message from the bot carries the buttons."""
        return self.current in self.fresh and bool(self.buttons)

    def new_reply(self) -> None:
        """A new update is about to be answered."""
        self._inline_now.clear()

    def pressed(self, button: dict[str, Any]) -> None:
        """A keyboard button under the input field was pressed: a one-time keyboard goes."""
        if button.get("one_time"):
            self._drop_reply_keyboard(self.current)

    def _drop_reply_keyboard(self, chat_id: int) -> None:
        buttons, message_id = self.keyboards.get(chat_id, ([], 0))
        kept = [button for button in buttons if not button.get("reply")]
        if len(kept) != len(buttons):
            self.keyboards[chat_id] = (kept, message_id)

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
        text = plain_text(call.text, params.get("parse_mode"))
        if call.method in ("sendMessage", "editMessageText"):
            prefix = f"{bot} (edited)" if call.method == "editMessageText" else bot
            self.write(f"\n{prefix}: {text}")
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
            self.write(f"\n{bot}: [{call.method[4:].lower()}] {text}")
        elif call.method == "editMessageReplyMarkup" and call.buttons:
            self.write(f"\n{bot} (buttons changed):")
        elif call.method == "createForumTopic":
            self.write(f"\n{bot}: [new topic] {params.get('name', '')}")
        self._keep_keyboard(call, chat_id)

    def _keep_keyboard(self, call: Call, chat_id: int) -> None:
        """Remember (and print) the buttons ``call`` puts in front of the person."""
        result = call.result if isinstance(call.result, dict) else {}
        message_id = int(result.get("message_id") or 0)
        if call.method in NEW_MESSAGE:
            if call.method not in PINS:
                self.fresh.discard(chat_id)
        elif call.method not in ("editMessageText", "editMessageReplyMarkup"):
            return
        markup = _markup(call.params)
        rows = call.buttons
        if rows:
            buttons = [button for row in rows for button in row]
            self.keyboards[chat_id] = (buttons, message_id)
            self.markups[chat_id] = rows
            self._inline_now.add(chat_id)
            # a new message, or the message just pressed on, changed in place
            self.fresh.add(chat_id)
            self._print(chat_id, buttons)
        elif "keyboard" in markup:
            one_time = bool(markup.get("one_time_keyboard"))
            reply = [
                {**button, "reply": True, "one_time": one_time}
                if isinstance(button, dict)
                else {"text": str(button), "reply": True, "one_time": one_time}
                for row in markup["keyboard"]
                for button in row
            ]
            kept, inline_id = self.keyboards.get(chat_id, ([], 0))
            if chat_id in self._inline_now:
                kept = [button for button in kept if not button.get("reply")]
            else:
                kept, inline_id = [], 0
            self.keyboards[chat_id] = ([*kept, *reply], inline_id)
            self.fresh.add(chat_id)
            self._print(chat_id, reply, first=len(kept) + 1)
        else:
            if markup.get("remove_keyboard"):
                self._drop_reply_keyboard(chat_id)
            buttons, inline_id = self.keyboards.get(chat_id, ([], 0))
            edits = ("editMessageText", "editMessageReplyMarkup")
            if call.method in edits and message_id and message_id == inline_id:
                # an edited text without a keyboard takes the keyboard away
                self.keyboards[chat_id] = ([b for b in buttons if b.get("reply")], 0)
                self.fresh.discard(chat_id)

    def _print(self, chat_id: int, buttons: list[dict[str, Any]], first: int = 1) -> None:
        if chat_id != self.current:
            labels = ", ".join(f"[{button['text']}]" for button in buttons)
            self.write(f"  {labels}")
            return
        for number, button in enumerate(buttons, start=first):
            if button.get("reply"):
                target = f" ({_reply_hint(button, number)})"
            else:
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

    def _contact(self, *, other: bool) -> dict[str, Any]:
        """The person's own phone number as a contact (or someone else's)."""
        return {
            "phone_number": f"+86138{(99999 if other else self.user_id) % 100000:08d}",
            "first_name": "别人" if other else self.names.get(self.user_id, "工友"),
            "user_id": 99999 if other else self.user_id,
        }

    def _button_number(self, line: str, *, typing: bool) -> int | None:
        """The button ``line`` presses (1-based), or None if it is a typed message.

        ``#2`` always presses button 2. A bare number of one or two digits presses a button only
        when the bot's last message to this person carries the buttons and the person is not at
        a step that waits for a typed answer (``typing``); otherwise it is sent as text.
        """
        if found := PRESS.match(line):
            return int(found.group(1))
        if BARE_NUMBER.match(line) and self.terminal.buttons_are_fresh and not typing:
            return int(line)
        return None

    def _press(self, number: int, update_id: int, chat: dict[str, Any]) -> dict[str, Any] | None:
        """The update pressing button ``number`` sends (None: nothing to send)."""
        buttons = self.terminal.buttons
        if not buttons:
            self.terminal.write("(there are no buttons to press)")
            return None
        if not 1 <= number <= len(buttons):
            self.terminal.write(f"(there is no button {number})")
            return None
        button = buttons[number - 1]
        if button.get("reply"):
            self.terminal.pressed(button)
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": self._user(),
            }
            if button.get("request_location"):
                lat, lon = DEMO_LOCATION
                message["location"] = {"latitude": lat, "longitude": lon}
            elif button.get("request_contact"):
                message["contact"] = self._contact(other=False)
            else:
                message["text"] = str(button.get("text", ""))
            return {"update_id": update_id, "message": message}
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

    def payload_for(self, line: str, *, typing: bool = False) -> dict[str, Any] | None:
        """Turn a typed line into a Telegram update payload (None: not an update).

        ``typing`` says the person is at a flow step that waits for a typed answer.
        """
        line = line.strip()
        if found := AS.match(line):
            self.switch(found.group(1))
            return None
        update_id = next(self._update_ids)
        chat = {"id": self.user_id, "type": "private", "first_name": "工友"}
        number = self._button_number(line, typing=typing)
        if number is not None:
            return self._press(number, update_id, chat)
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
            message["contact"] = self._contact(other=found.group(1) == "other")
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


async def waits_for_text(db: Database, user_id: int) -> bool:
    """True if the person is at a flow step whose answer is typed (see TYPED_STEPS)."""
    async with db.session() as session:
        state = await get_flow(session, user_id=user_id)
    if state is None or state.flow not in TYPED_STEPS:
        return False
    steps = TYPED_STEPS[state.flow]
    return steps is None or state.step in steps


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
                payload = None
                if line.strip():
                    typing = await waits_for_text(db, chat.user_id)
                    payload = chat.payload_for(line, typing=typing)
                if payload is not None:
                    chat.terminal.new_reply()
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
        """Send what a broadcast has pending, due job alerts, the outbox's due messages and
        tomorrow's social reminders."""
        from bot.core.outbox import OutboxSender
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
        outbox = OutboxSender(notifier, self.db, owner="chat")
        while await outbox.step():
            pass
        await send_reminders(notifier, self.db, now=utcnow(), zone=self.settings.timezone)


class DemoTelegram:
    """Telegram's stand-in while the demo panel runs: the Bot API answered in this process
    (:class:`bot.localapi.LocalBotApi`), each message the workers would get written to the
    console, and the bot's broadcast and outbox senders running on it, as they run beside a
    real bot. So a broadcast sent from the demo is delivered at the configured pace and
    finishes, and a worker is told of a claim, an answer or a closed case."""

    TOKEN = "900000:DEMO-not-a-real-token"

    def __init__(self, services: Services, *, write: Callable[[str], None] = print) -> None:
        self.services = services
        self.write = write
        self.sent = 0
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._bot: Any = None

    def _show(self, call: Call) -> None:
        if not call.method.startswith("send"):
            return
        self.sent += 1
        lines = [line.strip() for line in call.text.splitlines() if line.strip()]
        shown = " / ".join(lines) or call.method
        if len(shown) > 120:
            shown = shown[:119] + "…"
        self.write(f"(demo Telegram) to {call.params.get('chat_id')}: {shown}")

    async def start(self) -> None:
        """Answer the Bot API here and start the senders; sets the services' notifier."""
        from telegram import Bot

        from bot.core.outbox import OutboxSender
        from bot.jobs.broadcast import BroadcastSender
        from handlers.notifier import TelegramNotifier

        api = LocalBotApi(on_call=self._show)
        self._bot = Bot(self.TOKEN, request=api, get_updates_request=api)
        await self._bot.initialize()
        notifier = TelegramNotifier(self._bot, encoders())
        self.services.notifier = notifier
        settings, db = self.services.settings, self.services.db
        broadcasts = BroadcastSender(
            notifier,
            db,
            rate=settings.bulk_messages_per_second,
            quiet_hours=settings.quiet_hours,
            timezone=settings.timezone,
            lease_seconds=settings.sender_lease_s,
        )
        outbox = OutboxSender(notifier, db)
        self._tasks = [
            asyncio.create_task(broadcasts.run(self._stop), name="demo-broadcast-sender"),
            asyncio.create_task(outbox.run(self._stop), name="demo-outbox-sender"),
        ]

    async def stop(self) -> None:
        """Let the senders finish what they hold, then close the stand-in."""
        self._stop.set()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, 10)
            except Exception:  # noqa: BLE001 - stopping: logged, the rest still stops
                log.warning("demo sender %s ended with an error", task.get_name(), exc_info=True)
        self._tasks = []
        if self._bot is not None:
            with contextlib.suppress(Exception):
                await self._bot.shutdown()
        self.services.notifier = None
